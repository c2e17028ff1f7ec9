from django.urls import path

from regulus.enforcement import public

app_name = "enforcement_public"

urlpatterns = [
    path("", public.publication_list, name="list"),
    path("<int:pk>/", public.publication_detail, name="detail"),
]
