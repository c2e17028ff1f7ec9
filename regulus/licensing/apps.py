from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "regulus.licensing"
    label = "licensing"
    verbose_name = "一件事一次办"
