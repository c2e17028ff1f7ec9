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
    # The end of publication (Order 45 Art 13, set for penalties) and its early stop by
    # credit repair: the public page shows a record only while both allow.
    publish_until = models.DateField("公示期至", null=True, blank=True)
    publication_stopped_on = models.DateField("提前停止公示日期", null=True, blank=True)
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


# -- publication periods, the serious-violation list, credit repair ------------------------------


class PublicationRule(models.Model):
    """The periods of publication and repair as rule versions (domain.md §3 and §5), most
    of them unconfirmed from a primary text and therefore settings here:
    - the serious-violation list (SAMR Order 44): listed for `serious_years`, early removal
      by repair once `serious_early_years` have passed; the legal representative of a listed
      firm is barred for `legal_rep_bar_years` (2024 条例 Art 18);
    - penalty publication (Order 45 Art 13): `penalty_short_months` for warnings, 通报批评 or
      a fine up to `penalty_low_fine_fen`, otherwise `penalty_long_years`; early stop by repair
      (Art 14; 国市监信规〔2021〕3号) once `penalty_repair_after_months` have passed."""

    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    serious_years = models.PositiveSmallIntegerField("严重违法失信名单列入期限（年）")
    serious_early_years = models.PositiveSmallIntegerField("可申请提前移出（列入满N年）")
    legal_rep_bar_years = models.PositiveSmallIntegerField("法定代表人任职限制（年）")
    penalty_short_months = models.PositiveSmallIntegerField("较轻处罚公示期（月）")
    penalty_long_years = models.PositiveSmallIntegerField("其他处罚公示期（年）")
    penalty_low_fine_fen = models.PositiveBigIntegerField("较低数额罚款上限（分）")
    penalty_repair_after_months = models.PositiveSmallIntegerField(
        "处罚信息可申请修复（公示满N月）"
    )
    legal_basis = models.CharField("依据", max_length=300)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "信用信息公示与修复规则"
        verbose_name_plural = "信用信息公示与修复规则"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"信用信息公示与修复规则 {self.valid_from}起"


class SeriousGround(models.TextChoices):
    """Why an entity goes on the serious-violation list (Order 44 Art 2; 2024 条例 Art 18;
    the 2014 条例 Art 17 rule, in force until 2024-04-30)."""

    HEAVY_PENALTY = (
        "heavy_penalty",
        "受到较重行政处罚（《市场监督管理严重违法失信名单管理办法》第二条）",
    )
    FALSE_INFO = "false_info", "公示信息隐瞒真实情况、弄虚作假，情节严重（条例第十八条）"
    ABNORMAL_3Y = "abnormal_3y", "列入经营异常名录届满3年（原条例第十七条，2024年4月30日止）"


class SeriousListing(models.Model):
    """An entity's way onto the serious-violation list (严重违法失信名单): a candidate from a
    serious penalty handed over, or one proposed by staff; the written notice of the intended
    listing and the party's right to state its case within the statement clock; the unit's
    decision (numbered, published, for the rule's period, the legal representative's bar
    shown); removal at the end of the period or early by credit repair."""

    class State(models.TextChoices):
        CANDIDATE = "candidate", "待审核"
        NOTIFIED = "notified", "已告知（陈述申辩期）"
        HEARD = "heard", "已陈述申辩"
        LISTED = "listed", "已列入"
        DISMISSED = "dismissed", "不予列入"
        REMOVED = "removed", "已移出"

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="serious_listings",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="作出决定的单位", on_delete=models.PROTECT, related_name="+"
    )
    ground = models.CharField("列入事由", max_length=20, choices=SeriousGround.choices)
    evidence = models.TextField("证据")
    record = models.OneToOneField(
        CreditRecord,
        verbose_name="所依据的处罚信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="serious_listing",
    )
    abnormal = models.OneToOneField(
        AbnormalListing,
        verbose_name="所依据的经营异常名录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="serious_listing",
    )
    proposed_on = models.DateField("提出日期")
    proposed_by = models.CharField("提出人", max_length=150)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.CANDIDATE)
    deadline = models.DateField("陈述申辩期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    notice_number = models.CharField("告知书文号", max_length=40, blank=True)
    notified_on = models.DateField("告知日期", null=True, blank=True)
    statement = models.TextField("陈述申辩意见", blank=True)
    decision_number = models.CharField("列入决定书文号", max_length=40, blank=True)
    listed_on = models.DateField("列入日期", null=True, blank=True)
    listed_until = models.DateField("列入期限至", null=True, blank=True)
    early_from = models.DateField("可申请提前移出日期", null=True, blank=True)
    bar_until = models.DateField("法定代表人任职限制至", null=True, blank=True)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=100, blank=True)
    rule = models.ForeignKey(
        PublicationRule,
        verbose_name="适用规则",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_number = models.CharField("移出决定书文号", max_length=40, blank=True)
    removal_reason = models.CharField("移出原因", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "严重违法失信名单"
        verbose_name_plural = "严重违法失信名单"
        ordering = ["-proposed_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "state", "proposed_on"], name="serious_unit_state"),
            models.Index(fields=["entity", "state"], name="serious_entity_state"),
            models.Index(fields=["state", "listed_until"], name="serious_state_until"),
        ]

    def __str__(self) -> str:
        return f"严重违法失信名单 {self.entity_id} {self.get_state_display()}"


class RepairApplication(models.Model):
    """An application for credit repair (信用修复, 国市监信规〔2021〕3号): removal from the
    abnormal list or restoring a 个体户's state, early removal from the serious list, or the
    early stop of a penalty's publication. Decided by the unit that listed or published, on
    the decision clock; on approval the listing is removed or the publication stopped."""

    class Target(models.TextChoices):
        ABNORMAL = "abnormal", "移出经营异常名录（恢复正常记载状态）"
        SERIOUS = "serious", "提前移出严重违法失信名单"
        PENALTY = "penalty", "提前停止公示行政处罚信息"

    class Channel(models.TextChoices):
        PORTAL = "portal", "网上申请"
        STAFF = "staff", "窗口受理"

    class State(models.TextChoices):
        APPLIED = "applied", "待决定"
        APPROVED = "approved", "准予修复"
        REFUSED = "refused", "不予修复"

    number = models.CharField("申请编号", max_length=40, unique=True)
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="repair_applications",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="决定单位", on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField("修复事项", max_length=20, choices=Target.choices)
    abnormal = models.ForeignKey(
        AbnormalListing,
        verbose_name="经营异常名录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    serious = models.ForeignKey(
        SeriousListing,
        verbose_name="严重违法失信名单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    record = models.ForeignKey(
        CreditRecord,
        verbose_name="行政处罚信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    channel = models.CharField("申请方式", max_length=10, choices=Channel.choices)
    applicant = models.CharField("申请人", max_length=100)
    phone = models.CharField("联系电话", max_length=30)
    reason = models.TextField("已履行义务、纠正违法行为的情况")
    pledged = models.BooleanField("已作出信用修复承诺", default=False)
    applied_on = models.DateField("申请日期")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.APPLIED)
    deadline = models.DateField("决定期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.CharField("决定人", max_length=150, blank=True)
    decision_note = models.TextField("决定理由", blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["unit", "state", "applied_on"], name="repair_unit_state")]

    def __str__(self) -> str:
        return f"信用修复申请 {self.number}"

    @property
    def subject(self) -> str:
        if self.abnormal is not None:
            return f"经营异常名录 {self.abnormal.decision_number}"
        if self.serious is not None:
            return f"严重违法失信名单 {self.serious.decision_number}"
        if self.record is not None:
            return f"行政处罚 {self.record.source_number or self.record.title}"
        return ""


class CreditDocument(models.Model):
    """A decision document (决定书) made as .docx through core.documents, numbered by the
    decision it records and kept, so the list shows every document issued."""

    class Kind(models.TextChoices):
        ABNORMAL_LIST = "abnormal_list", "列入经营异常名录决定书"
        ABNORMAL_REMOVE = "abnormal_remove", "移出经营异常名录决定书"
        SERIOUS_LIST = "serious_list", "列入严重违法失信名单决定书"

    kind = models.CharField("文书类别", max_length=20, choices=Kind.choices)
    number = models.CharField("文号", max_length=40, unique=True)
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="市场主体", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="作出单位", on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField("日期")
    file = models.CharField("文件", max_length=300)
    size = models.PositiveIntegerField("大小（字节）")
    made_at = models.DateTimeField("制作时间")
    made_by = models.CharField("制作人", max_length=150)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "信用决定文书"
        verbose_name_plural = "信用决定文书"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["unit", "issued_on"], name="credit_doc_unit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
