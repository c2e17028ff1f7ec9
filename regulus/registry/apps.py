from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegistryConfig(AppConfig):
    name = "regulus.registry"
    label = "registry"
    verbose_name = "市场主体库"

    def ready(self) -> None:
        from regulus.registry.search import clear_orphans

        # Housekeeping only (no business rule): a flush empties the entity table but not the
        # search index, which is raw SQL outside the ORM.
        post_migrate.connect(clear_orphans, sender=self, dispatch_uid="registry_clear_orphans")
