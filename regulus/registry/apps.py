from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "regulus.registry"
    label = "registry"
    verbose_name = "市场主体库"
