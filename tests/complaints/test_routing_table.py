"""The routing table (区域×领域→承办单位): edited by the system administrator only, every change
audited; a rule for the domain comes before the area's rule for every domain, which comes
before the registered respondent's unit and the district bureau; items already routed keep
their unit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.complaints import services
from regulus.core.models import AuditLog
from tests.complaints.conftest import file_item
from tests.registry.conftest import make_entity


@pytest.fixture
def station(bureau):
    return bureau["station_a"]


def test_a_domain_rule_comes_before_the_area_rule_and_the_defaults(
    rules, city_admin, bureau, station, handler
):
    assert (
        file_item(category="food", facts="第1件：销售疑似假冒商品。").unit == bureau["district_a"]
    )
    services.routing_rule_save(
        actor=city_admin, district_code="430102", category="", unit=bureau["dept"]
    )
    services.routing_rule_save(
        actor=city_admin, district_code="430102", category="food", unit=station, note="食品所"
    )
    assert file_item(category="food", facts="第2件：销售疑似假冒商品。").unit == station
    assert file_item(category="price", facts="第3件：销售疑似假冒商品。").unit == bureau["dept"]
    assert (
        file_item(category="food", district_code="430103", facts="第4件：销售疑似假冒商品。").unit
        == bureau["district_b"]
    )


def test_the_area_is_the_registered_respondent_s_district(rules, city_admin, bureau, outsider):
    entity_b = make_entity(outsider, "长沙市天心区某食品店", district="430103")
    services.routing_rule_save(
        actor=city_admin, district_code="430103", category="food", unit=bureau["station_b"]
    )
    item = file_item(
        category="food",
        respondent_uscc=entity_b.uscc,
        district_code="430102",
        facts="第5件：销售疑似假冒商品。",
    )
    assert item.unit == bureau["station_b"]


def test_only_the_administrator_edits_and_every_change_is_audited(
    rules, city_admin, dispatcher, bureau, station
):
    with pytest.raises(PermissionDenied):
        services.routing_rule_save(
            actor=dispatcher, district_code="430102", category="", unit=station
        )
    rule = services.routing_rule_save(
        actor=city_admin, district_code="430102", category="", unit=station
    )
    services.routing_rule_save(
        actor=city_admin, district_code="430102", category="", unit=bureau["district_a"]
    )
    rule.refresh_from_db()
    assert rule.unit == bureau["district_a"]
    services.routing_rule_delete(actor=city_admin, rule=rule)
    logged = AuditLog.objects.filter(object_type="complaints.routingrule").order_by("id")
    assert [row.action for row in logged] == ["create", "update", "delete"]


def test_bad_rules_are_refused_with_the_field_named(rules, city_admin, bureau):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_save(
            actor=city_admin, district_code="43010", category="beer", unit=bureau["dept"]
        )
    assert set(exc.value.message_dict) == {"district_code", "category"}


def test_the_page_shows_the_table_and_the_form_only_to_the_administrator(
    client, rules, city_admin, dispatcher, bureau
):
    client.force_login(dispatcher)
    page = client.get("/complaints/routing/").content.decode()
    assert "routing-table" in page and "routing-form" not in page
    assert client.post("/complaints/routing/", {"district_code": "430102"}).status_code == 403
    client.force_login(city_admin)
    response = client.post(
        "/complaints/routing/",
        {"district_code": "430102", "category": "food", "unit": bureau["station_a"].pk},
    )
    assert response.status_code == 302
    assert "芙蓉区东湖市场监管所" in client.get("/complaints/routing/").content.decode()
    bad = client.post("/complaints/routing/", {"district_code": "430102", "unit": "x"})
    assert bad.status_code == 400 and "请选择承办单位" in bad.content.decode()
