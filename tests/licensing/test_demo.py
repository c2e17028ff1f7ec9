"""The demo seeder: applications in every state through the real services; idempotent."""

from __future__ import annotations

from regulus.core.models import TransitionEvent
from regulus.licensing import demo
from regulus.licensing.models import Application


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
