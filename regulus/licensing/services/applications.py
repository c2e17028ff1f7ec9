"""Applications: submission, materials, the commitment, and the steps up to the decision
(corrections, acceptance, the joint on-site check, approval or refusal)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from regulus.core import calendar, clock, ids, permissions
from regulus.core.audit import audited, snapshot
from regulus.core.clock_services import clock_start
from regulus.core.crypto import keyed_hash
from regulus.core.documents import number_next, number_retry
from regulus.core.files import file_delete, file_store, file_validate
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.workflow import event_record, transition_fire
from regulus.licensing import selectors
from regulus.licensing.models import (
    Application,
    ApplicationItem,
    ApplicationMaterial,
    Bundle,
    EntityKindChoice,
    JointCheck,
    MaterialType,
    MatterRule,
)
from regulus.licensing.workflow import APPLICATION_FLOW

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
    if not district_code:
        raise ValidationError({"district_code": "请选择所属区县"})
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


def completion_updates(application: Application) -> dict[str, Any]:
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


def _require_staff_or_applicant(actor: Any) -> None:
    """The applicant's own steps (actor None: the portal) are open to the public; a staff
    member taking them at the window needs licensing.application_handle."""
    if actor is not None:
        permissions.require(actor, "licensing.application_handle")


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
    if actor is not None:
        permissions.require(actor, "licensing.application_submit")
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
    if new_business and not contact_id_number.strip():
        err("contact_id_number", "新设主体须填写申请人身份证号码")
    elif new_business or contact_id_number:
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
    commitment = path == Application.Path.COMMITMENT
    with audited(actor=_actor_label(actor, f"申请人{contact_name}")) as audit:

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
        clock_start(obj=application, name="acceptance", actor=audit.actor)
        event_record(
            obj=application,
            workflow=APPLICATION_FLOW,
            state=S.SUBMITTED,
            actor=actor,
            actor_name=contact_name,
            label=f"提交申请（{application.get_channel_display()}）",
            note=(f"签署告知承诺书（{application.commitment_signer}）" if commitment else ""),
        )
        audit.record(
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
    _require_staff_or_applicant(actor)
    if application.state not in MATERIAL_STATES:
        raise ValidationError(f"当前状态为“{application.get_state_display()}”，不能再补充材料")
    keys = {r.key for r in selectors.materials_union(selectors.application_matters(application))}
    checked, errors = _validate_files({material_key: [upload]}, keys)
    if errors:
        raise ValidationError({k: "；".join(v) for k, v in errors.items()})
    with audited(actor=_actor_label(actor, f"申请人{application.contact_name}")) as audit:
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
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=application,
            summary=f"补充材料：{row.material.name}",
        )
    return row


def material_remove(
    *,
    application: Application,
    actor: Any,
    material: ApplicationMaterial,
    actor_name: str = "",
) -> None:
    """Take back a wrong upload before review begins (the application waits for acceptance,
    or for the applicant's correction): the row goes, and its stored file once that is
    committed. The applicant (actor None: the portal) removes their own; a staff member
    needs licensing.material_remove. Refused once review has begun."""
    if actor is not None:
        permissions.require(actor, "licensing.material_remove")
    if material.application_id != application.pk:
        raise ValidationError({"material": "该材料不属于本申请"})
    what = f"材料“{material.material.name}”的文件“{material.original_name}”"
    if application.state not in MATERIAL_STATES:
        raise ValidationError(
            f"当前状态为“{application.get_state_display()}”，审查已开始，不能再删除{what}"
        )
    stored = material.stored_name
    with audited(actor=_actor_label(actor, f"申请人{application.contact_name}")) as audit:
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state not in MATERIAL_STATES:
            raise ValidationError(
                f"当前状态为“{locked.get_state_display()}”，审查已开始，不能再删除{what}"
            )
        material.delete()
        _refresh_materials_count(application)
        event_record(
            obj=application,
            workflow=APPLICATION_FLOW,
            state=application.state,
            actor=actor,
            actor_name=actor_name or application.contact_name,
            label="删除材料",
            note=f"{material.material.name}：{material.original_name}",
        )
        audit.record(
            action=AuditLog.Action.DELETE,
            obj=application,
            summary=f"删除误传的材料：{material.material.name}（{material.original_name}）",
            changes={
                "removed_material": material.material.name,
                "removed_file": material.original_name,
            },
        )
        if stored:
            transaction.on_commit(lambda: file_delete(stored))


def commitment_sign(*, application: Application, signer: str, actor: Any = None) -> Application:
    """Sign the commitment (告知承诺) before the decision: switches to the commitment path."""
    _require_staff_or_applicant(actor)
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
    with audited(actor=_actor_label(actor, f"申请人{signer}")) as audit:
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
        audit.record(
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
    APPLICATION_FLOW.require("request_correction", actor)
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
    APPLICATION_FLOW.require("resubmit", actor)
    keys = {r.key for r in selectors.materials_union(selectors.application_matters(application))}
    checked, errors = _validate_files(files or {}, keys)
    if errors:
        raise ValidationError({k: "；".join(v) for k, v in errors.items()})
    window = getattr(actor, "is_authenticated", False)
    # The materials are written with the transition, whose row records the step.
    with audited(actor=_actor_label(actor, actor_name or application.contact_name)):
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
    APPLICATION_FLOW.require("accept", actor)
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
    APPLICATION_FLOW.require(name, actor)
    updates: dict[str, Any] = {}
    if name in {"approve", "refuse"}:
        updates["decided_at"] = clock.now()
        updates["decision_note"] = note
    if name in {"not_accept", "refuse", "withdraw"}:
        updates.update(completion_updates(application))
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
    APPLICATION_FLOW.require("schedule_check", actor)
    if not inspectors:
        raise ValidationError({"inspectors": "请选择参加联合核查的人员"})
    if scheduled_on < clock.today():
        raise ValidationError({"scheduled_on": "核查日期不能早于今天"})
    matters = selectors.application_matters(application)
    departments = departments or "、".join(dict.fromkeys(m.department for m in matters))
    # The check is written with the transition, whose row records the step.
    with audited(actor=actor):
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
    APPLICATION_FLOW.require("complete_check", actor)
    if result not in {"pass", "fail"}:
        raise ValidationError({"result": "请选择核查结论"})
    if not findings.strip():
        raise ValidationError({"findings": "请填写核查记录"})
    # The conclusion is written with the transition, whose row records the step.
    with audited(actor=actor):
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
