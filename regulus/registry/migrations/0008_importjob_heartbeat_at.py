# The worker's last sign of life on the job row (queued, started, finished), so that
# `regulus tick` can tell a job whose worker died from one still running (registry.sweeps).
# Existing rows keep NULL: the sweep falls back to created_at. Reversible: drops the column.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_sqlite_short_rep_id_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近进展'),
        ),
    ]
