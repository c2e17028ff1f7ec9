from django.urls import path

from regulus.inspections.views import public

app_name = "inspections_public"

urlpatterns = [
    path("", public.draw_list, name="draw_list"),
    path("<str:number>/", public.draw_page, name="draw_page"),
    path("<str:number>/files/<str:name>", public.draw_file, name="draw_file"),
]
