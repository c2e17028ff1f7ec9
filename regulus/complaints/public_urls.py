from django.urls import path

from regulus.complaints import public

app_name = "complaints_public"

urlpatterns = [
    path("", public.file, name="file"),
    path("progress/", public.lookup, name="lookup"),
    path("items/<str:number>/", public.progress, name="progress"),
    path("items/<str:number>/receipt/", public.receipt, name="receipt"),
    path("items/<str:number>/rate/", public.rate, name="rate"),
    path("items/<str:number>/odr-leave/", public.odr_leave, name="odr_leave"),
    path("odr/", public.odr_business, name="odr_business"),
    path("odr/<str:number>/answer/", public.odr_business_answer, name="odr_business_answer"),
]
