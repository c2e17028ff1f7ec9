from django.urls import path

from regulus.inspections.views import public

app_name = "inspections_public"

urlpatterns = [
    path("", public.draw_list, name="draw_list"),
    # Before "<number>/": a task numbered "visit" would otherwise hide these.
    path("visit/", public.visit_lookup, name="visit_lookup"),
    path("visit/<str:code>/", public.visit, name="visit"),
    path("<str:number>/", public.draw_page, name="draw_page"),
    path("<str:number>/files/<str:name>", public.draw_file, name="draw_file"),
]
