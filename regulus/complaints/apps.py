from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "regulus.complaints"
    label = "complaints"
    verbose_name = "投诉举报"
