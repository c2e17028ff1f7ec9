from django.urls import path
from django.views.generic import RedirectView

from regulus.inspections.views import staff

app_name = "inspections"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inspections:task_list"), name="index"),
    path("items/", staff.item_list, name="item_list"),
    path("inspectors/", staff.inspector_list, name="inspector_list"),
    path("inspectors/import/", staff.inspector_import, name="inspector_import"),
    path("inspectors/template.xlsx", staff.inspector_template, name="inspector_template"),
    path("plans/", staff.plan_list, name="plan_list"),
    path("plans/filed/", staff.plans_filed, name="plans_filed"),
    path("plans/<int:pk>/", staff.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/tasks/new/", staff.task_create, name="task_create"),
    path("tasks/", staff.task_list, name="task_list"),
    path("tasks/<str:number>/", staff.task_detail, name="task_detail"),
    path("mine/", staff.my_tasks, name="my_tasks"),
    path("publication/", staff.publication_list, name="publication_list"),
    path("targets/<int:pk>/result/", staff.target_result, name="target_result"),
    path("targets/<int:pk>/files/<int:file_pk>/", staff.result_file, name="result_file"),
    path("rectifications/", staff.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", staff.rectification, name="rectification"),
    path("stats/", staff.stats, name="stats"),
    path("stats.xlsx", staff.stats_export, name="stats_export"),
]
