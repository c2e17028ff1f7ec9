from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "regulus.enforcement"
    label = "enforcement"
    verbose_name = "行政处罚案件"
