# A deadline keeps its start day and its number of working days, so that a provisional deadline
# (its year's holiday schedule not loaded when it was set) is computed again once the schedule
# is loaded (`regulus tick`, licensing.sweeps).
#
# Backfill: only the open items whose deadline is still provisional ever need the two values.
# Their start is the day of the event that set the running deadline (the earliest of the
# latest events that carry it), else the day of submission / creation. Their days are counted
# back from the deadline as it was computed: with the holiday table of the years before the
# deadline's year, which was not loaded then (a deadline is provisional exactly because its
# year was not). Uses the historical models, so the counting is repeated here. Reversible: the
# reverse drops the columns, and the values need no undoing.

import datetime as dt

from django.db import migrations, models
from django.utils import timezone

OPEN = {
    "application": ["submitted", "correction", "review", "onsite_check", "approved", "issued"],
    "verificationtask": ["pending", "rectifying"],
}
CREATED = {"application": "submitted_at", "verificationtask": "created_at"}


def _start(obj, events, created_field):
    start = None
    for event in events:  # newest first
        if event.deadline != obj.deadline:
            break
        start = event.at
    return timezone.localdate(start or getattr(obj, created_field))


def _days(start, deadline, exceptions):
    count, day = 0, start
    while day < deadline:
        day += dt.timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            count += 1
    return count


def backfill(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    ContentType = apps.get_model("contenttypes", "ContentType")
    TransitionEvent = apps.get_model("core", "TransitionEvent")
    for name, open_states in OPEN.items():
        model = apps.get_model("licensing", name)
        content_type = ContentType.objects.filter(app_label="licensing", model=name).first()
        rows = model.objects.filter(
            deadline_provisional=True,
            deadline__isnull=False,
            deadline_start__isnull=True,
            state__in=open_states,
        )
        for obj in rows.iterator():
            events = (
                TransitionEvent.objects.filter(
                    content_type=content_type, object_id=str(obj.pk)
                ).order_by("-at", "-id")
                if content_type is not None
                else []
            )
            start = _start(obj, events, CREATED[name])
            if start > obj.deadline:
                continue
            exceptions = {
                d: kind == "workday"
                for d, kind in CalendarDay.objects.filter(
                    date__gt=start, date__lt=dt.date(obj.deadline.year, 1, 1)
                ).values_list("date", "kind")
            }
            model.objects.filter(pk=obj.pk).update(
                deadline_start=start, deadline_days=_days(start, obj.deadline, exceptions)
            )


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_transition_event'),
        ('licensing', '0003_step_days_in_matter_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='deadline_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='期限（工作日）'),
        ),
        migrations.AddField(
            model_name='application',
            name='deadline_start',
            field=models.DateField(blank=True, null=True, verbose_name='期限起算日'),
        ),
        migrations.AddField(
            model_name='verificationtask',
            name='deadline_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='期限（工作日）'),
        ),
        migrations.AddField(
            model_name='verificationtask',
            name='deadline_start',
            field=models.DateField(blank=True, null=True, verbose_name='期限起算日'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
