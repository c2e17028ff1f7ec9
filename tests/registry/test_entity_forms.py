"""Staff forms of the registry: 新增, 变更 and 状态变更, each through its service and in scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regulus.core import clock, ids
from regulus.core.crypto import keyed_hash
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import AuditLog, Role, User
from regulus.registry import services
from regulus.registry.models import Entity, EntityFormerName, EntityStatus

from .conftest import make_entity, new_uscc

NEW_URL = "/registry/entities/new/"
ID_NUMBER = ids.make_id_number("430102", dt.date(1980, 5, 6), 21)


def _create_post(unit: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "uscc": new_uscc("430102"),
        "name": "长沙市芙蓉区新开张餐饮有限公司",
        "kind": "enterprise",
        "sub_kind": "有限责任公司",
        "district_code": "430102",
        "unit": unit.pk,
        "established_on": "2024-03-15",
        "legal_rep_name": "赵立新",
        "legal_rep_id_number": ID_NUMBER,
        "registered_capital": "50.00",
        "industry_section": "H",
        "industry_code": "62",
        "business_scope": "餐饮服务",
        "registration_authority": "长沙市芙蓉区市场监督管理局",
        "address": "长沙市芙蓉区五一大道1号",
        "phone": "0731-88886666",
        "risk_class": "B",
    }
    data.update(overrides)
    return data


def _edit_post(entity: Entity, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": entity.name,
        "address": entity.address,
        "phone": entity.phone,
        "legal_rep_name": entity.legal_rep_name,
        "legal_rep_id_number": "",
        "business_scope": entity.business_scope,
        "registered_capital": ""
        if entity.registered_capital is None
        else str(entity.registered_capital),
        "industry_section": entity.industry_section,
        "industry_code": entity.industry_code,
        "risk_class": entity.risk_class,
    }
    data.update(overrides)
    return {f"edit-{k}": v for k, v in data.items()}


def _status_post(status: str, on: dt.date | str | None = None, reason: str = "依法吊销") -> dict:
    return {
        "status-status": status,
        "status-status_changed_on": str(on or clock.today()),
        "status-reason": reason,
    }


def _staff(username: str, unit: Any, role_name: str) -> User:
    user = User.objects.create_user(
        username=username, password=DEMO_PASSWORD, unit=unit, full_name=username
    )
    user.roles.set(Role.objects.filter(name=role_name))
    return user


# ---- 新增 ---------------------------------------------------------------------------------


def test_handler_creates_entity_in_scope_with_audit_row_and_encrypted_id(client, handler, bureau):
    client.force_login(handler)
    post = _create_post(bureau["station_a"])
    response = client.post(NEW_URL, post)
    entity = Entity.objects.get(uscc=post["uscc"])
    assert response.status_code == 302 and response.url == entity.get_absolute_url()
    assert entity.unit == bureau["station_a"] and entity.registered_capital == 50
    assert entity.legal_rep_id_number == ID_NUMBER
    assert entity.legal_rep_id_hash == keyed_hash(ID_NUMBER)
    row = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_id=str(entity.pk))
    assert row.actor == handler and ID_NUMBER not in str(row.changes)
    page = client.get(response.url).content.decode()
    assert "已登记" in page and ID_NUMBER not in page


def test_create_page_offers_only_units_in_the_users_scope(client, handler, bureau):
    client.force_login(handler)
    page = client.get(NEW_URL).content.decode()
    assert bureau["district_a"].name in page and bureau["station_a"].name in page
    assert bureau["district_b"].name not in page and bureau["station_b"].name not in page
    assert "天心区" in page  # the district list is the whole city's


def test_invalid_uscc_check_character_is_rejected_naming_the_rule(client, handler, bureau):
    client.force_login(handler)
    good = new_uscc("430102")
    wrong = "0" if good[-1] != "0" else "1"
    response = client.post(NEW_URL, _create_post(bureau["district_a"], uscc=good[:17] + wrong))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "校验位" in errors["uscc"][0] and "第18位" in errors["uscc"][0]
    assert 'data-testid="error-uscc"' in response.content.decode()
    assert not Entity.objects.filter(uscc__startswith=good[:17]).exists()


def test_invalid_id_number_is_rejected_beside_its_field(client, handler, bureau):
    client.force_login(handler)
    bad = ID_NUMBER[:17] + ("0" if ID_NUMBER[-1] != "0" else "1")
    response = client.post(NEW_URL, _create_post(bureau["district_a"], legal_rep_id_number=bad))
    assert response.status_code == 422
    assert "身份证号码" in response.context["form"].errors["legal_rep_id_number"][0]
    assert not Entity.objects.exists()


def test_uscc_category_must_match_kind_error_from_service(client, handler, bureau):
    client.force_login(handler)
    post = _create_post(bureau["district_a"], kind="individual")  # USCC says 企业 (category 1)
    response = client.post(NEW_URL, post)
    assert response.status_code == 422
    assert "第2位" in response.context["form"].errors["uscc"][0]
    assert not Entity.objects.exists()


def test_handler_cannot_create_in_unit_outside_scope(client, handler, bureau):
    client.force_login(handler)
    post = _create_post(bureau["district_b"], uscc=new_uscc("430103"), district_code="430103")
    response = client.post(NEW_URL, post)
    assert response.status_code == 422
    message = response.context["form"].errors["unit"][0]
    assert "监管单位" in message and "数据范围" in message
    assert not Entity.objects.exists()


def test_unit_must_belong_to_the_chosen_district(client, city_handler, bureau):
    client.force_login(city_handler)
    post = _create_post(bureau["district_b"])  # district 芙蓉区, unit of 天心区
    response = client.post(NEW_URL, post)
    assert response.status_code == 422
    assert "不属于芙蓉区" in response.context["form"].errors["unit"][0]
    assert not Entity.objects.exists()


def test_duplicate_uscc_is_rejected(client, handler, bureau, entity_a):
    client.force_login(handler)
    response = client.post(NEW_URL, _create_post(bureau["district_a"], uscc=entity_a.uscc))
    assert response.status_code == 422
    assert "已登记" in response.context["form"].errors["uscc"][0]
    assert Entity.objects.count() == 1


@pytest.mark.parametrize("role_name", ["窗口受理人员", "执法检查人员", "局领导"])
def test_window_clerk_inspector_and_leader_cannot_create(client, bureau, role_name):
    user = _staff("someone", bureau["district_a"], role_name)
    client.force_login(user)
    assert client.get(NEW_URL).status_code == 403
    assert client.post(NEW_URL, _create_post(bureau["district_a"])).status_code == 403
    assert not Entity.objects.exists()


def test_create_button_shown_only_to_those_who_may_create(client, handler, window_clerk):
    client.force_login(handler)
    assert NEW_URL in client.get("/registry/entities/").content.decode()
    client.force_login(window_clerk)
    assert NEW_URL not in client.get("/registry/entities/").content.decode()


# ---- 变更 ---------------------------------------------------------------------------------


def test_edit_name_keeps_former_name_shown_on_page(client, handler, entity_a):
    client.force_login(handler)
    url = f"/registry/entities/{entity_a.uscc}/edit/"
    response = client.post(url, _edit_post(entity_a, name="湖南立白集团有限公司"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已保存" in page
    entity_a.refresh_from_db()
    assert entity_a.name == "湖南立白集团有限公司"
    assert list(
        EntityFormerName.objects.filter(entity=entity_a).values_list("name", flat=True)
    ) == ["湖南立白日化有限公司"]
    assert 'data-testid="former-names"' in page and "湖南立白日化有限公司" in page
    row = AuditLog.objects.filter(action=AuditLog.Action.UPDATE).latest("id")
    assert row.actor == handler and "原名称" in row.summary


def test_edit_blank_id_number_keeps_it_and_new_one_replaces_it(client, handler, entity_a):
    client.force_login(handler)
    url = f"/registry/entities/{entity_a.uscc}/edit/"
    old_number = entity_a.legal_rep_id_number
    client.post(url, _edit_post(entity_a, address="长沙市芙蓉区八一路2号"))
    entity_a.refresh_from_db()
    assert entity_a.address == "长沙市芙蓉区八一路2号"
    assert entity_a.legal_rep_id_number == old_number
    client.post(url, _edit_post(entity_a, legal_rep_id_number=ID_NUMBER))
    entity_a.refresh_from_db()
    assert entity_a.legal_rep_id_number == ID_NUMBER
    assert entity_a.legal_rep_id_hash == keyed_hash(ID_NUMBER)


def test_edit_error_shown_beside_field_and_nothing_changed(client, handler, entity_a):
    client.force_login(handler)
    before = Entity.objects.get(pk=entity_a.pk)
    audit_rows = AuditLog.objects.count()
    response = client.post(
        f"/registry/entities/{entity_a.uscc}/edit/",
        _edit_post(entity_a, name="改了名字", phone="电话号码", industry_code="99"),
    )
    assert response.status_code == 422
    errors = response.context["edit_form"].errors
    assert "联系电话" in errors["phone"][0] and "行业大类" in errors["industry_code"][0]
    page = response.content.decode()
    assert 'data-testid="error-phone"' in page and "已保存" not in page
    assert 'class="form-control form-control-sm is-invalid"' in page  # marked beside the field
    after = Entity.objects.get(pk=entity_a.pk)
    assert (after.name, after.phone, after.industry_code, after.updated_at) == (
        before.name,
        before.phone,
        before.industry_code,
        before.updated_at,
    )
    assert AuditLog.objects.count() == audit_rows
    assert not EntityFormerName.objects.exists()


def test_window_clerk_cannot_edit_or_change_status(client, window_clerk, entity_a):
    client.force_login(window_clerk)
    base = f"/registry/entities/{entity_a.uscc}"
    assert client.post(f"{base}/edit/", _edit_post(entity_a, name="别的名称")).status_code == 403
    assert client.post(f"{base}/status/", _status_post("revoked")).status_code == 403
    page = client.get(f"{base}/").content.decode()
    assert "entity-edit-form" not in page and "entity-status-form" not in page
    entity_a.refresh_from_db()
    assert entity_a.name == "湖南立白日化有限公司" and entity_a.status == EntityStatus.ACTIVE


# ---- 状态变更 -----------------------------------------------------------------------------


def test_status_change_allowed_is_recorded_with_reason(client, handler, entity_a):
    client.force_login(handler)
    on = clock.today() - dt.timedelta(days=3)
    response = client.post(
        f"/registry/entities/{entity_a.uscc}/status/",
        _status_post("revoked", on, "长市监吊字〔2026〕1号"),
        follow=True,
    )
    assert "已变更登记状态为：吊销" in response.content.decode()
    entity_a.refresh_from_db()
    assert entity_a.status == EntityStatus.REVOKED and entity_a.status_changed_on == on
    row = AuditLog.objects.filter(action=AuditLog.Action.TRANSITION).latest("id")
    assert row.actor == handler and "长市监吊字〔2026〕1号" in row.summary


def test_status_form_offers_only_allowed_transitions(client, handler, entity_a):
    client.force_login(handler)
    url = f"/registry/entities/{entity_a.uscc}/"
    choices = client.get(url).context["status_choices"]
    assert [c for c, _ in choices] == ["revoked", "cancelled", "moved_out"]
    assert 'data-confirm="' in client.get(url).content.decode()
    services.entity_change_status(actor=handler, entity=entity_a, status="revoked")
    assert [c for c, _ in client.get(url).context["status_choices"]] == ["cancelled"]
    services.entity_change_status(actor=handler, entity=entity_a, status="cancelled")
    page = client.get(url)
    assert (
        page.context["status_choices"] == [] and "entity-status-form" not in page.content.decode()
    )


def test_status_change_not_allowed_is_refused_and_nothing_changed(client, handler, entity_a):
    services.entity_change_status(actor=handler, entity=entity_a, status="revoked")
    client.force_login(handler)
    rows = AuditLog.objects.count()
    response = client.post(f"/registry/entities/{entity_a.uscc}/status/", _status_post("moved_out"))
    assert response.status_code == 422
    message = response.context["status_form"].errors["status"][0]
    assert "“吊销”的主体不能变更" in message and "注销" in message
    entity_a.refresh_from_db()
    assert entity_a.status == EntityStatus.REVOKED and AuditLog.objects.count() == rows


def test_status_date_before_establishment_or_in_future_is_refused(client, handler, entity_a):
    client.force_login(handler)
    url = f"/registry/entities/{entity_a.uscc}/status/"
    early = client.post(url, _status_post("cancelled", entity_a.established_on - dt.timedelta(1)))
    assert "早于成立日期" in early.context["status_form"].errors["status_changed_on"][0]
    late = client.post(url, _status_post("cancelled", clock.today() + dt.timedelta(1)))
    assert "晚于今天" in late.context["status_form"].errors["status_changed_on"][0]
    missing = client.post(url, _status_post("cancelled", reason=""))
    assert "reason" in missing.context["status_form"].errors
    entity_a.refresh_from_db()
    assert entity_a.status == EntityStatus.ACTIVE


# ---- scope --------------------------------------------------------------------------------


def test_outsider_gets_404_on_edit_and_status_get_and_post_and_nothing_changed(
    client, outsider, entity_a
):
    client.force_login(outsider)
    base = f"/registry/entities/{entity_a.uscc}"
    rows = AuditLog.objects.count()
    assert client.get(f"{base}/edit/").status_code == 404
    assert client.get(f"{base}/status/").status_code == 404
    assert client.post(f"{base}/edit/", _edit_post(entity_a, name="被改的名称")).status_code == 404
    assert client.post(f"{base}/status/", _status_post("revoked")).status_code == 404
    entity_a.refresh_from_db()
    assert entity_a.name == "湖南立白日化有限公司" and entity_a.status == EntityStatus.ACTIVE
    assert AuditLog.objects.count() == rows and not EntityFormerName.objects.exists()


def test_colleague_in_same_district_may_edit(client, colleague, entity_a):
    client.force_login(colleague)
    response = client.post(
        f"/registry/entities/{entity_a.uscc}/edit/", _edit_post(entity_a, phone="13800000000")
    )
    assert response.status_code == 302
    entity_a.refresh_from_db()
    assert entity_a.phone == "13800000000"


def test_edit_get_opens_the_edit_panel_on_the_entity_page(client, handler, entity_a):
    client.force_login(handler)
    response = client.get(f"/registry/entities/{entity_a.uscc}/edit/")
    assert response.status_code == 200 and response.context["edit_open"]
    assert 'id="edit-panel"' in response.content.decode()


def test_city_handler_creates_entity_in_any_district(client, city_handler, bureau):
    client.force_login(city_handler)
    post = _create_post(bureau["station_b"], uscc=new_uscc("430103"), district_code="430103")
    assert client.post(NEW_URL, post).status_code == 302
    assert Entity.objects.get(uscc=post["uscc"]).unit == bureau["station_b"]


def test_other_entities_unaffected_by_edit(client, handler, entity_a):
    other = make_entity(handler, "长沙市芙蓉区另一家公司")
    client.force_login(handler)
    client.post(
        f"/registry/entities/{entity_a.uscc}/edit/", _edit_post(entity_a, name="新名称公司")
    )
    other.refresh_from_db()
    assert other.name == "长沙市芙蓉区另一家公司"
