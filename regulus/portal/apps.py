from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "regulus.portal"
    label = "portal"
    verbose_name = "公众服务门户"
