# Licensing moves onto the kernel's legal clocks (core 0009): its clock rules are loaded, every
# open application and post-approval check gets the clock of its current step, started on the
# stored start day (deadline_start) with the stored number of working days (deadline_days); an
# item older than those two columns takes its start from the events that set its deadline (as
# 0004 did) and its days from its state's limit (copied at submission). The clock's date is
# computed over the holiday table as it is now, and the item's deadline columns mirror it.
# Then the two columns go: the clocks hold where a deadline comes from.
#
# Reversible: going back puts each open item's start and days back from its running clock and
# deletes licensing's clocks and the clock rules no clock uses. Uses the historical models, so
# the counting (working days, no pauses or extensions yet) is repeated here.

import datetime as dt

from django.db import migrations
from django.utils import timezone

# state: (the clock of its step, the field of its limit)
STEPS = {
    "application": {
        "submitted": ("acceptance", "acceptance_days"),
        "review": ("review", "promised_days"),
        "onsite_check": ("review", "promised_days"),
        "approved": ("issue", "issue_days"),
        "issued": ("delivery", "delivery_days"),
    },
    "verificationtask": {
        "pending": ("verification", "verification_days"),
        "rectifying": ("rectification", "rectification_days"),
    },
}
CREATED = {"application": "submitted_at", "verificationtask": "created_at"}


def _start(obj, events, created_field):
    """The day of the event that set the running deadline (the earliest of the latest events
    that carry it), else the day the item was created."""
    start = None
    for event in events:  # newest first
        if event.deadline != obj.deadline:
            break
        start = event.at
    return timezone.localdate(start or getattr(obj, created_field))


def _days(name, obj, field):
    if name == "verificationtask":
        if field == "verification_days":
            return max((i.verification_days for i in obj.application.items.all()), default=30)
        return obj.application.rectification_days
    return getattr(obj, field)


def _due(start, days, exceptions, last_year):
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            counted += 1
    return day, last_year is None or day.year > last_year


def _rule(ClockRule, code, start):
    rules = ClockRule.objects.filter(code=code)
    return (
        rules.filter(effective_from__lte=start).order_by("-effective_from").first()
        or rules.order_by("effective_from").first()
    )


def forward(apps, schema_editor):
    from regulus.core.clock_services import clock_rules_load
    from regulus.licensing.catalogue import CLOCK_RULES

    ClockRule = apps.get_model("core", "ClockRule")
    clock_rules_load(ClockRule=ClockRule, rules=CLOCK_RULES)
    Clock = apps.get_model("core", "Clock")
    ClockHistory = apps.get_model("core", "ClockHistory")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    ContentType = apps.get_model("contenttypes", "ContentType")
    TransitionEvent = apps.get_model("core", "TransitionEvent")
    exceptions = {d: kind == "workday" for d, kind in CalendarDay.objects.values_list("date", "kind")}
    last_year = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    now = timezone.now()
    for name, steps in STEPS.items():
        model = apps.get_model("licensing", name)
        rows = model.objects.filter(state__in=list(steps))
        if not rows.exists():
            continue
        content_type, _ = ContentType.objects.get_or_create(app_label="licensing", model=name)
        for obj in rows.iterator():
            clock_name, field = steps[obj.state]
            start = obj.deadline_start
            if start is None:
                events = TransitionEvent.objects.filter(
                    content_type=content_type, object_id=str(obj.pk)
                ).order_by("-at", "-id")
                start = _start(obj, events, CREATED[name])
            days = obj.deadline_days if obj.deadline_days is not None else _days(name, obj, field)
            rule = _rule(ClockRule, f"licensing.{clock_name}", start)
            due, provisional = _due(start, days, exceptions, last_year)
            clock = Clock.objects.create(
                content_type=content_type, object_id=obj.pk, name=clock_name, label=rule.name,
                rule=rule, unit=rule.unit, is_main=True, start_date=start, days=days,
                status="running", due_date=due, provisional=provisional, started_at=now,
            )
            before = f"{obj.deadline:%Y-%m-%d}" if obj.deadline else "无"
            ClockHistory.objects.create(
                clock=clock, kind="start", at=now, actor_name="系统（数据迁移）",
                due_before=obj.deadline, due_after=due, provisional_after=provisional,
                note=f"由原办理期限建立计时（原期限 {before}）",
            )
            model.objects.filter(pk=obj.pk).update(deadline=due, deadline_provisional=provisional)
    _check_constraints_now(schema_editor)


def _check_constraints_now(schema_editor):
    # PostgreSQL refuses to alter a table with pending deferred foreign-key checks: run them
    # before the columns are dropped (or added back) in the same transaction.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backward(apps, schema_editor):
    Clock = apps.get_model("core", "Clock")
    ClockRule = apps.get_model("core", "ClockRule")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in STEPS:
        model = apps.get_model("licensing", name)
        content_type = ContentType.objects.filter(app_label="licensing", model=name).first()
        if content_type is None:
            continue
        clocks = Clock.objects.filter(content_type=content_type)
        for clock in clocks.filter(status="running", is_main=True):
            model.objects.filter(pk=clock.object_id).update(
                deadline_start=clock.start_date, deadline_days=clock.days + clock.extension_days
            )
        clocks.delete()
    ClockRule.objects.filter(code__startswith="licensing.", clocks__isnull=True).delete()
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0013_clocks"),
        ("licensing", "0005_bundle_industry"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="application", name="deadline_days"),
        migrations.RemoveField(model_name="application", name="deadline_start"),
        migrations.RemoveField(model_name="verificationtask", name="deadline_days"),
        migrations.RemoveField(model_name="verificationtask", name="deadline_start"),
    ]
