from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "regulus.inspections"
    label = "inspections"
    verbose_name = "双随机、一公开"

    def ready(self) -> None:
        # The workflow attaches itself to its model (Target.workflow).
        from regulus.inspections import workflow  # noqa: F401
