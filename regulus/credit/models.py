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
