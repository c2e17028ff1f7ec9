"""Every write of enterprise credit, one audited transaction each, permission first."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from regulus.core import calendar, clock, ids, permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.crypto import keyed_hash
from regulus.core.documents import number_next, number_retry
from regulus.core.handover import handover_take, handovers_waiting
from regulus.core.models import AuditLog, Handover
from regulus.core.text import LINE, MULTILINE, clean_fields, clean_text
from regulus.credit import risk, rules
from regulus.credit.models import (
    PUBLIC_TOPICS,
    TOPIC_CATEGORIES,
    AbnormalListing,
    AnnualListingRun,
    AnnualReport,
    Category,
    CreditRecord,
    FilingCode,
    Ground,
    RiskChange,
    RiskRun,
)
from regulus.registry import services as registry_services
from regulus.registry.models import Entity, EntityKind, EntityStatus

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
    record = CreditRecord.objects.create(
        entity=entity,
        uscc=handover.uscc or (entity.uscc if entity else ""),
        entity_name=handover.entity_name or (entity.name if entity else "") or "（未知主体）",
        unit_id=handover.unit_id,
        category=TOPIC_CATEGORIES.get(handover.topic, Category.OTHER),
        topic=handover.topic,
        topic_label=handover.topic_label,
        occurred_on=handover.occurred_on,
        title=handover.title,
        detail=handover.detail,
        legal_basis=str(data.get("legal_basis", ""))[:200],
        adverse=_flag(data, "adverse", True),
        public=_flag(data, "public", handover.topic in PUBLIC_TOPICS),
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
    return record


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

# How many wrong filing codes in a row lock the code, and for how long (settings may change
# them: CREDIT_FILING_CODE_FAILURES, CREDIT_FILING_CODE_LOCK_MINUTES).
FILING_CODE_FAILURES = 5
FILING_CODE_LOCK_MINUTES = 30

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


def _failure_limit() -> int:
    return int(getattr(settings, "CREDIT_FILING_CODE_FAILURES", FILING_CODE_FAILURES))


def _lock_minutes() -> int:
    return int(getattr(settings, "CREDIT_FILING_CODE_LOCK_MINUTES", FILING_CODE_LOCK_MINUTES))


def filing_code_issue(*, entity: Entity, actor: Any) -> str:
    """Issue (or re-issue) the entity's portal filing code; returns the code, shown once.
    The old code stops working and the failure count starts again."""
    permissions.require(actor, "credit.report_manage")
    code = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(8))
    with audited(actor=actor) as audit:
        filing, created = FilingCode.objects.update_or_create(
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
            obj=filing,
            summary=f"发放年报填报码：{entity.name}",
            changes={"entity": entity.name},
        )
    return code


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
    """An entity files on the portal with its USCC and the filing code the bureau issued.
    A wrong code counts; at the limit the code is locked (the message says until when)."""
    uscc = ids.normalise(uscc or "")
    wrong = ValidationError({"code": "统一社会信用代码或年报填报码不正确"})
    entity = Entity.objects.filter(uscc=uscc).first() if uscc else None
    filing = FilingCode.objects.filter(entity=entity).first() if entity is not None else None
    if entity is None or filing is None:
        raise wrong
    now = clock.now()
    if filing.locked_until is not None and filing.locked_until > now:
        until = timezone.localtime(filing.locked_until)
        raise ValidationError(
            {
                "code": f"年报填报码连续输错{_failure_limit()}次，已锁定至{until:%H:%M}；"
                "请届时再试，或到登记机关窗口重新领取填报码"
            }
        )
    if not hmac.compare_digest(filing.code_hash, keyed_hash((code or "").strip().upper())):
        failures = filing.failures + 1
        locked = failures >= _failure_limit()
        with audited(actor=f"公众（年报填报）{entity.name}") as audit:
            FilingCode.objects.filter(pk=filing.pk).update(
                failures=0 if locked else failures,
                locked_until=now + dt.timedelta(minutes=_lock_minutes()) if locked else None,
            )
            audit.record(
                action=AuditLog.Action.UPDATE,
                obj=filing,
                summary=f"年报填报码输入错误（第{failures}次）"
                + ("，填报码已锁定" if locked else ""),
                changes={"failures": failures},
            )
        if locked:
            raise ValidationError(
                {"code": f"年报填报码连续输错{failures}次，已锁定{_lock_minutes()}分钟"}
            )
        left = _failure_limit() - failures
        raise ValidationError({"code": f"统一社会信用代码或年报填报码不正确（还可再试{left}次）"})
    with audited(actor=f"市场主体（网上报送）{entity.name}") as audit:
        if filing.failures:
            FilingCode.objects.filter(pk=filing.pk).update(failures=0)
            audit.record(
                action=AuditLog.Action.UPDATE,
                obj=filing,
                summary="年报填报码输入正确，错误次数清零",
                changes={"failures": 0},
            )
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


def abnormal_remove(*, listing: AbnormalListing, actor: Any) -> AbnormalListing:
    """Decide the removal applied for (移出), with its numbered decision."""
    permissions.require(actor, "credit.abnormal_manage")
    if listing.state != AbnormalListing.State.REMOVAL_APPLIED:
        raise ValidationError({"listing": "该主体尚未申请移出，或已移出"})
    problem = _cured(listing)
    if problem:
        raise ValidationError({"listing": problem})
    today = clock.today()
    with audited(actor=actor) as audit:
        listing.state = AbnormalListing.State.REMOVED
        listing.removed_on = today
        listing.removed_by = _actor_name(actor)
        listing.removal_number = number_next(
            model=AbnormalListing,
            field="removal_number",
            prefix=REMOVAL_PREFIX.format(year=today.year),
            width=6,
        )
        listing.save(update_fields=["state", "removed_on", "removed_by", "removal_number"])
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=listing,
            summary=f"{listing.entity.name} 移出{listing.get_kind_display()}",
            changes={"state": listing.state, "removed_on": today},
        )
    return listing


# -- credit risk classes ----------------------------------------------------------------------


def risk_recompute_city(*, actor: Any) -> int:
    """Recompute every entity's class under the model in force (the monthly sweep), write
    the changed classes through the registry's service, and keep each change with its score
    and reasons (the list of this month's changes). Returns the number changed."""
    permissions.require(actor, "credit.risk_manage")
    today = clock.today()
    month = today.replace(day=1)
    model, scores = risk.city_scores(today)
    classes = {entity_id: s.risk_class for entity_id, s in scores.items() if s.risk_class != "A"}
    with audited(actor=actor) as audit:
        changed = registry_services.entity_risk_classes_set(
            actor=actor,
            classes=classes,
            default="A",
            reason=f"{month:%Y年%-m月}信用风险分类计算（模型{model.valid_from}版）",
        )
        ids_changed = [c[0] for c in changed]
        units: dict[int, int] = {}
        for start in range(0, len(ids_changed), 5000):
            units.update(
                Entity.objects.filter(pk__in=ids_changed[start : start + 5000]).values_list(
                    "id", "unit_id"
                )
            )
        now = clock.now()
        rows = []
        for entity_id, old, new in changed:
            score = scores.get(entity_id)
            rows.append(
                RiskChange(
                    entity_id=entity_id,
                    unit_id=units[entity_id],
                    month=month,
                    old_class=old or "",
                    new_class=new,
                    score=score.total if score else 0,
                    reasons=score.reasons if score else "无计分因素",
                    model=model,
                    changed_at=now,
                )
            )
        RiskChange.objects.bulk_create(rows, batch_size=2000)
        run, first = RiskRun.objects.get_or_create(
            month=month, defaults={"ran_at": now, "changed": len(changed)}
        )
        if not first:
            run.changed += len(changed)
            run.ran_at = now
            run.save(update_fields=["changed", "ran_at"])
        audit.record(
            action=AuditLog.Action.CREATE if first else AuditLog.Action.UPDATE,
            obj=run,
            summary=f"{month:%Y年%-m月}信用风险分类计算：变更{len(changed)}户",
            changes={"changed": len(changed)},
        )
    return len(changed)


def risk_month_due() -> bool:
    return not RiskRun.objects.filter(month=clock.today().replace(day=1)).exists()
