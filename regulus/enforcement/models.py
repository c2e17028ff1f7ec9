"""行政处罚案件: clues, cases, documents, payments, seizures, publications, campaigns, and the
dated procedure rules they are decided under (domain.md §5).

Money is in fen (integers) everywhere. A case keeps the procedure rule version in force on the
day it was filed (ProcedureRule.in_force): its simple-procedure limits, hearing thresholds,
late-charge rate, limitation periods and publication periods; its clocks keep the ClockRule
versions in force on the day each one starts (core.clocks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from regulus.core.auditwords import AuditKey, division_text
from regulus.core.files import AttachmentFields
from regulus.core.models import OrgUnit
from regulus.core.scope import ScopedQuerySet


class Domain(models.TextChoices):
    FOOD = "food", "食品安全"
    DRUG = "drug", "药品医疗器械化妆品"
    PRODUCT_QUALITY = "product_quality", "产品质量"
    PRICE = "price", "价格收费"
    IP = "ip", "知识产权"
    ADVERTISING = "advertising", "广告"
    COMPETITION = "competition", "反不正当竞争"
    CONSUMER = "consumer", "消费者权益"
    REGISTRATION = "registration", "登记注册"
    SPECIAL_EQUIPMENT = "special_equipment", "特种设备"
    OTHER = "other", "其他"


class ProcedureRule(models.Model):
    """One version of the penalty procedure's figures, in force from `effective_from` until the
    next version. Figures marked in `unconfirmed` are settings whose primary text was not found
    (domain.md §5: the hearing thresholds, the "low fine" of Order 45 Art 13)."""

    effective_from = models.DateField("施行日期", unique=True)
    simple_individual_max_fen = models.PositiveBigIntegerField("简易程序罚款上限：公民（分）")
    simple_org_max_fen = models.PositiveBigIntegerField("简易程序罚款上限：组织（分）")
    hearing_individual_min_fen = models.PositiveBigIntegerField("听证罚款起点：公民（分）")
    hearing_org_min_fen = models.PositiveBigIntegerField("听证罚款起点：组织（分）")
    late_charge_permille = models.PositiveSmallIntegerField("加处罚款：每日千分比", default=30)
    limitation_years = models.PositiveSmallIntegerField("追责时效（年）", default=2)
    limitation_years_grave = models.PositiveSmallIntegerField(
        "追责时效：涉及生命健康、金融安全（年）", default=5
    )
    publication_short_months = models.PositiveSmallIntegerField("公示期：较短（月）", default=3)
    publication_long_years = models.PositiveSmallIntegerField("公示期：较长（年）", default=3)
    low_fine_max_fen = models.PositiveBigIntegerField("“较低数额罚款”上限（分）")
    hearing_notice_days = models.PositiveSmallIntegerField("听证通知提前日数", default=7)
    legal_basis = models.CharField("依据", max_length=300)
    unconfirmed = models.JSONField("待核实事项", default=list, blank=True)

    class Meta:
        verbose_name = "行政处罚程序规则版本"
        verbose_name_plural = "行政处罚程序规则版本"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"行政处罚程序规则（{self.effective_from:%Y-%m-%d}起）"

    @classmethod
    def in_force(cls, day: dt.date) -> ProcedureRule | None:
        return cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class Matter(models.Model):
    """违法行为事项: what a case is about, with the articles breached and applied and the fine
    ceiling the admin set for it (a decision above it is refused)."""

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("违法行为", max_length=100)
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    violated_basis = models.CharField("违法依据", max_length=300)
    penalty_basis = models.CharField("处罚依据", max_length=300)
    max_fine_fen = models.PositiveBigIntegerField("罚款上限（分）")
    grave = models.BooleanField("涉及生命健康安全、金融安全（时效五年）", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "违法行为事项"
        verbose_name_plural = "违法行为事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """专项行动: a named period and scope; its totals are always counted from its cases."""

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    domain = models.CharField("领域", max_length=20, choices=Domain.choices, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    scope = models.TextField("范围与重点", blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位"
    )

    class Meta:
        verbose_name = "专项行动"
        verbose_name_plural = "专项行动"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="enf_campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Clue(models.Model):
    """案件线索: from a hand-over of another app or entered by staff; verified on its clock,
    then filed or not filed by a leader's decision."""

    class Source(models.TextChoices):
        REPORT = "report", "举报"
        COMPLAINT = "complaint", "投诉"
        SPOT_CHECK = "spot_check", "双随机抽查"
        POST_APPROVAL = "post_approval", "告知承诺后置核查"
        CAMPAIGN = "campaign", "专项行动"
        TRANSFER = "transfer", "其他机关移送"
        OWN = "own", "执法检查发现"

    class State(models.TextChoices):
        VERIFYING = "verifying", "核查中"
        PROPOSED_FILING = "proposed_filing", "拟立案待批"
        PROPOSED_NOT_FILING = "proposed_not_filing", "拟不予立案待批"
        FILED = "filed", "已立案"
        NOT_FILED = "not_filed", "不予立案"

    number = models.CharField("线索编号", max_length=20, unique=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    handover = models.OneToOneField(
        "core.Handover",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="移交记录",
    )
    source_number = models.CharField("来源编号", max_length=60, blank=True)
    source_url = models.CharField("来源页面", max_length=300, blank=True)
    source_agency = models.CharField("移送机关", max_length=100, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
        verbose_name="专项行动",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="市场主体",
    )
    party_name = models.CharField("当事人", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    received_on = models.DateField("收到日期")
    title = models.CharField("线索摘要", max_length=200)
    detail = models.TextField("线索内容", blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices)
    deadline = models.DateField("核查期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    findings = models.TextField("核查情况", blank=True)
    not_filing_ground = models.CharField("不予立案情形", max_length=30, blank=True)
    decided_by_name = models.CharField("批准人", max_length=150, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None  # set by enforcement.workflow

    class Meta:
        verbose_name = "案件线索"
        verbose_name_plural = "案件线索"
        indexes = [
            models.Index(fields=["unit", "state", "deadline"], name="enf_clue_unit_state"),
            models.Index(fields=["received_on"], name="enf_clue_received"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("enforcement:clue_detail", args=[self.number])


PENALTY_KINDS = (
    ("warning", "警告"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、非法财物"),
    ("suspension", "责令停产停业"),
    ("revocation", "吊销许可证件"),
)
PENALTY_LABELS = dict(PENALTY_KINDS)


def penalty_text(kinds: Any) -> str:
    values = kinds if isinstance(kinds, list) else [kinds]
    return "、".join(PENALTY_LABELS.get(str(k), str(k)) for k in values) or "—"


class Case(models.Model):
    """行政处罚案件 from filing to closing; its state moves only by enforcement.workflow."""

    class State(models.TextChoices):
        INVESTIGATING = "investigating", "调查取证"
        INVESTIGATED = "investigated", "调查终结"
        REVIEWING = "reviewing", "法制审核"
        REVIEWED = "reviewed", "审核通过待告知"
        NOTIFIED = "notified", "已告知"
        HEARING_REQUESTED = "hearing_requested", "已申请听证"
        HEARING_SCHEDULED = "hearing_scheduled", "已通知听证"
        HEARD = "heard", "听证结束"
        DISCUSSED = "discussed", "集体讨论"
        DECIDED = "decided", "已决定待送达"
        SERVED = "served", "已送达执行中"
        COURT = "court", "申请法院强制执行"
        CLOSED = "closed", "已结案"
        TRANSFERRED = "transferred", "移送公安"
        WITHDRAWN = "withdrawn", "撤销立案"

    class Procedure(models.TextChoices):
        ORDINARY = "ordinary", "普通程序"
        SIMPLE = "simple", "简易程序（当场处罚）"

    class PartyKind(models.TextChoices):
        INDIVIDUAL = "individual", "公民"
        ORGANISATION = "organisation", "法人或其他组织"

    class Outcome(models.TextChoices):
        PENALTY = "penalty", "给予行政处罚"
        NO_PENALTY = "no_penalty", "不予行政处罚"

    class ServiceMethod(models.TextChoices):
        DIRECT = "direct", "直接送达"
        ELECTRONIC = "electronic", "电子送达（经当事人同意）"
        POST = "post", "邮寄送达"
        NOTICE = "notice", "公告送达"

    number = models.CharField("案件编号", max_length=40, unique=True)
    clue = models.OneToOneField(
        Clue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
        verbose_name="案件线索",
    )
    procedure = models.CharField(
        "程序", max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    rule = models.ForeignKey(
        ProcedureRule, on_delete=models.PROTECT, related_name="+", verbose_name="适用程序规则"
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="+", verbose_name="违法行为"
    )
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="专项行动",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="市场主体",
    )
    party_name = models.CharField("当事人", max_length=200)
    party_kind = models.CharField("当事人类型", max_length=12, choices=PartyKind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_address = models.CharField("住所（经营场所）", max_length=255, blank=True)
    party_minor = models.BooleanField("当事人为未成年人", default=False)
    district_code = models.CharField("所属区县", max_length=6)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name="办案人员"
    )
    violation_on = models.DateField("违法行为发生（终了）日")
    filed_on = models.DateField("立案日期")
    facts = models.TextField("案情摘要")
    case_value_fen = models.PositiveBigIntegerField("案值（分）", default=0)
    state = models.CharField("状态", max_length=20, choices=State.choices)
    deadline = models.DateField("当前环节期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    # 告知: the intended penalty (what the decision may not exceed without a new notice).
    intended_kinds = models.JSONField("拟处罚种类", default=list, blank=True)
    intended_fine_fen = models.PositiveBigIntegerField("拟罚款（分）", default=0)
    intended_confiscated_fen = models.PositiveBigIntegerField("拟没收（分）", default=0)
    notified_on = models.DateField("告知日期", null=True, blank=True)
    hearing_on = models.DateField("听证日期", null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="法制审核人",
    )
    review_opinion = models.TextField("法制审核意见", blank=True)
    # 决定
    outcome = models.CharField("处理结果", max_length=12, choices=Outcome.choices, blank=True)
    penalty_kinds = models.JSONField("处罚种类", default=list, blank=True)
    fine_fen = models.PositiveBigIntegerField("罚款（分）", default=0)
    confiscated_fen = models.PositiveBigIntegerField("没收违法所得（分）", default=0)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    serious = models.BooleanField("较重行政处罚（严重违法失信情形）", default=False)
    served_on = models.DateField("送达日期", null=True, blank=True)
    service_method = models.CharField(
        "送达方式", max_length=12, choices=ServiceMethod.choices, blank=True
    )
    paid_fen = models.PositiveBigIntegerField("已缴纳（分）", default=0)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None  # set by enforcement.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "penalty_kinds": AuditKey(show=lambda kinds: penalty_text(kinds), many=True),
        "intended_kinds": AuditKey(show=lambda kinds: penalty_text(kinds), many=True),
        "district_code": AuditKey(show=division_text),
        "deadline_provisional": AuditKey("期限暂定"),
    }

    class Meta:
        verbose_name = "行政处罚案件"
        verbose_name_plural = "行政处罚案件"
        indexes = [
            models.Index(fields=["unit", "state", "deadline", "id"], name="enf_case_unit_state"),
            # The case list of a unit's scope, newest filing first (selectors.case_list).
            models.Index(fields=["unit", "filed_on", "id"], name="enf_case_unit_filed"),
            models.Index(fields=["district_code", "filed_on", "id"], name="enf_case_district"),
            models.Index(fields=["campaign", "state"], name="enf_case_campaign"),
            models.Index(fields=["entity", "state"], name="enf_case_entity"),
            models.Index(fields=["filed_on"], name="enf_case_filed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paid_fen__lte=models.F("fine_fen") + models.F("confiscated_fen"))
                | models.Q(paid_fen=0),
                name="enf_case_paid_le_owed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def money_due_fen(self) -> int:
        return self.fine_fen + self.confiscated_fen

    @property
    def penalty_labels(self) -> str:
        return penalty_text(self.penalty_kinds)

    @property
    def intended_labels(self) -> str:
        return penalty_text(self.intended_kinds)


class Seizure(models.Model):
    """查封、扣押: goods seized or sealed, on their own clock (30 days, +30 approved)."""

    class Kind(models.TextChoices):
        SEIZE = "seize", "扣押"
        SEAL = "seal", "查封"

    class State(models.TextChoices):
        ACTIVE = "active", "查封扣押中"
        RELEASED = "released", "已解除"
        DISPOSED = "disposed", "已依决定处理"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="seizures", verbose_name="案件"
    )
    kind = models.CharField("措施", max_length=8, choices=Kind.choices)
    goods = models.CharField("物品", max_length=200)
    quantity = models.CharField("数量", max_length=50)
    value_fen = models.PositiveBigIntegerField("货值（分）", default=0)
    seized_on = models.DateField("实施日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ACTIVE)
    deadline = models.DateField("期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None

    class Meta:
        verbose_name = "查封扣押"
        verbose_name_plural = "查封扣押"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.goods}"


class Payment(models.Model):
    """One payment against a decision: the principal (fine, confiscated gains) and the late
    charge it covered, both in fen."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="payments", verbose_name="案件"
    )
    paid_on = models.DateField("缴款日期")
    amount_fen = models.PositiveBigIntegerField("缴款金额（分）")
    principal_fen = models.PositiveBigIntegerField("其中罚没款（分）")
    late_charge_fen = models.PositiveBigIntegerField("其中加处罚款（分）")
    receipt = models.CharField("缴款凭证号", max_length=60)
    recorded_by_name = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "缴款记录"
        verbose_name_plural = "缴款记录"
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} 缴款 {self.amount_fen} 分"


def schedule_text(rows: Any) -> str:
    """A schedule as the log reads it: "第1期 2026-04-15 20000.00元；…"."""
    return "；".join(
        f"第{n}期 {row.get('due_on', '')} {int(row.get('amount_fen', 0)) / 100:.2f}元"
        for n, row in enumerate(rows or [], 1)
        if isinstance(row, dict)
    )


class PaymentPlan(models.Model):
    """分期、延期缴纳 (行政处罚法 Art 66): the party's written application, recorded by a case
    officer with the schedule it asks for, approved or refused by a leader. `schedule` is the
    list of instalments [{"due_on": "YYYY-MM-DD", "amount_fen": int}], dates ascending, amounts
    adding up to the money still owed at the application (one line: a deferral). Once approved,
    payments count against it in order and the late charge runs only from a missed instalment
    (services.late_charge_fen)."""

    class Kind(models.TextChoices):
        INSTALMENTS = "instalments", "分期缴纳"
        DEFERRAL = "deferral", "延期缴纳"

    class State(models.TextChoices):
        APPLIED = "applied", "待批准"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "不予批准"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="payment_plans", verbose_name="案件"
    )
    kind = models.CharField("方式", max_length=12, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.APPLIED)
    applied_on = models.DateField("申请日期")
    reason = models.CharField("申请理由（经济困难情况）", max_length=300)
    schedule = models.JSONField("缴纳计划", default=list)
    total_fen = models.PositiveBigIntegerField("计划缴纳合计（分）")
    recorded_by_name = models.CharField("登记人", max_length=150)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    approver_name = models.CharField("审批人", max_length=150, blank=True)
    document = models.CharField("批准文书文号", max_length=100, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "schedule": AuditKey(show=lambda rows: schedule_text(rows), many=True),
    }

    class Meta:
        verbose_name = "分期延期缴纳"
        verbose_name_plural = "分期延期缴纳"
        ordering = ["applied_on", "id"]
        constraints = [
            # One application waiting or approved per case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state__in=["applied", "approved"]),
                name="enf_plan_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"

    @property
    def instalments(self) -> list[tuple[dt.date, int]]:
        return [(dt.date.fromisoformat(i["due_on"]), int(i["amount_fen"])) for i in self.schedule]

    def missed_on(self, paid: list[tuple[dt.date, int]], on: dt.date) -> dt.date | None:
        """The due date of the first instalment not covered in time, as seen on `on`: the
        principal paid by each due date (payments count in order, the earliest instalment
        first) fell short of the instalments due by then. From that day the rest of the money
        is due at once (the plan is broken) and the late charge runs from the next day.
        `paid`: (paid_on, principal_fen) of the case's payments."""
        scheduled = 0
        for due_on, amount in self.instalments:
            if due_on >= on:
                return None
            scheduled += amount
            covered = sum(fen for day, fen in paid if day <= due_on)
            if covered < self.paid_before_fen + scheduled:
                return due_on
        return None

    @property
    def paid_before_fen(self) -> int:
        """The principal paid before the application: the schedule covers the rest."""
        return int(self.case.money_due_fen - self.total_fen)


class Document(AttachmentFields):
    """A 文书 generated for a case, numbered per unit, kind and year in the official style
    (芙市监处罚〔2026〕12号), stored with the case."""

    class Kind(models.TextChoices):
        FILING = "filing", "立案审批表"
        RECTIFY = "rectify", "责令改正通知书"
        NOTICE = "notice", "行政处罚告知书"
        HEARING = "hearing", "听证通知书"
        DECISION = "decision", "行政处罚决定书"
        SERVICE = "service", "送达回证"
        CLOSING = "closing", "结案审批表"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name="案件"
    )
    kind = models.CharField("文书", max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    # The series the number belongs to ("芙市监处罚〔2026〕"): its next number is one indexed
    # MAX(seq) away (services.document_number).
    series = models.CharField("文号系列", max_length=50)
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60, unique=True)

    class Meta:
        verbose_name = "案件文书"
        verbose_name_plural = "案件文书"
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "seq"], name="enf_doc_series_seq")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Publication(models.Model):
    """The public notice of a decision (Order 45): the masked text stored and verified at
    publication, shown until `shown_until`, then taken down by a sweep."""

    class State(models.TextChoices):
        PUBLISHED = "published", "公示中"
        TAKEN_DOWN = "taken_down", "公示期满撤下"
        WITHDRAWN = "withdrawn", "已撤回"
        STOPPED_EARLY = "stopped_early", "信用修复提前停止公示"

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="publication", verbose_name="案件"
    )
    decision_number = models.CharField("决定书文号", max_length=60)
    party_masked = models.CharField("当事人（公示）", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    violation = models.CharField("违法行为类型", max_length=100)
    penalty = models.CharField("处罚内容", max_length=300)
    authority = models.CharField("处罚机关", max_length=100)
    decided_on = models.DateField("处罚决定日期")
    text_masked = models.TextField("公示全文")
    published_on = models.DateField("公示日期")
    shown_until = models.DateField("公示截止日期")
    state = models.CharField("状态", max_length=16, choices=State.choices)
    taken_down_on = models.DateField("撤下日期", null=True, blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "行政处罚信息公示"
        verbose_name_plural = "行政处罚信息公示"
        indexes = [
            models.Index(fields=["state", "published_on", "id"], name="enf_pub_state"),
            models.Index(fields=["state", "shown_until"], name="enf_pub_until"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.party_masked}"
