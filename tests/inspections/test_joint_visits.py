"""One visit, not three (综合查一次): before a draw, the entities another open task of the
period already drew are shown and can be merged; the visit then checks both tasks' items, and
the year's figures count the share of such visits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from regulus.inspections import selectors, services
from regulus.inspections.models import CheckItem, Domain, ItemResult, JointVisit, Target
from tests.inspections.conftest import LATER, make_task


@pytest.fixture
def price_item(db):
    return CheckItem.objects.create(
        code="JG-01",
        name="价格行为检查",
        department="价格监督检查科",
        legal_basis="《价格法》第三十四条",
        kind=CheckItem.Kind.GENERAL,
        domain=Domain.FOOD,
    )


@pytest.fixture
def second(handler, drawn, price_item):
    return make_task(
        handler,
        drawn.plan,
        [price_item],
        title="价格行为抽查",
        source_available_at=LATER + dt.timedelta(days=3),
    )


def test_targets_of_another_open_task_of_the_period_are_offered(handler, drawn, second):
    offered = set(selectors.overlapping_targets(second).values_list("pk", flat=True))
    assert offered == set(Target.objects.filter(task=drawn).values_list("pk", flat=True))
    later = make_task(
        handler,
        drawn.plan,
        list(second.items.all()),
        title="下半年抽查",
        source_available_at=LATER + dt.timedelta(days=3),
        check_from=dt.date(2026, 9, 1),
        check_to=dt.date(2026, 9, 30),
    )
    assert not selectors.overlapping_targets(later).exists()  # another period: nothing


def test_a_merged_visit_checks_both_tasks_items_and_counts_as_joint(
    handler, drawn, second, price_item, holidays, frozen_clock
):
    target = Target.objects.filter(task=drawn).order_by("position").first()
    assert services.visit_merge(actor=handler, task=second, targets=[target]) == 1
    assert not selectors.overlapping_targets(second).filter(pk=target.pk).exists()
    items = selectors.target_items(target)
    assert price_item in items and len(items) == 3
    inspector = target.assignments.filter(active=True).first().inspector.user
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    only_own = {i.pk: "1" for i in drawn.items.all()}
    with pytest.raises(ValidationError, match="价格行为检查"):
        services.result_enter(
            actor=inspector, target=target, codes=only_own, checked_on=dt.date(2026, 3, 16)
        )
    services.result_enter(
        actor=inspector,
        target=target,
        codes={**only_own, price_item.pk: "1"},
        checked_on=dt.date(2026, 3, 16),
    )
    assert ItemResult.objects.filter(target=target, item=price_item).exists()
    total = selectors.year_stats(handler, 2026)["total"]
    assert total["joint_visits"] == 1 and total["checked"] == 1
    assert total["joint_visit_share"] == 100.0


def test_a_target_outside_the_offer_cannot_be_merged(handler, drawn, second, frozen_clock):
    target = Target.objects.filter(task=drawn).order_by("position").first()
    services.visit_merge(actor=handler, task=second, targets=[target])
    with pytest.raises(ValidationError, match="不能并入"):
        services.visit_merge(actor=handler, task=second, targets=[target])
    assert JointVisit.objects.count() == 1


def test_the_task_page_offers_the_merge(client, handler, drawn, second):
    client.force_login(handler)
    url = reverse("inspections:task_detail", args=[second.number])
    page = client.get(url)
    assert 'data-testid="overlap-table"' in page.text
    target = Target.objects.filter(task=drawn).order_by("position").first()
    client.post(url, {"action": "merge", "targets": [str(target.pk)]})
    assert JointVisit.objects.filter(task=second, target=target).exists()
    assert target.entity.name in client.get(url).text
