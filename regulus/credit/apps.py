from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "regulus.credit"
    label = "credit"
    verbose_name = "企业信用"

    def ready(self) -> None:
        # The workflows attach themselves to their models (SeriousListing.workflow, ...).
        from regulus.credit import workflow  # noqa: F401
