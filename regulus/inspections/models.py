"""双随机、一公开: the item list, the inspector list, plans, tasks, their frozen lists and draws,
the drawn targets with their inspectors, results and their publication.

One list, two directories (一单两库): CheckItem is the item list; the target directory is the
registry's entities, selected by a task's filters and frozen into a Snapshot; Inspector is the
inspector directory. A Task is drawn once (Draw kind MAIN) from its frozen Snapshots and a
public random source entered twice (SourceEntry); each withdrawal (回避) after it is a further
recorded Draw. docs/draw-algorithm.md specifies how a draw is computed from what is published.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from regulus.core.auditwords import AuditKey
from regulus.core.files import AttachmentFields
from regulus.core.models import OrgUnit, User
from regulus.core.scope import ScopedQuerySet
from regulus.registry.models import Entity

# The strata of a draw: the four credit risk classes and the entities not yet classified.
STRATA = ("A", "B", "C", "D", "-")
STRATUM_LABELS = {
    "A": "A类（低风险）",
    "B": "B类（一般风险）",
    "C": "C类（较高风险）",
    "D": "D类（高风险）",
    "-": "未分类",
}


class Domain(models.TextChoices):
    FOOD = "food", "食品"
    EQUIPMENT = "equipment", "特种设备"
    ADVERTISING = "advertising", "广告"
    PRICE = "price", "价格"
    PUBLICITY = "publicity", "企业公示信息"
    QUALITY = "quality", "产品质量"
    MEASUREMENT = "measurement", "计量"


class CheckItem(models.Model):
    """One entry of the check-item list (抽查事项清单)."""

    class Kind(models.TextChoices):
        GENERAL = "general", "一般检查事项"
        KEY = "key", "重点检查事项"

    code = models.CharField("事项编码", max_length=20, unique=True)
    name = models.CharField("检查事项", max_length=200)
    department = models.CharField("实施部门", max_length=100)
    legal_basis = models.TextField("法律依据")
    kind = models.CharField("事项类别", max_length=10, choices=Kind.choices)
    domain = models.CharField("业务领域", max_length=20, choices=Domain.choices)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inspector(models.Model):
    """One entry of the inspector directory (执法检查人员名录库): a staff member with an
    enforcement certificate. `number` (the certificate's number) names them in a draw."""

    user = models.OneToOneField(
        User, verbose_name="工作人员", on_delete=models.PROTECT, related_name="inspector_entry"
    )
    number = models.CharField("执法证号", max_length=30, unique=True)
    certificate_expires = models.DateField("执法证有效期至")
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="+"
    )
    domains = models.JSONField("执法领域", default=list)
    available = models.BooleanField("可参加抽查", default=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "domains": AuditKey("执法领域", show=lambda v: "、".join(_domain_labels(v))),
    }

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.number}）"

    @property
    def domain_labels(self) -> list[str]:
        return _domain_labels(self.domains)


def _domain_labels(value: object) -> list[str]:
    labels = dict(Domain.choices)
    return [labels.get(str(v), str(v)) for v in (value if isinstance(value, list) else [])]


class Conflict(models.Model):
    """A declared conflict of interest of an inspector with an entity: never drawn for it."""

    inspector = models.ForeignKey(
        Inspector, verbose_name="检查人员", on_delete=models.CASCADE, related_name="conflicts"
    )
    entity = models.ForeignKey(
        Entity, verbose_name="市场主体", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("利害关系", max_length=200)
    declared_on = models.DateField("申报日期")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "inspector__unit"

    class Meta:
        verbose_name = "利害关系申报"
        verbose_name_plural = "利害关系申报"
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "entity"],
                name="inspections_conflict_unique",
                violation_error_message="该检查人员已申报与该主体的利害关系",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector.number}—{self.entity_id}"


class SamplingRule(models.Model):
    """A version of the sampling ratio of one stratum (a credit risk class): the range a task's
    ratio must lie in and its default, from a date on. Ratios in basis points (1 % = 100)."""

    stratum = models.CharField(
        "信用风险分类", max_length=1, choices=[(s, STRATUM_LABELS[s]) for s in STRATA]
    )
    min_bp = models.PositiveIntegerField("最低比例（万分之）")
    max_bp = models.PositiveIntegerField("最高比例（万分之）")
    default_bp = models.PositiveIntegerField("默认比例（万分之）")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "抽查比例规则"
        verbose_name_plural = "抽查比例规则"
        ordering = ["stratum", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_bp__lte=models.F("default_bp"))
                & models.Q(default_bp__lte=models.F("max_bp"))
                & models.Q(max_bp__lte=10000),
                name="inspections_rule_range",
            )
        ]

    def __str__(self) -> str:
        return f"{STRATUM_LABELS.get(self.stratum, self.stratum)} {self.valid_from:%Y-%m-%d}起"


class Plan(models.Model):
    """An annual spot-check plan (年度抽查计划) of a unit, by batch, filed with the level above."""

    class State(models.TextChoices):
        DRAFT = "draft", "编制中"
        FILED = "filed", "已报备"

    year = models.PositiveSmallIntegerField("年度")
    batch = models.PositiveSmallIntegerField("批次")
    title = models.CharField("计划名称", max_length=200)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="编制单位", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    filed_at = models.DateTimeField("报备时间", null=True, blank=True)
    # The level above it was filed with (the unit's parent): it reads the plan, read-only.
    filed_with = models.ForeignKey(
        OrgUnit,
        verbose_name="报备单位",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-year", "batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "batch"],
                name="inspections_plan_unique",
                violation_error_message="本单位该年度该批次的计划已存在",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.batch}批：{self.title}"

    def is_own(self, user: object) -> bool:
        """The user works in the plan's unit or below it (and may change it); the levels
        above read it only."""
        unit = getattr(user, "unit", None)
        return unit is not None and unit.path.startswith(self.unit.path)


class Task(models.Model):
    """A spot-check task (抽查任务) of a plan: its items, target filters, ratios per stratum,
    inspectors per target and dates; frozen, then drawn once."""

    class State(models.TextChoices):
        DRAFT = "draft", "待冻结名录"
        FROZEN = "frozen", "名录已冻结，待抽取"
        DRAWN = "drawn", "已抽取"

    number = models.CharField("任务编号", max_length=30, unique=True)
    plan = models.ForeignKey(
        Plan, verbose_name="所属计划", on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField("任务名称", max_length=200)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="实施单位", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("实施部门", max_length=100)
    joint = models.BooleanField("部门联合抽查", default=False)
    domain = models.CharField("业务领域", max_length=20, choices=Domain.choices)
    items = models.ManyToManyField(CheckItem, verbose_name="检查事项", related_name="tasks")
    filters = models.JSONField("检查对象筛选条件", default=dict, blank=True)
    cross_district = models.BooleanField("跨区域抽取检查人员", default=False)
    per_target = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    check_from = models.DateField("检查开始日期")
    check_to = models.DateField("检查结束日期")
    source_description = models.CharField("公共随机源", max_length=300)
    source_available_at = models.DateTimeField("随机源产生时间")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    spread_note = models.CharField("工作量说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "filters": AuditKey("检查对象筛选条件", show=lambda v: _filters_text(v)),
        "targets": AuditKey("检查对象数"),
        "inspectors": AuditKey("检查人员数"),
        "exclusions": AuditKey("回避与排除对数"),
        "assignments": AuditKey("分派人次"),
        "excluded": AuditKey("按其他业务排除"),
        "joint_visits": AuditKey("并入综合查一次户数"),
    }

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["-check_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(per_target__gte=2), name="inspections_task_two_inspectors"
            ),
            models.CheckConstraint(
                condition=models.Q(check_to__gte=models.F("check_from")),
                name="inspections_task_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:task_detail", args=[self.number])


def _filters_text(value: object) -> str:
    from regulus.inspections.selectors import filters_text

    return filters_text(value if isinstance(value, dict) else {})


class TaskStratum(models.Model):
    """A task's ratio for one stratum, checked against the rule version in force on the
    task's first check day; the population and count are set when the lists are frozen."""

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="strata"
    )
    stratum = models.CharField(
        "信用风险分类", max_length=1, choices=[(s, STRATUM_LABELS[s]) for s in STRATA]
    )
    ratio_bp = models.PositiveIntegerField("抽查比例（万分之）")
    rule = models.ForeignKey(
        SamplingRule, verbose_name="比例规则", on_delete=models.PROTECT, related_name="+"
    )
    population = models.PositiveIntegerField("名录户数", default=0)
    drawn = models.PositiveIntegerField("抽取户数", default=0)

    class Meta:
        verbose_name = "分层抽查比例"
        verbose_name_plural = "分层抽查比例"
        ordering = ["task", "stratum"]
        constraints = [
            models.UniqueConstraint(fields=["task", "stratum"], name="inspections_stratum_unique")
        ]

    def __str__(self) -> str:
        return f"{STRATUM_LABELS.get(self.stratum, self.stratum)} {self.ratio_bp / 100:g}%"

    @property
    def ratio_percent(self) -> str:
        return f"{self.ratio_bp / 100:g}%"


class Snapshot(models.Model):
    """A frozen, published list of a task: its exact bytes, their SM3 hash and line count."""

    class Name(models.TextChoices):
        TARGETS = "targets", "检查对象名录"
        INSPECTORS = "inspectors", "执法检查人员名录"
        EXCLUSIONS = "exclusions", "回避与排除名单"

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="snapshots"
    )
    name = models.CharField("名录", max_length=20, choices=Name.choices)
    content = models.TextField("内容")
    sm3 = models.CharField("SM3杂凑值", max_length=64)
    lines = models.PositiveIntegerField("条数")

    class Meta:
        verbose_name = "冻结名录"
        verbose_name_plural = "冻结名录"
        constraints = [
            models.UniqueConstraint(fields=["task", "name"], name="inspections_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task.number} {self.get_name_display()}"

    @property
    def filename(self) -> str:
        return f"{self.name}.tsv"


class SourceEntry(models.Model):
    """One staff member's entry of the task's public random source value."""

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="source_entries"
    )
    value = models.CharField("随机源数值", max_length=200)
    entered_by = models.ForeignKey(
        User, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "随机源录入"
        verbose_name_plural = "随机源录入"
        ordering = ["entered_at", "id"]

    def __str__(self) -> str:
        return f"{self.task.number} {self.value}"


class Draw(models.Model):
    """A recorded draw of a task: the main draw (targets and inspectors) or a withdrawal's
    replacement (回避). `params` holds what the algorithm took beyond the snapshots."""

    class Kind(models.TextChoices):
        MAIN = "main", "抽取"
        WITHDRAWAL = "withdrawal", "回避重抽"

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="draws"
    )
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    algorithm = models.CharField("算法版本", max_length=30)
    seed = models.CharField("种子", max_length=64)
    params = models.JSONField("参数", default=dict)
    result = models.JSONField("结果", default=dict)
    reason = models.CharField("回避事由", max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("抽取时间")

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "targets": AuditKey("抽中检查对象数"),
        "assignments": AuditKey("分派检查人员人次"),
    }

    class Meta:
        verbose_name = "抽取记录"
        verbose_name_plural = "抽取记录"
        ordering = ["task", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "seq"], name="inspections_draw_unique"),
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(kind="main"),
                name="inspections_one_main_draw",
                violation_error_message="该任务已经抽取过，不能再次抽取",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} 第{self.seq}次{self.get_kind_display()}"


class ResultCode(models.TextChoices):
    """The standard result codes (domain.md §1, Zhejiang system)."""

    NONE_FOUND = "1", "未发现问题"
    FOOD_DRUG = "3", "违反食品药品相关规定"
    QUALITY = "4", "违反质量技术监督相关规定"
    OTHER_DEPT = "5", "违反其他部门相关规定"
    UNREACHABLE = "6", "通过登记的住所（经营场所）无法联系"
    CLOSED = "7", "已关闭停业或正在组织清算"
    OBSTRUCTED = "8", "不配合检查情节严重"
    CANCELLED = "9", "注销"
    REVOKED = "10", "被吊销"
    WITHDRAWN = "11", "被撤销"
    MOVED = "12", "迁出"
    PENDING = "A", "发现问题待后续处理"
    NOT_PUBLISHED = "B", "未按规定公示应当公示的信息"
    FALSE_INFO = "C", "公示信息隐瞒真实情况弄虚作假"
    OTHER_RULE = "D", "违反其他工商行政管理规定行为"
    CORRECTED = "E", "发现问题经责令已改正"
    NOT_ENGAGED = "F", "未发现开展本次抽查涉及的经营活动"


# The codes of a problem still to be dealt with: a check finding one orders a rectification
# or hands the problems to enforcement (services.results).
PROBLEM_CODES = (
    ResultCode.FOOD_DRUG,
    ResultCode.QUALITY,
    ResultCode.OTHER_DEPT,
    ResultCode.OBSTRUCTED,
    ResultCode.PENDING,
    ResultCode.NOT_PUBLISHED,
    ResultCode.FALSE_INFO,
    ResultCode.OTHER_RULE,
)
# The problems a rectification order cures: a passed re-check publishes them as rectified (E).
# Obstruction (8) and falsified public information (C) are conduct, not a state put right, and
# keep their code (C has gone to credit already).
RECTIFIABLE_CODES = tuple(
    code for code in PROBLEM_CODES if code not in (ResultCode.OBSTRUCTED, ResultCode.FALSE_INFO)
)
# A check that found problems: those still to be dealt with and those rectified on an order.
FOUND_CODES = (*PROBLEM_CODES, ResultCode.CORRECTED)


class Target(models.Model):
    """A drawn target of a task (position = its place in the draw's order) and where its
    check stands."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", "待检查"
        CHECKED = "checked", "已检查，待公示"
        PUBLISHED = "published", "已公示"

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="targets"
    )
    entity = models.ForeignKey(
        Entity, verbose_name="市场主体", on_delete=models.PROTECT, related_name="+"
    )
    stratum = models.CharField("信用风险分类", max_length=1)
    position = models.PositiveIntegerField("抽取顺序")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ASSIGNED)
    checked_on = models.DateField("检查日期", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    published_on_time = models.BooleanField("按期公示", null=True, blank=True)
    # The running publication clock's date (core.workflow: the kernel keeps it).
    deadline = models.DateField("公示期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    # 亮码检查: the code on the inspector's screen that opens the visit's portal page, and the
    # code shown once the result is entered, without which the visit cannot be rated.
    # (db_default: the draw inserts its targets by raw COPY, naming only the drawn columns)
    visit_code = models.CharField("亮码检查码", max_length=12, blank=True, db_default="")
    rating_code = models.CharField("评价验证码", max_length=8, blank=True, db_default="")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "task__unit"

    class Meta:
        verbose_name = "抽中对象"
        verbose_name_plural = "抽中对象"
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "entity"], name="inspections_target_unique"),
            models.UniqueConstraint(
                fields=["visit_code"],
                condition=~models.Q(visit_code=""),
                name="inspections_target_visit_code",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "task"], name="inspections_target_entity"),
            models.Index(fields=["state", "deadline"], name="inspections_target_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} #{self.position}"


class Assignment(models.Model):
    """An inspector assigned to a target by a draw; a withdrawal ends it (active False) and a
    withdrawal draw adds its replacement. `pick` orders a target's inspectors in its draw."""

    target = models.ForeignKey(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="assignments"
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name="检查人员", on_delete=models.PROTECT, related_name="assignments"
    )
    draw = models.ForeignKey(
        Draw, verbose_name="抽取记录", on_delete=models.CASCADE, related_name="assignments"
    )
    pick = models.PositiveSmallIntegerField("抽取次序")
    active = models.BooleanField("在任", default=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target__task__unit"

    class Meta:
        verbose_name = "检查人员分派"
        verbose_name_plural = "检查人员分派"
        ordering = ["target", "draw", "pick"]
        indexes = [models.Index(fields=["inspector", "active"], name="inspections_assign_insp")]

    def __str__(self) -> str:
        return f"{self.target_id}—{self.inspector_id}"


class ItemResult(models.Model):
    """The result of one check item at one target, entered by an assigned inspector."""

    target = models.ForeignKey(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        CheckItem, verbose_name="检查事项", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("检查结果", max_length=2, choices=ResultCode.choices)
    notes = models.TextField("检查情况", blank=True)
    entered_by = models.ForeignKey(
        User, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target__task__unit"

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["target", "item"]
        constraints = [
            models.UniqueConstraint(fields=["target", "item"], name="inspections_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.item_id} {self.get_code_display()}"


class Rectification(models.Model):
    """A rectification order (责令整改) of a target whose check found problems: the entity
    rectifies within the order's clock (rule version `inspections.rectification`), reports
    it, and an assigned inspector re-checks (复查) within the recheck clock
    (`inspections.recheck`); the re-check closes the order or escalates it to enforcement
    (the CLUE hand-over "inspections.problem_found", services.results)."""

    class State(models.TextChoices):
        ORDERED = "ordered", "整改中"
        REPORTED = "reported", "已报告整改，待复查"
        CLOSED = "closed", "复查合格，已销号"
        ESCALATED = "escalated", "复查不合格，已移交执法"

    target = models.OneToOneField(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="rectification"
    )
    problems = models.TextField("存在问题")
    requirement = models.TextField("整改要求")
    ordered_by = models.ForeignKey(
        User, verbose_name="责令人", on_delete=models.PROTECT, related_name="+"
    )
    ordered_on = models.DateField("责令日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ORDERED)
    reported_on = models.DateField("整改报告日期", null=True, blank=True)
    rechecked_on = models.DateField("复查日期", null=True, blank=True)
    recheck_notes = models.TextField("复查情况", blank=True)
    rechecked_by = models.ForeignKey(
        User,
        verbose_name="复查人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The running clock's date (core.workflow keeps it): rectification, then the recheck.
    deadline = models.DateField("办理期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target__task__unit"

    class Meta:
        verbose_name = "责令整改"
        verbose_name_plural = "责令整改"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="inspections_rect_due")]

    def __str__(self) -> str:
        return f"责令整改：{self.target.entity.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:rectification", args=[self.pk])


class VisitRating(models.Model):
    """The inspected entity's rating of a check visit (亮码检查), one per target, given on the
    portal with the verification code the inspector's screen showed after the check."""

    target = models.OneToOneField(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField("评价")
    comment = models.CharField("意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target__task__unit"

    class Meta:
        verbose_name = "检查评价"
        verbose_name_plural = "检查评价"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5),
                name="inspections_rating_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.score}"


class JointVisit(models.Model):
    """One visit, not three (综合查一次): a task's items checked at a target another open task
    of the period already drew, in the same visit, instead of drawing the entity again. The
    visit's result then covers both tasks' items (services.results)."""

    target = models.ForeignKey(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="joint_visits"
    )
    task = models.ForeignKey(
        Task, verbose_name="并入的抽查任务", on_delete=models.CASCADE, related_name="joined_visits"
    )
    joined_by = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateTimeField("并入时间")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "task__unit"

    class Meta:
        verbose_name = "综合查一次"
        verbose_name_plural = "综合查一次"
        constraints = [
            models.UniqueConstraint(fields=["target", "task"], name="inspections_joint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}→{self.target_id}"


class ResultFile(AttachmentFields):
    """A photo or a file of a visit's result (现场照片、检查记录), checked at upload by
    core.files (kind by content, size) and stored under a generated name."""

    target = models.ForeignKey(
        Target, verbose_name="抽中对象", on_delete=models.CASCADE, related_name="files"
    )

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target__task__unit"

    class Meta:
        verbose_name = "检查照片和文件"
        verbose_name_plural = "检查照片和文件"
        ordering = ["target", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
