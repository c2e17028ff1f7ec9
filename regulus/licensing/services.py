"""Every write of licensing: keyword-only functions, one transaction each, each audited.

Bad input raises ValidationError with Chinese messages and changes nothing. Transitions go
through core.workflow.transition_fire (state checked in the database, one event row and one
audit row per step).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from regulus.core import calendar, clock, ids
from regulus.core.audit import audit_record, diff, snapshot
from regulus.core.crypto import keyed_hash
from regulus.core.documents import number_next, number_retry
from regulus.core.files import file_store, file_validate
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.workflow import event_record, transition_fire
from regulus.licensing import selectors
from regulus.licensing.models import (
    Application,
    ApplicationItem,
    ApplicationMaterial,
    Bundle,
    BundleMatter,
    Certificate,
    CreditRecord,
    EntityKindChoice,
    JointCheck,
    MaterialType,
    Matter,
    MatterRule,
    VerificationTask,
)
from regulus.licensing.workflow import APPLICATION_FLOW, VERIFICATION_FLOW
from regulus.registry.rules import industry_code_error

S = Application.State
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
UPLOAD_FOLDER = "licensing"
# States from which the applicant may still add materials.
MATERIAL_STATES = (S.SUBMITTED, S.CORRECTION)
ISSUED_STATES = (S.ISSUED, S.DELIVERED, S.REVOKED)
# The limits an application copies from its matters' rules in force on the day of submission.
APPLICATION_LIMITS = (
    "statutory_days",
    "promised_days",
    "acceptance_days",
    "issue_days",
    "delivery_days",
    "rectification_days",
)


# -- helpers -----------------------------------------------------------------------------------


def district_unit(district_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code=district_code, is_active=True
    ).first()
    if unit is None:
        raise ValidationError({"district_code": f"所属区县代码“{district_code}”没有对应的县区局"})
    return unit


def phone_validate(phone: str) -> str:
    value = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(value):
        raise ValidationError({"contact_phone": "联系电话应为11位手机号码（1开头）"})
    return value


def _validate_files(
    files: Mapping[str, Iterable[Any]], allowed_keys: set[str]
) -> tuple[list[tuple[str, Any, Any]], dict[str, list[str]]]:
    checked: list[tuple[str, Any, Any]] = []
    errors: dict[str, list[str]] = {}
    names = dict(MaterialType.objects.filter(key__in=allowed_keys).values_list("key", "name"))
    for key, uploads in files.items():
        for upload in uploads:
            if upload is None:
                continue
            if key not in allowed_keys:
                errors.setdefault(f"material_{key}", []).append(f"本申请不需要材料“{key}”")
                continue
            try:
                info = file_validate(upload, label=names.get(key, ""))
            except ValidationError as exc:
                errors.setdefault(f"material_{key}", []).extend(exc.messages)
            else:
                checked.append((key, upload, info))
    return checked, errors


def _store_materials(
    application: Application, checked: list[tuple[str, Any, Any]], actor: Any
) -> list[ApplicationMaterial]:
    types = {m.key: m for m in MaterialType.objects.filter(key__in={k for k, _, _ in checked})}
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = []
    for key, upload, info in checked:
        row = ApplicationMaterial(
            application=application, material=types[key], uploaded_at=clock.now(), uploaded_by=user
        )
        row.fill_from(info, file_store(upload, info=info, folder=UPLOAD_FOLDER))
        row.save()
        rows.append(row)
    return rows


def _paper_materials(
    application: Application, keys: Iterable[str], actor: Any
) -> list[ApplicationMaterial]:
    """Materials received on paper at the window: a row without a stored file."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = []
    for material in MaterialType.objects.filter(key__in=set(keys)):
        rows.append(
            ApplicationMaterial.objects.create(
                application=application,
                material=material,
                stored_name="",
                original_name="纸质材料（窗口收取）",
                content_type="",
                size=0,
                sha256="",
                uploaded_at=clock.now(),
                uploaded_by=user,
            )
        )
    return rows


def _refresh_materials_count(application: Application) -> None:
    count = application.materials.values("material").distinct().count()
    Application.objects.filter(pk=application.pk).update(materials_count=count)
    application.materials_count = count


def _completion_updates(application: Application) -> dict[str, Any]:
    now = clock.now()
    submitted = _local_date(application.submitted_at)
    done = _local_date(now)
    return {
        "completed_at": now,
        "decided_at": application.decided_at or now,
        "working_days_taken": calendar.working_days_between(submitted, done),
        "same_day": submitted == done,
    }


def _local_date(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(value)


def _actor_label(actor: Any, fallback: str) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else fallback


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
    that issues the licence, in the industry of its bundle."""
    from regulus.registry.services import entity_create

    return entity_create(
        actor=actor,
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


# -- submission --------------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    channel: str,
    bundle: Bundle,
    entity: Any = None,
    applicant_name: str = "",
    entity_kind: str = "",
    contact_name: str,
    contact_id_number: str = "",
    contact_phone: str,
    address: str = "",
    district_code: str = "",
    business_scope: str = "",
    path: str = Application.Path.NORMAL,
    commitment_signed: bool = False,
    delivery_method: str = Application.Delivery.PICKUP,
    delivery_address: str = "",
    files: Mapping[str, Iterable[Any]] | None = None,
    paper_materials: Iterable[str] = (),
) -> Application:
    """Submit an application for a bundle, from the window (actor = clerk) or the portal
    (actor = None). One form, one set of materials (the union of the matters', by shared key).
    """
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not bundle.is_active:
        err("bundle", f"“{bundle.name}”已停止办理")
    new_business = entity is None
    if entity is not None:
        kind = entity.kind
        applicant_name = entity.name
        district_code = entity.district_code
        address = address or entity.address
    else:
        kind = entity_kind
        if kind not in EntityKindChoice.values:
            err("entity_kind", "请选择主体类型（企业、个体工商户或农民专业合作社）")
        if not applicant_name.strip():
            err("applicant_name", "请填写拟设立主体的名称")
    if not contact_name.strip():
        err("contact_name", "请填写申请人（经办人）姓名")
    if new_business or contact_id_number:
        try:
            contact_id_number = ids.validate_id_number(contact_id_number)
        except ValidationError as exc:
            err("contact_id_number", "；".join(exc.messages))
    try:
        contact_phone = phone_validate(contact_phone)
    except ValidationError as exc:
        err("contact_phone", "；".join(exc.messages))
    if not address.strip():
        err("address", "请填写经营场所")
    unit = None
    try:
        unit = district_unit(district_code)
    except ValidationError as exc:
        err("district_code", "；".join(exc.messages))
    if delivery_method == Application.Delivery.MAIL and not delivery_address.strip():
        err("delivery_address", "选择免费邮寄的，请填写邮寄地址")

    matters = selectors.bundle_matters(bundle, new_business=new_business)
    if new_business and not any(m.creates_entity for m in matters):
        err(
            "bundle",
            f"“{bundle.name}”不含设立登记，新设主体请选择含设立登记的一件事，"
            "已有主体请填写统一社会信用代码",
        )
    if not matters:
        err("bundle", f"“{bundle.name}”中没有需要办理的事项（设立登记已办理）")
    if kind in EntityKindChoice.values:
        unfit = [m.name for m in matters if not m.applies_to(kind)]
        if unfit:
            err(
                "bundle",
                f"{EntityKindChoice(kind).label}不适用以下事项：{'、'.join(unfit)}，"
                "请选择其他一件事",
            )
    if path == Application.Path.COMMITMENT:
        problem = selectors.commitment_problem(matters)
        if problem:
            err("path", problem)
        elif not commitment_signed:
            err("commitment_signed", "选择告知承诺办理的，须阅读承诺条件并签署承诺书")
    elif path != Application.Path.NORMAL:
        err("path", "办理方式不正确")

    today = clock.today()
    rules: dict[int, MatterRule] = {}
    for matter in matters:
        rule = matter.rule_on(today)
        if rule is None:
            err("bundle", f"事项“{matter.name}”在{today}没有生效的时限规则，请联系管理员")
        else:
            rules[matter.pk] = rule

    required = selectors.materials_union(matters)
    allowed_keys = {r.key for r in required}
    checked, file_errors = _validate_files(files or {}, allowed_keys)
    for field, messages in file_errors.items():
        errors.setdefault(field, []).extend(messages)
    given = {k for k, _, _ in checked} | (set(paper_materials) & allowed_keys)
    missing = [r.name for r in required if r.mandatory and r.key not in given]
    if missing:
        err("materials", f"缺少必交材料{len(missing)}项：{'、'.join(missing)}")
    if errors:
        raise ValidationError({k: "；".join(v) for k, v in errors.items()})
    assert unit is not None

    now = clock.now()
    # A bundle takes the longest limit of its matters' rules, for every limit alike.
    limits = {field: max(getattr(r, field) for r in rules.values()) for field in APPLICATION_LIMITS}
    deadline = calendar.working_deadline(today, limits["acceptance_days"])
    commitment = path == Application.Path.COMMITMENT
    with transaction.atomic():

        def create() -> Application:
            return Application.objects.create(
                number=number_next(
                    model=Application, field="number", prefix=f"YJS{today:%Y%m%d}", width=5
                ),
                bundle=bundle,
                entity=entity,
                applicant_name=applicant_name.strip(),
                entity_kind=kind,
                is_new_business=new_business,
                uscc=getattr(entity, "uscc", "") or "",
                contact_name=contact_name.strip(),
                contact_id_number=contact_id_number,
                contact_id_hash=keyed_hash(contact_id_number) if contact_id_number else "",
                contact_phone=contact_phone,
                contact_phone_hash=keyed_hash(contact_phone),
                address=address.strip(),
                district_code=district_code,
                business_scope=business_scope.strip(),
                unit=unit,
                channel=channel,
                path=path,
                state=S.SUBMITTED,
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                deadline_start=today,
                deadline_days=limits["acceptance_days"],
                **limits,
                onsite_check_required=any(m.onsite_check_required for m in matters),
                submitted_at=now,
                commitment_signed_at=now if commitment else None,
                commitment_signer=contact_name.strip() if commitment else "",
                commitment_text=selectors.commitment_text(matters) if commitment else "",
                delivery_method=delivery_method,
                delivery_address=delivery_address.strip(),
                visits=1 if channel == Application.Channel.WINDOW else 0,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )

        application = number_retry(create)
        ApplicationItem.objects.bulk_create(
            [
                ApplicationItem(
                    application=application,
                    matter=m,
                    rule_effective_from=rules[m.pk].effective_from,
                    statutory_days=rules[m.pk].statutory_days,
                    promised_days=rules[m.pk].promised_days,
                    verification_days=rules[m.pk].verification_days,
                )
                for m in matters
            ]
        )
        _store_materials(application, checked, actor)
        _paper_materials(application, set(paper_materials) & allowed_keys, actor)
        _refresh_materials_count(application)
        event_record(
            obj=application,
            workflow=APPLICATION_FLOW,
            state=S.SUBMITTED,
            actor=actor,
            actor_name=contact_name,
            label=f"提交申请（{application.get_channel_display()}）",
            note=(f"签署告知承诺书（{application.commitment_signer}）" if commitment else ""),
        )
        audit_record(
            actor=_actor_label(actor, f"申请人{contact_name}"),
            action=AuditLog.Action.CREATE,
            obj=application,
            summary=f"提交一件事申请：{bundle.name}（{application.number}）",
            changes=snapshot(
                application,
                [
                    "bundle_id",
                    "applicant_name",
                    "channel",
                    "path",
                    "district_code",
                    "materials_count",
                ],
            ),
        )
    return application


def material_add(
    *,
    application: Application,
    actor: Any,
    material_key: str,
    upload: Any,
    actor_name: str = "",
) -> ApplicationMaterial:
    """Attach one more file. A bad file raises and changes nothing; files already accepted
    stay attached."""
    if application.state not in MATERIAL_STATES:
        raise ValidationError(f"当前状态为“{application.get_state_display()}”，不能再补充材料")
    keys = {r.key for r in selectors.materials_union(selectors.application_matters(application))}
    checked, errors = _validate_files({material_key: [upload]}, keys)
    if errors:
        raise ValidationError({k: "；".join(v) for k, v in errors.items()})
    with transaction.atomic():
        (row,) = _store_materials(application, checked, actor)
        _refresh_materials_count(application)
        event_record(
            obj=application,
            workflow=APPLICATION_FLOW,
            state=application.state,
            actor=actor,
            actor_name=actor_name or application.contact_name,
            label="补充材料",
            note=f"{row.material.name}：{row.original_name}",
        )
        audit_record(
            actor=_actor_label(actor, f"申请人{application.contact_name}"),
            action=AuditLog.Action.UPDATE,
            obj=application,
            summary=f"补充材料：{row.material.name}",
        )
    return row


def commitment_sign(*, application: Application, signer: str, actor: Any = None) -> Application:
    """Sign the commitment (告知承诺) before the decision: switches to the commitment path."""
    if application.state in ISSUED_STATES or application.state in (S.APPROVED, S.REFUSED):
        raise ValidationError(f"申请已{application.get_state_display()}，不能再签署告知承诺书")
    if application.state not in APPLICATION_FLOW.open_states():
        raise ValidationError(f"申请已{application.get_state_display()}，不能签署告知承诺书")
    if application.commitment_signed_at:
        raise ValidationError("已签署告知承诺书，无需重复签署")
    if not signer.strip():
        raise ValidationError({"signer": "请填写承诺人姓名"})
    matters = selectors.application_matters(application)
    problem = selectors.commitment_problem(matters)
    if problem:
        raise ValidationError(problem)
    now = clock.now()
    with transaction.atomic():
        changed = Application.objects.filter(
            pk=application.pk,
            commitment_signed_at__isnull=True,
            state__in=APPLICATION_FLOW.open_states(),
        ).update(
            path=Application.Path.COMMITMENT,
            commitment_signed_at=now,
            commitment_signer=signer.strip(),
            commitment_text=selectors.commitment_text(matters),
        )
        if changed != 1:
            raise ValidationError("申请状态已变化，不能签署告知承诺书，请刷新后重试")
        application.refresh_from_db()
        event_record(
            obj=application,
            workflow=APPLICATION_FLOW,
            state=application.state,
            actor=actor,
            actor_name=signer,
            label="签署告知承诺书",
            note=f"承诺人：{signer}",
        )
        audit_record(
            actor=_actor_label(actor, f"申请人{signer}"),
            action=AuditLog.Action.UPDATE,
            obj=application,
            summary="签署告知承诺书，转为告知承诺办理",
        )
    return application


# -- the steps ---------------------------------------------------------------------------------


def correction_request(
    *, application: Application, actor: Any, items: list[dict[str, str]], note: str = ""
) -> Application:
    """一次性告知: ONE notice listing every missing or defective material."""
    clean = [
        {
            "key": i.get("key", ""),
            "name": i.get("name", ""),
            "problem": (i.get("problem") or "").strip() or "未提交或不符合要求",
        }
        for i in items
        if i.get("key") or i.get("name")
    ]
    if not clean:
        raise ValidationError({"items": "请列出需要补正的全部材料（一次性告知）"})
    text = "请一次性补正以下材料：" + "；".join(
        f"{n}. {i['name']}（{i['problem']}）" for n, i in enumerate(clean, 1)
    )
    if note.strip():
        text += f"。{note.strip()}"
    transition_fire(
        obj=application,
        name="request_correction",
        actor=actor,
        note=text,
        data={"items": clean},
        updates={"correction_notice": clean, "correction_count": application.correction_count + 1},
    )
    return application


def application_resubmit(
    *,
    application: Application,
    actor: Any,
    files: Mapping[str, Iterable[Any]] | None = None,
    paper_materials: Iterable[str] = (),
    actor_name: str = "",
) -> Application:
    keys = {r.key for r in selectors.materials_union(selectors.application_matters(application))}
    checked, errors = _validate_files(files or {}, keys)
    if errors:
        raise ValidationError({k: "；".join(v) for k, v in errors.items()})
    window = getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        _store_materials(application, checked, actor)
        _paper_materials(application, set(paper_materials) & keys, actor)
        _refresh_materials_count(application)
        transition_fire(
            obj=application,
            name="resubmit",
            actor=actor,
            actor_name=actor_name,
            note="已按补正告知提交材料",
            updates={"visits": application.visits + (1 if window else 0)},
        )
    return application


def application_accept(*, application: Application, actor: Any, note: str = "") -> Application:
    missing = selectors.materials_missing(application)
    if missing:
        raise ValidationError(f"材料不齐，不能受理：缺少{'、'.join(missing)}。请发出一次性补正告知")
    transition_fire(
        obj=application,
        name="accept",
        actor=actor,
        note=note,
        updates={"accepted_at": clock.now(), "handler": actor},
    )
    return application


def application_transition(
    *, application: Application, name: str, actor: Any, note: str = "", actor_name: str = ""
) -> Application:
    """The simple steps (not_accept, withdraw, approve, refuse): a note and the transition."""
    if name not in {"not_accept", "withdraw", "approve", "refuse"}:
        raise ValidationError(f"“{name}”须通过其专用表单办理")
    updates: dict[str, Any] = {}
    if name in {"approve", "refuse"}:
        updates["decided_at"] = clock.now()
        updates["decision_note"] = note
    if name in {"not_accept", "refuse", "withdraw"}:
        updates.update(_completion_updates(application))
        if name == "not_accept":
            updates["decision_note"] = note
    transition_fire(
        obj=application, name=name, actor=actor, note=note, updates=updates, actor_name=actor_name
    )
    return application


def joint_check_schedule(
    *,
    application: Application,
    actor: Any,
    scheduled_on: dt.date,
    inspectors: list[Any],
    departments: str = "",
) -> JointCheck:
    """联合一次核查: one visit for every matter, with the inspectors of each department."""
    if not inspectors:
        raise ValidationError({"inspectors": "请选择参加联合核查的人员"})
    if scheduled_on < clock.today():
        raise ValidationError({"scheduled_on": "核查日期不能早于今天"})
    matters = selectors.application_matters(application)
    departments = departments or "、".join(dict.fromkeys(m.department for m in matters))
    with transaction.atomic():
        if JointCheck.objects.filter(application=application).exists():
            raise ValidationError("本申请已安排联合现场核查（每个申请只核查一次）")
        check = JointCheck.objects.create(
            application=application, scheduled_on=scheduled_on, departments=departments
        )
        check.inspectors.set(inspectors)
        names = "、".join(u.display_name for u in inspectors)
        transition_fire(
            obj=application,
            name="schedule_check",
            actor=actor,
            note=f"{scheduled_on:%Y-%m-%d} 联合核查，覆盖全部{len(matters)}个事项；"
            f"参加科室：{departments}；人员：{names}",
            data={
                "scheduled_on": scheduled_on.isoformat(),
                "inspectors": [u.pk for u in inspectors],
            },
        )
    return check


def joint_check_complete(
    *, application: Application, actor: Any, result: str, findings: str
) -> JointCheck:
    if result not in {"pass", "fail"}:
        raise ValidationError({"result": "请选择核查结论"})
    if not findings.strip():
        raise ValidationError({"findings": "请填写核查记录"})
    with transaction.atomic():
        check = JointCheck.objects.select_for_update().filter(application=application).first()
        if check is None:
            raise ValidationError("尚未安排联合现场核查")
        check.result, check.findings, check.done_at = result, findings.strip(), clock.now()
        check.save(update_fields=["result", "findings", "done_at"])
        application.joint_check = check
        transition_fire(
            obj=application,
            name="complete_check",
            actor=actor,
            note=f"核查结论：{check.get_result_display()}。{check.findings}",
        )
    return check


def certificate_issue(*, application: Application, actor: Any) -> Certificate:
    """制发证照: one certificate listing every item (多证合一). A new business is registered
    first (设立登记 → its USCC); the commitment path opens the post-approval check."""
    matters = selectors.application_matters(application)
    today = clock.today()
    with transaction.atomic():
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
        updates = _completion_updates(application)
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
            days = max(i.verification_days for i in application.items.all())
            deadline = calendar.working_deadline(today, days)
            task = VerificationTask.objects.create(
                application=application,
                unit=application.unit,
                created_at=clock.now(),
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                deadline_start=today,
                deadline_days=days,
            )
            event_record(
                obj=task,
                workflow=VERIFICATION_FLOW,
                state=task.state,
                actor=actor,
                label="告知承诺发证，生成后置核查任务",
                note=f"须于 {deadline} 前完成核查（{days}个工作日）",
            )
            audit_record(
                actor=actor,
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
    if application.onsite_check_required and not application.is_commitment:
        raise ValidationError("本申请需先联合现场核查，不能当场办结；可引导申请人选择告知承诺")
    with transaction.atomic():
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


# -- post-approval verification (后置核查) ------------------------------------------------------


def verification_confirm(*, task: VerificationTask, actor: Any, findings: str) -> VerificationTask:
    if not findings.strip():
        raise ValidationError({"findings": "请填写核查情况"})
    transition_fire(
        obj=task, name="confirm", actor=actor, note=findings, updates={"findings": findings.strip()}
    )
    return task


def verification_order_rectification(
    *, task: VerificationTask, actor: Any, findings: str, order: str
) -> VerificationTask:
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
    transition_fire(obj=task, name="confirm_rectified", actor=actor, note=note or "整改到位")
    return task


def verification_revoke(*, task: VerificationTask, actor: Any, reason: str) -> CreditRecord:
    """承诺不实且未整改到位: revoke the permit (行政许可法 Art 69), revoke the certificate,
    and write a credit record for the credit app."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销理由"})
    application = task.application
    today = clock.today()
    with transaction.atomic():
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
        audit_record(
            actor=actor,
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
        audit_record(
            actor=actor,
            action=AuditLog.Action.CREATE,
            obj=record,
            summary=f"记入信用记录：{record.holder_name} 告知承诺不实",
        )
    return record


# -- catalogue administration ----------------------------------------------------------------------

MATTER_FIELDS = [
    "name",
    "department",
    "treatment",
    "legal_basis",
    "permit_item",
    "commitment_allowed",
    "commitment_conditions",
    "onsite_check_required",
    "validity_years",
    "entity_kinds",
    "is_active",
    "sort_order",
]


def matter_update(*, actor: Any, matter: Matter, **changes: Any) -> Matter:
    if not actor.has_role("admin"):
        raise ValidationError("只有系统管理员可以修改事项清单")
    unknown = set(changes) - set(MATTER_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    bad_kinds = set(changes.get("entity_kinds", [])) - set(EntityKindChoice.values)
    if bad_kinds:
        raise ValidationError({"entity_kinds": "主体类型不正确"})
    with transaction.atomic():
        before = snapshot(matter, MATTER_FIELDS)
        for key, value in changes.items():
            setattr(matter, key, value)
        matter.save()
        after = snapshot(matter, MATTER_FIELDS)
        from regulus.core.audit import diff

        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=matter,
            summary=f"修改事项：{matter.name}",
            changes=diff(before, after),
        )
    return matter


# The largest value a rule's day count may hold (a small integer column).
RULE_DAYS_MAX = 32767


def matter_rule_add(
    *,
    actor: Any,
    matter: Matter,
    effective_from: dt.date,
    statutory_days: int,
    promised_days: int,
    verification_days: int | None = None,
    acceptance_days: int | None = None,
    issue_days: int | None = None,
    delivery_days: int | None = None,
    rectification_days: int | None = None,
    note: str = "",
) -> MatterRule:
    """A new version of a matter's limits from a date on; applications already submitted keep
    the limits they copied. A limit other than the statutory and promised days left out (None)
    carries over from the rule in force before `effective_from`, or takes the field's default
    for a matter's first rule."""
    if not actor.has_role("admin"):
        raise ValidationError("只有系统管理员可以修改事项时限")
    given = {
        "verification_days": verification_days,
        "acceptance_days": acceptance_days,
        "issue_days": issue_days,
        "delivery_days": delivery_days,
        "rectification_days": rectification_days,
    }
    # The rule in force the day before (or a blank rule, holding the fields' defaults).
    previous = (
        matter.rules.filter(effective_from__lt=effective_from).order_by("-effective_from").first()
        or MatterRule()
    )
    steps = {
        field: int(getattr(previous, field) if value is None else value)
        for field, value in given.items()
    }
    days = {"statutory_days": statutory_days, "promised_days": promised_days, **steps}
    errors: dict[str, str] = {}
    for field, value in days.items():
        label = MatterRule.day_field(field).verbose_name
        if value < 0:
            errors[field] = f"{label}不能为负数"
        elif value > RULE_DAYS_MAX:
            errors[field] = f"{label}不能超过{RULE_DAYS_MAX}"
    if promised_days > statutory_days and "promised_days" not in errors:
        errors["promised_days"] = "承诺时限不能超过法定时限"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if MatterRule.objects.filter(matter=matter, effective_from=effective_from).exists():
            raise ValidationError({"effective_from": f"{effective_from}已有一条时限规则"})
        rule = MatterRule.objects.create(
            matter=matter, effective_from=effective_from, note=note, **days
        )
        audit_record(
            actor=actor,
            action=AuditLog.Action.CREATE,
            obj=rule,
            summary=f"新增时限规则：{matter.name} 自{effective_from}",
            changes=snapshot(rule),
        )
    return rule


# -- bundles (一件事套餐) ------------------------------------------------------------------------

# The icons a bundle may show on the portal (Bootstrap Icons, vendored; rendered as
# `bi bi-<icon>`): those of the catalogue's bundles first, then a few for other kinds of shop.
BUNDLE_ICONS: tuple[tuple[str, str], ...] = (
    ("shop", "店铺"),
    ("cart3", "购物车（超市）"),
    ("capsule", "胶囊（药店）"),
    ("prescription2", "处方（药品）"),
    ("heart-pulse", "心电（医疗器械）"),
    ("cup-hot", "热饮（餐饮）"),
    ("egg-fried", "煎蛋（小餐饮）"),
    ("basket", "菜篮（农贸、生鲜）"),
    ("cake2", "蛋糕（烘焙）"),
    ("scissors", "剪刀（美容美发）"),
    ("eyeglasses", "眼镜（眼镜店）"),
    ("tools", "工具（维修）"),
    ("truck", "货车（物流）"),
    ("building", "楼宇（企业）"),
)
BUNDLE_FIELDS = ["name", "description", "icon", "industry_code", "is_active", "sort_order"]
BUNDLE_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
BUNDLE_CODE_MAX = Bundle._meta.get_field("code").max_length or 40
BUNDLE_NAME_MAX = Bundle._meta.get_field("name").max_length or 100
# The largest sort order every database holds (a PositiveIntegerField).
SORT_ORDER_MAX = 2147483647


def _bundle_permission(actor: Any) -> None:
    if not actor.has_role("admin"):
        raise ValidationError("只有系统管理员可以维护一件事套餐")


def _bundle_code_error(code: str) -> str | None:
    if not code:
        return "请填写编码"
    if len(code) > BUNDLE_CODE_MAX:
        return f"编码不能超过{BUNDLE_CODE_MAX}个字符"
    if not BUNDLE_CODE_RE.match(code):
        return (
            "编码只能使用小写英文字母、数字、连字符（-）和下划线（_），"
            "并以字母或数字开头，如 open-bakery"
        )
    return None


def _bundle_code_taken(code: str) -> str | None:
    other = Bundle.objects.filter(code=code).first()
    if other is None:
        return None
    return f"编码“{code}”已被一件事“{other.name}”使用，编码不能重复"


def _bundle_field_errors(values: Mapping[str, Any], *, old_icon: str = "") -> dict[str, str]:
    """The rules of a bundle's own fields, every broken one by its field."""
    errors: dict[str, str] = {}
    if "name" in values:
        name = values["name"]
        if not name:
            errors["name"] = "请填写名称"
        elif len(name) > BUNDLE_NAME_MAX:
            errors["name"] = f"名称不能超过{BUNDLE_NAME_MAX}个字"
    # A bundle may keep an icon it already has (one set in the Django admin, say).
    icon = values.get("icon")
    if icon is not None and icon not in dict(BUNDLE_ICONS) and not (old_icon and icon == old_icon):
        errors["icon"] = "请从列出的图标中选择一个"
    if "sort_order" in values:
        order = values["sort_order"]
        if not isinstance(order, int) or isinstance(order, bool) or order < 0:
            errors["sort_order"] = "排序应为不小于0的整数"
        elif order > SORT_ORDER_MAX:
            errors["sort_order"] = f"排序不能超过{SORT_ORDER_MAX}"
    if "is_active" in values and not isinstance(values["is_active"], bool):
        errors["is_active"] = "启用应为是或否"
    industry_error = industry_code_error(values.get("industry_code") or "")
    if industry_error:
        errors["industry_code"] = industry_error
    return errors


def _bundle_matters_resolve(
    matter_codes: Iterable[str], *, current: Iterable[int] = ()
) -> tuple[list[Matter], str | None]:
    """The matters named by the codes, in that order, or the message of every rule broken:
    at least one matter, each at most once, each known, and a matter not already in the
    bundle (`current`: its matter ids) must be active."""
    codes = [c.strip() for c in matter_codes if c and c.strip()]
    if not codes:
        return [], "一件事至少要包含一个事项"
    by_code = {m.code: m for m in Matter.objects.filter(code__in=set(codes))}
    problems: list[str] = []
    unknown = [c for c in dict.fromkeys(codes) if c not in by_code]
    if unknown:
        problems.append(f"没有编码为“{'、'.join(unknown)}”的事项")
    repeated = [c for c in dict.fromkeys(codes) if codes.count(c) > 1 and c in by_code]
    if repeated:
        names = "、".join(by_code[c].name for c in repeated)
        problems.append(f"事项“{names}”重复出现，同一事项在一件事中只能出现一次")
    kept = set(current)
    inactive = [
        by_code[c].name
        for c in dict.fromkeys(codes)
        if c in by_code and not by_code[c].is_active and by_code[c].pk not in kept
    ]
    if inactive:
        problems.append(f"事项“{'、'.join(inactive)}”已停用，只能加入启用的事项")
    if problems:
        return [], "；".join(problems)
    return [by_code[c] for c in codes], None


def _bundle_matters_write(bundle: Bundle, matters: list[Matter]) -> None:
    BundleMatter.objects.filter(bundle=bundle).delete()
    BundleMatter.objects.bulk_create(
        [BundleMatter(bundle=bundle, matter=m, sort_order=i) for i, m in enumerate(matters)]
    )


def bundle_create(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    icon: str = "shop",
    industry_code: str = "",
    is_active: bool = True,
    sort_order: int = 0,
    matter_codes: Iterable[str],
) -> Bundle:
    """A new 一件事 with its matters, in the order given. The code (the portal's address of
    the bundle) is a unique lowercase slug and does not change afterwards."""
    _bundle_permission(actor)
    code = (code or "").strip()
    values = {
        "name": (name or "").strip(),
        "description": (description or "").strip(),
        "icon": icon,
        "industry_code": (industry_code or "").strip(),
        "is_active": is_active,
        "sort_order": sort_order,
    }
    errors = _bundle_field_errors(values)
    code_error = _bundle_code_error(code) or _bundle_code_taken(code)
    if code_error:
        errors["code"] = code_error
    matters, matters_error = _bundle_matters_resolve(matter_codes)
    if matters_error:
        errors["matters"] = matters_error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                bundle = Bundle.objects.create(code=code, **values)
        except IntegrityError:  # the same code saved a moment ago by someone else
            raise ValidationError({"code": _bundle_code_taken(code) or "编码不能重复"}) from None
        _bundle_matters_write(bundle, matters)
        audit_record(
            actor=actor,
            action=AuditLog.Action.CREATE,
            obj=bundle,
            summary=f"新增一件事：{bundle.name}（{bundle.code}），含事项"
            f"{'、'.join(m.name for m in matters)}",
            # As [old, new] pairs, like every change row (the old of a new bundle is None).
            changes=diff(
                {},
                {
                    **snapshot(bundle, ["code", *BUNDLE_FIELDS]),
                    "matters": [m.code for m in matters],
                },
            ),
        )
    return bundle


def bundle_update(*, actor: Any, bundle: Bundle, **changes: Any) -> Bundle:
    """Change a bundle's name, description, icon, active flag or sort order. Deactivating
    takes it off the portal and the window; applications already submitted keep going."""
    _bundle_permission(actor)
    unknown = set(changes) - set(BUNDLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    for key in ("name", "description", "industry_code"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    errors = _bundle_field_errors(changes, old_icon=bundle.icon)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        before = snapshot(locked, BUNDLE_FIELDS)
        for key, value in changes.items():
            setattr(locked, key, value)
        after = snapshot(locked, BUNDLE_FIELDS)
        changed = diff(before, after)
        if not changed:
            return locked
        locked.save(update_fields=sorted(changed))
        if "is_active" in changed:
            state = "启用" if locked.is_active else "停用（已提交的办件照常办理）"
            summary = f"修改一件事：{locked.name}，{state}"
        else:
            summary = f"修改一件事：{locked.name}"
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=locked,
            summary=summary,
            changes=changed,
        )
    for key in changed:
        setattr(bundle, key, getattr(locked, key))
    return locked


def bundle_set_matters(*, actor: Any, bundle: Bundle, matter_codes: Iterable[str]) -> Bundle:
    """Set the bundle's matters to these, in this order: add, remove and reorder at once.

    Applications already submitted keep their own copy of their matters and rules
    (ApplicationItem), so a removed matter stays on them; only new applications follow."""
    _bundle_permission(actor)
    codes = list(matter_codes)
    with transaction.atomic():
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        old = list(
            BundleMatter.objects.filter(bundle=locked)
            .select_related("matter")
            .order_by("sort_order", "id")
        )
        matters, error = _bundle_matters_resolve(codes, current=[bm.matter_id for bm in old])
        if error:
            raise ValidationError({"matters": error})
        old_codes = [bm.matter.code for bm in old]
        new_codes = [m.code for m in matters]
        if old_codes == new_codes:
            return locked
        _bundle_matters_write(locked, matters)
        added = [m.name for m in matters if m.code not in old_codes]
        removed = [bm.matter.name for bm in old if bm.matter.code not in new_codes]
        parts = []
        if added:
            parts.append(f"加入{'、'.join(added)}")
        if removed:
            parts.append(f"移除{'、'.join(removed)}")
        if not parts:
            parts.append("调整顺序")
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=locked,
            summary=f"调整一件事“{locked.name}”的事项：{'；'.join(parts)}",
            changes={"matters": [old_codes, new_codes]},
        )
    return locked
