"""Enterprise credit's demo data (regulus seed_demo): last year's annual reports from about
90 % of the entities due in each district (the work report's "first tier" rate), the
unfiled listed on the first working day after the window, some of them since removed after a
late report, the hand-overs of the other apps taken, and the risk classes recomputed.
Bulk inserts: seconds for a city of 200,000 entities. Run once (a second run finds the
reports and adds nothing)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from regulus.core import calendar, clock
from regulus.core.models import User
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import rules, services
from regulus.credit.models import (
    AbnormalListing,
    AnnualListingRun,
    AnnualReport,
    Ground,
    RepairApplication,
    SeriousGround,
)
from regulus.registry.models import Entity, EntityKind, EntityStatus

# The share of each district's due entities that filed on time / late.
ON_TIME, LATE = 0.88, 0.03
# Of the listed that filed late: removed on application, or applied and waiting.
REMOVED, APPLIED = 0.6, 0.1
BATCH = 5000


def _first_working_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
    return timezone.make_aware(naive)


def seed_reports_only(*, log: Callable[[str], None] = print) -> int:
    """Last year's reports alone (the credit bench: its sweep lists the rest)."""
    return seed(log=log, listings=False)


def seed(*, entities: int = 0, log: Callable[[str], None] = print, listings: bool = True) -> int:
    today = clock.today()
    year = rules.report_year_now(today)
    window = rules.window_for(year)
    if AnnualReport.objects.filter(year=year).exists():
        log("企业信用演示数据已存在，跳过")
        return 0
    rng = random.Random(20)
    closed = today > window.closes
    last_day = min(today, window.closes)
    span = (last_day - window.opens).days + 1
    listed_on = _first_working_day_after(window.closes)
    due = (
        Entity.objects.filter(status=EntityStatus.ACTIVE, established_on__lte=dt.date(year, 12, 31))
        .order_by("id")
        .values_list("id", "unit_id", "kind", "address", "phone", "name")
    )
    reports: list[AnnualReport] = []
    unfiled: list[tuple[int, int, str]] = []
    late_after: list[int] = []
    made = 0
    with transaction.atomic():
        for entity_id, unit_id, kind, address, phone, name in due.iterator(chunk_size=BATCH):
            draw = rng.random()
            late = closed and ON_TIME <= draw < ON_TIME + LATE
            if draw >= ON_TIME + (LATE if closed else 0):
                unfiled.append((entity_id, unit_id, kind))
                continue
            if late:
                late_after.append(entity_id)
                filed_on = listed_on + dt.timedelta(days=rng.randrange(1, 60))
                if filed_on > today:
                    filed_on = today
            else:
                filed_on = window.opens + dt.timedelta(days=rng.randrange(span))
            individual = kind == EntityKind.INDIVIDUAL
            reports.append(
                AnnualReport(
                    entity_id=entity_id,
                    unit_id=unit_id,
                    year=year,
                    channel=AnnualReport.Channel.PAPER
                    if individual and rng.random() < 0.3
                    else AnnualReport.Channel.PORTAL,
                    filed_at=_at(filed_on, rng),
                    filed_by=name[:150],
                    late=late,
                    address=address or "（同住所）",
                    phone=phone or "0731-00000000",
                    operating_status=AnnualReport.OperatingStatus.OPEN,
                    employees=rng.randint(1, 9) if individual else rng.randint(3, 300),
                    total_assets=Decimal(rng.randint(5, 50000)) / 10,
                    revenue=Decimal(rng.randint(5, 80000)) / 10,
                    publish_employees=rng.random() < 0.5,
                    publish_financials=rng.random() < 0.2,
                )
            )
            if len(reports) >= BATCH:
                AnnualReport.objects.bulk_create(reports)
                made += len(reports)
                reports = []
        AnnualReport.objects.bulk_create(reports)
        made += len(reports)
        log(f"{year}年度报告 {made} 份")
        if closed and listings:
            _list(year, unfiled, late_after, listed_on, today, rng, window.rule.legal_basis)
            log(f"列入经营异常名录（状态）{len(unfiled) + len(late_after)} 户")
    if not listings:
        return made
    taken = services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    log(f"接收其他模块移交的信用信息 {taken} 条")
    serious, repaired = _serious_and_repairs(rng, today)
    log(f"严重违法失信名单 {serious} 户（待审核至已移出），信用修复申请 {repaired} 件")
    changed = services.risk_recompute_city(actor=SYSTEM_ACTOR)
    log(f"信用风险分类计算：变更 {changed} 户")
    return made


def _held(day: dt.date) -> Any:
    return clock.held_at(timezone.make_aware(dt.datetime.combine(day, dt.time(10))))


def _serious_and_repairs(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """A few cases through the real services, each at its own day: a listing of last year
    removed early by repair, one listed a month ago, one in its statement period, one
    candidate; an abnormal listing repaired after the late report and one repair waiting.
    Penalties arrive from enforcement's hand-overs when that app seeds them."""
    leader = User.objects.filter(username="leader").first()
    window = User.objects.filter(username="furong_window").first() or leader
    if leader is None:
        return 0, 0
    firms = list(
        Entity.objects.filter(status=EntityStatus.ACTIVE, kind=EntityKind.ENTERPRISE)
        .exclude(legal_rep_name="")
        .order_by("id")
        .values_list("id", flat=True)[:400]
    )
    if len(firms) < 4:
        return 0, 0
    picked = Entity.objects.filter(pk__in=rng.sample(firms, 4)).order_by("id")
    evidence = "{year}年度报告虚报从业人数、资产总额，经核查属实（核查报告附卷）"
    stages = ((400, "repaired"), (40, "listed"), (2, "notified"), (0, "candidate"))
    repairs = 0
    for entity, (days_ago, stage) in zip(picked, stages, strict=True):
        start = today - dt.timedelta(days=days_ago)
        with _held(start):
            listing = services.serious_propose(
                entity=entity,
                ground=SeriousGround.FALSE_INFO,
                evidence=evidence.format(year=start.year - 1),
                actor=leader,
            )
            if stage != "candidate":
                services.serious_notify(listing=listing, actor=leader)
        if stage in ("listed", "repaired"):
            with _held(start + dt.timedelta(days=14)):
                services.serious_decide(listing=listing, actor=leader)
        if stage == "repaired" and listing.early_from and listing.early_from <= today:
            app = services.repair_apply_staff(
                entity=entity,
                target=RepairApplication.Target.SERIOUS,
                subject_id=listing.pk,
                applicant=entity.legal_rep_name,
                phone="0731-84000000",
                reason="已如实更正年度报告并公示，缴清罚款，完成信用修复培训",
                pledged=True,
                actor=window,
            )
            services.repair_approve(app=app, actor=leader)
            repairs += 1
    cured = AbnormalListing.objects.filter(
        state=AbnormalListing.State.LISTED,
        ground=Ground.ANNUAL_REPORT,
        entity__annual_reports__is_current=True,
        entity__annual_reports__year=models.F("report_year"),
    ).select_related("entity")[:2]
    for n, cured_listing in enumerate(cured):
        app = services.repair_apply_staff(
            entity=cured_listing.entity,
            target=RepairApplication.Target.ABNORMAL,
            subject_id=cured_listing.pk,
            applicant=cured_listing.entity.legal_rep_name or cured_listing.entity.name,
            phone="0731-84000001",
            reason=f"已补报{cured_listing.report_year}年度报告",
            pledged=True,
            actor=window,
        )
        repairs += 1
        if n == 0:
            services.repair_approve(app=app, actor=leader)
    return len(picked), repairs


def _list(
    year: int,
    unfiled: list[tuple[int, int, str]],
    late_after: list[int],
    listed_on: dt.date,
    today: dt.date,
    rng: random.Random,
    basis: str,
) -> None:
    """The sweep's listings of the day after the window, made in bulk as it makes them;
    those that filed late since are partly removed on application."""
    rule = rules.abnormal_rule_on(listed_on)
    late_units = dict(Entity.objects.filter(pk__in=late_after).values_list("id", "unit_id"))
    late_kinds = dict(Entity.objects.filter(pk__in=late_after).values_list("id", "kind"))
    rows = [*unfiled, *((i, late_units[i], late_kinds[i]) for i in late_after)]
    late = set(late_after)
    prefix = services.LISTING_PREFIX.format(year=listed_on.year)
    removal_prefix = services.REMOVAL_PREFIX.format(year=listed_on.year)
    removal_seq = 0
    listings = []
    for seq, (entity_id, unit_id, kind) in enumerate(rows, start=1):
        listing = AbnormalListing(
            entity_id=entity_id,
            unit_id=unit_id,
            kind=services._listing_kind(kind),
            ground=Ground.ANNUAL_REPORT,
            report_year=year,
            evidence=f"截至{year + 1}年6月30日未报送{year}年度报告（{basis}）",
            evidence_ref=f"annual_report:{year}",
            rule=rule,
            listed_on=listed_on,
            decision_number=f"{prefix}{seq:06d}",
            listed_by=SYSTEM_ACTOR,
        )
        if entity_id in late:
            draw = rng.random()
            applied = min(today, listed_on + dt.timedelta(days=rng.randrange(30, 90)))
            if draw < REMOVED + APPLIED:
                listing.state = AbnormalListing.State.REMOVAL_APPLIED
                listing.removal_applied_on = applied
                listing.removal_reason = f"已补报{year}年度报告"
                listing.removal_due = calendar.add_working_days(applied, rule.removal_working_days)
            if draw < REMOVED and listing.removal_due and listing.removal_due <= today:
                removal_seq += 1
                listing.state = AbnormalListing.State.REMOVED
                listing.removed_on = calendar.add_working_days(applied, rng.randint(1, 5))
                listing.removal_number = f"{removal_prefix}{removal_seq:06d}"
                listing.removed_by = "登记机关"
        listings.append(listing)
    AbnormalListing.objects.bulk_create(listings, batch_size=2000)
    AnnualListingRun.objects.get_or_create(
        year=year, defaults={"ran_on": listed_on, "listed": len(listings)}
    )
