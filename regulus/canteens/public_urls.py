from django.urls import path

from regulus.canteens import public

app_name = "canteens_public"

urlpatterns = [
    path("", public.canteen_search, name="search"),
    path("<str:code>/", public.canteen, name="canteen"),
]
