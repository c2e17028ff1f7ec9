from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "regulus.equipment"
    label = "equipment"
    verbose_name = "特种设备"

    def ready(self) -> None:
        # The workflows attach themselves to their models (Equipment.workflow …), which the
        # kernel's clock pages and recomputation read.
        from regulus.equipment import workflow  # noqa: F401
