"""Exclusions other apps declare (core.plugins.TargetExclusion): the target list applies
every one and says which excluded how many. A test-only declaration stands in for the
enforcement app's (tests/enforcement/test_case_flow.py checks the real one)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse

from regulus.core import plugins
from regulus.inspections import selectors, services
from regulus.inspections.models import Snapshot
from regulus.registry.models import Entity


@pytest.fixture
def open_cases(monkeypatch, population):
    """A stand-in enforcement app: three entities under an open case, and a second ground
    that shares one of them."""
    under_case = [e.pk for e in population[:3]]
    real = {k: v for k, v in plugins.declarations().items() if k != "enforcement"}
    # The URL conf mounts the declared apps' pages once, when first imported: import it with
    # the real declarations, or enforcement's pages would be gone for the later tests too.
    import_module(settings.ROOT_URLCONF)

    def declared():
        return {
            **real,
            "cases_test": plugins.AppExtension(
                exclusions=(
                    plugins.TargetExclusion(
                        "立案调查中",
                        lambda on: Entity.objects.filter(pk__in=under_case).values("pk"),
                    ),
                    plugins.TargetExclusion("停业整顿中", lambda on: [under_case[0]]),
                )
            ),
        }

    monkeypatch.setattr(plugins, "declarations", declared)
    return under_case


def test_every_declared_exclusion_leaves_its_entities_out_and_is_counted(task, open_cases):
    candidates = set(selectors.target_candidates(task).values_list("pk", flat=True))
    assert not candidates & set(open_cases)
    assert selectors.exclusion_counts(task) == [("立案调查中", 3), ("停业整顿中", 1)]


def test_the_frozen_target_list_holds_no_excluded_entity(handler, task, open_cases):
    services.task_freeze(actor=handler, task=task)
    frozen = task.snapshots.get(name=Snapshot.Name.TARGETS).content
    for entity in Entity.objects.filter(pk__in=open_cases):
        assert entity.uscc not in frozen


def test_the_task_page_says_which_ground_excluded_how_many(client, handler, task, open_cases):
    client.force_login(handler)
    page = client.get(reverse("inspections:task_detail", args=[task.number]))
    assert "已排除立案调查中：3户" in page.text and "已排除停业整顿中：1户" in page.text
