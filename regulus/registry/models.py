"""Market entities (市场主体): the shared subject of every other app."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.db import models

from regulus.core.auditwords import EMPTY, AuditKey, division_text
from regulus.core.crypto import EncryptedTextField
from regulus.core.models import OrgUnit
from regulus.core.scope import ScopedQuerySet


class EntityKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"


class EntityStatus(models.TextChoices):
    ACTIVE = "active", "存续（在业）"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "注销"
    MOVED_OUT = "moved_out", "迁出"


class RiskClass(models.TextChoices):
    A = "A", "A类（低风险）"
    B = "B", "B类（一般风险）"
    C = "C", "C类（较高风险）"
    D = "D", "D类（高风险）"


class Entity(models.Model):
    # Unique through Meta.constraints, not unique=True: on PostgreSQL a field-level unique
    # CharField also gets a varchar_pattern_ops "_like" index, which nothing here uses and
    # which every insert pays for (an import of 100,000 rows: ~8 % of its time).
    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("主体类型", max_length=20, choices=EntityKind.choices)
    sub_kind = models.CharField("类型细分", max_length=40, blank=True)
    legal_rep_name = models.CharField("法定代表人/经营者", max_length=50, blank=True)
    legal_rep_id_number = EncryptedTextField("法定代表人证件号码", blank=True, default="")
    legal_rep_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    registered_capital = models.DecimalField(
        "注册资本（万元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    established_on = models.DateField("成立日期")
    business_scope = models.TextField("经营范围", blank=True)
    industry_section = models.CharField("行业门类", max_length=1, blank=True)
    industry_code = models.CharField("行业大类", max_length=2, blank=True)
    registration_authority = models.CharField("登记机关", max_length=100, blank=True)
    district_code = models.CharField("所属区县", max_length=6)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="监管单位",
        on_delete=models.PROTECT,
        related_name="entities",
        db_index=False,  # entity_unit_status_idx starts with unit_id and serves the key
    )
    address = models.CharField("住所（经营场所）", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    status = models.CharField(
        "登记状态", max_length=20, choices=EntityStatus.choices, default=EntityStatus.ACTIVE
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    risk_class = models.CharField(
        "信用风险分类", max_length=1, choices=RiskClass.choices, blank=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"
    # The operation log's words for what its rows carry beyond the plain fields: an import's
    # and an export's figures, a search's filters (core.auditwords).
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "legal_rep_id_hash": AuditKey("法定代表人证件号码", show=lambda v: _id_number_text(v)),
        "district_code": AuditKey(show=division_text),
        "industry_section": AuditKey(show=lambda v: _industry_section_text(v)),
        "rows": AuditKey("数据行数"),
        "created": AuditKey("新增户数"),
        "updated": AuditKey("更新户数"),
        "changed": AuditKey("其中有变化"),
        "bad_rows": AuditKey("错误行数"),
        "errors": AuditKey("错误数"),
        "mode": AuditKey("导入方式", show=lambda v: dict(ImportJob.Mode.choices).get(v, v)),
        "filters": AuditKey("查询条件", show=lambda v: _filters_text(v)),
        "risk_changed": AuditKey("信用风险分类变更户数"),
        "risk_moves": AuditKey("分类变化", show=lambda v: _moves_text(v)),
    }

    class Meta:
        verbose_name = "市场主体"
        verbose_name_plural = "市场主体"
        # Every index costs each insert of an import (bench/README.md: 2–10 µs a row each at
        # 1M entities), so there is none that no query uses. A search by the legal
        # representative's name goes through the search index (search.person_token).
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                name="entity_uscc_unique",
                violation_error_message="该统一社会信用代码已登记",
            ),
        ]
        indexes = [
            # Grouped counts by district × kind × status need a matching composite index
            # (perf-notes trap 6).
            models.Index(fields=["district_code", "kind", "status"], name="entity_dks_idx"),
            models.Index(fields=["unit", "status"], name="entity_unit_status_idx"),
            models.Index(fields=["established_on"], name="entity_established_idx"),
            # The index of legal_rep_id_hash (a person's entities by ID number, the number itself
            # being encrypted) is made by raw SQL per engine: on PostgreSQL a hash index
            # (migration 0004: equality is its only use; a B-tree of random 64-character keys
            # costs an import 13 µs a row, a hash index 6), on SQLite a B-tree of the first 16
            # hex digits (migration 0007; queries go through selectors.with_id_hash).
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("registry:entity_detail", args=[self.uscc])

    @property
    def district_name(self) -> str:
        from regulus.core.ids import division_name

        return division_name(self.district_code) or self.district_code


def _id_number_text(value: Any) -> str:
    """The keyed hash that stands for the ID number is never shown: a row that holds one says
    the number was given; a change row holds the new number masked."""
    if not value:
        return EMPTY
    return "已填写" if re.fullmatch(r"[0-9a-f]{64}", str(value)) else str(value)


def _industry_section_text(section: Any) -> str:
    from regulus.registry.rules import INDUSTRY_SECTIONS

    found = INDUSTRY_SECTIONS.get(str(section or ""))
    return f"{section} {found[0]}" if found else (str(section) if section else EMPTY)


def _moves_text(value: Any) -> str:
    """{"C类→A类": 3, ...} as "C类→A类 3户；…" (a batch change of risk classes)."""
    if not isinstance(value, dict):
        return str(value)
    return "；".join(f"{move} {count}户" for move, count in value.items())


def _filters_text(filters: Any) -> str:
    from regulus.registry.selectors import filters_text

    return filters_text(filters) if isinstance(filters, dict) else str(filters or EMPTY)


class EntityFormerName(models.Model):
    """A name the entity held before; kept so that a search by the old name still finds it."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField("曾用名", max_length=200)
    used_until = models.DateField("使用至")

    class Meta:
        verbose_name = "曾用名"
        verbose_name_plural = "曾用名"
        ordering = ["-used_until"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One upload of an entity file: checked first (a dry run), then committed on request.

    A background task fills the result fields; the import page polls them with htmx. A job is
    seen only by the staff member who uploaded it (the rows it writes are scoped as usual).
    """

    class State(models.TextChoices):
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "校验完成，待确认"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已导入"
        CANCELLED = "cancelled", "已放弃"
        FAILED = "failed", "失败"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all-or-nothing", "全部正确才导入（有错则全部不导入）"
        GOOD_ROWS = "good-rows", "只导入正确的行"

    created_by = models.ForeignKey(
        "core.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    original_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField(max_length=500)
    file_size = models.BigIntegerField("文件大小", default=0)
    mode = models.CharField("导入方式", max_length=20, choices=Mode.choices, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.CHECKING)
    total_rows = models.BigIntegerField("数据行数", default=0)
    processed_rows = models.BigIntegerField("已处理行数", default=0)
    percent_done = models.PositiveSmallIntegerField("进度（%）", default=0)
    good_rows = models.BigIntegerField("正确行数", default=0)
    error_rows = models.BigIntegerField("错误行数", default=0)
    error_count = models.BigIntegerField("错误数", default=0)
    created_count = models.BigIntegerField("新增", default=0)
    updated_count = models.BigIntegerField("更新", default=0)
    changed_count = models.BigIntegerField("更新中有变化的", default=0)
    errors_preview = models.JSONField("错误（前若干条）", default=list, blank=True)
    error_report_path = models.CharField(max_length=500, blank=True)
    file_error = models.CharField("文件错误", max_length=500, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The worker's last sign of life written to the row: when the job was queued (upload,
    # confirmation), started and finished. While it runs, the import's one transaction holds
    # SQLite's write lock to its end, so the progress goes to progress.json beside the upload
    # instead, and that file's modification time is the heartbeat (registry.sweeps).
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        # The server's paths of the files removed: how many, never where.
        "deleted": AuditKey("删除的文件", show=lambda v: f"{len(v or [])}个", many=True),
        "file_size": AuditKey(show=lambda v: f"{v}字节"),
    }

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"导入{self.original_name}"

    @property
    def running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)


class PortalCode(models.Model):
    """The entity's portal code (企业填报码) the bureau issues: the business's credential on
    the public portal for its annual report, credit repair and ODR feedback. Kept only as a
    keyed hash and shown once at issue; wrong codes count, and at the limit the code is locked
    for a while (registry.portal_codes)."""

    entity = models.OneToOneField(
        Entity, verbose_name="市场主体", on_delete=models.CASCADE, related_name="portal_code"
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
        verbose_name = "企业填报码"
        verbose_name_plural = "企业填报码"

    def __str__(self) -> str:
        return f"企业填报码 {self.entity_id}"
