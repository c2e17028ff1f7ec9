"""Post-approval checks (后置核查) of the commitment path: confirm, rectify, or revoke the
permit and record the false commitment for the credit app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock
from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.core.workflow import transition_fire
from regulus.licensing.models import (
    Certificate,
    CreditRecord,
    VerificationTask,
)
from regulus.licensing.workflow import APPLICATION_FLOW, VERIFICATION_FLOW

# -- post-approval verification (后置核查) ------------------------------------------------------


def verification_confirm(*, task: VerificationTask, actor: Any, findings: str) -> VerificationTask:
    VERIFICATION_FLOW.require("confirm", actor)
    if not findings.strip():
        raise ValidationError({"findings": "请填写核查情况"})
    transition_fire(
        obj=task, name="confirm", actor=actor, note=findings, updates={"findings": findings.strip()}
    )
    return task


def verification_order_rectification(
    *, task: VerificationTask, actor: Any, findings: str, order: str
) -> VerificationTask:
    VERIFICATION_FLOW.require("order_rectification", actor)
    if not order.strip():
        raise ValidationError({"order": "请填写整改要求"})
    transition_fire(
        obj=task,
        name="order_rectification",
        actor=actor,
        note=f"核查发现承诺不实：{findings.strip()}；整改要求：{order.strip()}"
        f"（{task.application.rectification_days}个工作日内）",
        updates={"findings": findings.strip(), "rectification_order": order.strip()},
    )
    return task


def verification_confirm_rectified(*, task: VerificationTask, actor: Any, note: str) -> Any:
    VERIFICATION_FLOW.require("confirm_rectified", actor)
    transition_fire(obj=task, name="confirm_rectified", actor=actor, note=note or "整改到位")
    return task


def verification_revoke(*, task: VerificationTask, actor: Any, reason: str) -> CreditRecord:
    """承诺不实且未整改到位: revoke the permit (行政许可法 Art 69), revoke the certificate,
    and write a credit record for the credit app."""
    VERIFICATION_FLOW.require("revoke_permit", actor)
    APPLICATION_FLOW.require("revoke", actor)
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销理由"})
    application = task.application
    today = clock.today()
    with audited(actor=actor) as audit:
        transition_fire(obj=task, name="revoke_permit", actor=actor, note=reason)
        transition_fire(
            obj=application,
            name="revoke",
            actor=actor,
            note=f"告知承诺不实，撤销许可：{reason.strip()}",
        )
        certificate = Certificate.objects.select_for_update().get(application=application)
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_on = today
        certificate.revoke_reason = reason.strip()[:300]
        certificate.save(update_fields=["status", "revoked_on", "revoke_reason"])
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=certificate,
            summary=f"撤销证书 {certificate.number}：告知承诺不实",
        )
        record = CreditRecord.objects.create(
            entity=application.entity,
            holder_name=application.applicant_name,
            uscc=application.uscc,
            application=application,
            unit=application.unit,
            kind=CreditRecord.Kind.FALSE_COMMITMENT,
            recorded_on=today,
            detail=f"{application.number}：{task.findings or ''} {reason.strip()}".strip(),
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=record,
            summary=f"记入信用记录：{record.holder_name} 告知承诺不实",
        )
    return record
