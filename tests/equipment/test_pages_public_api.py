"""Pages, the public tag check, the API and the plug-ins: every page opens, the tag page
shows no personal data and a clear page for an unknown code, the fleet on the entity page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from regulus.core import clock
from regulus.equipment import services
from regulus.equipment.models import Equipment
from regulus.equipment.sweeps import overdue_equipment
from tests.equipment.conftest import make_lift

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_lift(handler, using_unit, maintainer):
    return make_lift(
        handler,
        using_unit,
        number="梯11湘A00500(22)",
        maintenance_entity=maintainer,
        last_inspected_on=clock.today() - dt.timedelta(days=400),
    )


def test_staff_pages_open(client, handler, lift):
    client.force_login(handler)
    check = services.check_record(
        actor=handler,
        entity=lift.using_entity,
        kind="special",
        checked_on=clock.today(),
        inspectors="张志强",
        equipment=[lift],
        hazards=[
            {"description": "门锁失效", "level": "ordinary", "removal_days": 5, "equipment": lift}
        ],
        order={"kind": "rectify", "requirement": "整改", "rectify_days": 5},
    )
    campaign = services.campaign_create(
        actor=handler,
        name="电梯专项整治",
        scope="芙蓉区",
        category="3000",
        starts_on=clock.today(),
        ends_on=clock.today(),
        compounds=[lift.compound],
    )
    for url in (
        "/equipment/",
        "/equipment/?when=overdue",
        "/equipment/?when=due&district=430102",
        "/equipment/new/",
        "/equipment/import/",
        "/equipment/warnings/",
        lift.get_absolute_url(),
        "/equipment/checks/",
        f"/equipment/checks/new/?uscc={lift.using_entity.uscc}",
        check.get_absolute_url(),
        "/equipment/hazards/",
        check.orders.get().get_absolute_url(),
        "/equipment/key-units/",
        "/equipment/campaigns/",
        campaign.get_absolute_url(),
        "/equipment/stats/",
        "/equipment/rules/",
    ):
        assert client.get(url).status_code == 200, url


def test_bad_filters_and_unknown_actions_never_500(client, handler, lift):
    client.force_login(handler)
    assert client.get("/equipment/?when=soon&district=x&page=abc").status_code == 200
    assert client.post(f"/equipment/items/{lift.pk}/explode/").status_code == 302
    answer = client.post(
        f"/equipment/items/{lift.pk}/inspection/",
        {"inspected_on": "2026-02-30", "result": "passed"},
    )
    assert answer.status_code == 302 and lift.inspections.count() == 0


def test_the_public_tag_page_says_overdue_and_shows_no_personal_data(client, overdue_lift):
    page = client.get(f"/portal/equipment/tag/{overdue_lift.tag_code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "超期未检验" in text and overdue_lift.using_entity.name in text
    assert overdue_lift.maintenance_entity.name in text
    assert "刘思远" not in text  # the staff member who registered it
    assert (
        overdue_lift.using_entity.legal_rep_name not in text
        or not overdue_lift.using_entity.legal_rep_name
    )
    assert "向12315反映问题" in text


def test_a_stopped_lift_reads_stopped_and_an_in_date_one_valid(client, handler, lift):
    assert (
        "在检验有效期内" in client.get(f"/portal/equipment/tag/{lift.tag_code}/").content.decode()
    )
    services.equipment_transition(actor=handler, equipment=lift, name="stop")
    assert "已停用" in client.get(f"/portal/equipment/tag/{lift.tag_code}/").content.decode()


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "abc", "0000000000", "%E2%80%AE1234", "x" * 300])
def test_an_unknown_tag_code_gets_a_clear_public_page(client, rules, code):
    page = client.get(f"/portal/equipment/tag/{code}/")
    assert page.status_code == 404
    assert "未找到该设备" in page.content.decode()


def test_the_tag_lookup_form_leads_to_the_tag_page(client, lift):
    answer = client.get("/portal/equipment/", {"code": lift.tag_code.lower()})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/tag/{lift.tag_code}/")


def test_the_report_button_is_hidden_without_the_complaints_app(client, settings, lift):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "regulus.complaints"]
    from regulus.equipment import public

    assert public._complaints_url() == ""


def test_the_using_units_entity_page_shows_its_fleet(client, handler, lift):
    client.force_login(handler)
    text = client.get(lift.using_entity.get_absolute_url()).content.decode()
    assert lift.registration_number in text


def test_api_lists_overdue_in_scope_and_records_an_inspection(
    client, handler, outsider, overdue_lift
):
    client.force_login(handler)
    listed = client.get("/api/v1/equipment", {"when": "overdue"}).json()
    assert (
        listed["count"] == 1
        and listed["items"][0]["registration_number"] == overdue_lift.registration_number
    )
    bad = client.post(
        f"/api/v1/equipment/items/{overdue_lift.pk}/inspections",
        {"inspected_on": (clock.today() + dt.timedelta(days=2)).isoformat(), "result": "passed"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "inspected_on" in bad.json()["fields"]
    made = client.post(
        f"/api/v1/equipment/items/{overdue_lift.pk}/inspections",
        {"inspected_on": clock.today().isoformat(), "result": "passed"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["interval_months"] == 12
    assert client.get("/api/v1/equipment", {"when": "overdue"}).json()["count"] == 0
    assert client.get("/api/v1/equipment", {"when": "later"}).status_code == 422
    client.force_login(outsider)
    assert client.get("/api/v1/equipment").json()["count"] == 0
    assert client.get(f"/api/v1/equipment/items/{overdue_lift.pk}").status_code == 404


def test_api_tag_check_is_public_and_404s_an_unknown_code(client, overdue_lift):
    found = client.get(f"/api/v1/equipment/tags/{overdue_lift.tag_code}")
    assert found.status_code == 200 and found.json()["status"] == "overdue"
    missing = client.get("/api/v1/equipment/tags/ZZZZZZZZZZ")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "fields"}


def test_the_home_page_counts_overdue_and_the_export_matches(client, handler, overdue_lift, lift):
    overdue_equipment()
    client.force_login(handler)
    home = client.get("/").content.decode()
    assert 'data-testid="stat-equipment-overdue"' in home
    book = load_workbook(io.BytesIO(client.get("/equipment/stats/export/").content))
    sheet = book["超期未检清单"]
    assert sheet.max_row == 1 + Equipment.objects.filter(next_due_on__lt=clock.today()).count()
