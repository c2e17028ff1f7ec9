from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "regulus.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        # Login, logout and failed logins are audited: Django reports them only as signals.
        from regulus.core import auth_audit

        auth_audit.connect()
