"""Every read of enterprise credit that a page or the API serves, through the data scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from regulus.core import clock, ids
from regulus.core.handover import handovers_waiting
from regulus.core.masking import mask_address, mask_phone
from regulus.core.models import Handover
from regulus.core.plugins import Card, CreditFact, PublicSection
from regulus.credit import rules
from regulus.credit.models import (
    AbnormalListing,
    AnnualReport,
    CreditDocument,
    CreditRecord,
    RepairApplication,
    SeriousListing,
)
from regulus.registry.models import Entity, EntityKind, EntityStatus


def records_for(user: Any, *, category: str = "") -> QuerySet[CreditRecord]:
    rows = CreditRecord.objects.visible_to(user).select_related("unit")
    if category:
        rows = rows.filter(category=category)
    return rows.order_by("-occurred_on", "-id")


def credit_inbox(user: Any) -> QuerySet[Handover]:
    """The CREDIT hand-overs not yet taken, in the user's scope."""
    return handovers_waiting(kind=Handover.Kind.CREDIT, user=user)


def entity_credit_facts(entity: Entity, user: Any) -> list[CreditFact]:
    """The entity's credit record and listings for its staff page (EntityProviders)."""
    return (
        entity_record_facts(entity, user)
        + entity_listing_facts(entity, user)
        + entity_serious_facts(entity, user)
    )


def entity_record_facts(entity: Entity, user: Any) -> list[CreditFact]:
    rows = CreditRecord.objects.visible_to(user).filter(entity=entity).select_related("unit")
    return [
        CreditFact(
            on=r.occurred_on,
            category=r.topic_label,
            title=r.title,
            authority=str(r.data.get("authority") or r.unit.name),
            adverse=r.adverse,
            status=_publication_status(r),
            until=r.publish_until,
            number=r.source_number,
            url=r.source_url,
        )
        for r in rows.order_by("-occurred_on", "-id")[:200]
    ]


def _publication_status(record: CreditRecord) -> str:
    """Where a record's publication stands, for staff (公示中, 公示期满, 已提前停止公示, 不公示)."""
    if not record.public:
        return "不公示"
    if record.publication_stopped_on is not None:
        return f"{record.publication_stopped_on}经信用修复提前停止公示"
    if record.publish_until is not None and record.publish_until < clock.today():
        return "公示期满"
    return "公示中"


def entity_public_sections(entity: Entity) -> list[PublicSection]:
    """The entity's annual reports and the public part of its credit record."""
    return [
        report_public_section(entity),
        credit_public_section(entity),
        listing_public_section(entity),
        serious_public_section(entity),
    ]


def credit_public_section(entity: Entity) -> PublicSection:
    """The public part of the entity's credit record (public items only; never the detail,
    which may name persons, and never the risk class)."""
    today = clock.today()
    rows = (
        CreditRecord.objects.filter(entity=entity, public=True, publication_stopped_on=None)
        .exclude(publish_until__lt=today)
        .select_related("unit")
        .order_by("-occurred_on", "-id")[:200]
    )
    return PublicSection(
        order=450,
        title="信用信息（承诺不实、抽查检查、行政处罚）",
        columns=("日期", "类别", "事由", "决定机关"),
        rows=[
            (
                r.occurred_on.isoformat(),
                r.topic_label,
                r.title,
                str(r.data.get("authority") or r.unit.name),
            )
            for r in rows
        ],
        note="依据《企业信息公示暂行条例》公示；行政处罚信息按《市场监督管理行政处罚信息公示规定》"
        "第十三条的期限公示，期满或经信用修复提前停止公示后不再显示",
    )


def dashboard_cards(user: Any) -> list[Card]:
    from regulus.core import permissions

    if not permissions.allows(user, "credit.record_view"):
        return []
    cards = [
        Card(
            key="credit-inbox",
            label="待接收信用信息",
            value=credit_inbox(user).count(),
            url="/credit/records/",
        )
    ]
    if permissions.allows(user, "credit.repair_decide"):
        cards.append(
            Card(
                key="credit-repairs",
                label="待决定信用修复",
                value=repairs_for(user, state=RepairApplication.State.APPLIED).count(),
                url="/credit/repair/?state=applied",
            )
        )
    if permissions.allows(user, "credit.serious_manage"):
        open_states = (SeriousListing.State.CANDIDATE, SeriousListing.State.HEARD)
        cards.append(
            Card(
                key="credit-serious",
                label="严重违法失信名单待办",
                value=SeriousListing.objects.visible_to(user).filter(state__in=open_states).count(),
                url="/credit/serious/",
            )
        )
    return cards


# -- annual reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    district_code: str
    district: str
    kind: str
    kind_label: str
    due: int
    filed: int
    late: int

    @property
    def rate(self) -> float | None:
        return None if not self.due else round(100.0 * self.filed / self.due, 2)


def rate_formula(year: int) -> str:
    return (
        f"年报率 = 已报送户数 ÷ 应报送户数 × 100%。应报送户数：{year}年12月31日前成立、"
        f"目前存续的市场主体；已报送户数：其中已报送{year}年度报告的（含逾期报送）。"
        "按查询时的数据实时计算；全国统一口径待核实。"
    )


def _due(user: Any, year: int, *, district: str = "", kind: str = "") -> QuerySet[Entity]:
    rows = Entity.objects.visible_to(user).filter(
        status=EntityStatus.ACTIVE, established_on__lte=dt.date(year, 12, 31)
    )
    if district:
        rows = rows.filter(district_code=district)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def _filed(year: int, *, late: bool | None = None) -> Exists:
    reports = AnnualReport.objects.filter(entity=OuterRef("pk"), year=year, is_current=True)
    if late is not None:
        reports = reports.filter(late=late)
    return Exists(reports)


def filing_rate(user: Any, year: int, *, district: str = "", kind: str = "") -> list[RateRow]:
    """Due, filed and late per district and kind, live (in the user's scope)."""
    counted = (
        _due(user, year, district=district, kind=kind)
        .values("district_code", "kind")
        .annotate(
            due=Count("id"),
            filed=Count("id", filter=Q(_filed(year))),
            late=Count("id", filter=Q(_filed(year, late=True))),
        )
        .order_by("district_code", "kind")
    )
    kinds = dict(EntityKind.choices)
    return [
        RateRow(
            district_code=row["district_code"],
            district=ids.division_name(row["district_code"]) or row["district_code"],
            kind=row["kind"],
            kind_label=kinds.get(row["kind"], row["kind"]),
            due=row["due"],
            filed=row["filed"],
            late=row["late"],
        )
        for row in counted
    ]


def rate_total(rows: list[RateRow]) -> RateRow:
    return RateRow(
        district_code="",
        district="合计",
        kind="",
        kind_label="",
        due=sum(r.due for r in rows),
        filed=sum(r.filed for r in rows),
        late=sum(r.late for r in rows),
    )


def still_to_file(user: Any, year: int, *, district: str = "", kind: str = "") -> QuerySet[Entity]:
    """The entities due to file `year`'s report that have not (the reminder list)."""
    return (
        _due(user, year, district=district, kind=kind)
        .exclude(_filed(year))
        .only("uscc", "name", "kind", "district_code", "address", "established_on")
        .order_by("district_code", "id")
    )


def entity_reports(entity: Entity) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(entity=entity).order_by("-year", "-version")


FINANCIAL_LABELS = (
    ("total_assets", "资产总额（万元）"),
    ("revenue", "营业总收入（万元）"),
    ("net_profit", "净利润（万元）"),
    ("tax_paid", "纳税总额（万元）"),
)


def report_public_section(entity: Entity) -> PublicSection:
    """The entity's annual reports as the public sees them: the latest version of each year,
    its public items, the optional items only where the entity chose to publish them, the
    phone of a 个体户 masked, and the history of corrections."""
    reports = list(entity_reports(entity)[:100])
    history: dict[int, list[AnnualReport]] = {}
    for report in reports:
        history.setdefault(report.year, []).append(report)
    individual = entity.kind == EntityKind.INDIVIDUAL
    rows = []
    for year, versions in history.items():
        latest = versions[0]
        financials = "不公示"
        if latest.publish_financials:
            financials = "；".join(
                f"{label}{getattr(latest, name)}"
                for name, label in FINANCIAL_LABELS
                if getattr(latest, name) is not None
            )
        corrections = "；".join(
            f"第{v.version}版 {timezone.localtime(v.filed_at):%Y-%m-%d}" for v in reversed(versions)
        )
        rows.append(
            (
                f"{year}年度",
                f"{timezone.localtime(latest.filed_at):%Y-%m-%d}"
                + ("（逾期报送）" if latest.late else ""),
                latest.get_operating_status_display(),
                mask_address(latest.address) if individual else latest.address,
                mask_phone(latest.phone) if individual else latest.phone,
                latest.email if not individual else ("已填报" if latest.email else ""),
                latest.website,
                latest.employees if latest.publish_employees else "不公示",
                financials,
                corrections if len(versions) > 1 else "—",
            )
        )
    return PublicSection(
        order=200,
        title="年度报告",
        columns=(
            "报告年度",
            "报送日期",
            "经营状态",
            "通信地址",
            "联系电话",
            "电子邮箱",
            "网站或网店",
            "从业人数",
            "资产状况",
            "修改记录",
        ),
        rows=rows,
        note="依据《企业信息公示暂行条例》第八条、第九条公示；选择不公示的事项不予显示",
    )


# -- the abnormal-operations list -------------------------------------------------------------


def listings_for(user: Any, *, state: str = "", ground: str = "") -> QuerySet[AbnormalListing]:
    rows = AbnormalListing.objects.visible_to(user).select_related("entity", "unit", "rule")
    if state:
        rows = rows.filter(state=state)
    if ground:
        rows = rows.filter(ground=ground)
    return rows.order_by("-listed_on", "-id")


def serious_transfer_text(listing: AbnormalListing) -> str:
    """What the 2014 rule would do with this listing, and why it does not apply now."""
    due = rules.serious_transfer_on(listing.listed_on, listing.rule)
    if due is not None:
        return f"按{listing.rule.legal_basis}，在列满3年（{due}）列入严重违法企业名单"
    if listing.rule.serious_after_years:
        return "原“届满3年列入严重违法企业名单”规定已于2024年5月1日删除，不再自动转入"
    return "列入于2024年5月1日以后：不因在列年限自动列入严重违法失信名单（国务院令第777号）"


def listing_public_section(entity: Entity) -> PublicSection:
    """Every listing and removal, with date, authority and reason (published, 条例 Art 18)."""
    rows = (
        AbnormalListing.objects.filter(entity=entity)
        .select_related("unit")
        .order_by("-listed_on", "-id")[:100]
    )
    return PublicSection(
        order=500,
        title="列入经营异常名录（状态）信息",
        columns=("类别", "列入日期", "列入原因", "作出决定机关", "移出日期", "移出原因"),
        rows=[
            (
                r.get_kind_display(),
                r.listed_on.isoformat(),
                r.get_ground_display(),
                r.unit.name,
                r.removed_on.isoformat() if r.removed_on else "—",
                "已履行相关义务，申请移出" if r.removed_on else "—",
            )
            for r in rows
        ],
        note="依据《企业信息公示暂行条例》第十八条公示",
    )


def entity_listing_facts(entity: Entity, user: Any) -> list[CreditFact]:
    rows = AbnormalListing.objects.visible_to(user).filter(entity=entity).select_related("unit")
    return [
        CreditFact(
            on=r.listed_on,
            category=r.get_kind_display(),
            title=f"列入：{r.get_ground_display()}"
            + (f"（{r.report_year}年度）" if r.report_year else ""),
            authority=r.unit.name,
            adverse=r.state != AbnormalListing.State.REMOVED,
            status=r.get_state_display()
            + (f"（{r.removed_on}移出，{r.removal_number}）" if r.removed_on else ""),
            number=r.decision_number,
            url=f"/credit/abnormal/{r.pk}/",
        )
        for r in rows.order_by("-listed_on", "-id")[:100]
    ]


# -- the serious-violation list, credit repair, decision documents -------------------------------


def serious_for(user: Any, *, state: str = "") -> QuerySet[SeriousListing]:
    rows = SeriousListing.objects.visible_to(user).select_related("entity", "unit")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-proposed_on", "-id")


SERIOUS_PUBLIC = (SeriousListing.State.LISTED, SeriousListing.State.REMOVED)


def serious_public_section(entity: Entity) -> PublicSection:
    """Decided listings and their removals (never a candidate or a dismissed proposal), with
    the legal representative's bar (2024 条例 Art 18)."""
    rows = (
        SeriousListing.objects.filter(entity=entity, state__in=SERIOUS_PUBLIC)
        .select_related("unit")
        .order_by("-listed_on", "-id")[:50]
    )
    return PublicSection(
        order=510,
        title="列入严重违法失信名单信息",
        columns=(
            "列入事由",
            "决定书文号",
            "列入日期",
            "列入期限至",
            "作出决定机关",
            "法定代表人（负责人）任职限制",
            "移出日期",
            "移出原因",
        ),
        rows=[
            (
                r.get_ground_display(),
                r.decision_number,
                r.listed_on.isoformat() if r.listed_on else "—",
                r.listed_until.isoformat() if r.listed_until else "—",
                r.unit.name,
                f"{r.legal_representative or '—'}，至{r.bar_until}" if r.bar_until else "—",
                r.removed_on.isoformat() if r.removed_on else "—",
                r.removal_reason or "—",
            )
            for r in rows
        ],
        note="依据《市场监督管理严重违法失信名单管理办法》公示",
    )


def entity_serious_facts(entity: Entity, user: Any) -> list[CreditFact]:
    rows = SeriousListing.objects.visible_to(user).filter(entity=entity).select_related("unit")
    return [
        CreditFact(
            on=r.listed_on or r.proposed_on,
            category="严重违法失信名单",
            title=r.get_ground_display(),
            authority=r.unit.name,
            adverse=r.state in (SeriousListing.State.LISTED,),
            status=r.get_state_display()
            + (f"（至{r.listed_until}；法定代表人任职限制至{r.bar_until}）" if r.bar_until else ""),
            number=r.decision_number or r.notice_number,
            url=f"/credit/serious/{r.pk}/",
        )
        for r in rows.order_by("-proposed_on", "-id")[:50]
    ]


def repairs_for(user: Any, *, state: str = "") -> QuerySet[RepairApplication]:
    rows = RepairApplication.objects.visible_to(user).select_related(
        "entity", "unit", "abnormal", "serious", "record"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-applied_on", "-id")


def documents_for(user: Any, *, kind: str = "") -> QuerySet[CreditDocument]:
    rows = CreditDocument.objects.visible_to(user).select_related("entity", "unit")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-issued_on", "-id")
