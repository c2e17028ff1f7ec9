"""The demo seeder: applications in every state through the real services; idempotent."""

from __future__ import annotations

from collections import Counter

from django.db.models import Min
from django.utils import timezone

from regulus.core import clock
from regulus.core.models import AuditLog, TransitionEvent
from regulus.licensing import demo
from regulus.licensing.models import Application, Certificate
from regulus.registry.models import Entity


def test_demo_seed_covers_the_states_and_runs_once(catalogue, city_admin, window_clerk, handler):
    made = demo.seed(entities=0, log=lambda s: None, count=80)
    assert made == 80
    states = set(Application.objects.values_list("state", flat=True))
    assert {"submitted", "review", "delivered", "issued"} <= states
    assert Application.objects.filter(path="commitment").exists()
    assert Application.objects.filter(same_day=True).exists()
    assert TransitionEvent.objects.filter(workflow="licensing.application").count() > 80
    assert demo.seed(entities=0, log=lambda s: None, count=80) == 0
    assert Application.objects.count() == 80


def test_demo_history_reads_forward_in_time(catalogue, city_admin, window_clerk, handler):
    """Every step happened on its own day: an application's events in order and none in the
    future, its number of its submission day, a new business registered on the day of its
    licence, the audit rows in time order."""
    demo.seed(entities=0, log=lambda s: None, count=80)
    finished = clock.now()
    days = set()
    for app in Application.objects.all():
        events = list(
            TransitionEvent.objects.filter(
                workflow="licensing.application", object_id=str(app.pk)
            ).order_by("id")
        )
        moments = [e.at for e in events]
        assert moments == sorted(moments) and moments[-1] <= finished
        assert moments[0] == app.submitted_at
        assert app.number[3:11] == f"{timezone.localtime(app.submitted_at):%Y%m%d}"
        days.add(timezone.localdate(app.submitted_at))
    assert len(days) > 8  # spread over the period, not all today
    # No entities but the demo's own new businesses here: each registered the day its first
    # licence was issued.
    first_licence = dict(
        Certificate.objects.exclude(entity=None)
        .values("entity")
        .annotate(first=Min("issued_on"))
        .values_list("entity", "first")
    )
    established = dict(Entity.objects.values_list("pk", "established_on"))
    assert established and established == first_licence
    audit = list(AuditLog.objects.order_by("id").values_list("at", flat=True))
    assert audit == sorted(audit)


def test_demo_intake_is_level_and_old_applications_are_finished(
    catalogue, city_admin, window_clerk, handler
):
    """A steady intake (each working day of the period about as many applications: no month
    with four times another's), and an application still open only while it is young: after
    20 working days only a correction, waiting for the applicant, may still be open, and a
    certificate is delivered within days of its issue."""
    demo.seed(entities=0, log=lambda s: None, count=120, period=30)
    per_day = Counter(timezone.localdate(a.submitted_at) for a in Application.objects.all())
    assert len(per_day) >= 25  # of the 30 (four a day on average: hardly a day without)
    assert max(per_day.values()) <= 3 * 120 / 30
    days = demo.intake_days(clock.now(), 30)  # working days ago → day
    ages = []
    for app in Application.objects.filter(state__in=Application.workflow.open_states()):
        age = days.index(timezone.localdate(app.submitted_at))
        assert age <= 20 or app.state == Application.State.CORRECTION, (app.number, age)
        assert age <= 5 or app.state != Application.State.ISSUED, (app.number, age)
        ages.append(age)
    assert ages and min(ages) <= 2  # the youngest are open
    assert sum(a > 10 for a in ages) < sum(a <= 10 for a in ages)


def test_an_application_for_a_registered_entity_picks_one_of_the_bundles_trade(handler, bureau):
    """A pharmacy's permits go to a registered pharmacy, not to a vegetable stall."""
    import random

    from tests.registry.conftest import make_entity

    make_entity(handler, "长沙市芙蓉区金穗菜摊", kind="individual")
    pharmacy = make_entity(handler, "长沙市芙蓉区好运大药房", kind="individual")
    district = pharmacy.unit
    rng = random.Random(1)
    kinds = ["enterprise", "individual"]
    for _ in range(5):
        assert demo._entity_for(district, rng, kinds, "pharmacy-permits") == pharmacy
    assert demo._entity_for(district, rng, kinds, "open-snack-bar") is None  # no 米粉 shop
