"""The annual plan filed with the level above (报备): the city reads it, read-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from regulus.inspections import selectors, services
from regulus.inspections.models import Plan
from tests.inspections.conftest import make_task


def test_filing_records_the_level_above_and_the_city_lists_it(handler, city_handler, plan, bureau):
    services.plan_file(actor=handler, plan=plan)
    plan.refresh_from_db()
    assert plan.state == Plan.State.FILED and plan.filed_with == bureau["city"]
    assert list(selectors.plans_filed_with(city_handler)) == [plan]
    assert list(selectors.plans_filed_with(handler)) == []  # its own plan is not "filed with"


def test_the_city_cannot_file_or_add_tasks_to_a_districts_plan(city_handler, plan, items):
    with pytest.raises(ValidationError, match="上级单位只能查阅"):
        services.plan_file(actor=city_handler, plan=plan)
    with pytest.raises(ValidationError, match="上级单位只能查阅"):
        make_task(city_handler, plan, items)
    plan.refresh_from_db()
    assert plan.state == Plan.State.DRAFT and not plan.tasks.exists()


def test_the_city_reads_the_filed_plan_without_its_buttons(client, handler, city_handler, plan):
    services.plan_file(actor=handler, plan=plan)
    client.force_login(city_handler)
    listing = client.get(reverse("inspections:plans_filed"))
    assert plan.title in listing.text
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk]))
    assert 'data-testid="plan-read-only"' in page.text and 'data-testid="task-new"' not in page.text


def test_the_outsider_sees_no_filed_plan_of_another_district(handler, outsider, plan):
    services.plan_file(actor=handler, plan=plan)
    assert list(selectors.plans_filed_with(outsider)) == []
