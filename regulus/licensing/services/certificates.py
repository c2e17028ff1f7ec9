"""Certificates (多证合一): the new business registered on issue, issue, delivery and the
fast track of the commitment path."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock, ids, permissions
from regulus.core.audit import audited
from regulus.core.calendar import Deadline
from regulus.core.clock_services import clock_start
from regulus.core.documents import number_next, number_retry
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.workflow import event_record, transition_fire
from regulus.licensing import selectors
from regulus.licensing.models import (
    Application,
    Certificate,
    Matter,
    VerificationTask,
)
from regulus.licensing.services.applications import (
    S,
    application_accept,
    application_transition,
    completion_updates,
)
from regulus.licensing.workflow import APPLICATION_FLOW, DECIDE, HANDLE, VERIFICATION_FLOW

# -- the entity adapter -------------------------------------------------------------------------


def entity_register(
    *,
    actor: Any,
    name: str,
    kind: str,
    district_code: str,
    unit: OrgUnit,
    legal_rep_name: str,
    legal_rep_id_number: str,
    address: str,
    phone: str,
    business_scope: str,
    industry_code: str = "",
) -> Any:
    """Register the market entity of a new business (设立登记) with a fresh valid USCC, through
    the registry's own service (validated and audited there): registered today by the unit
    that issues the licence, in the industry of its bundle, as a part of issuing it (so under
    the issuing step's permission)."""
    from regulus.registry.services import entity_create

    return entity_create(
        actor=actor,
        permission=HANDLE,
        uscc=uscc_generate(kind=kind, district_code=district_code),
        name=name,
        kind=kind,
        established_on=clock.today(),
        district_code=district_code,
        unit=unit,
        registration_authority=unit.name,
        industry_code=industry_code,
        legal_rep_name=legal_rep_name,
        legal_rep_id_number=legal_rep_id_number,
        address=address,
        phone=phone,
        business_scope=business_scope,
    )


USCC_CATEGORY = {"enterprise": "1", "individual": "2", "cooperative": "3"}


def uscc_generate(*, kind: str, district_code: str) -> str:
    from regulus.registry.models import Entity

    division = district_code
    try:
        ids.validate_division_code(division)
    except ValidationError:
        division = ids.DEMO_CITY[0]
    for _ in range(20):
        body = "".join(secrets.choice("0123456789") for _ in range(8))
        code = ids.make_uscc("9", USCC_CATEGORY.get(kind, "1"), division, ids.make_org_code(body))
        if not Entity.objects.filter(uscc=code).exists():
            return code
    raise RuntimeError("could not find a free USCC")  # pragma: no cover


def certificate_issue(*, application: Application, actor: Any) -> Certificate:
    """制发证照: one certificate listing every item (多证合一). A new business is registered
    first (设立登记 → its USCC); the commitment path opens the post-approval check."""
    APPLICATION_FLOW.require("issue", actor)
    matters = selectors.application_matters(application)
    today = clock.today()
    # The certificate is written with the "issue" transition, whose row records it.
    with audited(actor=actor) as audit:
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state != S.APPROVED:
            raise ValidationError(f"当前状态为“{locked.get_state_display()}”，不能执行“制发证照”")
        entity = application.entity
        if entity is None and any(m.creates_entity for m in matters):
            entity = entity_register(
                actor=actor,
                name=application.applicant_name,
                kind=application.entity_kind,
                district_code=application.district_code,
                unit=application.unit,
                legal_rep_name=application.contact_name,
                legal_rep_id_number=application.contact_id_number,
                address=application.address,
                phone=application.contact_phone,
                business_scope=application.business_scope,
                industry_code=application.bundle.industry_code,
            )
        validity = [
            m.validity_years
            for m in matters
            if m.validity_years and m.treatment == Matter.Treatment.PERMIT
        ]
        valid_until = (
            _years_later(today, min(validity)) - dt.timedelta(days=1) if validity else None
        )
        items = [
            {
                "code": m.code,
                "name": m.name,
                "item": m.permit_item or m.name,
                "treatment": m.get_treatment_display(),
                "valid_until": (
                    _years_later(today, m.validity_years) - dt.timedelta(days=1)
                ).isoformat()
                if m.validity_years
                else "",
            }
            for m in matters
        ]
        prefix = f"DZ{application.district_code}{today:%Y}"

        def create() -> Certificate:
            return Certificate.objects.create(
                number=number_next(model=Certificate, field="number", prefix=prefix, width=6),
                application=application,
                entity=entity,
                holder_name=application.applicant_name,
                uscc=getattr(entity, "uscc", "") or application.uscc,
                address=application.address,
                items=items,
                issued_on=today,
                valid_until=valid_until,
                issuing_unit=application.unit,
                issuing_unit_name=application.unit.name,
            )

        certificate = number_retry(create)
        updates = completion_updates(application)
        if entity is not None and application.entity_id is None:
            updates.update(entity=entity, uscc=entity.uscc)
        transition_fire(
            obj=application,
            name="issue",
            actor=actor,
            note=f"证书编号 {certificate.number}（多证合一，{len(items)}项）",
            data={"certificate": certificate.number},
            updates=updates,
        )
        if application.is_commitment:
            task = VerificationTask.objects.create(
                application=application, unit=application.unit, created_at=clock.now()
            )
            started = clock_start(obj=task, name="verification", actor=actor)
            event_record(
                obj=task,
                workflow=VERIFICATION_FLOW,
                state=task.state,
                actor=actor,
                label="告知承诺发证，生成后置核查任务",
                note=f"须于 {Deadline(started.due_date, started.provisional)} 前完成核查"  # type: ignore[arg-type]
                f"（{started.days}个工作日）",
            )
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=task,
                summary=f"生成后置核查任务：{application.number}",
            )
    return certificate


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def certificate_deliver(
    *,
    application: Application,
    actor: Any,
    method: str,
    tracking_number: str = "",
    address: str = "",
) -> Application:
    APPLICATION_FLOW.require("deliver", actor)
    if method not in Application.Delivery.values:
        raise ValidationError({"method": "请选择送达方式"})
    if method == Application.Delivery.MAIL and not tracking_number.strip():
        raise ValidationError({"tracking_number": "免费邮寄须填写快递单号"})
    updates: dict[str, Any] = {
        "delivery_method": method,
        "tracking_number": tracking_number.strip(),
    }
    if address.strip():
        updates["delivery_address"] = address.strip()
    if method == Application.Delivery.PICKUP:
        updates["visits"] = application.visits + 1
    note = (
        "窗口领取"
        if method == Application.Delivery.PICKUP
        else f"免费邮寄，快递单号 {tracking_number.strip()}"
    )
    transition_fire(obj=application, name="deliver", actor=actor, note=note, updates=updates)
    return application


def application_fast_track(*, application: Application, actor: Any) -> Certificate:
    """当场办结: accept, approve and issue in one sitting, for an application that needs no
    prior on-site check (commitment path, or filings only). Each step is its own event."""
    permissions.require(actor, DECIDE)
    if application.onsite_check_required and not application.is_commitment:
        raise ValidationError("本申请需先联合现场核查，不能当场办结；可引导申请人选择告知承诺")
    # One transaction for the three steps, each of which records its own row.
    with audited(actor=actor):
        if application.state == S.SUBMITTED:
            application_accept(application=application, actor=actor, note="当场受理")
        application_transition(
            application=application,
            name="approve",
            actor=actor,
            note="告知承诺，当场作出准予许可决定" if application.is_commitment else "当场作出决定",
        )
        application.refresh_from_db()
        return certificate_issue(application=application, actor=actor)
