from django.apps import AppConfig


class CanteensConfig(AppConfig):
    name = "regulus.canteens"
    label = "canteens"
    verbose_name = "学校食堂"
