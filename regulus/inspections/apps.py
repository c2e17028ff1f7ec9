from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "regulus.inspections"
    label = "inspections"
    verbose_name = "双随机、一公开"
