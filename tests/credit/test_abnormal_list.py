"""The abnormal-operations list (经营异常名录) and the 个体户 abnormal state: the sweep after the
window, on the right day, once; manual grounds with evidence; removal on application once
cured, on its clock; the 2024 rule change; publication."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from regulus.core import calendar
from regulus.core.models import AuditLog, CalendarYear
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import rules, selectors, services
from regulus.credit.models import AbnormalListing, AbnormalRule, AnnualListingRun
from regulus.registry.portal_codes import portal_code_issue
from tests.credit.conftest import send_credit
from tests.credit.test_annual_reports import REPORT, at
from tests.registry.conftest import make_entity

D = dt.date


@pytest.fixture(autouse=True)
def holidays_2026(db):
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)


@pytest.fixture
def city(handler, outsider, entity_a, entity_b):
    """entity_a (enterprise, A) files 2025's report; an enterprise and a 个体户 of A do not;
    entity_b (个体户, B) does not; one set up in 2026 is not due."""
    code = portal_code_issue(entity=entity_a, actor=handler)
    with at("2026-03-01"):
        services.annual_report_file_portal(uscc=entity_a.uscc, code=code, year=2025, **REPORT)
    return {
        "filed": entity_a,
        "silent": make_entity(handler, "长沙市芙蓉区沉默有限公司"),
        "shop": make_entity(handler, "长沙市芙蓉区赵记修鞋铺", kind="individual"),
        "other": entity_b,
        "young": make_entity(handler, "长沙市芙蓉区新办有限公司", established_on=D(2026, 2, 1)),
    }


def run_tick() -> str:
    out = io.StringIO()
    call_command("tick", "--only", "credit.abnormal_unfiled", stdout=out)
    return out.getvalue()


def test_nothing_is_listed_on_the_last_day_of_the_window(city):
    with at("2026-06-30"):
        assert "无待处理事项" in run_tick()
    assert not AbnormalListing.objects.exists()


def test_the_sweep_lists_the_unfiled_on_1_july_and_a_second_run_lists_nothing(city):
    with at("2026-07-01"):  # a Wednesday, a working day
        run_tick()
        run_tick()
        # Run by hand once more: nothing new.
        assert services.abnormal_list_unfiled(actor=SYSTEM_ACTOR, year=2025) == 0
    listed = {x.entity.name: x for x in AbnormalListing.objects.select_related("entity")}
    assert set(listed) == {
        "长沙市芙蓉区沉默有限公司",
        "长沙市芙蓉区赵记修鞋铺",
        "长沙市天心区好又多超市",
    }
    assert listed["长沙市芙蓉区沉默有限公司"].kind == "list"
    assert listed["长沙市芙蓉区赵记修鞋铺"].kind == "state"
    assert listed["长沙市天心区好又多超市"].unit == city["other"].unit
    assert AnnualListingRun.objects.get(year=2025).listed == 3
    numbers = sorted(x.decision_number for x in listed.values())
    assert numbers[0] == "经营异常列字〔2026〕000001" and len(set(numbers)) == 3
    assert AuditLog.objects.filter(object_type="credit.abnormallisting").count() == 3


def test_when_the_day_after_the_window_is_not_a_working_day_the_sweep_waits(city, monkeypatch):
    """1 July falls on a Saturday in 2028; here the holiday table is made to say 2026-07-01
    is a holiday: the sweep waits for the next working day."""
    real = calendar.is_working_day
    monkeypatch.setattr(calendar, "is_working_day", lambda d: d != D(2026, 7, 1) and real(d))
    with at("2026-07-01"):
        assert "无待处理事项" in run_tick()
    with at("2026-07-02"):
        run_tick()
    assert AbnormalListing.objects.count() == 3


def test_a_late_report_is_accepted_but_does_not_end_the_listing(city, handler):
    with at("2026-07-01"):
        run_tick()
    silent = city["silent"]
    code = portal_code_issue(entity=silent, actor=handler)
    with at("2026-07-10"):
        report = services.annual_report_file_portal(
            uscc=silent.uscc, code=code, year=2025, **REPORT
        )
    assert report.late
    assert AbnormalListing.objects.get(entity=silent).state == "listed"


def test_removal_needs_the_cure_then_is_decided_on_its_clock(city, handler):
    with at("2026-07-01"):
        run_tick()
    silent = city["silent"]
    listing = AbnormalListing.objects.get(entity=silent)
    with at("2026-07-06"), pytest.raises(ValidationError, match="尚未补报2025年度报告"):
        services.abnormal_removal_apply(listing=listing, actor=handler, reason="已补报")
    code = portal_code_issue(entity=silent, actor=handler)
    with at("2026-07-06"):
        services.annual_report_file_portal(uscc=silent.uscc, code=code, year=2025, **REPORT)
        services.abnormal_removal_apply(listing=listing, actor=handler, reason="已补报年度报告")
    # 5 working days from Monday 6 July: Monday 13 July.
    assert listing.removal_due == D(2026, 7, 13)
    with at("2026-07-08"):
        services.abnormal_remove(listing=listing, actor=handler)
    listing.refresh_from_db()
    assert (listing.state, listing.removed_on) == ("removed", D(2026, 7, 8))
    assert listing.removal_number == "经营异常移字〔2026〕000001"
    section = selectors.listing_public_section(silent)
    assert section.rows[0][4] == "2026-07-08"


def test_removal_for_an_entity_not_listed_is_refused(city, handler):
    listing = services.abnormal_list(
        entity=city["silent"], ground="false_info", evidence="核查认定虚假", actor=handler
    )
    services.abnormal_removal_apply(listing=listing, actor=handler, reason="已更正")
    services.abnormal_remove(listing=listing, actor=handler)
    with pytest.raises(ValidationError, match="未在经营异常名录"):
        services.abnormal_removal_apply(listing=listing, actor=handler, reason="再次申请")


def test_a_listing_without_evidence_is_refused(city, handler):
    for evidence in ("", "  ", "无"):
        with pytest.raises(ValidationError, match="须附证据"):
            services.abnormal_list(
                entity=city["silent"], ground="instant_info", evidence=evidence, actor=handler
            )
    with pytest.raises(ValidationError, match="列入事由"):
        services.abnormal_list(
            entity=city["silent"], ground="annual_report", evidence="未报送年报", actor=handler
        )
    assert not AbnormalListing.objects.exists()


def test_the_outsider_sees_nothing_of_district_a(city, outsider, handler):
    services.abnormal_list(
        entity=city["silent"], ground="false_info", evidence="核查认定虚假", actor=handler
    )
    assert not selectors.listings_for(outsider).exists()
    assert selectors.entity_listing_facts(city["silent"], outsider) == []


def test_an_unreachable_spot_check_result_lists_at_once(city, handler):
    send_credit(city["silent"], topic="inspections.unreachable", label="通过登记的住所无法联系")
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    listing = AbnormalListing.objects.get(entity=city["silent"])
    assert listing.ground == "unreachable" and "无法联系" in listing.evidence
    # The same result sent again from another check: still listed once on that ground.
    send_credit(city["silent"], topic="inspections.unreachable", source=city["shop"])
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    assert AbnormalListing.objects.filter(entity=city["silent"]).count() == 1


@pytest.mark.parametrize(
    "listed_on, moves_on",
    [
        (D(2020, 7, 10), D(2023, 7, 10)),  # 2014 rule, its three years ended before 2024-05-01
        (D(2022, 7, 10), None),  # 2014 rule, but the three years run past its deletion
        (D(2024, 7, 10), None),  # listed under the 2024 条例: never moved by age
    ],
)
def test_the_2024_rule_change_ends_the_automatic_move_to_the_serious_list(db, listed_on, moves_on):
    rule = rules.abnormal_rule_on(listed_on)
    assert rules.serious_transfer_on(listed_on, rule) == moves_on
    assert AbnormalRule.objects.get(valid_from=D(2024, 5, 1)).serious_after_years is None


def test_window_clerk_may_not_list(city, window_clerk):
    with pytest.raises(PermissionDenied):
        services.abnormal_list(
            entity=city["silent"], ground="false_info", evidence="核查认定虚假", actor=window_clerk
        )


def test_staff_pages_and_api(city, handler, outsider, client):
    with at("2026-07-01"):
        run_tick()
    listing = AbnormalListing.objects.get(entity=city["silent"])
    client.force_login(handler)
    assert city["silent"].name in client.get("/credit/abnormal/").content.decode()
    detail = client.get(f"/credit/abnormal/{listing.pk}/").content.decode()
    assert "国务院令第777号" in detail
    rows = client.get("/api/v1/credit/abnormal").json()
    assert {r["entity_name"] for r in rows} == {
        "长沙市芙蓉区沉默有限公司",
        "长沙市芙蓉区赵记修鞋铺",
    }
    bad = client.post(
        "/api/v1/credit/abnormal",
        {"uscc": city["silent"].uscc, "ground": "instant_info", "evidence": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "evidence" in bad.json()["fields"]
    client.force_login(outsider)
    assert client.get(f"/credit/abnormal/{listing.pk}/").status_code == 404
    assert client.post(f"/api/v1/credit/abnormal/{listing.pk}/removal").status_code == 404
