"""The entity's portal code (企业填报码, registry.portal_codes): issued once and kept as a
keyed hash, wrong codes counted with an audit row naming what the public was doing, a lock at
the limit that says until when, the count cleared by the caller's success; the issuing page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.registry.models import PortalCode
from regulus.registry.portal_codes import (
    portal_code_issue,
    portal_failures_clear,
    portal_identify,
)

# 10:00 in Shanghai.
MORNING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def code(entity_a, window_clerk):
    return portal_code_issue(entity=entity_a, actor=window_clerk)


def wrong_rows():
    return AuditLog.objects.filter(
        object_type="registry.portalcode", summary__startswith="企业填报码输入错误"
    )


def test_the_code_is_shown_once_and_only_its_keyed_hash_is_kept(entity_a, code):
    stored = PortalCode.objects.get(entity=entity_a)
    assert len(code) == 8 and code not in stored.code_hash
    assert stored.issued_by == "窗口小张" and stored.unit_id == entity_a.unit_id
    assert AuditLog.objects.filter(summary=f"发放企业填报码：{entity_a.name}").exists()


def test_the_right_code_identifies_the_entity_whatever_the_case(entity_a, code):
    assert portal_identify(entity_a.uscc.lower(), f" {code.lower()} ", doing="年报填报") == entity_a


def test_an_unknown_uscc_and_an_entity_without_a_code_get_the_same_answer(entity_a, entity_b):
    for uscc in ("91110000600037341L", entity_b.uscc, ""):
        with pytest.raises(ValidationError) as refused:
            portal_identify(uscc, "ABCDEFGH", doing="年报填报")
        assert refused.value.message_dict == {"code": ["统一社会信用代码或企业填报码不正确"]}
    assert not wrong_rows().exists()


def test_a_wrong_code_counts_with_an_audit_row_in_the_name_of_what_was_being_done(entity_a, code):
    with pytest.raises(ValidationError, match="还可再试4次"):
        portal_identify(entity_a.uscc, "WRONG000", doing="ODR和解反馈")
    assert PortalCode.objects.get().failures == 1
    row = wrong_rows().get()
    assert row.actor_name == f"公众（ODR和解反馈）{entity_a.name}"
    assert row.summary == "企业填报码输入错误（第1次）"


@time_machine.travel(MORNING, tick=False)
def test_the_limit_locks_the_code_and_the_message_says_until_when(entity_a, code):
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可再试{left}次"):
            portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")
    with pytest.raises(ValidationError, match=r"已锁定30分钟（至10:30）"):
        portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")
    assert wrong_rows().filter(summary__endswith="填报码已锁定").count() == 1
    # Locked: even the right code waits, and is told until when.
    with pytest.raises(ValidationError, match="已锁定至10:30"):
        portal_identify(entity_a.uscc, code, doing="年报填报")


def test_the_lock_ends_after_its_time(entity_a, code):
    with time_machine.travel(MORNING, tick=False):
        for _ in range(5):
            with pytest.raises(ValidationError):
                portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")
    with time_machine.travel(MORNING + dt.timedelta(minutes=31), tick=False):
        assert portal_identify(entity_a.uscc, code, doing="年报填报") == entity_a


@time_machine.travel(MORNING, tick=False)
def test_the_limit_and_the_lock_are_settings_and_the_credit_names_still_count(
    entity_a, code, settings
):
    settings.CREDIT_FILING_CODE_FAILURES = 2
    settings.REGISTRY_PORTAL_CODE_LOCK_MINUTES = 5
    with pytest.raises(ValidationError, match="还可再试1次"):
        portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")
    with pytest.raises(ValidationError, match="已锁定5分钟（至10:05）"):
        portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")


def test_reissuing_retires_the_old_code_and_ends_a_lock(entity_a, code, window_clerk):
    with time_machine.travel(MORNING, tick=False):
        for _ in range(5):
            with pytest.raises(ValidationError):
                portal_identify(entity_a.uscc, "WRONG000", doing="年报填报")
        new = portal_code_issue(entity=entity_a, actor=window_clerk)
        with pytest.raises(ValidationError, match="不正确"):
            portal_identify(entity_a.uscc, code, doing="年报填报")
        assert portal_identify(entity_a.uscc, new, doing="年报填报") == entity_a
    assert AuditLog.objects.filter(summary=f"重新发放企业填报码：{entity_a.name}").exists()


def test_success_clears_the_count_inside_the_callers_audited_block(entity_a, code):
    with pytest.raises(ValidationError):
        portal_identify(entity_a.uscc, "WRONG000", doing="信用修复申请")
    entity = portal_identify(entity_a.uscc, code, doing="信用修复申请")
    with audited(actor=f"市场主体（信用修复）{entity.name}") as audit:
        portal_failures_clear(audit=audit, entity=entity)
    assert PortalCode.objects.get().failures == 0
    cleared = AuditLog.objects.get(summary="企业填报码输入正确，错误次数清零")
    assert cleared.actor_name == f"市场主体（信用修复）{entity_a.name}"


def test_clearing_without_failures_writes_nothing(entity_a, code):
    with audited(actor="市场主体") as audit:
        portal_failures_clear(audit=audit, entity=entity_a)
    assert not AuditLog.objects.filter(summary__contains="错误次数清零").exists()


def test_issuing_needs_the_permission(entity_a, handler, security_admin):
    assert portal_code_issue(entity=entity_a, actor=handler)
    for refused in (None, security_admin):
        with pytest.raises(PermissionDenied):
            portal_code_issue(entity=entity_a, actor=refused)


def test_a_code_is_issued_only_within_the_staff_members_scope(entity_b, handler, outsider):
    with pytest.raises(ValidationError, match="不在本单位辖区"):
        portal_code_issue(entity=entity_b, actor=handler)
    assert not PortalCode.objects.exists()
    assert portal_code_issue(entity=entity_b, actor=outsider)


def test_the_page_issues_a_code_within_the_users_scope(client, window_clerk, entity_a, entity_b):
    client.force_login(window_clerk)
    page = client.get(f"/registry/portal-codes/?uscc={entity_a.uscc}").content.decode()
    assert "企业填报码" in page and entity_a.uscc in page
    issued = client.post("/registry/portal-codes/", {"uscc": entity_a.uscc})
    assert issued.status_code == 200 and "只显示这一次" in issued.content.decode()
    assert PortalCode.objects.filter(entity=entity_a).exists()
    # An entity of another district is out of the clerk's scope: refused, nothing issued.
    refused = client.post("/registry/portal-codes/", {"uscc": entity_b.uscc})
    assert refused.status_code == 400 and "不在本单位辖区" in refused.content.decode()
    assert not PortalCode.objects.filter(entity=entity_b).exists()


def test_the_entity_page_links_holders_to_the_issuing_page(client, window_clerk, auditor, entity_a):
    client.force_login(window_clerk)
    link = f"/registry/portal-codes/?uscc={entity_a.uscc}"
    assert link in client.get(f"/registry/entities/{entity_a.uscc}/").content.decode()
    client.force_login(auditor)
    assert client.get("/registry/portal-codes/").status_code == 403


def test_the_old_credit_page_redirects_to_the_registry(client, window_clerk):
    client.force_login(window_clerk)
    response = client.get("/credit/filing-codes/")
    assert response.status_code == 301 and response["Location"] == "/registry/portal-codes/"
