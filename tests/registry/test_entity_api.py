import datetime as dt

from regulus.core import ids
from regulus.core.models import AuditLog

from .conftest import make_entity, new_uscc


def _client(client, user):
    client.force_login(user)
    return client


def test_api_list_is_scoped_and_never_returns_id_number(client, handler, outsider, entity_a):
    body = _client(client, handler).get("/api/v1/entities", {"q": "立白"}).json()
    assert body["count"] == 1 and body["items"][0]["uscc"] == entity_a.uscc
    assert entity_a.legal_rep_id_number not in str(body)
    assert "legal_rep_id_number" not in body["items"][0]
    body = _client(client, outsider).get("/api/v1/entities", {"q": "立白"}).json()
    assert body["count"] == 0 and body["items"] == []


def test_api_detail_masks_id_and_answers_404_outside_scope(client, handler, outsider, entity_a):
    body = _client(client, handler).get(f"/api/v1/entities/{entity_a.uscc}").json()
    assert body["legal_rep_id_number_masked"] != entity_a.legal_rep_id_number
    assert "*" in body["legal_rep_id_number_masked"]
    response = _client(client, outsider).get(f"/api/v1/entities/{entity_a.uscc}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _payload(**extra):
    data = {
        "uscc": new_uscc(),
        "name": "长沙市芙蓉区新开商贸有限公司",
        "kind": "企业",
        "established_on": "2024-03-01",
        "district_code": "430102",
    }
    data.update(extra)
    return data


def test_api_create_and_patch_entity_with_audit(client, handler):
    c = _client(client, handler)
    response = c.post("/api/v1/entities", _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    uscc = response.json()["uscc"]
    response = c.patch(
        f"/api/v1/entities/{uscc}",
        {"name": "长沙市芙蓉区改名商贸有限公司"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["former_names"] == ["长沙市芙蓉区新开商贸有限公司"]
    actions = set(
        AuditLog.objects.filter(object_type="registry.entity").values_list("action", flat=True)
    )
    assert {"create", "update"} <= actions


def test_api_invalid_uscc_is_422_with_field_and_rule(client, handler):
    uscc = new_uscc()
    bad = uscc[:-1] + ("1" if uscc[-1] != "1" else "2")
    response = _client(client, handler).post(
        "/api/v1/entities", _payload(uscc=bad), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and "校验位" in body["fields"]["uscc"]


def test_api_unknown_body_field_is_422(client, handler, entity_a):
    c = _client(client, handler)
    response = c.post("/api/v1/entities", _payload(colour="red"), content_type="application/json")
    assert response.status_code == 422 and "colour" in response.json()["fields"]
    response = c.patch(
        f"/api/v1/entities/{entity_a.uscc}", {"uscc": "X"}, content_type="application/json"
    )
    assert response.status_code == 422 and "uscc" in response.json()["fields"]


def test_api_outsider_cannot_create_in_or_patch_district_a(client, outsider, entity_a):
    c = _client(client, outsider)
    response = c.post("/api/v1/entities", _payload(), content_type="application/json")
    assert response.status_code == 403
    response = c.patch(
        f"/api/v1/entities/{entity_a.uscc}", {"name": "别人的公司"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_api_future_date_is_422(client, handler):
    tomorrow = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    response = _client(client, handler).post(
        "/api/v1/entities", _payload(established_on=tomorrow), content_type="application/json"
    )
    assert response.status_code == 422 and "established_on" in response.json()["fields"]


def test_api_bearer_token_works(client, handler, entity_a):
    from regulus.core.tokens import token_issue

    _token, plain = token_issue(user=handler, actor=handler, name="test")
    response = client.get(f"/api/v1/entities/{entity_a.uscc}", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    assert ids.validate_uscc(response.json()["uscc"]) == entity_a.uscc


def _field_values(entity, names):
    return {name: getattr(entity, name) for name in names}


def test_search_page_rows_are_the_orm_rows(handler, entity_a):
    """entities_by_ids writes its own SQL; it must give what in_bulk gives (decimals, dates,
    the unit), for every field it loads."""
    from decimal import Decimal

    from regulus.registry import selectors
    from regulus.registry.models import Entity

    other = make_entity(
        handler, "芙蓉区测试资本商行", registered_capital=Decimal("123.45"),
        status="revoked", status_changed_on=dt.date(2023, 5, 6), risk_class="C",
    )  # fmt: skip
    pks = [other.pk, entity_a.pk]
    fast = selectors.entities_by_ids(pks)
    orm = Entity.objects.select_related("unit").in_bulk(pks)
    names = [
        f.attname for f in Entity._meta.concrete_fields if f.attname not in selectors.LIST_DEFERRED
    ]
    for pk in pks:
        assert _field_values(fast[pk], names) == _field_values(orm[pk], names)
        assert fast[pk].unit.name == orm[pk].unit.name
    assert fast[other.pk].registered_capital == Decimal("123.45")


def test_api_detail_is_the_orm_detail(client, handler, entity_a):
    """The lookup by USCC writes its own SQL; its answer must be what the ORM entity gives
    (the ID number decrypted then masked, the capital as a decimal, former names)."""
    from decimal import Decimal

    from regulus.registry import api, services
    from regulus.registry.models import Entity

    services.entity_update(
        actor=handler, entity=entity_a, name="湖南立白集团有限公司",
        registered_capital=Decimal("88.80"),
    )  # fmt: skip
    body = _client(client, handler).get(f"/api/v1/entities/{entity_a.uscc}").json()
    entity = Entity.objects.select_related("unit").get(pk=entity_a.pk)
    expected = api.EntityDetailOut.model_validate(api._detail(entity)).model_dump(mode="json")
    assert body == expected
    assert body["former_names"] == ["湖南立白日化有限公司"]
    assert Decimal(body["registered_capital"]) == Decimal("88.80")


def test_lookup_by_uscc_is_scoped_like_visible_to(handler, outsider, city_handler, entity_a):
    import pytest
    from django.http import Http404

    from regulus.registry import selectors

    for user in (handler, city_handler):
        entity, _former = selectors.entity_detail_with_former_names(user=user, uscc=entity_a.uscc)
        assert entity.pk == entity_a.pk and entity.unit.name == entity_a.unit.name
    handler.is_active = False
    for user in (outsider, handler):
        with pytest.raises(Http404):
            selectors.entity_detail_with_former_names(user=user, uscc=entity_a.uscc)
