import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from regulus.core.models import AuditLog
from regulus.registry import services
from regulus.registry.models import EntityFormerName, EntityStatus

from .conftest import make_entity, new_uscc


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_entity_create_rejects_bad_uscc_check_character(handler):
    uscc = new_uscc()
    bad = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        make_entity(handler, "某某商贸有限公司", uscc=bad)
    assert "校验位" in _errors(exc)["uscc"][0]


def test_entity_create_rejects_uscc_category_not_matching_kind(handler):
    with pytest.raises(ValidationError) as exc:
        make_entity(handler, "某某便利店", uscc=new_uscc(kind="enterprise"), kind="individual")
    assert "主体类型" in _errors(exc)["uscc"][0]


def test_entity_create_rejects_future_date_negative_capital_and_foreign_district(handler):
    with pytest.raises(ValidationError) as exc:
        make_entity(
            handler,
            "某某商贸有限公司",
            established_on=dt.date(2999, 1, 1),
            registered_capital=Decimal("-1"),
            district="110101",
        )
    errors = _errors(exc)
    assert "晚于今天" in errors["established_on"][0]
    assert "负数" in errors["registered_capital"][0]
    assert "district_code" in errors


def test_entity_create_rejects_unit_of_another_district(handler, bureau):
    with pytest.raises(ValidationError) as exc:
        make_entity(handler, "某某商贸有限公司", unit=bureau["station_b"])
    assert "不属于" in _errors(exc)["unit"][0]


def test_entity_create_rejects_registered_uscc(handler, entity_a):
    with pytest.raises(ValidationError) as exc:
        make_entity(handler, "另一家公司", uscc=entity_a.uscc)
    assert "已登记" in _errors(exc)["uscc"][0]


def test_entity_create_defaults_unit_to_district_bureau_and_audits(handler, bureau):
    entity = make_entity(handler, "芙蓉区鑫达便利超市", kind="individual")
    assert entity.unit == bureau["district_a"]
    row = AuditLog.objects.get(object_type="registry.entity", object_id=str(entity.pk))
    assert row.action == AuditLog.Action.CREATE and "芙蓉区鑫达便利超市" in row.summary


def test_entity_id_number_is_encrypted_hashed_and_kept_out_of_audit(entity_a):
    from django.db import connection

    from regulus.core.crypto import keyed_hash

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_rep_id_number FROM registry_entity WHERE id = %s", [entity_a.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("sm4:") and entity_a.legal_rep_id_number not in stored
    assert entity_a.legal_rep_id_hash == keyed_hash(entity_a.legal_rep_id_number)
    row = AuditLog.objects.get(object_id=str(entity_a.pk), action=AuditLog.Action.CREATE)
    assert entity_a.legal_rep_id_number not in str(row.changes)


def test_entity_update_keeps_former_name_and_audits(handler, entity_a):
    services.entity_update(actor=handler, entity=entity_a, name="湖南立白集团有限公司")
    entity_a.refresh_from_db()
    assert entity_a.name == "湖南立白集团有限公司"
    assert list(
        EntityFormerName.objects.filter(entity=entity_a).values_list("name", flat=True)
    ) == ["湖南立白日化有限公司"]
    row = AuditLog.objects.filter(object_id=str(entity_a.pk), action=AuditLog.Action.UPDATE).get()
    assert "name" in row.changes and "原名称" in row.summary


def test_entity_update_rejects_unknown_fields_and_changes_nothing_when_equal(handler, entity_a):
    with pytest.raises(ValidationError):
        services.entity_update(actor=handler, entity=entity_a, uscc="X")
    before = AuditLog.objects.count()
    services.entity_update(actor=handler, entity=entity_a, name=entity_a.name)
    assert AuditLog.objects.count() == before


def test_entity_change_status_follows_transitions(handler, entity_a):
    services.entity_change_status(actor=handler, entity=entity_a, status=EntityStatus.REVOKED)
    entity_a.refresh_from_db()
    assert entity_a.status == EntityStatus.REVOKED and entity_a.status_changed_on
    with pytest.raises(ValidationError):
        services.entity_change_status(actor=handler, entity=entity_a, status=EntityStatus.MOVED_OUT)
    assert AuditLog.objects.filter(object_id=str(entity_a.pk), action="transition").count() == 1
