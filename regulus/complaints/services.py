"""Writes of 投诉举报: intake, routing, handling, follow-up. Each is one `audited` transaction
with its audit rows; `permissions.require` first (the public's intake and rating are open to
actor None); bad input raises ValidationError with a Chinese message keyed by the field, and
changes nothing.

Hand-overs (core.handover) this module sends, and their `data`:
- kind CLUE, topic "complaints.report_verified" (举报核查属实移交立案线索): a report verified
  and handed to enforcement. data: {"item_number": str, "category": str (Item.Category code),
  "rule_version": str (RuleVersion code), "received_on": "YYYY-MM-DD", "amount_fen": int|None,
  "finding": str (the handler's finding)}. Never the reporter's identity (Order 20 Art 33).
- kind CREDIT, topic "complaints.confirmed" (投诉属实): a complaint found substantiated when
  its mediation ended. data: {"item_number": str, "category": str, "outcome": str (the final
  state code: mediated, mediation_failed, terminated), "money_recovered_fen": int|None,
  "received_on": "YYYY-MM-DD"}. Never the complainant's identity.

12315 ODR (在线消费纠纷解决): a complaint against an active ODR member, with the consumer's
consent, goes to the business first (state odr, its clock complaints.odr; the acceptance
clock paused on the ground "odr"): at intake when the entity is known, or by the dispatcher.
It ends settled (final, the money recovered as mediation records it) or not settled (back to
the dispatchers' queue, the acceptance clock resumed), answered by the business on the portal
(its USCC and portal code), by staff, by the consumer leaving, or by `regulus tick` when the
business's period has run out.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from regulus.complaints.models import (
    FINAL_STATES,
    REPEAT_DAYS,
    Item,
    OdrMember,
    ReporterNotice,
    RoutingRule,
    RuleVersion,
    Transfer,
)
from regulus.complaints.workflow import ITEM_FLOW, NOTICE_FLOW, odr_problem
from regulus.core import clock, ids, permissions
from regulus.core.audit import audited
from regulus.core.clock_services import clock_start
from regulus.core.crypto import keyed_hash
from regulus.core.documents import number_next, number_retry
from regulus.core.handover import handover_send
from regulus.core.masking import mask_phone
from regulus.core.models import AuditLog, Handover, OrgUnit
from regulus.core.text import text_problem, trim
from regulus.core.workflow import event_record, transition_fire
from regulus.registry.portal_codes import portal_failures_clear, portal_identify
from regulus.registry.rules import DISTRICTS

K, S, C = Item.Kind, Item.State, Item.Channel
REGISTER = "complaints.item_register"
DISPATCH = "complaints.item_dispatch"
HANDLE = "complaints.item_handle"
IDENTITY = "complaints.identity_view"
ODR_HANDLE = "complaints.odr_handle"
ODR_MANAGE = "complaints.odr_manage"

MAX_FACTS = 5000
MAX_REQUEST = 2000
MAX_AMOUNT_FEN = 10**12  # ¥10,000,000,000
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
STAFF_CHANNELS = (C.PHONE, C.WINDOW, C.LETTER, C.PARTNER)
PUBLIC_ACTOR = "投诉举报人"
ODR_AUTO_ACTOR = "系统（ODR自动分送）"
CONSUMER_ACTOR = "投诉人"
CONFIDENTIAL_NOTE = "投诉举报人信息依法保密"


# -- checks ------------------------------------------------------------------------------------


def phone_normalize(value: str) -> str:
    """A phone as people write it (+86 138-0000-0000, (0731)8888 8888, １３８…) as digits:
    a mobile of 11 digits or a landline with its area code; ValidationError otherwise."""
    import unicodedata

    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"[\s\-()（）.]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not (MOBILE.match(text) or LANDLINE.match(text)):
        raise ValidationError(
            {"person_phone": "联系电话应为11位手机号码，或带区号的固定电话（如0731-88888888）"}
        )
    return text


def _line_text(errors: dict[str, str], field: str, value: Any, label: str, max_len: int) -> str:
    value = trim(str(value or ""))
    problem = text_problem(value, multiline=False)
    if problem:
        errors[field] = f"{label}{problem}"
    elif len(value) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字符（现有{len(value)}个）"
    return value


def _long_text(errors: dict[str, str], field: str, value: Any, label: str, max_len: int) -> str:
    value = trim(str(value or ""), multiline=True)
    problem = text_problem(value, multiline=True)
    if problem:
        errors[field] = f"{label}{problem}"
    elif len(value) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字符（现有{len(value)}个）"
    return value


def amount_to_fen(value: Any, field: str = "amount") -> int | None:
    """'1,234.5' yuan → 123450 fen; '' → None; ValidationError on anything else."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: "金额应为数字（单位：元，最多两位小数）"}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT_FEN / 100:
        raise ValidationError({field: "金额应为0至一百亿元之间的数字（单位：元，最多两位小数）"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: "金额最多两位小数（单位：元）"})
    fen = int(amount * 100)
    if fen > MAX_AMOUNT_FEN:
        raise ValidationError({field: "金额超出可登记的范围（一百亿元以内）"})
    return fen


def district_bureau(district_code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(
        kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code=district_code, is_active=True
    ).first()


def routing_rule_for(*, district_code: str, category: str) -> RoutingRule | None:
    """The routing table's rule for an area and a domain: the one naming the domain, else the
    one for every domain of the area (an inactive unit's rule is passed over)."""
    rules = RoutingRule.objects.filter(
        district_code=district_code, category__in=(category, ""), unit__is_active=True
    ).select_related("unit")
    return max(rules, key=lambda r: r.category != "", default=None)


def unit_proposed(*, entity: Any, district_code: str, category: str = "") -> OrgUnit | None:
    """Order 20 Art 12: the bureau of the respondent's place. The routing table's rule for
    the area (the registered entity's district, else the place given) and the domain, where
    the administrator set one; else the unit supervising the registered entity, else the
    district bureau of the place given."""
    area = entity.district_code if entity is not None and entity.district_code else district_code
    rule = routing_rule_for(district_code=area, category=category)
    if rule is not None:
        return rule.unit
    if entity is not None and entity.unit_id is not None and entity.unit.is_active:
        return entity.unit  # type: ignore[no-any-return]
    return district_bureau(district_code)


def routing_rule_save(
    *, actor: Any, district_code: str, category: str, unit: OrgUnit, note: str = ""
) -> RoutingRule:
    """Set the unit responsible for an area and a domain (a second save of the same pair
    changes its unit). Items already routed keep their unit; new items and re-proposals
    follow the table."""
    permissions.require(actor, "complaints.routing_manage")
    errors: dict[str, str] = {}
    district_code = (district_code or "").strip()
    if not (district_code.isdigit() and len(district_code) == 6):
        errors["district_code"] = "区县代码须为6位数字"
    elif not ids.division_name(district_code):
        errors["district_code"] = f"区县代码{district_code}不是有效的行政区划代码"
    if category and category not in Item.Category.values:
        errors["category"] = "领域须为所列领域之一，或留空表示全部领域"
    if not unit.is_active:
        errors["unit"] = "该单位已停用，不能承办"
    note = _line_text(errors, "note", note, "说明", 200)
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        rule, created = RoutingRule.objects.update_or_create(
            district_code=district_code,
            category=category,
            defaults={
                "unit": unit,
                "note": note,
                "updated_at": clock.now(),
                "updated_by": str(getattr(actor, "display_name", actor))[:150],
            },
        )
        audit.record(
            action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
            obj=rule,
            summary=f"投诉举报分派规则：{ids.division_name(district_code)}"
            f"{rule.get_category_display() or '全部领域'} → {unit.name}",
            changes={"district_code": district_code, "category": category, "unit": unit.name},
        )
    return rule


def routing_rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    permissions.require(actor, "complaints.routing_manage")
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.DELETE,
            obj=rule,
            summary=f"删除投诉举报分派规则：{ids.division_name(rule.district_code)}"
            f"{rule.get_category_display() or '全部领域'} → {rule.unit.name}",
            changes={"district_code": rule.district_code, "category": rule.category},
        )
        rule.delete()


def _entity_for(uscc: str) -> Any:
    from regulus.registry.models import Entity

    return Entity.objects.select_related("unit").filter(uscc=uscc).first()


# -- intake ------------------------------------------------------------------------------------


def item_register(
    *,
    actor: Any,
    channel: str,
    kind: str,
    category: str,
    respondent_name: str,
    facts: str,
    district_code: str = "",
    line: str = Item.Line.L12315,
    request_text: str = "",
    respondent_uscc: str = "",
    place: str = "",
    amount: Any = "",
    person_name: str = "",
    person_phone: str = "",
    person_id_number: str = "",
    anonymous: bool = False,
    idempotency_key: str = "",
    also_report: bool = False,
    odr_consent: bool = False,
) -> tuple[Item, str]:
    """Register an item from any door: the portal (actor None, channel portal), or staff
    entering a call, a visit, a letter or a partner platform's transfer. Returns the item and
    its query code (shown once; "" when the same submission was registered before: the
    idempotency key, or the same phone, respondent and facts the same day). A complaint that
    also reports a violation (`also_report`, Order 20 Art 7) is split at once: its report runs
    its own track under the same query code. A complaint whose consumer consents
    (`odr_consent`) against a registered entity that is an ODR member goes to the business
    first (to_odr) at once."""
    if actor is not None:
        permissions.require(actor, REGISTER)
        if channel not in STAFF_CHANNELS:
            raise ValidationError(
                {"channel": "工作人员登记的来源渠道应为热线电话、窗口来访、来信或平台转办"}
            )
    elif channel != C.PORTAL:
        raise ValidationError({"channel": "公众只能通过网上投诉举报提交"})
    errors: dict[str, str] = {}
    if kind not in K.values:
        errors["kind"] = "请选择类型：投诉、举报、咨询或建议"
    if category not in Item.Category.values:
        errors["category"] = "请选择所属领域"
    line = line or Item.Line.L12315
    if line not in Item.Line.values:
        errors["line"] = "来源热线不正确"
    key = trim(str(idempotency_key or ""))
    if key and (len(key) > 80 or not re.fullmatch(r"[A-Za-z0-9_\-.:]+", key)):
        errors["idempotency_key"] = "幂等键应为80位以内的字母、数字或 _ - . :"
    respondent_name = _line_text(errors, "respondent_name", respondent_name, "被投诉举报对象", 200)
    if (
        kind != K.ENQUIRY
        and kind != K.SUGGESTION
        and not respondent_name
        and "respondent_name" not in errors
    ):
        errors["respondent_name"] = "请填写被投诉举报对象（经营者名称）"
    facts = _long_text(errors, "facts", facts, "事实与理由", MAX_FACTS)
    if not facts and "facts" not in errors:
        errors["facts"] = "请填写事实与理由"
    request_text = _long_text(errors, "request_text", request_text, "诉求", MAX_REQUEST)
    if kind == K.COMPLAINT and not request_text and "request_text" not in errors:
        errors["request_text"] = "投诉须写明具体诉求（《市场监督管理投诉举报处理暂行办法》第九条）"
    place = _line_text(errors, "place", place, "发生地点", 255)
    person_name = _line_text(errors, "person_name", person_name, "姓名", 50)
    uscc = trim(str(respondent_uscc or "")).upper()
    entity = None
    if uscc:
        if not re.fullmatch(r"[0-9A-Z]{18}", uscc):
            errors["respondent_uscc"] = "统一社会信用代码应为18位数字或大写字母"
        else:
            entity = _entity_for(uscc)
    district_code = str(district_code or "").strip()
    if entity is not None and not district_code:
        district_code = entity.district_code
    if district_code not in DISTRICTS:
        errors["district_code"] = "请选择发生地所属区县"
    try:
        amount_fen = amount_to_fen(amount)
    except ValidationError as exc:
        errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
        amount_fen = None
    anonymous = bool(anonymous) and kind == K.REPORT
    phone = ""
    if person_phone or not anonymous:
        try:
            phone = phone_normalize(person_phone)
        except ValidationError as exc:
            if person_phone or kind in (K.COMPLAINT,):
                errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    if kind == K.COMPLAINT and not person_name and "person_name" not in errors:
        errors["person_name"] = "投诉须提供投诉人真实姓名（实名投诉）"
    if kind == K.REPORT and not anonymous and not person_name and "person_name" not in errors:
        errors["person_name"] = "实名举报请填写姓名，或选择匿名举报"
    id_number = trim(str(person_id_number or "")).upper()
    if id_number:
        try:
            id_number = ids.validate_id_number(id_number)
        except ValidationError as exc:
            errors["person_id_number"] = "；".join(exc.messages)
    if anonymous:
        person_name, phone, id_number = "", phone, ""
    received_on = clock.today()
    version = RuleVersion.in_force(received_on)
    if version is None:
        errors["kind"] = f"{received_on:%Y-%m-%d}没有施行中的投诉举报规则，请联系管理员"
    unit = None
    if "district_code" not in errors:
        unit = unit_proposed(entity=entity, district_code=district_code, category=category)
        if unit is None:
            errors["district_code"] = "该区县没有承办单位，请联系管理员"
    if errors:
        raise ValidationError(errors)
    assert unit is not None and version is not None

    if key:
        existing = Item.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, ""
    phone_hash = keyed_hash(phone) if phone else ""
    if phone_hash:
        same = Item.objects.filter(
            person_phone_hash=phone_hash,
            respondent_name=respondent_name,
            received_on=received_on,
            kind=kind,
            facts=facts,
        ).first()
        if same is not None:
            return same, ""

    repeat_of = _first_of_repeats(phone_hash, entity, respondent_name, category, received_on)
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    staff = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with audited(actor=actor if actor is not None else PUBLIC_ACTOR) as audit:
            # The receipt number is taken last (_number_assign): its series is locked from then
            # to the commit, and concurrent intakes queue only for that last step.
            item = Item.objects.create(
                number=_unnumbered(),
                query_code_hash=keyed_hash(code),
                kind=kind,
                channel=channel,
                line=line,
                category=category,
                rule_version=version,
                received_at=now,
                received_on=received_on,
                anonymous=anonymous,
                person_name=person_name,
                person_phone=phone,
                person_phone_hash=phone_hash,
                person_id_number=id_number,
                person_id_hash=keyed_hash(id_number) if id_number else "",
                respondent_name=respondent_name,
                respondent_uscc=uscc,
                entity=entity,
                place=place,
                district_code=district_code,
                amount_fen=amount_fen,
                facts=facts,
                request_text=request_text,
                unit=unit,
                state=S.REGISTERED,
                idempotency_key=key or None,
                repeat_of=repeat_of,
                odr_consent=bool(odr_consent) and kind == K.COMPLAINT,
                created_by=staff,
            )
            if kind in (K.COMPLAINT, K.REPORT):
                clock_start(
                    obj=item,
                    name="acceptance",
                    actor=audit.actor,
                    start=received_on,
                    new_object=True,
                )
            event_record(
                obj=item,
                workflow=ITEM_FLOW,
                state=S.REGISTERED,
                actor=actor,
                actor_name=PUBLIC_ACTOR,
                label=f"登记{item.get_kind_display()}（{item.get_channel_display()}）",
                note=f"适用{version.name}；拟分派{unit.name}"
                + (f"；与{repeat_of.number}为同一人同一事项的重复件" if repeat_of else ""),
            )
            _number_assign(item)
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=item,
                summary=f"登记{item.get_kind_display()}：{item.number}（{item.get_channel_display()}）",
                changes={
                    "kind": kind,
                    "channel": channel,
                    "category": category,
                    "district_code": district_code,
                    "respondent_name": respondent_name,
                },
            )
            if also_report and kind == K.COMPLAINT:
                _split_report(audit=audit, complaint=item, actor=actor, facts=facts)
            if item.odr_consent and odr_problem(item) is None:
                _odr_route(item, actor=ODR_AUTO_ACTOR, note="投诉人同意先由经营者和解，自动分送")
    except IntegrityError:
        # Two submissions with one idempotency key at the same moment: the second waited for
        # the first's commit and met its key; it answers with the first's item.
        first = Item.objects.filter(idempotency_key=key).first() if key else None
        if first is None:
            raise
        return first, ""
    return item, code


def _unnumbered() -> str:
    """A stand-in for an item's number until _number_assign gives it its own: unique, never
    committed, outside every "TS<date>" series (number_next never counts it) and below them
    all, so that number_next's backward scan of the index from the top never meets the
    entries the stand-ins leave behind (dead on PostgreSQL until vacuumed)."""
    return f"!{secrets.token_hex(9)}"


def _number_assign(item: Item) -> None:
    """Give the new item its receipt number, the next of its day's series: taken last in the
    intake's transaction, so that the series' lock (core.documents.number_next) is held from
    here to the commit only, not through the clock, the event and the checks. No retry (and
    no savepoint for one): the lock (SQLite: the one writer) keeps racing writers out of the
    series until this transaction ends."""
    item.number = number_next(
        model=Item, field="number", prefix=f"TS{item.received_on:%Y%m%d}", width=5
    )
    Item.objects.filter(pk=item.pk).update(number=item.number)


def _split_report(*, audit: Any, complaint: Item, actor: Any, facts: str) -> Item:
    """The report of a mixed filing (Order 20 Art 7): a REPORT item received with the
    complaint (same day, same rule version, same person and respondent, the same query code),
    on its own acceptance clock, routed like any item; linked by split_from."""

    def create() -> Item:
        return Item.objects.create(
            number=number_next(
                model=Item, field="number", prefix=f"TS{complaint.received_on:%Y%m%d}", width=5
            ),
            query_code_hash=complaint.query_code_hash,
            kind=K.REPORT,
            channel=complaint.channel,
            line=complaint.line,
            category=complaint.category,
            rule_version=complaint.rule_version,
            received_at=complaint.received_at,
            received_on=complaint.received_on,
            person_name=complaint.person_name,
            person_phone=complaint.person_phone,
            person_phone_hash=complaint.person_phone_hash,
            person_id_number=complaint.person_id_number,
            person_id_hash=complaint.person_id_hash,
            respondent_name=complaint.respondent_name,
            respondent_uscc=complaint.respondent_uscc,
            entity=complaint.entity,
            place=complaint.place,
            district_code=complaint.district_code,
            amount_fen=complaint.amount_fen,
            facts=facts,
            unit=unit_proposed(
                entity=complaint.entity,
                district_code=complaint.district_code,
                category=complaint.category,
            )
            or complaint.unit,
            state=S.REGISTERED,
            split_from=complaint,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )

    report = number_retry(create)
    clock_start(obj=report, name="acceptance", actor=audit.actor, start=report.received_on)
    event_record(
        obj=report,
        workflow=ITEM_FLOW,
        state=S.REGISTERED,
        actor=actor,
        actor_name=PUBLIC_ACTOR,
        label="登记举报（投诉中一并举报的违法行为，拆分办理）",
        note=f"拆分自投诉{complaint.number}；适用{report.rule_version.name}；拟分派{report.unit.name}",
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=report,
        summary=f"拆分举报：{report.number}（拆分自投诉{complaint.number}）",
        changes={"kind": report.kind, "category": report.category},
    )
    return report


def item_split_report(*, actor: Any, item: Item, facts: str) -> Item:
    """Staff split the report out of a complaint that also reports a violation (a mixed
    filing, Order 20 Art 7): the violation reported becomes a REPORT item on its own track."""
    if not permissions.allows(actor, DISPATCH):
        permissions.require(actor, HANDLE)
    if item.kind != K.COMPLAINT:
        raise ValidationError({"kind": "只有投诉可以拆分出举报"})
    existing = item.split_reports.first()
    if existing is not None:
        raise ValidationError({"kind": f"该投诉已拆分出举报{existing.number}"})
    errors: dict[str, str] = {}
    facts = _long_text(errors, "facts", facts, "举报的违法行为", MAX_FACTS)
    if not facts and "facts" not in errors:
        errors["facts"] = "请写明投诉中举报的违法行为"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        report = _split_report(audit=audit, complaint=item, actor=actor, facts=facts)
        event_record(
            obj=item,
            workflow=ITEM_FLOW,
            state=item.state,
            actor=actor,
            label="拆分出举报",
            note=f"一并举报的违法行为另登记为举报{report.number}",
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=item,
            summary=f"{item.number} 拆分出举报{report.number}",
            changes={"kind": item.kind},
        )
    return report


def _first_of_repeats(
    phone_hash: str, entity: Any, respondent_name: str, category: str, received_on: dt.date
) -> Item | None:
    """The first item of the same complainant (phone), respondent (the registered entity, else
    the name given) and matter (category) received within REPEAT_DAYS, or None."""
    if not phone_hash:
        return None
    since = received_on - dt.timedelta(days=REPEAT_DAYS)
    earlier = Item.objects.filter(
        person_phone_hash=phone_hash, category=category, received_on__gte=since
    )
    earlier = (
        earlier.filter(entity=entity)
        if entity is not None
        else earlier.filter(respondent_name=respondent_name)
    )
    first = earlier.order_by("received_at", "pk").first()
    if first is None:
        return None
    return first.repeat_of or first


def public_lookup(number: str, query_code: str) -> Item | None:
    """The item of a citizen's progress lookup (number + query code), or None."""
    number = trim(str(number or "")).upper()[:20]
    code = re.sub(r"\s", "", str(query_code or ""))[:12]
    if not number or not code.isdigit():
        return None
    item = Item.objects.select_related("unit", "rule_version").filter(number=number).first()
    if item is None or not secrets.compare_digest(item.query_code_hash, keyed_hash(code)):
        return None
    return item


# -- routing -----------------------------------------------------------------------------------


def _target_unit(unit: Any) -> OrgUnit:
    if not isinstance(unit, OrgUnit) or not unit.is_active:
        raise ValidationError({"unit": "请选择有效的承办单位"})
    return unit


def _transfer(
    item: Item, kind: str, from_unit: OrgUnit, to_unit: OrgUnit, reason: str, actor: Any, audit: Any
) -> Transfer:
    row = Transfer.objects.create(
        item=item,
        kind=kind,
        from_unit=from_unit,
        to_unit=to_unit,
        reason=reason[:300],
        at=clock.now(),
        actor_name=str(getattr(actor, "display_name", "") or actor)[:150],
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=row,
        object_repr=f"{item.number} {row.get_kind_display()}",
        summary=f"{row.get_kind_display()}{item.number}：{from_unit.name} → {to_unit.name}",
        changes={"kind": kind, "reason": reason} if reason else {"kind": kind},
    )
    return row


def item_dispatch(*, actor: Any, item: Item, unit: OrgUnit | None = None, note: str = "") -> Item:
    """The dispatcher routes the item to the unit responsible (the proposed one unless another
    is chosen; a different unit needs the reason)."""
    permissions.require(actor, DISPATCH)
    target = _target_unit(unit or item.unit)
    note = trim(note)
    if target.pk != item.unit_id and not note:
        raise ValidationError({"note": "改派到拟分派单位以外的单位，须填写理由"})
    with audited(actor=actor) as audit:
        before = item.unit
        transition_fire(
            obj=item,
            name="dispatch",
            actor=actor,
            note=note or f"分派至{target.name}",
            updates={"unit": target, "dispatched_at": clock.now(), "returned_note": ""},
        )
        _transfer(item, Transfer.Kind.DISPATCH, before, target, note, actor, audit)
    return item


def item_transfer(*, actor: Any, item: Item, unit: OrgUnit, reason: str) -> Item:
    """转办: move a not yet accepted item to another unit, with the reason (history kept)."""
    permissions.require(actor, DISPATCH)
    target = _target_unit(unit)
    reason = trim(reason)
    if not reason:
        raise ValidationError({"reason": "转办须填写理由"})
    if item.state not in (S.REGISTERED, S.PENDING):
        raise ValidationError({"unit": f"“{item.get_state_display()}”的事项不能转办"})
    if target.pk == item.unit_id:
        raise ValidationError({"unit": "接收单位与当前承办单位相同"})
    with audited(actor=actor) as audit:
        before = item.unit
        changed = Item.objects.filter(pk=item.pk, state=item.state, unit=before).update(unit=target)
        if changed != 1:
            raise ValidationError("该事项刚被他人处理，请刷新后重试")
        item.unit = target
        event_record(
            obj=item,
            workflow=ITEM_FLOW,
            state=item.state,
            actor=actor,
            label=f"转办至{target.name}",
            note=reason,
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=item,
            summary=f"转办：{before.name} → {target.name}",
            changes={"unit": [before.name, target.name], "reason": reason},
        )
        _transfer(item, Transfer.Kind.TRANSFER, before, target, reason, actor, audit)
    return item


def item_refer_out(*, actor: Any, item: Item, body: str, reason: str) -> Item:
    """移送: an item outside the bureau's remit goes to the body responsible, recorded."""
    ITEM_FLOW.require("refer_out", actor)
    errors: dict[str, str] = {}
    body = _line_text(errors, "referred_to", body, "接收部门", 100)
    if not body and "referred_to" not in errors:
        errors["referred_to"] = "请填写接收移送的部门（如：区卫生健康局）"
    reason = trim(reason, multiline=True)
    if not reason:
        errors["note"] = "移送须填写理由"
    if errors:
        raise ValidationError(errors)
    transition_fire(
        obj=item,
        name="refer_out",
        actor=actor,
        note=f"移送{body}：{reason}",
        updates={
            "referred_to": body,
            "decision_note": f"已移送{body}处理：{reason}",
            **_closing(item),
        },
    )
    return item


def item_return(*, actor: Any, item: Item, reason: str) -> Item:
    """退回: the unit says the item is not theirs; it goes back to the dispatchers' queue."""
    ITEM_FLOW.require("return_to_dispatch", actor)
    reason = trim(reason)
    if not reason:
        raise ValidationError({"note": "退回须填写理由"})
    with audited(actor=actor) as audit:
        transition_fire(
            obj=item,
            name="return_to_dispatch",
            actor=actor,
            note=reason,
            updates={"returned_note": reason[:300]},
        )
        _transfer(item, Transfer.Kind.RETURN, item.unit, item.unit, reason, actor, audit)
    return item


def item_match_entity(*, actor: Any, item: Item, entity: Any) -> Item:
    """The handler or dispatcher confirms the registered entity the respondent is; an item
    not yet routed has its unit proposed again from the entity."""
    if not permissions.allows(actor, DISPATCH):
        permissions.require(actor, HANDLE)
    if entity is None:
        raise ValidationError({"entity": "请选择登记的市场主体"})
    if item.is_final:
        raise ValidationError({"entity": "已办结的事项不能再匹配被投诉举报对象"})
    if item.state == S.ODR:
        raise ValidationError({"entity": "经营者和解（ODR）期间不能更改被投诉人"})
    with audited(actor=actor) as audit:
        values: dict[str, Any] = {"entity": entity, "respondent_uscc": entity.uscc}
        if item.state == S.REGISTERED:
            proposed = unit_proposed(
                entity=entity, district_code=item.district_code, category=item.category
            )
            if proposed is not None:
                values["unit"] = proposed
        Item.objects.filter(pk=item.pk).update(**values)
        for key, value in values.items():
            setattr(item, key, value)
        event_record(
            obj=item,
            workflow=ITEM_FLOW,
            state=item.state,
            actor=actor,
            label="确认被投诉举报对象",
            note=f"{entity.name}（{entity.uscc}）",
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=item,
            summary=f"确认被投诉举报对象：{entity.name}",
            changes={"respondent_uscc": entity.uscc, "unit": item.unit.name},
        )
    return item


# -- handling ----------------------------------------------------------------------------------


def _closing(item: Item) -> dict[str, Any]:
    today = clock.today()
    return {
        "closed_at": clock.now(),
        "closed_in_time": item.deadline is None or today <= item.deadline,
    }


def item_accept(*, actor: Any, item: Item, note: str = "") -> Item:
    """受理: a complaint goes to mediation, a report to verification."""
    names: dict[str, str] = {K.COMPLAINT: "accept_complaint", K.REPORT: "accept_report"}
    name = names.get(item.kind)
    if name is None:
        ITEM_FLOW.require("answer", actor)
        raise ValidationError({"note": "咨询和建议无需受理，请直接答复"})
    ITEM_FLOW.require(name, actor)
    transition_fire(
        obj=item,
        name=name,
        actor=actor,
        note=trim(note),
        updates={"accepted_at": clock.now(), "handler": actor},
    )
    return item


def item_not_accept(*, actor: Any, item: Item, ground: str, note: str) -> Item:
    """不予受理 on a ground of the item's own rule version (the version of its receipt)."""
    ITEM_FLOW.require("not_accept", actor)
    codes = [g["code"] for g in item.rule_version.refusal_grounds]
    if ground not in codes:
        raise ValidationError({"ground": f"请选择{item.rule_version.name}规定的不予受理情形之一"})
    note = trim(note, multiline=True)
    label = item.rule_version.ground_label(ground)
    transition_fire(
        obj=item,
        name="not_accept",
        actor=actor,
        note=f"{label}" + (f"：{note}" if note else ""),
        updates={
            "refusal_ground": ground,
            "decision_note": note,
            "handler": actor,
            **_closing(item),
        },
    )
    return item


def item_answer(*, actor: Any, item: Item, note: str) -> Item:
    ITEM_FLOW.require("answer", actor)
    note = trim(note, multiline=True)
    transition_fire(
        obj=item,
        name="answer",
        actor=actor,
        note=note,
        updates={"decision_note": note, "handler": actor, **_closing(item)},
    )
    return item


MEDIATION_OUTCOMES = ("mediated", "mediation_failed", "terminate")


def item_conclude(
    *,
    actor: Any,
    item: Item,
    outcome: str,
    note: str,
    substantiated: bool = False,
    money_recovered: Any = "",
) -> Item:
    """The end of mediation: 调解成功 / 调解不成 / 终止, the money recovered for the consumer;
    a complaint found substantiated leaves a CREDIT hand-over (topic complaints.confirmed)."""
    if outcome not in MEDIATION_OUTCOMES:
        raise ValidationError({"outcome": "请选择调解结果：调解成功、调解不成或终止调解"})
    ITEM_FLOW.require(outcome, actor)
    note = trim(note, multiline=True)
    fen = amount_to_fen(money_recovered, "money_recovered")
    with audited(actor=actor) as audit:
        transition_fire(
            obj=item,
            name=outcome,
            actor=actor,
            note=note,
            updates={
                "decision_note": note,
                "substantiated": bool(substantiated),
                "money_recovered_fen": fen,
                **_closing(item),
            },
        )
        if substantiated:
            handover_send(
                audit=audit,
                kind=Handover.Kind.CREDIT,
                topic="complaints.confirmed",
                topic_label="投诉属实",
                source=item,
                unit=item.unit,
                occurred_on=clock.today(),
                title=f"投诉属实：{item.respondent_name}（{item.get_category_display()}）",
                source_number=item.number,
                source_url=reverse("complaints:item_detail", args=[item.number]),
                entity=item.entity,
                detail=f"{item.get_state_display()}：{note}"[:2000],
                data={
                    "item_number": item.number,
                    "category": item.category,
                    "outcome": item.state,
                    "money_recovered_fen": fen,
                    "received_on": item.received_on.isoformat(),
                },
            )
    return item


def item_verify(*, actor: Any, item: Item, outcome: str, note: str) -> Item:
    """The end of a report's verification: a clue for enforcement (CLUE hand-over, topic
    complaints.report_verified) or no case."""
    if outcome not in ("to_clue", "no_case"):
        raise ValidationError({"outcome": "请选择核查结论：移交立案线索或不予立案"})
    ITEM_FLOW.require(outcome, actor)
    note = trim(note, multiline=True)
    with audited(actor=actor) as audit:
        transition_fire(
            obj=item,
            name=outcome,
            actor=actor,
            note=note,
            updates={"decision_note": note, **_closing(item)},
        )
        if outcome == "to_clue":
            handover_send(
                audit=audit,
                kind=Handover.Kind.CLUE,
                topic="complaints.report_verified",
                topic_label="举报核查属实移交立案线索",
                source=item,
                unit=item.unit,
                occurred_on=clock.today(),
                title=f"举报线索：{item.respondent_name}（{item.get_category_display()}）",
                source_number=item.number,
                source_url=reverse("complaints:item_detail", args=[item.number]),
                entity=item.entity,
                detail=f"{note}（{CONFIDENTIAL_NOTE}）"[:2000],
                data={
                    "item_number": item.number,
                    "category": item.category,
                    "rule_version": item.rule_version.code,
                    "received_on": item.received_on.isoformat(),
                    "amount_fen": item.amount_fen,
                    "finding": note,
                },
            )
        if not item.anonymous:
            _reporter_notice_start(audit=audit, item=item, actor=actor)
    return item


def _reporter_notice_start(*, audit: Any, item: Item, actor: Any) -> ReporterNotice:
    """A named reporter is told the decision within the rule's period (Order 20 Art 31):
    the notice and its clock start with the decision."""
    decision = ITEM_FLOW.state_label(item.state)
    notice = ReporterNotice.objects.create(
        item=item, unit=item.unit, decision=decision[:200], decided_on=clock.today()
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=notice,
        summary=f"{item.number} 待告知实名举报人：{decision}",
        changes={"decision": decision},
    )
    clock_start(obj=notice, name="notice", actor=actor, note="作出是否立案的决定")
    notice.refresh_from_db()
    return notice


def reporter_notify(*, actor: Any, notice: ReporterNotice, channel: str, note: str) -> None:
    """The handler records that the reporter was told, how and what (the clock stops)."""
    NOTICE_FLOW.require("notify", actor)
    if channel not in ReporterNotice.Channel.values:
        raise ValidationError({"channel": "请选择告知方式：电话、短信、书面或网上"})
    errors: dict[str, str] = {}
    note = _long_text(errors, "note", note, "告知内容", 2000)
    if errors:
        raise ValidationError(errors)
    transition_fire(
        obj=notice,
        name="notify",
        actor=actor,
        note=f"{ReporterNotice.Channel(channel).label}：{note}" if note else "",
        updates={
            "channel": channel,
            "notified_on": clock.today(),
            "notified_by": str(getattr(actor, "display_name", actor))[:150],
        },
    )


def identity_reveal(*, actor: Any, item: Item) -> dict[str, str]:
    """The complainant's or reporter's identity and contact, for the handler and their leader;
    the view itself is logged (who saw whose identity, when), never the values."""
    permissions.require(actor, IDENTITY)
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.QUERY,
            obj=item,
            summary=f"查看{item.number}的投诉举报人身份信息",
        )
    return {
        "person_name": item.person_name,
        "person_phone": item.person_phone,
        "person_id_number": item.person_id_number,
    }


# -- 12315 ODR (在线消费纠纷解决) ----------------------------------------------------------------


def _odr_route(item: Item, *, actor: Any, note: str) -> Item:
    member = OdrMember.active_for(item.entity_id)
    entity_name = item.entity.name if item.entity is not None else item.respondent_name
    transition_fire(
        obj=item,
        name="to_odr",
        actor=actor,
        actor_name=actor if isinstance(actor, str) else "",
        note=f"分送ODR单位{entity_name}与投诉人协商和解；{note}",
        updates={"odr_member": member},
    )
    return item


def item_to_odr(*, actor: Any, item: Item, note: str = "") -> Item:
    """The dispatcher sends a waiting complaint to the business's ODR (consent, member)."""
    permissions.require(actor, DISPATCH)
    return _odr_route(item, actor=actor, note=trim(note) or "分派员转经营者和解")


def _odr_answer_checked(
    *, settled: bool, note: Any, money_recovered: Any
) -> tuple[str, int | None]:
    """The answer's text and amount, or ValidationError naming the field (nothing changed)."""
    errors: dict[str, str] = {}
    field, label = ("agreement", "和解内容") if settled else ("reason", "未和解的原因")
    text = _long_text(errors, field, note, label, 2000)
    if not text and field not in errors:
        errors[field] = (
            "请写明和解内容（如：退货退款、赔偿多少元）"
            if settled
            else "请写明未和解的原因（如：消费者不接受方案、经营者无法联系消费者）"
        )
    fen = None
    if settled:
        try:
            fen = amount_to_fen(money_recovered, "money_recovered")
        except ValidationError as exc:
            errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return text, fen


def _odr_end(
    item: Item, *, settled: bool, result: str, note: str, fen: int | None, actor: Any, who: str
) -> Item:
    """The ODR ends: settled (final; the money recovered recorded as mediation records it)
    or not (back to the dispatchers' queue, the acceptance clock resumed)."""
    updates: dict[str, Any] = {
        "odr_result": result,
        "odr_note": note,
        "odr_answered_at": clock.now(),
        "odr_answered_by": who[:150],
    }
    if settled:
        due = odr_due_dates([item.pk]).get(item.pk)
        updates.update(
            decision_note=f"经营者和解成功：{note}",
            money_recovered_fen=fen,
            closed_at=clock.now(),
            closed_in_time=due is None or clock.today() <= due,
        )
    label = Item.OdrResult(result).label
    transition_fire(
        obj=item,
        name="odr_settled" if settled else "odr_failed",
        actor=actor,
        actor_name=who,
        note=f"{label}：{note}",
        updates=updates,
    )
    return item


def odr_answer_staff(
    *, actor: Any, item: Item, settled: bool, note: str, money_recovered: Any = ""
) -> Item:
    """Staff record the business's answer they got (by phone, say), or end the ODR."""
    permissions.require(actor, ODR_HANDLE)
    text, fen = _odr_answer_checked(settled=settled, note=note, money_recovered=money_recovered)
    result = Item.OdrResult.SETTLED if settled else Item.OdrResult.STAFF_FAILED
    return _odr_end(
        item,
        settled=settled,
        result=result,
        note=text,
        fen=fen,
        actor=actor,
        who=str(getattr(actor, "display_name", actor)),
    )


def business_actor(entity: Any) -> str:
    return f"经营者（{entity.name}）"[:150]


def odr_answer_business(
    *, entity: Any, item: Item, settled: bool, note: str, money_recovered: Any = ""
) -> Item:
    """The business (identified by its USCC and portal code) answers a complaint in its ODR:
    settled, with what was agreed and the money, or not, with the reason."""
    if item.entity_id != entity.pk:
        raise ValidationError({"item": "该投诉不是针对贵单位的ODR投诉"})
    if item.state != S.ODR:
        raise ValidationError({"item": f"该投诉当前为“{item.get_state_display()}”，无需再反馈"})
    text, fen = _odr_answer_checked(settled=settled, note=note, money_recovered=money_recovered)
    result = Item.OdrResult.SETTLED if settled else Item.OdrResult.FAILED
    who = business_actor(entity)
    return _odr_end(item, settled=settled, result=result, note=text, fen=fen, actor=who, who=who)


def odr_business_sign_in(*, uscc: str, code: str) -> Any:
    """The business signs in for its ODR complaints with its USCC and portal code
    (ValidationError({"code": ...}) when wrong or locked; the registry counts and audits
    the failure). A success is audited, the wrong tries cleared."""
    entity = portal_identify(uscc, code, doing="ODR和解反馈")
    with audited(actor=business_actor(entity)) as audit:
        portal_failures_clear(audit=audit, entity=entity)
        audit.record(
            action=AuditLog.Action.LOGIN,
            obj=entity,
            summary=f"经营者凭企业填报码登录ODR和解反馈：{entity.name}",
        )
    return entity


def odr_contacts_seen(*, entity: Any, items: list[Item]) -> None:
    """The business was shown the consumers' names and phones of its running ODR complaints
    (they consented): logged, which items, never the values."""
    shown = [i.number for i in items if i.state == S.ODR]
    if not shown:
        return
    with audited(actor=business_actor(entity)) as audit:
        audit.record(
            action=AuditLog.Action.QUERY,
            object_type="complaints.item",
            object_repr=f"{entity.name}的ODR投诉",
            summary=f"经营者查看ODR投诉及投诉人联系方式：{'、'.join(shown[:50])}",
        )


ODR_LEAVE_NOTE = "不再和解，请市场监管部门处理"


def odr_leave(*, item: Item, note: str = "") -> Item:
    """The consumer leaves the ODR (any time): the complaint goes to the bureau."""
    if item.state != S.ODR:
        state = item.get_state_display()
        raise ValidationError({"item": f"该投诉当前为“{state}”，不在经营者和解中"})
    errors: dict[str, str] = {}
    text = _line_text(errors, "note", note, "说明", 300)
    if errors:
        raise ValidationError(errors)
    text = ODR_LEAVE_NOTE + (f"（{text}）" if text else "")
    return _odr_end(
        item,
        settled=False,
        result=Item.OdrResult.LEFT,
        note=text,
        fen=None,
        actor=CONSUMER_ACTOR,
        who=CONSUMER_ACTOR,
    )


def odr_due_dates(ids: list[int]) -> dict[int, dt.date]:
    """The date the business's ODR period ends, of each item in ODR (its running odr clock)."""
    from django.contrib.contenttypes.models import ContentType

    from regulus.core.models import Clock

    rows = Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Item),
        object_id__in=ids,
        name="odr",
        status=Clock.Status.RUNNING,
    ).values_list("object_id", "due_date")
    return {int(pk): due for pk, due in rows if due is not None}


def odr_overdue(today: dt.date | None = None) -> Any:
    """The complaints whose business let its ODR period run out (their odr clock, through
    the clock table's index)."""
    from regulus.core.clock_selectors import OVERDUE, due

    return due(
        Item.objects.filter(state=S.ODR),
        workflow=ITEM_FLOW,
        when=OVERDUE,
        clock_name="odr",
        today=today,
    )


def odr_expire_overdue(*, actor: str) -> int:
    """`regulus tick`: each complaint past its ODR period goes to the bureau (not settled)."""
    ended = 0
    items = list(odr_overdue().order_by("pk")[:500])
    dues = odr_due_dates([i.pk for i in items])
    for item in items:
        due = dues.get(item.pk, clock.today())
        _odr_end(
            item,
            settled=False,
            result=Item.OdrResult.EXPIRED,
            note=f"经营者未在期限（{due:%Y-%m-%d}）内和解，转入市场监管部门处理",
            fen=None,
            actor=actor,
            who=actor,
        )
        ended += 1
    return ended


def _odr_member_unit(entity: Any, actor: Any) -> OrgUnit:
    """Whose scope the member is in: the entity's supervising unit, else its district's
    bureau, else the unit of whoever signs it up."""
    if entity.unit_id is not None and entity.unit.is_active:
        return entity.unit  # type: ignore[no-any-return]
    return district_bureau(entity.district_code) or actor.unit


def odr_member_add(
    *,
    actor: Any,
    uscc: str,
    contact_name: str,
    contact_phone: str,
    joined_on: dt.date | None = None,
    note: str = "",
) -> OdrMember:
    """Sign a registered business up as an ODR unit (once at a time)."""
    from regulus.registry.models import Entity

    permissions.require(actor, ODR_MANAGE)
    errors: dict[str, str] = {}
    uscc = trim(str(uscc or "")).upper()
    entity = None
    if not re.fullmatch(r"[0-9A-Z]{18}", uscc):
        errors["uscc"] = "统一社会信用代码应为18位数字或大写字母"
    else:
        entity = Entity.objects.visible_to(actor).select_related("unit").filter(uscc=uscc).first()
        if entity is None:
            errors["uscc"] = f"您的数据范围内没有统一社会信用代码为{uscc}的市场主体"
        elif OdrMember.active_for(entity.pk) is not None:
            errors["uscc"] = f"{entity.name}已是ODR单位，不能重复登记"
    contact_name = _line_text(errors, "contact_name", contact_name, "和解联系人", 50)
    if not contact_name and "contact_name" not in errors:
        errors["contact_name"] = "请填写经营者的和解联系人"
    phone = ""
    try:
        phone = phone_normalize(contact_phone)
    except ValidationError:
        errors["contact_phone"] = "和解联系电话应为11位手机号码，或带区号的固定电话"
    today = clock.today()
    joined_on = joined_on or today
    if joined_on > today:
        errors["joined_on"] = "加入日期不能晚于今天"
    note = _line_text(errors, "note", note, "说明", 200)
    if errors:
        raise ValidationError(errors)
    assert entity is not None
    with audited(actor=actor) as audit:
        member = OdrMember.objects.create(
            entity=entity,
            unit=_odr_member_unit(entity, actor),
            joined_on=joined_on,
            contact_name=contact_name,
            contact_phone=phone,
            note=note,
            created_by=str(getattr(actor, "display_name", actor))[:150],
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=member,
            object_repr=f"ODR单位 {entity.name}",
            summary=f"登记ODR单位：{entity.name}（{entity.uscc}），{joined_on:%Y-%m-%d}加入",
            changes={
                "entity": entity.uscc,
                "joined_on": joined_on,
                "contact_name": contact_name,
                "contact_phone": mask_phone(phone),
            },
        )
    return member


def odr_member_withdraw(*, actor: Any, member: OdrMember, reason: str) -> OdrMember:
    """The business leaves the ODR (or is removed): new complaints no longer go to it;
    those already in its ODR run on to their answer or their deadline."""
    permissions.require(actor, ODR_MANAGE)
    errors: dict[str, str] = {}
    reason = _line_text(errors, "reason", reason, "退出原因", 200)
    if not reason and "reason" not in errors:
        errors["reason"] = "请填写退出原因（如：经营者申请退出、多次逾期未和解）"
    if member.left_on is not None:
        errors["reason"] = f"该单位已于{member.left_on:%Y-%m-%d}退出ODR"
    if errors:
        raise ValidationError(errors)
    today = clock.today()
    with audited(actor=actor) as audit:
        changed = OdrMember.objects.filter(pk=member.pk, left_on__isnull=True).update(
            left_on=today, left_reason=reason
        )
        if changed != 1:
            raise ValidationError({"reason": "该单位刚被他人撤销，请刷新后查看"})
        member.left_on, member.left_reason = today, reason
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=member,
            object_repr=f"ODR单位 {member.entity.name}",
            summary=f"撤销ODR单位：{member.entity.name}（{reason}）",
            changes={"left_on": [None, today], "left_reason": reason},
        )
    return member


# -- follow-up ---------------------------------------------------------------------------------


def item_rate(*, item: Item, rating: Any, note: str = "") -> Item:
    """回访: the complainant rates the handling of a closed item once (1–5)."""
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        value = 0
    errors: dict[str, str] = {}
    if not 1 <= value <= 5:
        errors["rating"] = "满意度评价应为1至5分"
    note = _line_text(errors, "rating_note", note, "评价意见", 300)
    if item.state not in FINAL_STATES:
        errors["rating"] = "办结后方可评价"
    elif item.rating is not None:
        errors["rating"] = "已评价，不能重复评价"
    if errors:
        raise ValidationError(errors)
    with audited(actor=PUBLIC_ACTOR) as audit:
        changed = Item.objects.filter(pk=item.pk, rating__isnull=True).update(
            rating=value, rating_note=note, rated_at=clock.now()
        )
        if changed != 1:
            raise ValidationError({"rating": "已评价，不能重复评价"})
        item.rating, item.rating_note = value, note
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=item,
            summary=f"回访评价：{value}分",
            changes={"rating": value},
        )
    return item


def received_day(item: Item) -> dt.date:
    return item.received_on


def stats_export(*, actor: Any, since: dt.date, until: dt.date) -> bytes:
    """The .xlsx of the items received in the period in the actor's scope, without the
    complainant's or reporter's personal data; the export is logged."""
    from regulus.complaints import selectors
    from regulus.core.documents import xlsx_bytes

    permissions.require(actor, "complaints.stats_view")
    rows = selectors.export_rows(actor, since=since, until=until)
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="complaints.item",
            summary=f"导出投诉举报件 {len(rows)} 件（{since:%Y年%m月%d日}至{until:%Y年%m月%d日}）",
        )
    return xlsx_bytes([("投诉举报件", selectors.EXPORT_HEADER, rows)])
