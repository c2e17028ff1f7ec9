from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "regulus.licensing"
    label = "licensing"
    verbose_name = "一件事一次办"

    def ready(self) -> None:
        # The workflows attach themselves to their models (Application.workflow, ...).
        from regulus.licensing import workflow  # noqa: F401
