"""Enterprise credit's data: the credit record (facts handed over by the other apps)."""

from __future__ import annotations

from django.db import models

from regulus.core.models import Handover, OrgUnit
from regulus.core.scope import ScopedQuerySet


class Category(models.TextChoices):
    """What a credit fact is, for the risk score and the public page. A topic credit does not
    know becomes OTHER, recorded as sent."""

    FALSE_COMMITMENT = "false_commitment", "告知承诺不实"
    UNREACHABLE = "unreachable", "通过登记的住所（经营场所）无法联系"
    SPOT_CHECK_PROBLEM = "spot_check_problem", "抽查检查发现问题"
    PENALTY = "penalty", "行政处罚"
    OTHER = "other", "其他信用信息"


# The hand-over topics credit knows (the senders document them beside their services).
TOPIC_CATEGORIES: dict[str, str] = {
    "licensing.false_commitment": Category.FALSE_COMMITMENT,
    "inspections.unreachable": Category.UNREACHABLE,
    "inspections.problem_found": Category.SPOT_CHECK_PROBLEM,
    "enforcement.penalty": Category.PENALTY,
}
# Public on the entity's public page unless the sender says otherwise (data "public"):
# GSXT shows 承诺不实情况, 抽查检查结果 and 行政处罚.
PUBLIC_TOPICS = frozenset(TOPIC_CATEGORIES)


class CreditRecord(models.Model):
    """One fact of an entity's credit record, taken from a hand-over (or moved from
    licensing's records of before). Never edited: a correction is a new fact."""

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="市场主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    entity_name = models.CharField("主体名称", max_length=200)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("类别", max_length=30, choices=Category.choices)
    topic = models.CharField("事由代码", max_length=60)
    topic_label = models.CharField("事由", max_length=100)
    occurred_on = models.DateField("发生日期")
    title = models.CharField("标题", max_length=200)
    detail = models.TextField("情况", blank=True)
    legal_basis = models.CharField("依据", max_length=200, blank=True)
    adverse = models.BooleanField("失信信息", default=True)
    public = models.BooleanField("公示", default=False)
    data = models.JSONField("移交数据", default=dict, blank=True)
    source_type = models.CharField("来源对象类型", max_length=100, blank=True)
    source_id = models.CharField("来源对象编号", max_length=64, blank=True)
    source_number = models.CharField("来源编号", max_length=60, blank=True)
    source_url = models.CharField("来源页面", max_length=300, blank=True)
    handover = models.OneToOneField(
        Handover,
        verbose_name="移交记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.CharField("记录人", max_length=150)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["entity", "occurred_on"], name="credit_rec_entity"),
            models.Index(fields=["unit", "occurred_on"], name="credit_rec_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_name} {self.topic_label}"


# -- annual reports (年度报告) ------------------------------------------------------------------


class ReportWindowRule(models.Model):
    """The annual-report filing window, a rule version (domain.md §2): the report of year Y is
    filed from (opens) to (closes) of year Y+1 under the version in force on the opening day;
    corrections are accepted until `correction_closes`. A change of the rule is a new row."""

    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    opens_month = models.PositiveSmallIntegerField("报送起始月")
    opens_day = models.PositiveSmallIntegerField("报送起始日")
    closes_month = models.PositiveSmallIntegerField("报送截止月")
    closes_day = models.PositiveSmallIntegerField("报送截止日")
    correction_closes_month = models.PositiveSmallIntegerField("更正截止月")
    correction_closes_day = models.PositiveSmallIntegerField("更正截止日")
    legal_basis = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "年度报告报送期规则"
        verbose_name_plural = "年度报告报送期规则"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"年报报送期 {self.valid_from}起"


class FilingCode(models.Model):
    """The filing code (年报填报码) the bureau issues to an entity for the portal: kept only as
    a keyed hash. Wrong codes count; at the limit the code is locked for a while."""

    entity = models.OneToOneField(
        "registry.Entity", verbose_name="市场主体", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    code_hash = models.CharField("填报码摘要", max_length=64)
    issued_at = models.DateTimeField("发放时间")
    issued_by = models.CharField("发放人", max_length=150)
    failures = models.PositiveSmallIntegerField("连续错误次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "年报填报码"
        verbose_name_plural = "年报填报码"

    def __str__(self) -> str:
        return f"填报码 {self.entity_id}"


class AnnualReport(models.Model):
    """One version of an entity's annual report for a year. A correction is a new version;
    the latest is `is_current`, the earlier ones stay as its history."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "网上报送"
        PAPER = "paper", "纸质报送（窗口录入）"

    class OperatingStatus(models.TextChoices):
        OPEN = "open", "开业"
        SUSPENDED = "suspended", "歇业"
        LIQUIDATING = "liquidating", "清算"

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("最新版本", default=True)
    channel = models.CharField("报送方式", max_length=10, choices=Channel.choices)
    filed_at = models.DateTimeField("报送时间")
    filed_by = models.CharField("报送人", max_length=150)
    late = models.BooleanField("逾期报送", default=False)
    # Items 1–6 (public): contacts, status, investments, equity transfers, websites.
    address = models.CharField("通信地址", max_length=255)
    phone = models.CharField("联系电话", max_length=30)
    email = models.CharField("电子邮箱", max_length=100, blank=True)
    operating_status = models.CharField("经营状态", max_length=20, choices=OperatingStatus.choices)
    website = models.CharField("网站或网店", max_length=200, blank=True)
    investments = models.TextField("对外投资", blank=True)
    equity_transfers = models.TextField("股权转让", blank=True)
    # Item 7 and the employees: the entity chooses whether to publish them.
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    total_assets = models.DecimalField(
        "资产总额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    revenue = models.DecimalField(
        "营业总收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    net_profit = models.DecimalField(
        "净利润（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    tax_paid = models.DecimalField(
        "纳税总额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    publish_employees = models.BooleanField("公示从业人数", default=False)
    publish_financials = models.BooleanField("公示资产状况", default=False)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "year", "version"], name="annual_report_version"
            ),
            models.UniqueConstraint(
                fields=["entity", "year"],
                condition=models.Q(is_current=True),
                name="annual_report_one_current",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "entity"], name="annual_report_year_entity"),
            models.Index(fields=["unit", "year"], name="annual_report_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度报告（第{self.version}版）"


# -- the abnormal-operations list (经营异常名录) and the 个体户 abnormal state ---------------------


class AbnormalRule(models.Model):
    """The abnormal-list rules as versions (domain.md §3): how many working days after the
    deadline the listing is made, in how many working days a removal is decided, and the
    2014 rule "N years on the list → 严重违法失信企业名单" (serious_after_years), deleted by the
    2024 revision: its version ended on 2024-04-30, the 2024 version has none."""

    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    listing_working_days = models.PositiveSmallIntegerField("列入期限（工作日）")
    removal_working_days = models.PositiveSmallIntegerField("移出决定期限（工作日）")
    serious_after_years = models.PositiveSmallIntegerField(
        "届满转入严重违法失信名单（年）", null=True, blank=True
    )
    legal_basis = models.CharField("依据", max_length=300)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "经营异常名录规则"
        verbose_name_plural = "经营异常名录规则"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"经营异常名录规则 {self.valid_from}起"


class Ground(models.TextChoices):
    """The four listing grounds (SAIC Order 68 Art 4; 2024 条例 Art 18)."""

    ANNUAL_REPORT = "annual_report", "未按规定期限公示年度报告"
    INSTANT_INFO = "instant_info", "未在责令的期限内公示即时信息"
    FALSE_INFO = "false_info", "公示信息隐瞒真实情况、弄虚作假"
    UNREACHABLE = "unreachable", "通过登记的住所或者经营场所无法联系"


class AbnormalListing(models.Model):
    """An entity's listing on the abnormal-operations list (an enterprise or cooperative) or
    in the abnormal state (a 个体户), with its ground, evidence and decision; its removal on
    application once cured."""

    class Kind(models.TextChoices):
        LIST = "list", "经营异常名录"
        STATE = "state", "经营异常状态（个体工商户）"

    class State(models.TextChoices):
        LISTED = "listed", "在列"
        REMOVAL_APPLIED = "removal_applied", "已申请移出"
        REMOVED = "removed", "已移出"

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="abnormal_listings",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="作出决定的单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    ground = models.CharField("列入事由", max_length=20, choices=Ground.choices)
    report_year = models.PositiveSmallIntegerField("未报年度", null=True, blank=True)
    evidence = models.TextField("证据")
    evidence_ref = models.CharField("证据来源", max_length=100, blank=True)
    rule = models.ForeignKey(
        AbnormalRule, verbose_name="适用规则", on_delete=models.PROTECT, related_name="+"
    )
    listed_on = models.DateField("列入日期")
    decision_number = models.CharField("列入决定书文号", max_length=40, unique=True)
    listed_by = models.CharField("列入人", max_length=150)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.LISTED)
    removal_applied_on = models.DateField("申请移出日期", null=True, blank=True)
    removal_reason = models.TextField("移出理由", blank=True)
    removal_due = models.DateField("移出决定期限", null=True, blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_number = models.CharField("移出决定书文号", max_length=40, blank=True)
    removed_by = models.CharField("移出人", max_length=150, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "经营异常名录"
        verbose_name_plural = "经营异常名录"
        ordering = ["-listed_on", "-id"]
        constraints = [
            # The sweep lists an entity once for a year's missing report, however often it runs.
            models.UniqueConstraint(
                fields=["entity", "report_year"],
                condition=models.Q(ground="annual_report"),
                name="abnormal_once_per_report_year",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "state"], name="abnormal_entity_state"),
            models.Index(fields=["unit", "state", "listed_on"], name="abnormal_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decision_number}"


class AnnualListingRun(models.Model):
    """That the listing after a report year's window was done (the sweep's mark: its cheap
    `pending` check, and the record of when and how many)."""

    year = models.PositiveSmallIntegerField("报告年度", unique=True)
    ran_on = models.DateField("列入日期")
    listed = models.PositiveIntegerField("列入户数")

    class Meta:
        verbose_name = "年报期满列入记录"
        verbose_name_plural = "年报期满列入记录"

    def __str__(self) -> str:
        return f"{self.year}年度期满列入"


# -- credit risk classes A–D ------------------------------------------------------------------


class RiskModel(models.Model):
    """A version of the risk score (国市监信发〔2022〕6号 classes A–D): its factors, each with
    its weight and cap (`factors`: [{"code", "label", "weight", "cap"}]), the look-back
    period, and the score at which each class starts. Shown in full beside every class."""

    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    factors = models.JSONField("计分因素", default=list)
    lookback_years = models.PositiveSmallIntegerField("回溯年限")
    b_from = models.PositiveSmallIntegerField("B类起始分")
    c_from = models.PositiveSmallIntegerField("C类起始分")
    d_from = models.PositiveSmallIntegerField("D类起始分")
    basis = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "信用风险分类模型"
        verbose_name_plural = "信用风险分类模型"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"信用风险分类模型 {self.valid_from}起"

    def class_of(self, score: int) -> str:
        if score >= self.d_from:
            return "D"
        if score >= self.c_from:
            return "C"
        if score >= self.b_from:
            return "B"
        return "A"


class RiskChange(models.Model):
    """An entity whose class changed in a recompute: from, to, the score and the model
    version (the list of this month's changes and why)."""

    entity = models.ForeignKey(
        "registry.Entity", verbose_name="市场主体", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("所属月份")
    old_class = models.CharField("原分类", max_length=1, blank=True)
    new_class = models.CharField("新分类", max_length=1)
    score = models.PositiveIntegerField("得分")
    reasons = models.CharField("主要因素", max_length=300, blank=True)
    model = models.ForeignKey(
        RiskModel, verbose_name="模型版本", on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField("变更时间")

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "信用风险分类变更"
        verbose_name_plural = "信用风险分类变更"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["unit", "month"], name="risk_change_unit_month")]

    def __str__(self) -> str:
        return f"{self.old_class or '—'}→{self.new_class}"


class RiskRun(models.Model):
    """That a month's recompute was done (the sweep's mark)."""

    month = models.DateField("所属月份", unique=True)
    ran_at = models.DateTimeField("计算时间")
    changed = models.PositiveIntegerField("变更户数")

    class Meta:
        verbose_name = "信用风险分类月度计算"
        verbose_name_plural = "信用风险分类月度计算"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 分类计算"
