"""Credit repair (信用修复, 国市监信规〔2021〕3号; domain.md §3): applications from the portal and
at the window, the conditions the platform checks, the decision on its clock, and on approval
the removal or the early stop of publication (the public page stops showing it); penalties
that may not be stopped early are refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import calendar
from regulus.core.models import CalendarYear, Clock
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import selectors, services
from regulus.credit.models import AbnormalListing, CreditRecord, RepairApplication
from regulus.registry.portal_codes import portal_code_issue
from tests.credit.conftest import send_penalty
from tests.credit.test_annual_reports import REPORT, at

D = dt.date
T = RepairApplication.Target
APPLICANT = {
    "applicant": "陈凯旋",
    "phone": "138-0013-8000",
    "reason": "罚款已缴清，问题产品已全部召回",
}


@pytest.fixture(autouse=True)
def holidays(db):
    # 2027 is not published yet (domain.md §11): its dates are provisional.
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)


@pytest.fixture
def penalty(entity_a) -> CreditRecord:
    send_penalty(entity_a, serious=False)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    return CreditRecord.objects.get()


@pytest.fixture
def code(entity_a, handler):
    return portal_code_issue(entity=entity_a, actor=handler)


def portal_apply(entity, code, target, number, **over):
    values = {**APPLICANT, "pledged": True, **over}
    return services.repair_apply_portal(
        uscc=entity.uscc, code=code, target=target, subject_number=number, **values
    )


def test_a_penalty_may_be_repaired_only_after_its_minimum_publication(penalty, entity_a, code):
    with at("2026-08-31"), pytest.raises(ValidationError, match="2026年9月2日"):
        portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")
    assert not RepairApplication.objects.exists()


def test_approved_penalty_repair_stops_publication_on_the_public_page(
    penalty, entity_a, code, handler
):
    with at("2026-09-02"):
        assert selectors.credit_public_section(entity_a).rows
        app = portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")
        assert (app.state, app.channel, app.unit) == ("applied", "portal", entity_a.unit)
        assert app.number.startswith("信用修复〔2026〕")
        # The decision clock: 15 working days from Wednesday 2 September, counting the
        # make-up working Sunday of 20 September.
        assert app.deadline == D(2026, 9, 22)
        assert Clock.objects.get(object_id=app.pk, name="decision").status == "running"
        services.repair_approve(app=app, actor=handler)
        penalty.refresh_from_db()
        assert penalty.publication_stopped_on == D(2026, 9, 2)
        assert selectors.credit_public_section(entity_a).rows == []
        facts = selectors.entity_record_facts(entity_a, handler)
        assert "提前停止公示" in facts[0].status
    app.refresh_from_db()
    assert app.state == "approved" and app.deadline is None


def test_a_revocation_or_suspension_is_refused_with_the_rule(entity_a, code):
    send_penalty(entity_a, penalty_kinds=["fine", "revocation"], serious=False)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    with at("2027-06-01"), pytest.raises(ValidationError, match="第十四条") as exc:
        portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")
    assert "吊销许可证件" in str(exc.value)


def test_an_application_by_someone_else_finds_nothing(penalty, entity_b, outsider):
    other_code = portal_code_issue(entity=entity_b, actor=outsider)
    with at("2026-09-02"), pytest.raises(ValidationError, match="未找到该主体"):
        portal_apply(entity_b, other_code, T.PENALTY, "芙市监处罚〔2026〕18号")


def test_a_wrong_code_is_refused_and_counted(penalty, entity_a, code):
    with at("2026-09-02"), pytest.raises(ValidationError, match="还可再试4次"):
        portal_apply(entity_a, "WRONG123", T.PENALTY, "芙市监处罚〔2026〕18号")


def test_the_application_names_every_missing_item_and_saves_nothing(penalty, entity_a, code):
    with at("2026-09-02"), pytest.raises(ValidationError) as exc:
        portal_apply(
            entity_a,
            code,
            T.PENALTY,
            "芙市监处罚〔2026〕18号",
            phone="12",
            reason="",
            pledged=False,
        )
    assert set(exc.value.message_dict) == {"phone", "reason", "pledged"}
    assert not RepairApplication.objects.exists()


def test_a_second_application_for_the_same_item_is_refused(penalty, entity_a, code):
    with at("2026-09-02"):
        portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")
        with pytest.raises(ValidationError, match="请勿重复"):
            portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")


def test_abnormal_repair_needs_the_report_filed_then_removes_the_listing(
    entity_a, handler, window_clerk, code
):
    listing = services.abnormal_list(
        entity=entity_a,
        ground="unreachable",
        evidence="实地核查住所无人，邻居称已搬离",
        actor=handler,
    )
    with at("2026-03-05"):
        app = services.repair_apply_staff(
            entity=entity_a,
            target=T.ABNORMAL,
            subject_id=listing.pk,
            pledged=True,
            actor=window_clerk,
            **APPLICANT,
        )
        with pytest.raises(PermissionDenied):
            services.repair_approve(app=app, actor=window_clerk)
        services.repair_approve(app=app, actor=handler)
    listing.refresh_from_db()
    assert listing.state == AbnormalListing.State.REMOVED
    assert listing.removal_number and app.number in listing.removal_reason
    rows = selectors.listing_public_section(entity_a).rows
    assert rows[0][4] != "—"


def test_an_unfiled_report_listing_cannot_be_repaired_before_filing(entity_a, handler, code):
    from regulus.core.audit import audited

    with audited(actor="测试") as audit:
        listing = AbnormalListing.objects.create(
            entity=entity_a,
            unit=entity_a.unit,
            kind="list",
            ground="annual_report",
            report_year=2025,
            evidence="未报送2025年度报告",
            rule=services.rules.abnormal_rule_on(D(2026, 7, 1)),
            listed_on=D(2026, 7, 1),
            decision_number="经营异常列字〔2026〕000001",
            listed_by="测试",
        )
        audit.record(action="create", obj=listing, summary="测试数据", changes={})
    with at("2026-07-02"):
        with pytest.raises(ValidationError, match="尚未补报2025年度报告"):
            portal_apply(entity_a, code, T.ABNORMAL, listing.decision_number)
        services.annual_report_file_portal(uscc=entity_a.uscc, code=code, year=2025, **REPORT)
        app = portal_apply(entity_a, code, T.ABNORMAL, listing.decision_number)
    assert app.abnormal == listing


def test_a_refusal_needs_its_reason(penalty, entity_a, code, handler, outsider):
    with at("2026-09-02"):
        app = portal_apply(entity_a, code, T.PENALTY, "芙市监处罚〔2026〕18号")
        with pytest.raises(ValidationError, match="须填写理由"):
            services.repair_refuse(app=app, actor=handler, reason=" ")
        services.repair_refuse(app=app, actor=handler, reason="罚款尚未缴纳")
    app.refresh_from_db()
    assert (app.state, app.decision_note) == ("refused", "罚款尚未缴纳")
    assert not selectors.repairs_for(outsider).exists()
    assert list(selectors.repairs_for(handler)) == [app]


def test_early_removal_from_the_serious_list_after_the_rule_s_year(entity_a, handler, leader):
    from tests.credit.test_serious_list import listed

    listing = listed(entity_a, handler, leader)
    args = dict(entity=entity_a, target=T.SERIOUS, subject_id=listing.pk, pledged=True)
    with at("2027-03-10"), pytest.raises(ValidationError, match="2027年3月11日起"):
        services.repair_apply_staff(actor=handler, **args, **APPLICANT)
    with at("2027-03-11"):
        app = services.repair_apply_staff(actor=handler, **args, **APPLICANT)
        services.repair_approve(app=app, actor=handler)
    listing.refresh_from_db()
    assert listing.state == "removed" and "信用修复" in listing.removal_reason
