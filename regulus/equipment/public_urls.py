from django.urls import path

from regulus.equipment import public

app_name = "equipment_public"

urlpatterns = [
    path("", public.tag_lookup, name="lookup"),
    path("tag/<str:code>/", public.tag, name="tag"),
]
