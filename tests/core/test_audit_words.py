"""The operation log in the words of its readers: every field under its Chinese name, every value
as users know it (a choice by its label, 是/否, an object by its name, a date in Chinese), no
keyed hash and no server path, an export's filters as a sentence; on the log's page and on the
timelines alike. tests/conftest.py reads back every row every test writes the same way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from regulus.core import auditwords, ids, services
from regulus.core.audit import audit_record
from regulus.core.models import AuditLog, User
from regulus.core.selectors import audit_change_lines, audit_timeline
from regulus.registry import exporting, selectors
from regulus.registry import services as registry_services
from regulus.registry.importing import TEMPLATE_HEADERS
from regulus.registry.models import Entity, ImportJob
from tests.operation_log import problems
from tests.registry.conftest import make_entity

pytestmark = pytest.mark.django_db


def _lines(row: AuditLog) -> dict[str, str]:
    return dict(audit_change_lines(row))


def test_registered_entity_reads_with_labels_names_and_chinese_dates(handler):
    entity = make_entity(
        handler,
        "长沙市芙蓉区示例小吃店",
        kind="individual",
        legal_rep_name="张三",
        legal_rep_id_number=ids.make_id_number("430102", dt.date(1980, 1, 2), 15),
    )
    lines = _lines(AuditLog.objects.get(object_id=str(entity.pk), action="create"))
    assert lines["主体类型"] == "个体工商户" and lines["登记状态"] == "存续（在业）"
    assert lines["监管单位"] == "芙蓉区市场监督管理局"  # not its id
    assert lines["成立日期"] == "2020年1月2日"
    assert lines["所属区县"] == "芙蓉区（430102）"
    assert lines["法定代表人证件号码"] == "已填写"  # its keyed hash is never shown
    assert not [label for label in lines if re.search(r"[A-Za-z]", label)]


def test_status_change_and_id_number_change_read_as_labels_and_masked(handler):
    entity = make_entity(handler, "长沙市芙蓉区示例商贸有限公司")
    registry_services.entity_change_status(
        actor=handler, entity=entity, status="cancelled", on=dt.date(2026, 3, 2)
    )
    row = AuditLog.objects.filter(action="transition").latest("id")
    assert _lines(row)["登记状态"] == "存续（在业） → 注销"
    assert _lines(row)["状态变更日期"] == "（空） → 2026年3月2日"
    number = ids.make_id_number("430102", dt.date(1985, 5, 6), 21)
    registry_services.entity_update(actor=handler, entity=entity, legal_rep_id_number=number)
    shown = _lines(AuditLog.objects.filter(action="update").latest("id"))["法定代表人证件号码"]
    assert number not in shown and "*" in shown


def test_a_yes_no_change_reads_as_shi_fou_and_a_unit_by_its_name(city_admin, handler, bureau):
    services.staff_update(
        actor=city_admin,
        staff=handler,
        full_name=handler.full_name,
        unit=bureau["station_a"],
        is_active=False,
    )
    lines = _lines(AuditLog.objects.filter(action="update").latest("id"))
    assert lines["有效"] == "是 → 否"
    assert lines["所属单位"] == "芙蓉区市场监督管理局 → 芙蓉区东湖市场监管所"


def test_cancelled_import_reads_its_states_and_never_its_server_paths(handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The template's header (a file without its required columns is refused at upload).
    upload = SimpleUploadedFile("主体.csv", (",".join(TEMPLATE_HEADERS) + "\n").encode())
    job = registry_services.import_job_create(actor=handler, upload=upload)
    job.refresh_from_db()
    if job.state == ImportJob.State.CHECKED:
        registry_services.import_job_cancel(actor=handler, job=job)
    else:  # a file without a good row fails its check: cancel a checked one by hand
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED)
        job.refresh_from_db()
        registry_services.import_job_cancel(actor=handler, job=job)
    row = AuditLog.objects.filter(object_type="registry.importjob", action="update").latest("id")
    lines = _lines(row)
    assert lines["状态"] == "校验完成，待确认 → 已放弃"
    assert lines["删除的文件"] == "1个"
    assert str(tmp_path) not in " ".join(lines.values())


def test_export_filters_read_as_a_sentence_not_a_dict(handler):
    make_entity(handler, "湖南立白日化有限公司")
    filters = selectors.EntityFilters.from_params({"q": "立白", "kind": "enterprise"})
    handle, _count = exporting.entity_export(actor=handler, filters=filters)
    handle.close()
    row = AuditLog.objects.get(action="export")
    assert _lines(row)["查询条件"] == "关键词“立白”，主体类型：企业，排序：最近录入"
    assert _lines(row)["数据行数"] == "1"
    assert row.summary == "导出市场主体1户（关键词“立白”，主体类型：企业）"


def test_a_rate_limit_block_reads_its_periods_in_words():
    audit_record(
        actor=None,
        action=AuditLog.Action.THROTTLED,
        object_type="core.throttle",
        object_id="portal_lookup",
        object_repr="10.0.0.1",
        summary="地址10.0.0.1办理进度查询次数达到上限",
        changes={
            "limit": "portal_lookup",
            "address": "10.0.0.1",
            "count": 11,
            "window_seconds": 3600,
            "retry_after_seconds": 120,
        },
    )
    row = AuditLog.objects.get()
    assert _lines(row) == {
        "网络地址": "10.0.0.1",
        "本时段次数": "11",
        "统计时段": "1小时",
        "暂停时长": "2分钟",
    }
    assert auditwords.object_type_name("core.throttle") == "访问频率限制"


def test_a_hash_or_path_a_value_carries_is_withheld(city_admin):
    audit_record(
        actor=city_admin,
        action=AuditLog.Action.UPDATE,
        obj=city_admin,
        changes={"full_name": ["a" * 64, "/srv/regulus/media/imports/3/upload.csv"]},
    )
    assert _lines(AuditLog.objects.get()) == {"姓名": "（不显示） → （不显示）"}


def test_timeline_names_changes_in_chinese_and_leaves_out_hidden_keys(handler):
    entity = make_entity(handler, "长沙市芙蓉区示例商贸有限公司")
    number = ids.make_id_number("430102", dt.date(1985, 5, 6), 21)
    registry_services.entity_update(
        actor=handler, entity=entity, phone="13800000000", legal_rep_id_number=number
    )
    details = " ".join(event["detail"] for event in audit_timeline(entity))
    assert "联系电话" in details and "法定代表人证件号码" in details
    assert not re.search(r"[A-Za-z_]{3,}", details)


def test_audit_page_names_object_types_and_filters_by_them(client, auditor, handler):
    make_entity(handler, "长沙市芙蓉区示例商贸有限公司", kind="individual")
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "registry.entity" not in strip_tags(page)
    assert '<option value="registry.entity">市场主体</option>' in page
    only = client.get("/audit/", {"object_type": "registry.entity"}).content.decode()
    assert "个体工商户" in only and "登录成功" not in only


def test_demo_city_operation_log_reads_in_chinese_on_every_page(client):
    """The demo city made through every app's services (units and staff, entities, weeks of
    applications in most states with their certificates and checks), then an import, an
    export and a staff change: every row of its log, as the page shows it."""
    from tests.demo_city import seed_demo_city

    seed_demo_city(applications=40)
    kinds = set(AuditLog.objects.values_list("object_type", flat=True))
    assert {
        "registry.entity",
        "registry.importjob",
        "licensing.application",
        "licensing.verificationtask",
        "core.user",
    } <= kinds
    assert problems(AuditLog.objects.order_by("id")) == []
    client.force_login(User.objects.get(username="auditor"))
    page_count = (AuditLog.objects.count() + 49) // 50
    for number in range(1, page_count + 1):
        text = strip_tags(client.get("/audit/", {"page": number}).content.decode())
        assert not re.search(r"\b(True|False|None)\b|[a-z]+\.[a-z]+ \d+", text), number
        for code in ("individual", "enterprise", "active", "submitted", "checked", "window"):
            assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), (number, code)
    assert Entity.objects.exists()
