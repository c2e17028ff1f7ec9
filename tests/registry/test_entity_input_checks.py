"""An entity's text and its unit are checked at every edge alike — the staff form, the API and
the import — and a refusal changes nothing (issue 18, defect 3: a NUL stored and echoed into
pages, a bidi override in a name, "+1+1" as a name, unit_id 99999 filed under another unit)."""

from __future__ import annotations

import json

import pytest

from regulus.registry.models import Entity

from .conftest import new_uscc
from .test_entity_import import row, run, write_csv

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = {
    "a NUL": "便利\x00超市",
    "a right-to-left override": "便利超市\u202eexe.txt",
    "a zero-width space": "便利\u200b超市",
    "no letter": "+1+1",
    "a formula": "=1+2",
}


def _payload(**extra):  # type: ignore[no-untyped-def]
    return {"uscc": new_uscc(), "name": "长沙市芙蓉区新开商贸有限公司", "kind": "企业",
            "established_on": "2024-03-01", "district_code": "430102", **extra}  # fmt: skip


def _post(client, payload):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/entities", json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("what", HOSTILE_NAMES)
def test_api_refuses_a_hostile_name_naming_the_field_and_stores_nothing(client, handler, what):
    client.force_login(handler)
    response = _post(client, _payload(name=HOSTILE_NAMES[what]))
    assert response.status_code == 422, response.content
    assert set(response.json()["fields"]) == {"name"}
    patched = client.patch(
        "/api/v1/entities/91430102MA4L0000X1",
        json.dumps({"legal_rep_name": HOSTILE_NAMES[what]}),
        content_type="application/json",
    )
    assert patched.status_code in (404, 422)
    assert not Entity.objects.exists()


@pytest.mark.parametrize("unit_id", [99999, -1, 0, 1e20, 99999999999999999999, "x"])
def test_api_refuses_a_unit_that_does_not_exist_naming_unit_id(client, handler, unit_id):
    """unit_id 99999 or -1 answered 201 and filed the entity under the district's bureau."""
    client.force_login(handler)
    response = _post(client, _payload(unit_id=unit_id))
    assert response.status_code == 422, response.content
    assert set(response.json()["fields"]) == {"unit_id"}
    assert not Entity.objects.exists()


def test_api_unit_of_another_district_is_refused_naming_unit_id(client, handler, bureau):
    client.force_login(handler)
    response = _post(client, _payload(unit_id=bureau["station_a"].pk, district_code="430103"))
    assert response.status_code in (403, 422)
    if response.status_code == 422:
        assert set(response.json()["fields"]) == {"unit_id"}
    response = _post(client, _payload(unit_id=bureau["station_a"].pk))
    assert response.status_code == 201 and response.json()["unit_id"] == bureau["station_a"].pk


@pytest.mark.parametrize("what", HOSTILE_NAMES)
def test_staff_form_refuses_a_hostile_name_beside_the_field(client, handler, bureau, what):
    client.force_login(handler)
    data = {"uscc": new_uscc(), "name": HOSTILE_NAMES[what], "kind": "enterprise",
            "district_code": "430102", "unit": bureau["district_a"].pk,
            "established_on": "2024-03-01"}  # fmt: skip
    page = client.post("/registry/entities/new/", data)
    assert page.status_code in (400, 422)  # a NUL is refused before any form (core.middleware)
    assert "名称" in page.content.decode() or "NUL" in page.content.decode()
    assert not Entity.objects.exists()


def test_import_reports_hostile_text_with_its_line_and_field_and_loads_nothing(tmp_path, handler):
    rows = [row(), row(名称="便利超市\u202eexe"), row(**{"法定代表人/经营者": "=1+2"}),
            row(**{"住所（经营场所）": "五一大道\x851号"})]  # fmt: skip
    report = run(handler, write_csv(tmp_path / "x.csv", rows))
    assert not Entity.objects.exists()
    problems = {(e.line, e.field) for e in report.errors}
    assert {(3, "name"), (4, "legal_rep_name"), (5, "address")} <= problems
    messages = " ".join(e.message for e in report.errors)
    assert "文字方向控制字符（U+202E）" in messages and "须含有汉字或拉丁字母" in messages


def test_import_keeps_text_in_nfc_and_business_scope_over_several_lines(tmp_path, handler):
    rows = [row(名称="Cafe\u0301便利店", 经营范围="日用百货\n食品销售")]
    report = run(handler, write_csv(tmp_path / "x.csv", rows))
    assert report.created == 1, report.errors
    entity = Entity.objects.get()
    assert entity.name == "Café便利店" and entity.business_scope == "日用百货\n食品销售"
