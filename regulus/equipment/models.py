"""特种设备: the register of equipment items and their periodic inspections, lift maintenance,
field checks of the units with their hazards and orders, key units and campaigns.

The inspection interval of a category is a rule version (IntervalRule, months, dated; rules.py
loads them): an item's next due date is computed from the version in force on the day of its
last inspection and kept in its own column, so due and overdue lists are one indexed range
query on the equipment table. The legal clocks (use registration, hazard removal,
rectification, re-check) are kernel clocks (core.clock_services) declared by workflow.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, ClassVar

from django.db import models
from django.urls import reverse

from regulus.core import clock
from regulus.core.auditwords import AuditKey, division_text
from regulus.core.scope import ScopedQuerySet

# Tag codes: 10 characters of an alphabet without look-alikes (0/O, 1/I/L), printed on the
# tag under its QR code so that someone without a phone can type it in.
TAG_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TAG_LENGTH = 10


def new_tag_code() -> str:
    return "".join(secrets.choice(TAG_ALPHABET) for _ in range(TAG_LENGTH))


class Category(models.TextChoices):
    """The catalogue's categories with their codes (domain.md §7; 客运索道's code is
    unconfirmed there and follows the 2014 catalogue)."""

    BOILER = "1000", "锅炉"
    PRESSURE_VESSEL = "2000", "压力容器"
    LIFT = "3000", "电梯"
    CRANE = "4000", "起重机械"
    VEHICLE = "5000", "场（厂）内专用机动车辆"
    RIDE = "6000", "大型游乐设施"
    PIPING = "8000", "压力管道"
    ROPEWAY = "9000", "客运索道"


# The first character of a use-registration number by category (TSG 08-2017 附件A).
REGISTRATION_PREFIX = {
    Category.BOILER: "锅",
    Category.PRESSURE_VESSEL: "容",
    Category.LIFT: "梯",
    Category.CRANE: "起",
    Category.VEHICLE: "车",
    Category.RIDE: "游",
    Category.PIPING: "管",
    Category.ROPEWAY: "索",
}


class IntervalRule(models.Model):
    """A version of a category's periodic-inspection interval, from a date on."""

    category = models.CharField("设备类别", max_length=4, choices=Category.choices)
    months = models.PositiveSmallIntegerField("检验周期（月）")
    effective_from = models.DateField("施行日期")
    legal_basis = models.CharField("依据", max_length=300)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "检验周期"
        verbose_name_plural = "检验周期"
        ordering = ["category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="equipment_interval_once"
            ),
            models.CheckConstraint(
                condition=models.Q(months__gte=1), name="equipment_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_category_display()}：{self.months}个月（{self.effective_from:%Y-%m-%d}起）"
        )


class Compound(models.Model):
    """A residential compound (小区): where lifts stand, and what a lift campaign covers."""

    name = models.CharField("小区名称", max_length=100)
    district_code = models.CharField("所属区县", max_length=6)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="监管单位"
    )
    address = models.CharField("地址", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "住宅小区"
        verbose_name_plural = "住宅小区"
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name"], name="compound_once")
        ]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", "在用"
        STOPPED = "stopped", "停用"
        SCRAPPED = "scrapped", "报废"

    class Result(models.TextChoices):
        PASSED = "passed", "合格"
        PASSED_AFTER_REPAIR = "passed_after_repair", "复检合格"
        FAILED = "failed", "不合格"

    tag_code = models.CharField("标签码", max_length=16, unique=True, default=new_tag_code)
    category = models.CharField("设备类别", max_length=4, choices=Category.choices)
    kind = models.CharField("设备品种", max_length=40, blank=True)
    registration_number = models.CharField(
        "使用登记证编号", max_length=30, null=True, blank=True, unique=True
    )
    factory_number = models.CharField("出厂编号", max_length=40, blank=True)
    using_entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, related_name="+", verbose_name="使用单位"
    )
    maintenance_entity = models.ForeignKey(
        "registry.Entity",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="维护保养单位",
    )
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="监管单位"
    )
    district_code = models.CharField("所在区县", max_length=6)
    address = models.CharField("设置地点", max_length=200, blank=True)
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="equipment",
        null=True,
        blank=True,
        verbose_name="所在小区",
    )
    make = models.CharField("制造单位", max_length=100, blank=True)
    model_name = models.CharField("型号", max_length=60, blank=True)
    made_year = models.PositiveSmallIntegerField("制造年份", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.IN_USE)
    first_used_on = models.DateField("投入使用日期", null=True, blank=True)
    registered_on = models.DateField("使用登记日期", null=True, blank=True)
    last_inspected_on = models.DateField("上次检验日期", null=True, blank=True)
    last_result = models.CharField("检验结论", max_length=20, choices=Result.choices, blank=True)
    next_due_on = models.DateField("下次检验日期", null=True, blank=True)
    overdue = models.BooleanField("超期未检", default=False)
    last_maintained_on = models.DateField("上次维保日期", null=True, blank=True)
    maintenance_overdue = models.BooleanField("维保超期", default=False)
    # The use-registration clock's date (the workflow's main clock; None once registered).
    registration_deadline = models.DateField("使用登记期限", null=True, blank=True)
    registration_deadline_provisional = models.BooleanField(default=False)
    created_at = models.DateTimeField("登记时间", default=clock.now)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None  # set by equipment.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "district_code": AuditKey(show=division_text),
        "count": AuditKey("台数"),
        "registration_deadline_provisional": AuditKey("登记期限暂定"),
        # core.workflow records a transition's change under "state" whatever the field's
        # name (here status).
        "state": AuditKey("状态", show=lambda v: str(dict(Equipment.Status.choices).get(v, v))),
    }

    class Meta:
        verbose_name = "特种设备"
        verbose_name_plural = "特种设备"
        indexes = [
            # The district lists: due within a window / overdue, by next due date.
            models.Index(
                fields=["district_code", "status", "next_due_on", "id"], name="eq_district_due"
            ),
            models.Index(fields=["unit", "status", "next_due_on", "id"], name="eq_unit_due"),
            # The nightly sweep: in use, not yet flagged, past its date.
            models.Index(fields=["status", "overdue", "next_due_on"], name="eq_sweep"),
            models.Index(fields=["using_entity", "category"], name="eq_using_entity"),
            models.Index(fields=["compound", "status"], name="eq_compound"),
            models.Index(
                fields=["category", "status", "maintenance_overdue", "last_maintained_on"],
                name="eq_maintenance",
            ),
        ]

    def __str__(self) -> str:
        number = self.registration_number or "未登记"
        return f"{self.get_category_display()} {number}"

    def get_absolute_url(self) -> str:
        return reverse("equipment:equipment_detail", args=[self.pk])

    def public_status(self, today: dt.date | None = None) -> str:
        """What the tag page says: stopped / scrapped, overdue, or in date."""
        if self.status != self.Status.IN_USE:
            return self.status
        today = today or clock.today()
        if self.next_due_on is None or self.next_due_on < today:
            return "overdue"
        return "valid"


class Inspection(models.Model):
    """A periodic inspection's result as the inspection body reported it."""

    equipment = models.ForeignKey(
        Equipment, on_delete=models.CASCADE, related_name="inspections", verbose_name="设备"
    )
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField("检验日期")
    result = models.CharField("检验结论", max_length=20, choices=Equipment.Result.choices)
    next_due_on = models.DateField("下次检验日期")
    interval_rule = models.ForeignKey(
        IntervalRule, on_delete=models.PROTECT, null=True, blank=True, verbose_name="检验周期"
    )
    agency = models.CharField("检验机构", max_length=100, blank=True)
    report_number = models.CharField("检验报告编号", max_length=40, blank=True)
    recorded_by = models.CharField("录入人", max_length=150)
    recorded_at = models.DateTimeField("录入时间", default=clock.now)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "定期检验"
        verbose_name_plural = "定期检验"
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_due_on__gt=models.F("inspected_on")),
                name="inspection_due_after_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.equipment}于{self.inspected_on:%Y-%m-%d}检验"


class Maintenance(models.Model):
    """A lift's maintenance visit; `gap_days` since the one before, `late` when the gap
    exceeded the rule's interval (equipment.lift_maintenance)."""

    equipment = models.ForeignKey(
        Equipment, on_delete=models.CASCADE, related_name="maintenances", verbose_name="设备"
    )
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField("维保日期")
    maintainer = models.CharField("维保单位", max_length=200, blank=True)
    note = models.CharField("维保内容", max_length=300, blank=True)
    gap_days = models.PositiveIntegerField("距上次（日）", null=True, blank=True)
    late = models.BooleanField("超过间隔", default=False)
    recorded_by = models.CharField("录入人", max_length=150)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "维护保养"
        verbose_name_plural = "维护保养"
        ordering = ["-done_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "done_on"], name="maintenance_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.equipment}维保（{self.done_on:%Y-%m-%d}）"


class OverdueWarning(models.Model):
    """A warning the nightly sweep raised for an item past its next due date; resolved when
    an inspection is recorded. One per item and due date, so a second sweep raises none."""

    # No single-column indexes on the two keys: the unique (equipment, due_on) and the
    # (unit, resolved_on) index lead with them, and the nightly sweep inserts thousands of
    # rows at once, each index one more b-tree to update.
    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.CASCADE,
        related_name="warnings",
        verbose_name="设备",
        db_index=False,
    )
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    due_on = models.DateField("应检日期")
    raised_on = models.DateField("预警日期")
    resolved_on = models.DateField("解除日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "超期未检预警"
        verbose_name_plural = "超期未检预警"
        constraints = [models.UniqueConstraint(fields=["equipment", "due_on"], name="warning_once")]
        indexes = [models.Index(fields=["unit", "resolved_on"], name="eq_warning_open")]

    def __str__(self) -> str:
        return f"{self.equipment}超期未检（应于{self.due_on:%Y-%m-%d}前检验）"


class KeyUnit(models.Model):
    """重点单位 (Order 57; domain.md §7): an entity whose reasons put it on the key-unit list,
    which spot-check draws can weight."""

    class Reason(models.TextChoices):
        SCHOOL = "school", "学校"
        HOSPITAL = "hospital", "医院"
        STATION = "station", "车站"
        MALL = "mall", "商场"
        PARK = "park", "公园"
        ACCIDENT = "accident", "近两年发生事故"
        COMPLAINTS = "complaints", "投诉举报较多且属实"

    entity = models.OneToOneField(
        "registry.Entity", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField("列入理由", default=list)
    listed_on = models.DateField("列入日期")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "reasons": AuditKey(
            show=lambda codes: "、".join(KeyUnit.label_of(c) for c in codes or []) or "（空）",
            many=True,
        )
    }

    class Meta:
        verbose_name = "重点单位"
        verbose_name_plural = "重点单位"

    def __str__(self) -> str:
        return f"重点单位：{self.entity}"

    @classmethod
    def label_of(cls, code: str) -> str:
        return str(dict(cls.Reason.choices).get(code, code))

    def reason_labels(self) -> list[str]:
        return [self.label_of(r) for r in self.reasons]


class Campaign(models.Model):
    """专项整治: a campaign over a scope (the lifts of the central districts' compounds)."""

    number = models.CharField("编号", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    scope = models.CharField("范围", max_length=300)
    category = models.CharField("设备类别", max_length=4, choices=Category.choices)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="组织单位"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    compounds = models.ManyToManyField(Compound, related_name="campaigns", verbose_name="小区")
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    audit_keys: ClassVar[dict[str, AuditKey]] = {"compounds": AuditKey("小区数")}

    class Meta:
        verbose_name = "专项整治"
        verbose_name_plural = "专项整治"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("equipment:campaign_detail", args=[self.pk])


class FieldCheck(models.Model):
    """现场监督检查 of a producing or using unit."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", "常规监督检查"
        SPECIAL = "special", "专项监督检查"
        POST_LICENCE = "post_licence", "证后监督检查"
        SPOT = "spot", "双随机抽查"

    class Outcome(models.TextChoices):
        NO_PROBLEM = "no_problem", "未发现问题"
        HAZARDS = "hazards", "发现隐患"

    number = models.CharField("检查编号", max_length=30, unique=True)
    entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, related_name="+", verbose_name="被检查单位"
    )
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="检查单位"
    )
    kind = models.CharField("检查类型", max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="checks",
        null=True,
        blank=True,
        verbose_name="专项整治",
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="checks"
    )
    checked_on = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=150)
    items = models.JSONField("检查项目", default=list)
    findings = models.TextField("检查情况", blank=True)
    outcome = models.CharField("检查结论", max_length=20, choices=Outcome.choices)
    equipment = models.ManyToManyField(Equipment, related_name="checks", blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    audit_keys: ClassVar[dict[str, AuditKey]] = {"hazards": AuditKey("发现隐患数")}

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["entity", "kind", "checked_on"], name="eq_check_entity"),
            models.Index(fields=["unit", "checked_on"], name="eq_check_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.entity.name}"

    def get_absolute_url(self) -> str:
        return reverse("equipment:check_detail", args=[self.number])


class Hazard(models.Model):
    """事故隐患 found by a check, tracked to its removal on the removal clock."""

    class State(models.TextChoices):
        OPEN = "open", "待消除"
        REMOVED = "removed", "已消除"

    class Level(models.TextChoices):
        ORDINARY = "ordinary", "一般隐患"
        MAJOR = "major", "重大隐患"

    field_check = models.ForeignKey(
        FieldCheck, on_delete=models.CASCADE, related_name="hazards", verbose_name="现场检查"
    )
    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.PROTECT,
        related_name="hazards",
        null=True,
        blank=True,
        verbose_name="设备",
    )
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    description = models.CharField("隐患描述", max_length=300)
    level = models.CharField("等级", max_length=10, choices=Level.choices)
    removal_days = models.PositiveSmallIntegerField("消除期限（日）")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    found_on = models.DateField("发现日期")
    removed_on = models.DateField("消除日期", null=True, blank=True)
    escalated = models.BooleanField("已移送执法", default=False)
    deadline = models.DateField("消除期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None  # set by equipment.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {"deadline_provisional": AuditKey("期限暂定")}

    class Meta:
        verbose_name = "事故隐患"
        verbose_name_plural = "事故隐患"
        ordering = ["found_on", "id"]
        indexes = [models.Index(fields=["unit", "state", "deadline"], name="eq_hazard_open")]

    def __str__(self) -> str:
        return f"隐患：{self.description[:30]}"


class Order(models.Model):
    """指令书: 责令整改 (rectify) or 停运 (stop), with its clocks.

    issued ──report (the unit reports it rectified; the re-check clock starts)──▶ reported
    reported ──recheck_pass──▶ closed (rectify) / passed (stop: may now be lifted)
    reported ──recheck_fail──▶ issued (the rectification clock starts again)
    passed ──lift──▶ lifted (stop only: the equipment is in use again)
    """

    class Kind(models.TextChoices):
        RECTIFY = "rectify", "责令整改"
        STOP = "stop", "责令停止使用"

    class State(models.TextChoices):
        ISSUED = "issued", "整改中"
        REPORTED = "reported", "待复查"
        PASSED = "passed", "复查合格待解除"
        CLOSED = "closed", "已复查合格"
        LIFTED = "lifted", "已解除停用"

    number = models.CharField("指令书编号", max_length=30, unique=True)
    kind = models.CharField("指令类型", max_length=10, choices=Kind.choices)
    field_check = models.ForeignKey(
        FieldCheck, on_delete=models.PROTECT, related_name="orders", verbose_name="现场检查"
    )
    entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    equipment = models.ManyToManyField(Equipment, related_name="orders", blank=True)
    hazards = models.ManyToManyField(Hazard, related_name="orders", blank=True)
    requirement = models.CharField("整改要求", max_length=500)
    rectify_days = models.PositiveSmallIntegerField("整改期限（日）")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ISSUED)
    issued_on = models.DateField("下达日期")
    reported_on = models.DateField("整改报告日期", null=True, blank=True)
    rechecked_on = models.DateField("复查日期", null=True, blank=True)
    recheck_passed = models.BooleanField("复查合格", null=True, blank=True)
    deadline = models.DateField("当前期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    workflow: Any = None  # set by equipment.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {"deadline_provisional": AuditKey("期限暂定")}

    class Meta:
        verbose_name = "监察指令"
        verbose_name_plural = "监察指令"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["unit", "state", "deadline"], name="eq_order_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}指令书 {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("equipment:order_detail", args=[self.number])
