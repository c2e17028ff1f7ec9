"""Every write of enterprise credit, one audited transaction each, permission first."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection
from django.db.models import Exists, OuterRef

from regulus.core import calendar, clock, permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.bulk import roomy_cache
from regulus.core.clock_services import clock_start
from regulus.core.documents import DOCX_CONTENT_TYPE, docx_render, number_next, number_retry
from regulus.core.files import FileInfo, file_delete, file_store
from regulus.core.handover import handover_take, handovers_waiting
from regulus.core.models import AuditLog, Handover
from regulus.core.text import LINE, MULTILINE, clean_fields, clean_text
from regulus.core.workflow import event_record, transition_fire
from regulus.credit import risk, rules
from regulus.credit.models import (
    PUBLIC_TOPICS,
    TOPIC_CATEGORIES,
    AbnormalListing,
    AnnualListingRun,
    AnnualReport,
    Category,
    CreditDocument,
    CreditRecord,
    Ground,
    RepairApplication,
    RiskRun,
    SeriousGround,
    SeriousListing,
)
from regulus.credit.workflow import REPAIR_FLOW, SERIOUS_FLOW
from regulus.registry import services as registry_services
from regulus.registry.models import Entity, EntityKind, EntityStatus
from regulus.registry.portal_codes import portal_failures_clear, portal_identify

# -- the credit record: facts handed over by the other apps ------------------------------------


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.display_name)[:150]
    return str(actor or "系统")[:150]


def _flag(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    return value if isinstance(value, bool) else default


def _record_from_handover(*, audit: AuditTrail, handover: Handover) -> CreditRecord:
    """Turn one CREDIT hand-over into the entity's credit record and mark it taken (module
    docstring: what is read from it). Any topic is taken; an unknown one is OTHER."""
    data = handover.data if isinstance(handover.data, dict) else {}
    entity = None
    if handover.entity_id is not None:
        entity = Entity.objects.filter(pk=handover.entity_id).first()
    if entity is None and handover.uscc:
        entity = Entity.objects.filter(uscc=handover.uscc).first()
    category = TOPIC_CATEGORIES.get(handover.topic, Category.OTHER)
    public = _flag(data, "public", handover.topic in PUBLIC_TOPICS)
    publish_until = None
    if category == Category.PENALTY:
        public, publish_until = _penalty_publication(data, handover.occurred_on, public)
    record = CreditRecord.objects.create(
        entity=entity,
        uscc=handover.uscc or (entity.uscc if entity else ""),
        entity_name=handover.entity_name or (entity.name if entity else "") or "（未知主体）",
        unit_id=handover.unit_id,
        category=category,
        topic=handover.topic,
        topic_label=handover.topic_label,
        occurred_on=handover.occurred_on,
        title=handover.title,
        detail=handover.detail,
        legal_basis=str(data.get("legal_basis", ""))[:200],
        adverse=_flag(data, "adverse", True),
        public=public,
        publish_until=publish_until,
        data=data,
        source_type=handover.source_type,
        source_id=handover.source_id,
        source_number=handover.source_number,
        source_url=handover.source_url,
        handover=handover,
        recorded_at=clock.now(),
        recorded_by=_actor_name(audit.actor),
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=record,
        summary=f"记入信用记录：{record.entity_name} {record.topic_label}",
        changes={
            "entity_name": record.entity_name,
            "category": record.category,
            "occurred_on": record.occurred_on,
        },
    )
    handover_take(audit=audit, handover=handover, taken_as=f"credit.creditrecord:{record.pk}")
    if record.category == Category.UNREACHABLE:
        _list_unreachable(audit=audit, record=record)
    if record.category == Category.PENALTY and data.get("serious") is True:
        _serious_candidate_from_penalty(audit=audit, record=record)
    return record


def _penalty_kinds(data: dict[str, Any]) -> list[str]:
    kinds = data.get("penalty_kinds")
    if not isinstance(kinds, list):
        return []
    return [k for k in kinds if isinstance(k, str) and k in rules.PENALTY_KINDS]


def _fen(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _decided_on(data: dict[str, Any], default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(data.get("decided_on") or ""))
    except ValueError:
        return default


def _penalty_publication(
    data: dict[str, Any], occurred_on: dt.date, public: bool
) -> tuple[bool, dt.date | None]:
    """Whether a penalty handed over by enforcement is published, and until when (Order 45
    Arts 2, 13: a warning alone is not published; 3 months or 3 years by the rule version)."""
    decided = _decided_on(data, occurred_on)
    until = rules.penalty_publish_until(
        decided_on=decided,
        kinds=_penalty_kinds(data) or ["fine"],
        fine_fen=_fen(data, "fine_fen"),
        rule=rules.publication_rule_on(decided),
    )
    if until is None:
        return False, None
    return public, until


def credit_handover_take(*, handover: Handover, actor: Any) -> CreditRecord:
    """A handler takes one waiting hand-over into the credit record now (the sweep takes the
    rest every minute)."""
    permissions.require(actor, "credit.record_take")
    if handover.kind != Handover.Kind.CREDIT:
        raise ValidationError({"handover": "该移交记录不是信用信息"})
    if handover.taken_at is not None:
        raise ValidationError({"handover": "该移交记录已被接收，请刷新后查看"})
    with audited(actor=actor) as audit:
        return _record_from_handover(audit=audit, handover=handover)


def credit_handovers_take_all(*, actor: Any, limit: int = 5000) -> int:
    """Take every waiting CREDIT hand-over (oldest first, at most `limit` in one run): the
    sweep's work, and what a service that needs the record at once calls first."""
    permissions.require(actor, "credit.record_take")
    taken = 0
    with audited(actor=actor) as audit:
        for handover in handovers_waiting(kind=Handover.Kind.CREDIT)[:limit]:
            _record_from_handover(audit=audit, handover=handover)
            taken += 1
    return taken


def credit_handovers_of_entity_take(*, entity: Entity, actor: Any) -> int:
    """Take the waiting hand-overs of one entity at once (before its class or public page is
    computed from its record)."""
    permissions.require(actor, "credit.record_take")
    waiting = handovers_waiting(kind=Handover.Kind.CREDIT).filter(entity_id=entity.pk)
    if not waiting.exists():
        return 0
    taken = 0
    with audited(actor=actor) as audit:
        for handover in waiting:
            _record_from_handover(audit=audit, handover=handover)
            taken += 1
    return taken


# -- annual reports (年度报告) ------------------------------------------------------------------

# The report's text fields: (label, kind) for core.text.clean_fields.
REPORT_TEXT = {
    "address": ("通信地址", LINE),
    "phone": ("联系电话", LINE),
    "email": ("电子邮箱", LINE),
    "website": ("网站或网店", LINE),
    "investments": ("对外投资", MULTILINE),
    "equity_transfers": ("股权转让", MULTILINE),
}
MONEY_FIELDS = {
    "total_assets": "资产总额",
    "revenue": "营业总收入",
    "net_profit": "净利润",
    "tax_paid": "纳税总额",
}
MONEY_LIMIT = Decimal("999999999999.99")


def _clean_report(values: dict[str, Any]) -> dict[str, Any]:
    """The report's items from a form or the API: text through core.text, money as decimals,
    the status one of its choices; ValidationError naming every bad field at once."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, spec in REPORT_TEXT.items():
        try:
            cleaned.update(clean_fields(values, {key: spec}, model=AnnualReport))
        except ValidationError as exc:
            errors[key] = exc.message_dict[key][0]
    for key, label in (("address", "通信地址"), ("phone", "联系电话")):
        if key not in errors and not cleaned.get(key):
            errors[key] = f"请填写{label}"
    status = str(values.get("operating_status") or "")
    if status not in AnnualReport.OperatingStatus.values:
        errors["operating_status"] = "经营状态须为开业、歇业或清算"
    cleaned["operating_status"] = status
    employees = values.get("employees")
    if employees in (None, ""):
        cleaned["employees"] = None
    else:
        try:
            cleaned["employees"] = int(str(employees))
            if not 0 <= cleaned["employees"] <= 10_000_000:
                raise ValueError
        except ValueError:
            errors["employees"] = "从业人数须为0至10000000之间的整数"
    for key, label in MONEY_FIELDS.items():
        raw = values.get(key)
        if raw in (None, ""):
            cleaned[key] = None
            continue
        try:
            amount = Decimal(str(raw)).quantize(Decimal("0.01"))
            if not amount.is_finite() or abs(amount) > MONEY_LIMIT:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[key] = f"{label}须为金额（万元，最多两位小数）"
            continue
        cleaned[key] = amount
    for flag in ("publish_employees", "publish_financials"):
        cleaned[flag] = values.get(flag) in (True, "on", "1", "true", "True")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _file(
    *, entity: Entity, year: int, channel: str, values: dict[str, Any], actor_name: str, audit: Any
) -> AnnualReport:
    """File (or correct) the entity's report for `year` inside the caller's audited block."""
    today = clock.today()
    if entity.status != EntityStatus.ACTIVE:
        raise ValidationError(
            {"uscc": f"该主体状态为{entity.get_status_display()}，无需报送年度报告"}
        )
    if year >= today.year:
        raise ValidationError({"year": f"{year}年度报告自{year + 1}年1月1日起报送，尚未到报送期"})
    if entity.established_on > dt.date(year, 12, 31):
        raise ValidationError(
            {"year": f"该主体{entity.established_on:%Y年%-m月%-d日}成立，自下一年度起报送年度报告"}
        )
    window = rules.window_for(year)
    items = _clean_report(values)
    current = (
        AnnualReport.objects.select_for_update()
        .filter(entity=entity, year=year, is_current=True)
        .first()
    )
    if current is not None and today > window.corrections_close:
        raise ValidationError(
            {
                "year": f"{year}年度报告已于{current.filed_at:%Y-%m-%d}报送，"
                f"{window.corrections_close:%Y年%-m月%-d日}后不能再更正"
            }
        )
    version = 1
    if current is not None:
        version = current.version + 1
        AnnualReport.objects.filter(pk=current.pk).update(is_current=False)
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=current,
            summary=f"{entity.name} {year}年度报告第{current.version}版被更正版本取代",
            changes={"is_current": False},
        )
    report = AnnualReport.objects.create(
        entity=entity,
        unit_id=entity.unit_id,
        year=year,
        version=version,
        is_current=True,
        channel=channel,
        filed_at=clock.now(),
        filed_by=actor_name[:150],
        late=today > window.closes,
        **items,
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=report,
        summary=f"{entity.name} 报送{year}年度报告"
        + (f"（更正，第{version}版）" if version > 1 else "")
        + ("（逾期报送）" if report.late else ""),
        changes={"year": year, "version": version, "channel": channel, "late": report.late},
    )
    return report


def annual_report_file_paper(
    *, entity: Entity, year: int, actor: Any, **values: Any
) -> AnnualReport:
    """Staff enter a 个体户's paper report (a second one for the year is a correction)."""
    permissions.require(actor, "credit.report_enter")
    if entity.kind != EntityKind.INDIVIDUAL:
        raise ValidationError({"uscc": "纸质年度报告仅限个体工商户；企业请通过网上报送"})
    with audited(actor=actor) as audit:
        return _file(
            entity=entity,
            year=year,
            channel=AnnualReport.Channel.PAPER,
            values=values,
            actor_name=_actor_name(actor),
            audit=audit,
        )


def annual_report_file_portal(*, uscc: str, code: str, year: int, **values: Any) -> AnnualReport:
    """An entity files on the portal with its USCC and the portal code the bureau issued
    (registry.portal_codes)."""
    entity = portal_identify(uscc, code, doing="年报填报")
    with audited(actor=f"市场主体（网上报送）{entity.name}") as audit:
        portal_failures_clear(audit=audit, entity=entity)
        return _file(
            entity=entity,
            year=year,
            channel=AnnualReport.Channel.PORTAL,
            values=values,
            actor_name=entity.name,
            audit=audit,
        )


# -- the abnormal-operations list (经营异常名录) -------------------------------------------------

LISTING_PREFIX = "经营异常列字〔{year}〕"
REMOVAL_PREFIX = "经营异常移字〔{year}〕"


def _listing_kind(entity_kind: str) -> str:
    return (
        AbnormalListing.Kind.STATE
        if entity_kind == EntityKind.INDIVIDUAL
        else AbnormalListing.Kind.LIST
    )


def _numbers(prefix: str, field: str) -> Iterator[str]:
    """Decision numbers (core numbering: prefix + sequence), one after another."""
    first = number_next(model=AbnormalListing, field=field, prefix=prefix, width=6)
    seq = int(first[len(prefix) :])
    while True:
        yield f"{prefix}{seq:06d}"
        seq += 1


def _listing_due(year: int) -> bool:
    """Whether the listing after `year`'s window is due today: the window has closed, today
    is a working day (a decision is made on one), and it was not done yet."""
    today = clock.today()
    return (
        today > rules.window_for(year).closes
        and calendar.is_working_day(today)
        and not AnnualListingRun.objects.filter(year=year).exists()
    )


def abnormal_list_unfiled(*, actor: Any, year: int | None = None, batch: int = 5000) -> int:
    """After the window of report year `year` (default: last year's) closes, list every entity
    due to report that has not: an enterprise or cooperative on the abnormal-operations list,
    a 个体户 in the abnormal state (2024 条例 Art 18; 实施细则 Art 70). On the first working day
    after the close; idempotent (the listing is unique per entity and year, and the run is
    marked). Bulk: one INSERT per batch and the audit rows with them."""
    permissions.require(actor, "credit.abnormal_manage")
    today = clock.today()
    year = rules.report_year_now(today) if year is None else year
    window = rules.window_for(year)
    if today <= window.closes:
        raise ValidationError({"year": f"{year}年度报告报送期至{window.closes}截止，尚未届满"})
    rule = rules.abnormal_rule_on(today)
    filed = AnnualReport.objects.filter(entity=OuterRef("pk"), year=year, is_current=True)
    listed = AbnormalListing.objects.filter(
        entity=OuterRef("pk"), ground=Ground.ANNUAL_REPORT, report_year=year
    )
    due = (
        Entity.objects.filter(status=EntityStatus.ACTIVE, established_on__lte=dt.date(year, 12, 31))
        .exclude(Exists(filed))
        .exclude(Exists(listed))
        .order_by("id")
        .values_list("id", "unit_id", "kind")
    )
    numbers = _numbers(LISTING_PREFIX.format(year=today.year), "decision_number")
    evidence = (
        f"截至{window.closes:%Y年%-m月%-d日}未报送{year}年度报告（{window.rule.legal_basis}）"
    )
    listed_by = _actor_name(actor)
    total = 0
    with audited(actor=actor) as audit:
        rows = list(due)
        for start in range(0, len(rows), batch):
            chunk = [
                AbnormalListing(
                    entity_id=entity_id,
                    unit_id=unit_id,
                    kind=_listing_kind(kind),
                    ground=Ground.ANNUAL_REPORT,
                    report_year=year,
                    evidence=evidence,
                    evidence_ref=f"annual_report:{year}",
                    rule=rule,
                    listed_on=today,
                    decision_number=next(numbers),
                    listed_by=listed_by,
                )
                for entity_id, unit_id, kind in rows[start : start + batch]
            ]
            # The ids come back with the INSERT (RETURNING: SQLite ≥ 3.35, PostgreSQL).
            created = AbnormalListing.objects.bulk_create(chunk, batch_size=1000)
            audit.record_many(
                action=AuditLog.Action.CREATE,
                object_type="credit.abnormallisting",
                entries=(
                    (
                        str(c.pk),
                        c.decision_number,
                        f"列入{c.get_kind_display()}：未报送{year}年度报告",
                        {"ground": c.ground, "report_year": year, "listed_on": today},
                    )
                    for c in created
                ),
            )
            total += len(chunk)
        run, first_run = AnnualListingRun.objects.get_or_create(
            year=year, defaults={"ran_on": today, "listed": total}
        )
        if not first_run and total:
            run.listed += total
            run.save(update_fields=["listed"])
        if not first_run and not total:
            return 0
        audit.record(
            action=AuditLog.Action.CREATE if first_run else AuditLog.Action.UPDATE,
            obj=run,
            summary=f"{year}年度报告期满列入经营异常名录（状态）{total}户",
            changes={"year": year, "listed": total},
        )
    return total


def _create_listing(
    *,
    audit: AuditTrail,
    entity: Entity,
    ground: str,
    evidence: str,
    evidence_ref: str,
    listed_by: str,
    unit_id: int,
    report_year: int | None = None,
) -> AbnormalListing:
    today = clock.today()
    listing = number_retry(
        lambda: AbnormalListing.objects.create(
            entity=entity,
            unit_id=unit_id,
            kind=_listing_kind(entity.kind),
            ground=ground,
            report_year=report_year,
            evidence=evidence,
            evidence_ref=evidence_ref[:100],
            rule=rules.abnormal_rule_on(today),
            listed_on=today,
            decision_number=number_next(
                model=AbnormalListing,
                field="decision_number",
                prefix=LISTING_PREFIX.format(year=today.year),
                width=6,
            ),
            listed_by=listed_by[:150],
        )
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=listing,
        summary=f"{entity.name} 列入{listing.get_kind_display()}：{listing.get_ground_display()}",
        changes={"ground": ground, "evidence": evidence, "listed_on": today},
    )
    return listing


def abnormal_list(
    *, entity: Entity, ground: str, evidence: str, actor: Any, evidence_ref: str = ""
) -> AbnormalListing:
    """List an entity by hand on a ground other than the unfiled report (the sweep's), with
    its evidence (the ordered period passed, the verification of false information, the
    spot-check result)."""
    permissions.require(actor, "credit.abnormal_manage")
    if ground not in Ground.values or ground == Ground.ANNUAL_REPORT:
        raise ValidationError(
            {"ground": "列入事由须为：即时信息未按期公示、公示信息弄虚作假或住所无法联系"}
        )
    evidence = clean_text(evidence, label="证据", multiline=True, field="evidence")
    if len(evidence) < 4:
        raise ValidationError({"evidence": "列入须附证据：请写明证据及其来源（不少于4个字）"})
    if entity.status != EntityStatus.ACTIVE:
        raise ValidationError({"entity": f"该主体状态为{entity.get_status_display()}，不能列入"})
    if AbnormalListing.objects.filter(entity=entity, ground=ground, state__in=OPEN_STATES).exists():
        raise ValidationError({"ground": "该主体已因同一事由在列，不能重复列入"})
    with audited(actor=actor) as audit:
        return _create_listing(
            audit=audit,
            entity=entity,
            ground=ground,
            evidence=evidence,
            evidence_ref=evidence_ref,
            listed_by=_actor_name(actor),
            unit_id=entity.unit_id,
        )


OPEN_STATES = (AbnormalListing.State.LISTED, AbnormalListing.State.REMOVAL_APPLIED)


def _list_unreachable(*, audit: AuditTrail, record: CreditRecord) -> AbnormalListing | None:
    """A spot-check result "通过登记的住所无法联系" lists the entity at once (ground 4), the
    result being the evidence; nothing when it is listed on that ground already."""
    entity = record.entity
    if entity is None or entity.status != EntityStatus.ACTIVE:
        return None
    if AbnormalListing.objects.filter(
        entity=entity, ground=Ground.UNREACHABLE, state__in=OPEN_STATES
    ).exists():
        return None
    return _create_listing(
        audit=audit,
        entity=entity,
        ground=Ground.UNREACHABLE,
        evidence=f"{record.topic_label}：{record.title}"
        f"（{record.source_number or '抽查检查结果'}）",
        evidence_ref=f"credit.creditrecord:{record.pk}",
        listed_by=_actor_name(audit.actor),
        unit_id=record.unit_id,
    )


def _cured(listing: AbnormalListing) -> str:
    """Why the listing's ground is not cured yet ("" when it is)."""
    if listing.ground == Ground.ANNUAL_REPORT and listing.report_year is not None:
        filed = AnnualReport.objects.filter(
            entity_id=listing.entity_id, year=listing.report_year, is_current=True
        ).exists()
        return "" if filed else f"尚未补报{listing.report_year}年度报告，补报后方可申请移出"
    return ""


def abnormal_removal_apply(*, listing: AbnormalListing, actor: Any, reason: str) -> AbnormalListing:
    """The entity applies for removal (at the window; staff record it) once the ground is
    cured; the decision is due in the rule's working days."""
    permissions.require(actor, "credit.abnormal_manage")
    reason = clean_text(reason, label="移出理由", multiline=True, field="reason")
    if listing.state != AbnormalListing.State.LISTED:
        raise ValidationError({"listing": "该主体未在经营异常名录（状态）中，或已申请移出"})
    if not reason:
        raise ValidationError({"reason": "请写明申请移出的理由（已履行的义务）"})
    problem = _cured(listing)
    if problem:
        raise ValidationError({"listing": problem})
    today = clock.today()
    rule = rules.abnormal_rule_on(today)
    due = calendar.add_working_days(today, rule.removal_working_days)
    with audited(actor=actor) as audit:
        listing.state = AbnormalListing.State.REMOVAL_APPLIED
        listing.removal_applied_on = today
        listing.removal_reason = reason
        listing.removal_due = due
        listing.save(update_fields=["state", "removal_applied_on", "removal_reason", "removal_due"])
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=listing,
            summary=f"{listing.entity.name} 申请移出{listing.get_kind_display()}",
            changes={"state": listing.state, "removal_due": due},
        )
    return listing


def _abnormal_removed(
    *, audit: AuditTrail, listing: AbnormalListing, actor_name: str, how: str
) -> AbnormalListing:
    today = clock.today()
    listing.state = AbnormalListing.State.REMOVED
    listing.removed_on = today
    listing.removed_by = actor_name[:150]
    listing.removal_number = number_next(
        model=AbnormalListing,
        field="removal_number",
        prefix=REMOVAL_PREFIX.format(year=today.year),
        width=6,
    )
    if not listing.removal_reason:
        listing.removal_reason = how
    listing.save(
        update_fields=["state", "removed_on", "removed_by", "removal_number", "removal_reason"]
    )
    audit.record(
        action=AuditLog.Action.UPDATE,
        obj=listing,
        summary=f"{listing.entity.name} 移出{listing.get_kind_display()}（{how}）",
        changes={"state": listing.state, "removed_on": today},
    )
    return listing


def abnormal_remove(*, listing: AbnormalListing, actor: Any) -> AbnormalListing:
    """Decide the removal applied for (移出), with its numbered decision."""
    permissions.require(actor, "credit.abnormal_manage")
    if listing.state != AbnormalListing.State.REMOVAL_APPLIED:
        raise ValidationError({"listing": "该主体尚未申请移出，或已移出"})
    problem = _cured(listing)
    if problem:
        raise ValidationError({"listing": problem})
    with audited(actor=actor) as audit:
        return _abnormal_removed(
            audit=audit, listing=listing, actor_name=_actor_name(actor), how="申请移出"
        )


# -- credit risk classes ----------------------------------------------------------------------


def risk_recompute_city(*, actor: Any) -> int:
    """Recompute every entity's class under the model in force (the monthly sweep), set-based:
    the scores and the changed classes in one INSERT … SELECT into a temporary table
    (risk.city_classes_stage), the classes written through the registry's service (one
    UPDATE, one swap of the search token, one audit row), and each change kept with its
    score and reasons by one INSERT … SELECT (the list of this month's changes). Returns the
    number changed."""
    permissions.require(actor, "credit.risk_manage")
    today = clock.today()
    month = today.replace(day=1)
    now = clock.now()
    with roomy_cache(), audited(actor=actor) as audit:
        model, table = risk.city_classes_stage(today)
        reason = f"{month:%Y年%-m月}信用风险分类计算（模型{model.valid_from}版）"
        changed = registry_services.entity_risk_classes_apply(
            actor=actor, table=table, reason=reason
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO credit_riskchange (entity_id, unit_id, month, old_class,"
                " new_class, score, reasons, model_id, changed_at)"
                " SELECT t.id, e.unit_id, %s, COALESCE(t.old_class, ''), t.new_class, t.score,"
                f" t.reasons, %s, %s FROM {table} t JOIN registry_entity e ON e.id = t.id",
                [month, model.pk, now],
            )
        run, first = RiskRun.objects.get_or_create(
            month=month, defaults={"ran_at": now, "changed": changed}
        )
        if not first:
            run.changed += changed
            run.ran_at = now
            run.save(update_fields=["changed", "ran_at"])
        audit.record(
            action=AuditLog.Action.CREATE if first else AuditLog.Action.UPDATE,
            obj=run,
            summary=f"{month:%Y年%-m月}信用风险分类计算：变更{changed}户",
            changes={"changed": changed},
        )
    return changed


def risk_month_due() -> bool:
    return not RiskRun.objects.filter(month=clock.today().replace(day=1)).exists()


# -- the serious-violation list (严重违法失信名单) ------------------------------------------------

SERIOUS_NOTICE_PREFIX = "严重失信告字〔{year}〕"
SERIOUS_LIST_PREFIX = "严重失信列字〔{year}〕"
SERIOUS_REMOVAL_PREFIX = "严重失信移字〔{year}〕"
SERIOUS_OPEN = (
    SeriousListing.State.CANDIDATE,
    SeriousListing.State.NOTIFIED,
    SeriousListing.State.HEARD,
    SeriousListing.State.LISTED,
)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"


def _serious_create(
    *,
    audit: AuditTrail,
    entity: Entity,
    unit_id: int,
    ground: str,
    evidence: str,
    proposed_by: str,
    record: CreditRecord | None = None,
    abnormal: AbnormalListing | None = None,
) -> SeriousListing:
    listing = SeriousListing.objects.create(
        entity=entity,
        unit_id=unit_id,
        ground=ground,
        evidence=evidence,
        record=record,
        abnormal=abnormal,
        proposed_on=clock.today(),
        proposed_by=proposed_by[:150],
    )
    event_record(
        obj=listing,
        workflow=SERIOUS_FLOW,
        state=listing.state,
        actor=audit.actor,
        label="提出拟列入严重违法失信名单",
        note=listing.get_ground_display(),
        actor_name=proposed_by,
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=listing,
        summary=f"{entity.name} 提出拟列入严重违法失信名单：{listing.get_ground_display()}",
        changes={"ground": ground, "evidence": evidence},
    )
    return listing


def _serious_candidate_from_penalty(
    *, audit: AuditTrail, record: CreditRecord
) -> SeriousListing | None:
    """A penalty enforcement marked serious (Order 44 Art 2: the heavier penalties) becomes
    a candidate on the worklist: listing is the unit's decision after notice, never automatic."""
    entity = record.entity
    if entity is None:
        return None
    data = record.data
    kinds = "、".join(rules.PENALTY_KINDS[k] for k in _penalty_kinds(data)) or "行政处罚"
    money = []
    if _fen(data, "fine_fen"):
        money.append(f"罚款{_yuan(_fen(data, 'fine_fen'))}元")
    if _fen(data, "confiscated_fen"):
        money.append(f"没收{_yuan(_fen(data, 'confiscated_fen'))}元")
    evidence = (
        f"行政处罚决定书{data.get('decision_number') or record.source_number or ''}"
        f"（{_decided_on(data, record.occurred_on):%Y年%-m月%-d日}）：{kinds}"
        + (f"，{'，'.join(money)}" if money else "")
        + (f"；依据{record.legal_basis}" if record.legal_basis else "")
    )
    return _serious_create(
        audit=audit,
        entity=entity,
        unit_id=record.unit_id,
        ground=SeriousGround.HEAVY_PENALTY,
        evidence=evidence,
        proposed_by=_actor_name(audit.actor),
        record=record,
    )


def serious_propose(
    *, entity: Entity, ground: str, evidence: str, actor: Any, record: CreditRecord | None = None
) -> SeriousListing:
    """Staff propose a listing (the severe false information of 条例 Art 18, or a penalty on
    the record), with its evidence; the procedure then runs as for a handed-over candidate."""
    permissions.require(actor, "credit.serious_manage")
    if ground not in (SeriousGround.HEAVY_PENALTY, SeriousGround.FALSE_INFO):
        raise ValidationError(
            {"ground": "列入事由须为：受到较重行政处罚，或公示信息弄虚作假情节严重"}
        )
    evidence = clean_text(evidence, label="证据", multiline=True, field="evidence")
    if len(evidence) < 4:
        raise ValidationError({"evidence": "拟列入须附证据：请写明证据及其来源（不少于4个字）"})
    if entity.status != EntityStatus.ACTIVE:
        raise ValidationError({"entity": f"该主体状态为{entity.get_status_display()}，不能列入"})
    if SeriousListing.objects.filter(entity=entity, ground=ground, state__in=SERIOUS_OPEN).exists():
        raise ValidationError({"ground": "该主体已因同一事由在办或在列，不能重复提出"})
    with audited(actor=actor) as audit:
        return _serious_create(
            audit=audit,
            entity=entity,
            unit_id=entity.unit_id,
            ground=ground,
            evidence=evidence,
            proposed_by=_actor_name(actor),
            record=record,
        )


def serious_notify(*, listing: SeriousListing, actor: Any) -> SeriousListing:
    """Notify the party in writing of the intended listing, its facts, reasons and basis and
    its right to state its case and ask for a hearing: numbered, the statement clock starts."""
    SERIOUS_FLOW.require("notify", actor)
    today = clock.today()
    prefix = SERIOUS_NOTICE_PREFIX.format(year=today.year)
    number_retry(
        lambda: transition_fire(
            obj=listing,
            name="notify",
            actor=actor,
            updates={
                "notified_on": today,
                "notice_number": number_next(
                    model=SeriousListing, field="notice_number", prefix=prefix, width=6
                ),
            },
        )
    )
    return listing


def serious_hear(*, listing: SeriousListing, actor: Any, statement: str) -> SeriousListing:
    """Record the party's statement (陈述、申辩 or the hearing's result); the decision may then
    be made without waiting for the period's end."""
    SERIOUS_FLOW.require("hear", actor)
    statement = clean_text(statement, label="陈述申辩意见", multiline=True, field="statement")
    if not statement:
        raise ValidationError({"statement": "请填写当事人的陈述申辩意见（或听证结论）"})
    transition_fire(
        obj=listing, name="hear", actor=actor, note=statement, updates={"statement": statement}
    )
    return listing


def serious_decide(*, listing: SeriousListing, actor: Any) -> SeriousListing:
    """The unit decides the listing: numbered, published from today for the rule's period,
    the early-removal day and the legal representative's bar computed and shown."""
    SERIOUS_FLOW.require("decide", actor)
    today = clock.today()
    rule = rules.publication_rule_on(today)
    prefix = SERIOUS_LIST_PREFIX.format(year=today.year)
    entity = listing.entity
    number_retry(
        lambda: transition_fire(
            obj=listing,
            name="decide",
            actor=actor,
            updates={
                "decision_number": number_next(
                    model=SeriousListing, field="decision_number", prefix=prefix, width=6
                ),
                "listed_on": today,
                "listed_until": rules.add_months(today, 12 * rule.serious_years),
                "early_from": rules.add_months(today, 12 * rule.serious_early_years),
                "bar_until": rules.add_months(today, 12 * rule.legal_rep_bar_years),
                "legal_representative": entity.legal_rep_name[:100],
                "rule": rule,
            },
        )
    )
    return listing


def serious_dismiss(*, listing: SeriousListing, actor: Any, reason: str) -> SeriousListing:
    SERIOUS_FLOW.require("dismiss", actor)
    reason = clean_text(reason, label="理由", multiline=True, field="note")
    transition_fire(obj=listing, name="dismiss", actor=actor, note=reason)
    return listing


def _serious_removal_updates(reason: str) -> dict[str, Any]:
    today = clock.today()
    return {
        "removed_on": today,
        "removal_reason": reason[:200],
        "removal_number": number_next(
            model=SeriousListing,
            field="removal_number",
            prefix=SERIOUS_REMOVAL_PREFIX.format(year=today.year),
            width=6,
        ),
    }


def serious_remove(*, listing: SeriousListing, actor: Any, reason: str) -> SeriousListing:
    """Remove a listing (the period over, the decision it rests on revoked), numbered."""
    SERIOUS_FLOW.require("remove", actor)
    reason = clean_text(reason, label="移出原因", multiline=True, field="note")
    if not reason:
        raise ValidationError({"note": "请写明移出原因"})
    number_retry(
        lambda: transition_fire(
            obj=listing,
            name="remove",
            actor=actor,
            note=reason,
            updates=_serious_removal_updates(reason),
        )
    )
    return listing


def _serious_end(
    *, audit: AuditTrail, listing: SeriousListing, reason: str, actor_name: str
) -> bool:
    """End a listing inside the caller's audited write (the period over; approved repair):
    the conditional UPDATE makes a second call change nothing. The kernel's transition_fire
    is for staff acting by hand; the sweep and the repair decision end it as this step."""
    updates = _serious_removal_updates(reason)
    changed = SeriousListing.objects.filter(
        pk=listing.pk, state=SeriousListing.State.LISTED
    ).update(state=SeriousListing.State.REMOVED, **updates)
    if changed != 1:
        return False
    for key, value in updates.items():
        setattr(listing, key, value)
    listing.state = SeriousListing.State.REMOVED
    event_record(
        obj=listing,
        workflow=SERIOUS_FLOW,
        state=listing.state,
        actor=audit.actor,
        label="移出严重违法失信名单",
        note=reason,
        actor_name=actor_name,
    )
    audit.record(
        action=AuditLog.Action.TRANSITION,
        obj=listing,
        summary=f"{listing.entity.name} 移出严重违法失信名单：{reason}",
        changes={"state": ["listed", "removed"], "removal_number": listing.removal_number},
    )
    return True


def serious_expire(*, actor: Any) -> int:
    """Remove every listing whose period has ended (the daily sweep), each numbered."""
    permissions.require(actor, "credit.serious_decide")
    expired = SeriousListing.objects.filter(
        state=SeriousListing.State.LISTED, listed_until__lt=clock.today()
    ).select_related("entity")
    done = 0
    with audited(actor=actor) as audit:
        for listing in expired[:1000]:
            done += _serious_end(
                audit=audit,
                listing=listing,
                reason="列入期限届满，依规移出",
                actor_name=_actor_name(actor),
            )
    return done


def serious_expiry_due() -> bool:
    return SeriousListing.objects.filter(
        state=SeriousListing.State.LISTED, listed_until__lt=clock.today()
    ).exists()


def serious_candidates_from_abnormal(*, actor: Any) -> int:
    """The 2014 rule (条例 Art 17, deleted on 2024-05-01; domain.md §3): an entity still on the
    abnormal list three years after listing went to the serious list. Only listings whose
    three years ran out while that rule version was in force qualify (rules.serious_transfer_on);
    each becomes a candidate once, for the unit to notify and decide."""
    permissions.require(actor, "credit.serious_manage")
    today = clock.today()
    made = 0
    rows = (
        AbnormalListing.objects.filter(
            state__in=OPEN_STATES, rule__serious_after_years__isnull=False
        )
        .filter(serious_listing__isnull=True)
        .select_related("entity", "rule")
    )
    with audited(actor=actor) as audit:
        for listing in rows.iterator(chunk_size=2000):
            due = rules.serious_transfer_on(listing.listed_on, listing.rule)
            if due is None or due > today or listing.entity.status != EntityStatus.ACTIVE:
                continue
            _serious_create(
                audit=audit,
                entity=listing.entity,
                unit_id=listing.unit_id,
                ground=SeriousGround.ABNORMAL_3Y,
                evidence=f"经营异常名录{listing.decision_number}（{listing.listed_on}列入）"
                f"至{due}届满3年仍未移出（{listing.rule.legal_basis}）",
                proposed_by=_actor_name(actor),
                abnormal=listing,
            )
            made += 1
    return made


# -- credit repair (信用修复) ---------------------------------------------------------------------

REPAIR_PREFIX = "信用修复〔{year}〕"
Target = RepairApplication.Target


def _repair_subject(
    entity: Entity, target: str, subject_id: int
) -> tuple[AbnormalListing | None, SeriousListing | None, CreditRecord | None]:
    """The listing or penalty of *this* entity the application is about: another entity's
    is not found, as if it did not exist (an application by someone else)."""
    missing = ValidationError({"subject": "未找到该主体的此项信用信息"})
    if target == Target.ABNORMAL:
        abnormal = AbnormalListing.objects.filter(pk=subject_id, entity=entity).first()
        if abnormal is None:
            raise missing
        return abnormal, None, None
    if target == Target.SERIOUS:
        serious = SeriousListing.objects.filter(pk=subject_id, entity=entity).first()
        if serious is None:
            raise missing
        return None, serious, None
    if target == Target.PENALTY:
        record = CreditRecord.objects.filter(
            pk=subject_id, entity=entity, category=Category.PENALTY
        ).first()
        if record is None:
            raise missing
        return None, None, record
    raise ValidationError(
        {"target": "修复事项须为：移出经营异常名录、提前移出严重失信名单或停止公示处罚"}
    )


def repair_problem(app: RepairApplication) -> str:
    """Why the application cannot be granted now ("" when it can): the conditions of
    国市监信规〔2021〕3号 as the platform can check them (the obligations fulfilled are the
    applicant's statement and pledge, which the handler weighs)."""
    today = clock.today()
    if app.abnormal is not None:
        if app.abnormal.state == AbnormalListing.State.REMOVED:
            return "该主体已移出经营异常名录（状态）"
        return _cured(app.abnormal)
    if app.serious is not None:
        if app.serious.state != SeriousListing.State.LISTED:
            return "该主体不在严重违法失信名单中"
        if app.serious.early_from and today < app.serious.early_from:
            return f"{app.serious.early_from:%Y年%-m月%-d日}起方可申请提前移出严重违法失信名单"
        return ""
    record = app.record
    if record is None:
        return "未指明修复事项"
    kinds = set(_penalty_kinds(record.data)) & rules.UNREPAIRABLE_KINDS
    if kinds:
        names = "、".join(rules.PENALTY_KINDS[k] for k in sorted(kinds))
        return (
            f"该处罚含{names}，依据《市场监督管理行政处罚信息公示规定》第十四条，不予提前停止公示"
        )
    if not record.public or record.publication_stopped_on is not None:
        return "该行政处罚信息未在公示或已停止公示"
    if record.publish_until is not None and record.publish_until < today:
        return "该行政处罚信息公示期已满"
    decided = _decided_on(record.data, record.occurred_on)
    rule = rules.publication_rule_on(decided)
    earliest = rules.add_months(decided, rule.penalty_repair_after_months)
    if today < earliest:
        return (
            f"行政处罚信息公示满{rule.penalty_repair_after_months}个月"
            f"（{earliest:%Y年%-m月%-d日}）后方可申请提前停止公示"
        )
    if AbnormalListing.objects.filter(entity_id=app.entity_id, state__in=OPEN_STATES).exists():
        return "该主体尚在经营异常名录（状态）中，须先移出"
    if SeriousListing.objects.filter(
        entity_id=app.entity_id, state=SeriousListing.State.LISTED
    ).exists():
        return "该主体尚在严重违法失信名单中，不能提前停止公示行政处罚信息"
    return ""


def _repair_create(
    *,
    entity: Entity,
    target: str,
    subject_id: int,
    channel: str,
    applicant: str,
    phone: str,
    reason: str,
    pledged: bool,
    actor: Any,
    audit_actor: Any,
) -> RepairApplication:
    fields = clean_fields(
        {"applicant": applicant, "phone": phone, "reason": reason},
        {
            "applicant": ("申请人", LINE),
            "phone": ("联系电话", LINE),
            "reason": ("修复理由", MULTILINE),
        },
    )
    errors = {}
    if not fields["applicant"]:
        errors["applicant"] = "请填写申请人"
    digits = "".join(ch for ch in fields["phone"] if ch.isdigit())
    if not 7 <= len(digits) <= 15:
        errors["phone"] = "联系电话须为7至15位数字（可含空格、短横线）"
    if len(fields["reason"]) < 4:
        errors["reason"] = "请写明已履行义务、纠正违法行为的情况（不少于4个字）"
    if not pledged:
        errors["pledged"] = "须作出信用修复承诺（承诺所提交材料真实并依法诚信经营）"
    if errors:
        raise ValidationError(errors)
    abnormal, serious, record = _repair_subject(entity, target, subject_id)
    probe = RepairApplication(
        entity=entity, target=target, abnormal=abnormal, serious=serious, record=record
    )
    problem = repair_problem(probe)
    if problem:
        raise ValidationError({"subject": problem})
    pending = RepairApplication.objects.filter(
        state=RepairApplication.State.APPLIED,
        abnormal=abnormal,
        serious=serious,
        record=record,
    )
    if pending.exists():
        raise ValidationError({"subject": "该事项已有信用修复申请在办，请勿重复申请"})
    today = clock.today()
    unit_id = (abnormal or serious or record).unit_id  # type: ignore[union-attr]
    with audited(actor=audit_actor) as audit:
        app = number_retry(
            lambda: RepairApplication.objects.create(
                number=number_next(
                    model=RepairApplication,
                    field="number",
                    prefix=REPAIR_PREFIX.format(year=today.year),
                    width=6,
                ),
                entity=entity,
                unit_id=unit_id,
                target=target,
                abnormal=abnormal,
                serious=serious,
                record=record,
                channel=channel,
                applicant=fields["applicant"][:100],
                phone=fields["phone"][:30],
                reason=fields["reason"],
                pledged=True,
                applied_on=today,
            )
        )
        event_record(
            obj=app,
            workflow=REPAIR_FLOW,
            state=app.state,
            actor=actor,
            label="提出信用修复申请",
            note=app.get_target_display(),
            actor_name=fields["applicant"],
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=app,
            summary=f"{entity.name} 申请信用修复：{app.get_target_display()}（{app.subject}）",
            changes={"target": target, "channel": channel},
        )
        clock_start(obj=app, name="decision", actor=audit_actor, note="收到信用修复申请")
        app.refresh_from_db()
    return app


def repair_apply_staff(
    *,
    entity: Entity,
    target: str,
    subject_id: int,
    applicant: str,
    phone: str,
    reason: str,
    pledged: bool,
    actor: Any,
) -> RepairApplication:
    """Staff take an application at the window (the applicant's identity checked there)."""
    permissions.require(actor, "credit.repair_enter")
    return _repair_create(
        entity=entity,
        target=target,
        subject_id=subject_id,
        channel=RepairApplication.Channel.STAFF,
        applicant=applicant,
        phone=phone,
        reason=reason,
        pledged=pledged,
        actor=actor,
        audit_actor=actor,
    )


def _subject_by_number(entity: Entity, target: str, number: str) -> int:
    """The listing or penalty of the entity by the number on its decision (what the party
    holds); 0 when there is none (then refused as not found)."""
    number = clean_text(number, label="决定书文号", field="subject")
    if not number:
        raise ValidationError({"subject": "请填写列入决定书或行政处罚决定书的文号"})
    found: Any = None
    if target == Target.ABNORMAL:
        found = AbnormalListing.objects.filter(entity=entity, decision_number=number)
    elif target == Target.SERIOUS:
        found = SeriousListing.objects.filter(entity=entity, decision_number=number)
    elif target == Target.PENALTY:
        found = CreditRecord.objects.filter(
            entity=entity, category=Category.PENALTY, source_number=number
        )
    pk = found.values_list("pk", flat=True).first() if found is not None else None
    return int(pk or 0)


def repair_apply_portal(
    *,
    uscc: str,
    code: str,
    target: str,
    subject_number: str,
    applicant: str,
    phone: str,
    reason: str,
    pledged: bool,
) -> RepairApplication:
    """The entity applies on the portal with its USCC and portal code (registry.portal_codes):
    only for its own listings and penalties."""
    entity = portal_identify(uscc, code, doing="信用修复申请")
    subject_id = _subject_by_number(entity, target, subject_number)
    who = f"市场主体（信用修复）{entity.name}"
    with audited(actor=who) as audit:
        portal_failures_clear(audit=audit, entity=entity)
        return _repair_create(
            entity=entity,
            target=target,
            subject_id=subject_id,
            channel=RepairApplication.Channel.PORTAL,
            applicant=applicant,
            phone=phone,
            reason=reason,
            pledged=pledged,
            actor=None,
            audit_actor=who,
        )


def repair_approve(*, app: RepairApplication, actor: Any) -> RepairApplication:
    """Grant the repair: the listing is removed (numbered) or the penalty's publication stops
    today; the public pages stop showing it."""
    REPAIR_FLOW.require("approve", actor)
    problem = repair_problem(app)
    if problem:
        raise ValidationError({"subject": f"不能准予修复：{problem}"})
    today = clock.today()
    with audited(actor=actor) as audit:
        transition_fire(
            obj=app,
            name="approve",
            actor=actor,
            updates={"decided_on": today, "decided_by": _actor_name(actor)},
        )
        how = f"信用修复{app.number}"
        if app.abnormal is not None:
            _abnormal_removed(
                audit=audit, listing=app.abnormal, actor_name=_actor_name(actor), how=how
            )
        elif app.serious is not None:
            _serious_end(
                audit=audit,
                listing=app.serious,
                reason=f"信用修复，提前移出（{app.number}）",
                actor_name=_actor_name(actor),
            )
        elif app.record is not None:
            CreditRecord.objects.filter(pk=app.record.pk).update(publication_stopped_on=today)
            audit.record(
                action=AuditLog.Action.UPDATE,
                obj=app.record,
                summary=f"{app.record.entity_name} 行政处罚信息提前停止公示（{how}）",
                changes={"publication_stopped_on": today},
            )
    return app


def repair_refuse(*, app: RepairApplication, actor: Any, reason: str) -> RepairApplication:
    REPAIR_FLOW.require("refuse", actor)
    reason = clean_text(reason, label="不予修复理由", multiline=True, field="note")
    transition_fire(
        obj=app,
        name="refuse",
        actor=actor,
        note=reason,
        updates={
            "decided_on": clock.today(),
            "decided_by": _actor_name(actor),
            "decision_note": reason,
        },
    )
    return app


# -- decision documents (决定书) ---------------------------------------------------------------

DOC_TEMPLATES = Path(__file__).parent / "doc_templates"


def _date_cn(day: dt.date | None) -> str:
    return f"{day:%Y年%-m月%-d日}" if day else "—"


def _document_context(kind: str, obj: Any) -> tuple[str, dt.date, dict[str, Any]]:
    """The number, date and fields of a decision document from the decision it records."""
    entity = obj.entity
    base = {
        "unit_name": obj.unit.name,
        "entity_name": entity.name,
        "uscc": entity.uscc,
        "address": entity.address,
        "legal_rep": entity.legal_rep_name or "—",
        "review_body": "本级人民政府",
    }
    Kind = CreditDocument.Kind
    if kind == Kind.ABNORMAL_LIST:
        return (
            obj.decision_number,
            obj.listed_on,
            base
            | {
                "number": obj.decision_number,
                "issued_on": _date_cn(obj.listed_on),
                "ground": obj.get_ground_display(),
                "evidence": obj.evidence,
                "kind": obj.get_kind_display(),
                "legal_basis": obj.rule.legal_basis,
            },
        )
    if kind == Kind.ABNORMAL_REMOVE:
        if obj.state != AbnormalListing.State.REMOVED:
            raise ValidationError({"kind": "该主体尚未移出，不能制作移出决定书"})
        return (
            obj.removal_number,
            obj.removed_on,
            base
            | {
                "number": obj.removal_number,
                "issued_on": _date_cn(obj.removed_on),
                "ground": obj.get_ground_display(),
                "listed_on": _date_cn(obj.listed_on),
                "listing_number": obj.decision_number,
                "reason": obj.removal_reason or "已补报年度报告或已纠正",
                "kind": obj.get_kind_display(),
                "legal_basis": obj.rule.legal_basis,
            },
        )
    if obj.state not in (SeriousListing.State.LISTED, SeriousListing.State.REMOVED) or not (
        obj.decision_number
    ):
        raise ValidationError({"kind": "尚未作出列入决定，不能制作列入决定书"})
    statement = (
        f"你（单位）提出陈述申辩：{obj.statement}。经复核，本机关不予采纳。"
        if obj.statement
        else "你（单位）在规定期限内未提出陈述、申辩。"
    )
    return (
        obj.decision_number,
        obj.listed_on,
        base
        | {
            "number": obj.decision_number,
            "issued_on": _date_cn(obj.listed_on),
            "ground": obj.get_ground_display(),
            "evidence": obj.evidence,
            "notified_on": _date_cn(obj.notified_on),
            "notice_number": obj.notice_number or "—",
            "statement": statement,
            "legal_basis": obj.rule.legal_basis if obj.rule else "",
            "listed_on": _date_cn(obj.listed_on),
            "listed_until": _date_cn(obj.listed_until),
            "bar_until": _date_cn(obj.bar_until),
            "early_from": _date_cn(obj.early_from),
            "legal_rep": obj.legal_representative or "—",
        },
    )


def credit_document_make(*, kind: str, obj: Any, actor: Any) -> CreditDocument:
    """Make the decision document as .docx (core.documents.docx_render, the template an admin
    may replace), numbered by the decision it records, and keep it. A document is made once:
    asked again, the kept one is returned."""
    permissions.require(actor, "credit.document_make")
    if kind not in CreditDocument.Kind.values:
        raise ValidationError({"kind": "文书类别有误"})
    number, issued_on, context = _document_context(kind, obj)
    existing = CreditDocument.objects.filter(number=number).first()
    if existing is not None:
        return existing
    data = docx_render(template=f"{kind}.docx", context=context, package_dir=DOC_TEMPLATES)
    info = FileInfo(
        kind="docx",
        extension=".docx",
        content_type=DOCX_CONTENT_TYPE,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=f"{number}.docx",
    )
    stored = file_store(ContentFile(data), info=info, folder="credit/documents")
    try:
        with audited(actor=actor) as audit:
            document = CreditDocument.objects.create(
                kind=kind,
                number=number,
                entity=obj.entity,
                unit_id=obj.unit_id,
                issued_on=issued_on,
                file=stored,
                size=len(data),
                made_at=clock.now(),
                made_by=_actor_name(actor),
            )
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=document,
                summary=f"制作{document.get_kind_display()}：{obj.entity.name} {number}",
                changes={"kind": kind, "number": number},
            )
    except IntegrityError:
        # Made by a second click at the same moment: the one kept stands.
        file_delete(stored)
        return CreditDocument.objects.get(number=number)
    except Exception:
        file_delete(stored)
        raise
    return document
