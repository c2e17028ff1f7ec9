from django.urls import path

from regulus.complaints import public

app_name = "complaints_public"

urlpatterns = [
    path("", public.file, name="file"),
    path("progress/", public.lookup, name="lookup"),
    path("items/<str:number>/", public.progress, name="progress"),
    path("items/<str:number>/receipt/", public.receipt, name="receipt"),
    path("items/<str:number>/rate/", public.rate, name="rate"),
]
