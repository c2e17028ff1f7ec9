"""Sign the operation log from here on: a deployment's rows written before the chain was keyed
get the key-change row after them (core.audit.chain_key_change), signed with REGULUS_AUDIT_KEY,
whose previous hash pins them all. Nothing is rewritten.

Not reversed: the row stays in the chain (removing a row from it is what the chain exists to
detect); code from before the key cannot verify it, which is what a downgrade means."""

from django.conf import settings
from django.db import migrations


def key_the_chain(apps, schema_editor):
    from regulus.core.audit import chain_key_change
    from regulus.core.crypto import mac_key

    head = (
        apps.get_model("core", "AuditChainHead")
        .objects.select_for_update()
        .filter(pk=1, count__gt=0, key_id="")
        .first()
    )
    if head is not None:
        chain_key_change(
            head=head, key=mac_key(settings.AUDIT_KEY), log_model=apps.get_model("core", "AuditLog")
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_chain_key")]

    operations = [migrations.RunPython(key_the_chain, migrations.RunPython.noop)]
