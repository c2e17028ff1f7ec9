"""Post-approval checks (后置核查) of the commitment path: confirm, rectify, or revoke the
permit and hand the false commitment over to the credit record (core.handover, kind CREDIT,
topic "licensing.false_commitment"; licensing knows nothing of the credit app).

The hand-over's `data`: {"application": its number, "matter": the bundle's name,
"certificate": the revoked certificate's number, "legal_basis": the article applied,
"adverse": true}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock
from regulus.core.audit import audited
from regulus.core.handover import handover_send
from regulus.core.models import AuditLog, Handover
from regulus.core.workflow import transition_fire
from regulus.licensing.models import (
    Certificate,
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


# The topic of the credit hand-over a false commitment leaves (core.handover).
FALSE_COMMITMENT_TOPIC = "licensing.false_commitment"
FALSE_COMMITMENT_LABEL = "告知承诺不实"


def verification_revoke(*, task: VerificationTask, actor: Any, reason: str) -> Handover:
    """承诺不实且未整改到位: revoke the permit (行政许可法 Art 69), revoke the certificate,
    and hand the false commitment over to the credit record (returns the hand-over)."""
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
        record = handover_send(
            audit=audit,
            kind=Handover.Kind.CREDIT,
            topic=FALSE_COMMITMENT_TOPIC,
            topic_label=FALSE_COMMITMENT_LABEL,
            source=application,
            source_number=application.number,
            source_url=application.get_absolute_url(),
            unit=application.unit,
            entity=application.entity,
            occurred_on=today,
            title=f"{application.applicant_name} 告知承诺不实，许可已撤销",
            detail=f"{application.number}：{task.findings or ''} {reason.strip()}".strip(),
            data={
                "application": application.number,
                "matter": application.bundle.name if application.bundle_id else "",
                "certificate": certificate.number,
                "legal_basis": "《中华人民共和国行政许可法》第六十九条",
                "adverse": True,
            },
        )
    return record
