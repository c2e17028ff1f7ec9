"""Credit risk classes A–D: a versioned, transparent score; the monthly recompute writes the
class through the registry's service; the class is never public."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from regulus.core.models import AuditLog
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import risk, selectors, services
from regulus.credit.models import RiskChange, RiskRun
from regulus.registry import services as registry_services
from regulus.registry.models import Entity
from tests.credit.conftest import send_credit
from tests.credit.test_annual_reports import at


@pytest.fixture
def troubled(handler, entity_a):
    """entity_a: listed on false information, a false commitment, a spot-check problem."""
    services.abnormal_list(
        entity=entity_a, ground="false_info", evidence="核查认定虚假", actor=handler
    )
    send_credit(entity_a, topic="licensing.false_commitment", label="告知承诺不实")
    send_credit(
        entity_a, topic="inspections.problem_found", label="抽查发现问题", source=entity_a.unit
    )
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    return entity_a


def test_factor_points_sum_to_the_score_and_set_the_class(troubled):
    score = risk.entity_score(troubled, dt.date(2026, 12, 6))
    points = {line.code: line.points for line in score.lines}
    assert points["listed_now"] == 30 and points["false_commitment"] == 25
    assert points["spot_check_problem"] == 10
    assert score.total == sum(points.values()) == 65
    assert score.risk_class == "D"


def test_a_cap_limits_a_factor_and_old_facts_fall_out_of_the_lookback(entity_a, handler, bureau):
    # Four penalties (four sources): the cap of 3 counts three.
    sources = [entity_a, entity_a.unit, bureau["city"], bureau["dept"]]
    for n, source in enumerate(sources):
        send_credit(
            entity_a,
            topic="enforcement.penalty",
            label="行政处罚",
            on=dt.date(2026, 1, 1 + n),
            source=source,
        )
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    line = next(
        x for x in risk.entity_score(entity_a, dt.date(2026, 12, 6)).lines if x.code == "penalty"
    )
    assert (line.count, line.cap, line.points) == (4, 3, 45)
    later = risk.entity_score(entity_a, dt.date(2029, 6, 1))
    assert next(x for x in later.lines if x.code == "penalty").count == 0


def test_monthly_recompute_writes_classes_through_the_registry_once_a_month(
    troubled, handler, entity_b
):
    Entity.objects.filter(pk=entity_b.pk).update(risk_class="C")
    with at("2026-12-01"):
        out = io.StringIO()
        call_command("tick", "--only", "credit.risk_monthly", stdout=out)
        call_command("tick", "--only", "credit.risk_monthly", stdout=out)
    troubled.refresh_from_db()
    entity_b.refresh_from_db()
    assert (troubled.risk_class, entity_b.risk_class) == ("D", "A")
    changes = {c.entity_id: c for c in RiskChange.objects.all()}
    assert changes[troubled.pk].score == 65 and "告知承诺不实" in changes[troubled.pk].reasons
    assert (changes[entity_b.pk].old_class, changes[entity_b.pk].new_class) == ("C", "A")
    assert RiskRun.objects.get().changed == len(changes)
    # One audit row for the whole change, with the count per transition; the row per entity
    # is the RiskChange kept above.
    batch = AuditLog.objects.get(object_type="registry.entity", summary__contains="批量变更")
    assert batch.changes["risk_changed"] == len(changes)
    assert batch.changes["risk_moves"]["C类→A类"] == 1


def test_the_set_based_recompute_agrees_with_each_entity_s_explained_score(
    troubled, handler, entity_b, bureau
):
    from tests.registry.conftest import make_entity

    young = make_entity(handler, "长沙市芙蓉区新开小店", kind="individual")
    closed = make_entity(handler, "长沙市芙蓉区已注销有限公司")
    Entity.objects.filter(pk=closed.pk).update(status="deregistered", risk_class="D")
    with at("2026-12-01"):
        services.risk_recompute_city(actor=SYSTEM_ACTOR)
        for entity in (troubled, entity_b, young):
            entity.refresh_from_db()
            score = risk.entity_score(entity, dt.date(2026, 12, 1))
            assert entity.risk_class == score.risk_class, entity.name
            change = RiskChange.objects.filter(entity=entity).first()
            if change is not None:
                assert change.score == score.total
                assert change.reasons == (score.reasons or "无计分因素")
    closed.refresh_from_db()
    assert closed.risk_class == "A"


def test_the_search_index_finds_the_entity_by_its_new_class(troubled, city_handler):
    from regulus.registry import search

    Entity.objects.filter(pk=troubled.pk).update(risk_class="B")
    search.index_entities([troubled.pk])
    with at("2026-12-01"):
        services.risk_recompute_city(actor=SYSTEM_ACTOR)

    def found(risk_class: str) -> list[int]:
        return search.search_ids(search.IndexQuery(fragment="立白", filters={"risk": risk_class}))

    assert Entity.objects.get(pk=troubled.pk).risk_class == "D"
    assert (found("D"), found("B")) == ([troubled.pk], [])


def test_the_registry_service_refuses_a_bad_class_and_an_unpermitted_actor(handler, entity_a):
    with pytest.raises(ValidationError, match="A、B、C或D"):
        registry_services.entity_risk_classes_set(
            actor=SYSTEM_ACTOR, classes={entity_a.pk: "E"}, default="A", reason="测试"
        )
    with pytest.raises(PermissionDenied):
        registry_services.entity_risk_classes_set(
            actor=handler, classes={}, default="A", reason="测试"
        )


def test_the_class_is_never_on_the_public_page(troubled, client):
    Entity.objects.filter(pk=troubled.pk).update(risk_class="D")
    texts = str([s.rows for s in selectors.entity_public_sections(troubled)])
    assert "D类" not in texts and "风险" not in texts
    page = client.get(f"/portal/entities/{troubled.uscc}/").content.decode()
    assert "风险分类" not in page and "高风险" not in page


def test_staff_page_and_api_explain_the_class_and_the_outsider_sees_nothing(
    troubled, handler, outsider, client
):
    client.force_login(handler)
    page = client.get(f"/credit/risk/{troubled.uscc}/").content.decode()
    assert "告知承诺不实" in page and "65" in page and "D类" in page
    body = client.get(f"/api/v1/credit/risk/{troubled.uscc}").json()
    assert body["score"] == sum(f["points"] for f in body["factors"]) == 65
    client.force_login(outsider)
    assert client.get(f"/credit/risk/{troubled.uscc}/").status_code == 404
    assert client.get(f"/api/v1/credit/risk/{troubled.uscc}").status_code == 404


def test_the_set_based_registry_service_refuses_a_bad_class_and_an_unpermitted_actor(
    handler, entity_a
):
    from django.db import transaction

    from regulus.core.bulk import stage

    with transaction.atomic():
        table = stage(
            "risk_test_stage",
            (("id", "bigint"), ("old_class", "text"), ("new_class", "text")),
            [(entity_a.pk, "", "E")],
        )
        with pytest.raises(ValidationError, match="A、B、C或D"):
            registry_services.entity_risk_classes_apply(
                actor=SYSTEM_ACTOR, table=table, reason="测试"
            )
        with pytest.raises(PermissionDenied):
            registry_services.entity_risk_classes_apply(actor=handler, table=table, reason="测试")
    entity_a.refresh_from_db()
    assert entity_a.risk_class == ""
