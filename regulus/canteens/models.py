"""阳光食堂: school canteens (each a registry entity, the operator of the kitchen), their
standardisation (创建 → 验收 → 达标, each dated), the 明厨亮灶 status, the 陪餐 records (a school
leader eats with the pupils) and the daily self-checks. The coverage target and the creation
target are rule versions (CoverageTarget, dated), never figures in code."""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse

from regulus.core import clock
from regulus.core.scope import ScopedQuerySet


def new_public_code() -> str:
    return secrets.token_hex(6).upper()


class Canteen(models.Model):
    class SchoolKind(models.TextChoices):
        KINDERGARTEN = "kindergarten", "幼儿园"
        PRIMARY = "primary", "小学"
        MIDDLE = "middle", "初中"
        HIGH = "high", "高中"
        NINE_YEAR = "nine_year", "九年一贯制学校"
        VOCATIONAL = "vocational", "中等职业学校"

    class Standard(models.TextChoices):
        NONE = "none", "未创建"
        CREATING = "creating", "创建中"
        ACCEPTED = "accepted", "已验收"
        COMPLIANT = "compliant", "已达标"

    class KitchenView(models.TextChoices):
        NONE = "none", "未实施"
        WINDOW = "window", "透明窗口"
        VIDEO = "video", "视频监控"
        INTERNET = "internet", "互联网+明厨亮灶"

    entity = models.OneToOneField(
        "registry.Entity", on_delete=models.PROTECT, related_name="+", verbose_name="食堂经营者"
    )
    school_name = models.CharField("学校名称", max_length=100)
    school_kind = models.CharField("学校类型", max_length=20, choices=SchoolKind.choices)
    pupils = models.PositiveIntegerField("就餐学生数")
    district_code = models.CharField("所在区县", max_length=6)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="监管单位"
    )
    standard = models.CharField(
        "标准化食堂", max_length=10, choices=Standard.choices, default=Standard.NONE
    )
    creating_on = models.DateField("创建日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    compliant_on = models.DateField("达标日期", null=True, blank=True)
    kitchen_view = models.CharField(
        "明厨亮灶", max_length=10, choices=KitchenView.choices, default=KitchenView.NONE
    )
    kitchen_view_on = models.DateField("明厨亮灶实施日期", null=True, blank=True)
    public_code = models.CharField("公示码", max_length=12, unique=True, default=new_public_code)
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "学校食堂"
        verbose_name_plural = "学校食堂"
        indexes = [
            models.Index(fields=["district_code", "kitchen_view"], name="canteen_district_view"),
            models.Index(fields=["unit", "standard"], name="canteen_unit_standard"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(pupils__gte=1), name="canteen_has_pupils")
        ]

    def __str__(self) -> str:
        return f"{self.school_name}食堂"

    def get_absolute_url(self) -> str:
        return reverse("canteens:canteen_detail", args=[self.pk])


class AccompaniedMeal(models.Model):
    """陪餐: a school leader ate with the pupils and recorded what they found."""

    class Meal(models.TextChoices):
        BREAKFAST = "breakfast", "早餐"
        LUNCH = "lunch", "午餐"
        DINNER = "dinner", "晚餐"

    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="meals")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("陪餐日期")
    meal = models.CharField("餐次", max_length=10, choices=Meal.choices)
    leader_role = models.CharField("陪餐人职务", max_length=30)
    opinion = models.CharField("陪餐意见", max_length=300, blank=True)
    problem_found = models.BooleanField("发现问题", default=False)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "陪餐记录"
        verbose_name_plural = "陪餐记录"
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["canteen", "on", "meal"], name="meal_once")]

    def __str__(self) -> str:
        return f"{self.canteen}陪餐（{self.on:%Y-%m-%d}{self.get_meal_display()}）"


class SelfCheck(models.Model):
    """The canteen's daily self-check: how many items were checked and failed."""

    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="self_checks")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("自查日期")
    items_checked = models.PositiveSmallIntegerField("检查项数")
    items_failed = models.PositiveSmallIntegerField("不符合项数", default=0)
    problems = models.CharField("问题及整改", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "每日自查"
        verbose_name_plural = "每日自查"
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "on"], name="self_check_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(items_failed__lte=models.F("items_checked")),
                name="self_check_failed_within_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.canteen}自查（{self.on:%Y-%m-%d}）"

    @property
    def passed(self) -> bool:
        return self.items_failed == 0


class CoverageTarget(models.Model):
    """A version of the targets: the share of school kitchens under 明厨亮灶 (percent) and
    the number of standardised canteens to have by a year, from a date on."""

    effective_from = models.DateField("施行日期", unique=True)
    kitchen_view_percent = models.PositiveSmallIntegerField("明厨亮灶覆盖率目标（%）")
    standard_target = models.PositiveIntegerField("标准化食堂创建目标（家）")
    target_year = models.PositiveSmallIntegerField("目标年度")
    basis = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "食堂目标"
        verbose_name_plural = "食堂目标"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kitchen_view_percent__lte=100), name="target_percent_max"
            )
        ]

    def __str__(self) -> str:
        percent, year = self.kitchen_view_percent, self.target_year
        return f"明厨亮灶{percent}%，{year}年前创建{self.standard_target}家"
