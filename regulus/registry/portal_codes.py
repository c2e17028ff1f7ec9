"""The entity's portal code (企业填报码): the credential a business uses on the public portal
for its annual report, credit repair and ODR feedback; every app that lets a business act on
the portal identifies it here.

The bureau issues the code (shown once, kept only as a keyed hash); a wrong code counts, with
an audit row naming what the public was doing; at the limit the code is locked for a while and
the message says until when. A caller that identified the entity clears the count inside its
own audited block once the business's action succeeds::

    entity = portal_identify(uscc, code, doing="年报填报")
    with audited(actor=f"市场主体（网上报送）{entity.name}") as audit:
        portal_failures_clear(audit=audit, entity=entity)
        ...

Settings may change the limit and the lock: REGISTRY_PORTAL_CODE_FAILURES and
REGISTRY_PORTAL_CODE_LOCK_MINUTES (the credit app's former names, CREDIT_FILING_CODE_FAILURES
and CREDIT_FILING_CODE_LOCK_MINUTES, are still honoured).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from regulus.core import clock, ids, permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.crypto import keyed_hash
from regulus.core.models import AuditLog
from regulus.registry.models import Entity, PortalCode

# How many wrong codes in a row lock the code, and for how long (defaults of the settings).
FAILURES = 5
LOCK_MINUTES = 30
# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def _setting(name: str, former: str, default: int) -> int:
    return int(getattr(settings, name, getattr(settings, former, default)))


def failure_limit() -> int:
    return _setting("REGISTRY_PORTAL_CODE_FAILURES", "CREDIT_FILING_CODE_FAILURES", FAILURES)


def lock_minutes() -> int:
    return _setting(
        "REGISTRY_PORTAL_CODE_LOCK_MINUTES", "CREDIT_FILING_CODE_LOCK_MINUTES", LOCK_MINUTES
    )


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.display_name)[:150]
    return str(actor or "系统")[:150]


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _require_in_scope(actor: Any, entity: Entity) -> None:
    """A staff member issues codes only to the entities its data scope holds (a system actor,
    a string, is not a user and is not limited)."""
    if not getattr(actor, "is_authenticated", False):
        return
    if not Entity.objects.visible_to(actor).filter(pk=entity.pk).exists():
        raise ValidationError({"uscc": "该主体不在本单位辖区，不能发放企业填报码"})


def portal_code_issue(*, entity: Entity, actor: Any) -> str:
    """Issue (or re-issue) the entity's portal code; returns the code, shown once. The old
    code stops working, the failure count starts again and a lock ends."""
    permissions.require(actor, "registry.portal_code_manage")
    _require_in_scope(actor, entity)
    code = _new_code()
    with audited(actor=actor) as audit:
        portal, created = PortalCode.objects.update_or_create(
            entity=entity,
            defaults=dict(
                unit_id=entity.unit_id,
                code_hash=keyed_hash(code),
                issued_at=clock.now(),
                issued_by=_actor_name(actor),
                failures=0,
                locked_until=None,
            ),
        )
        audit.record(
            action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
            obj=portal,
            summary=f"{'发放' if created else '重新发放'}企业填报码：{entity.name}",
            changes={"entity": entity.name},
        )
    return code


def _refuse_locked(portal: PortalCode) -> None:
    until = timezone.localtime(portal.locked_until)
    raise ValidationError(
        {
            "code": f"企业填报码连续输错{failure_limit()}次，已锁定至{until:%H:%M}；"
            "请届时再试，或到登记机关窗口重新领取填报码"
        }
    )


def _count_failure(portal: PortalCode, entity: Entity, *, doing: str) -> None:
    """Count one wrong code (an audit row in the public actor's name) and refuse, locking
    the code at the limit."""
    failures = portal.failures + 1
    locked = failures >= failure_limit()
    until = clock.now() + dt.timedelta(minutes=lock_minutes()) if locked else None
    with audited(actor=f"公众（{doing}）{entity.name}") as audit:
        PortalCode.objects.filter(pk=portal.pk).update(
            failures=0 if locked else failures, locked_until=until
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=portal,
            summary=f"企业填报码输入错误（第{failures}次）" + ("，填报码已锁定" if locked else ""),
            changes={"failures": failures},
        )
    if until is not None:
        until_text = f"{timezone.localtime(until):%H:%M}"
        locked_text = f"已锁定{lock_minutes()}分钟（至{until_text}）"
        raise ValidationError({"code": f"企业填报码连续输错{failures}次，{locked_text}"})
    left = failure_limit() - failures
    raise ValidationError({"code": f"统一社会信用代码或企业填报码不正确（还可再试{left}次）"})


def portal_identify(uscc: str, code: str, *, doing: str) -> Entity:
    """The entity behind a USCC whose portal code matches `code`. `doing` says what the
    business is doing ("年报填报", "信用修复申请", "ODR和解反馈"): it names the public actor of
    the failure audit rows. ValidationError on the "code" field for an unknown USCC, an entity
    without a code, a wrong code or a locked one."""
    uscc = ids.normalise(uscc or "")
    entity = Entity.objects.filter(uscc=uscc).first() if uscc else None
    portal = PortalCode.objects.filter(entity=entity).first() if entity is not None else None
    if entity is None or portal is None:
        raise ValidationError({"code": "统一社会信用代码或企业填报码不正确"})
    if portal.locked_until is not None and portal.locked_until > clock.now():
        _refuse_locked(portal)
    if not hmac.compare_digest(portal.code_hash, keyed_hash((code or "").strip().upper())):
        _count_failure(portal, entity, doing=doing)
    return entity


def portal_failures_clear(*, audit: AuditTrail, entity: Entity) -> None:
    """After the business's action succeeded (inside the caller's audited block): the count
    of wrong codes starts again, with an audit row if there was one."""
    portal = PortalCode.objects.filter(entity=entity, failures__gt=0).first()
    if portal is None:
        return
    PortalCode.objects.filter(pk=portal.pk).update(failures=0)
    audit.record(
        action=AuditLog.Action.UPDATE,
        obj=portal,
        summary="企业填报码输入正确，错误次数清零",
        changes={"failures": 0},
    )
