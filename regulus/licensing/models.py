"""一件事一次办: the matter catalogue, bundles, applications, commitments and certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from regulus.core.auditwords import EMPTY, AuditKey, division_text
from regulus.core.crypto import EncryptedTextField
from regulus.core.files import AttachmentFields
from regulus.core.models import OrgUnit
from regulus.core.scope import ScopedQuerySet
from regulus.registry.rules import industry_code_error


class EntityKindChoice(models.TextChoices):
    # Mirrors regulus.registry.models.EntityKind (kept as values so the catalogue is plain data).
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"


def _kinds_text(codes: Any) -> str:
    labels = dict(EntityKindChoice.choices)
    if not codes:
        return "不限"
    if isinstance(codes, str):
        return str(labels.get(codes, codes))
    return "、".join(str(labels.get(c, c)) for c in codes)


class Matter(models.Model):
    """One item of the matter catalogue (事项清单)."""

    class Treatment(models.TextChoices):
        REGISTRATION = "registration", "登记"
        PERMIT = "permit", "许可"
        FILING = "filing", "备案"

    code = models.CharField("事项编码", max_length=30, unique=True)
    name = models.CharField("事项名称", max_length=100)
    department = models.CharField("主管科室", max_length=50, blank=True)
    treatment = models.CharField("办理方式", max_length=20, choices=Treatment.choices)
    legal_basis = models.TextField("设定依据", blank=True)
    permit_item = models.CharField(
        "证载许可项目",
        max_length=200,
        blank=True,
        help_text="多证合一证书上列出的许可（备案）项目",
    )
    commitment_allowed = models.BooleanField("可告知承诺", default=False)
    commitment_conditions = models.TextField("承诺条件", blank=True)
    onsite_check_required = models.BooleanField("需现场核查", default=False)
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True)
    entity_kinds = models.JSONField("适用主体类型", default=list, blank=True)
    creates_entity = models.BooleanField("设立登记（产生新主体）", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    materials: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "MaterialType", through="MatterMaterial", related_name="matters", verbose_name="申请材料"
    )

    # The kinds a matter applies to are stored as codes: the log shows their names.
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "entity_kinds": AuditKey(show=lambda codes: _kinds_text(codes), many=True)
    }

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项清单"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, kind: str) -> bool:
        return not self.entity_kinds or kind in self.entity_kinds

    def entity_kinds_display(self) -> str:
        labels = dict(EntityKindChoice.choices)
        return "、".join(labels.get(k, k) for k in self.entity_kinds) or "不限"

    def rule_on(self, day: dt.date) -> MatterRule | None:
        """The time limits in force on the day (the latest rule effective on or before it)."""
        return self.rules.filter(effective_from__lte=day).order_by("-effective_from").first()


class MatterRule(models.Model):
    """The time limits of a matter from a date on. An application copies the rule in force on
    the day it is submitted, so a later change never moves its deadlines."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="rules")
    effective_from = models.DateField("生效日期")
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    verification_days = models.PositiveSmallIntegerField(
        "告知承诺后置核查期限（工作日）", default=30
    )
    # The steps' own limits. The defaults only seed a new rule; the rule in force decides.
    acceptance_days = models.PositiveSmallIntegerField(
        "受理时限（工作日）",
        default=5,
        help_text="收到申请后作出受理决定或一次性告知补正的期限"
        "（《行政许可法》第三十二条：五日内）",
    )
    issue_days = models.PositiveSmallIntegerField(
        "制证时限（工作日）",
        default=1,
        help_text="准予许可后制发证照的期限（本局服务承诺；"
        "《行政许可法》第四十四条：决定之日起十日内颁发、送达）",
    )
    delivery_days = models.PositiveSmallIntegerField(
        "送达时限（工作日）",
        default=3,
        help_text="制发证照后送达申请人的期限（本局服务承诺）",
    )
    rectification_days = models.PositiveSmallIntegerField(
        "整改期限（工作日）",
        default=10,
        help_text="告知承诺后置核查发现承诺不实、责令整改的期限",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    audit_keys: ClassVar[dict[str, AuditKey]] = {"matter": AuditKey("事项")}

    class Meta:
        verbose_name = "事项时限规则"
        verbose_name_plural = "事项时限规则"
        ordering = ["matter", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "effective_from"], name="matter_rule_once"),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("statutory_days")),
                name="matter_rule_promised_within_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter} 自{self.effective_from}"

    @classmethod
    def day_field(cls, name: str) -> models.Field[Any, Any]:
        """One of RULE_DAY_FIELDS, for its verbose name and help text."""
        field = cls._meta.get_field(name)
        assert isinstance(field, models.Field)
        return field


# A rule's day counts (working days), in the order the staff form shows them.
RULE_DAY_FIELDS = (
    "statutory_days",
    "promised_days",
    "verification_days",
    "acceptance_days",
    "issue_days",
    "delivery_days",
    "rectification_days",
)


class MaterialType(models.Model):
    """A kind of document, with a shared key: one upload serves every matter that asks for it."""

    class Form(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        BOTH = "both", "原件及复印件"
        ELECTRONIC = "electronic", "电子材料"

    key = models.SlugField("共享材料编码", max_length=50, unique=True)
    name = models.CharField("材料名称", max_length=100)
    form = models.CharField("材料形式", max_length=20, choices=Form.choices, default=Form.COPY)
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "材料"
        verbose_name_plural = "材料"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class MatterMaterial(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="matter_materials")
    material = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")
    mandatory = models.BooleanField("必交", default=True)
    condition = models.CharField("提交条件", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "事项材料"
        verbose_name_plural = "事项材料"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "material"], name="matter_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.matter}：{self.material}"


class Bundle(models.Model):
    """一件事: a named set of matters applied for with one form and one set of materials."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    icon = models.CharField("图标", max_length=40, default="shop")
    matters: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        Matter, through="BundleMatter", related_name="bundles", verbose_name="包含事项"
    )
    industry_code = models.CharField(
        "行业大类",
        max_length=2,
        blank=True,
        help_text="GB/T 4754大类代码（如零售业52、餐饮业62）：以此一件事设立的新主体登记为该行业",
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    # Its rows name the matters by their codes and the icon by its Bootstrap name: the log
    # shows their names (core.auditwords).
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "matters": AuditKey(show=lambda codes: _matter_names(codes), many=True),
        "icon": AuditKey(show=lambda icon: _icon_name(icon)),
    }

    class Meta:
        verbose_name = "一件事套餐"
        verbose_name_plural = "一件事套餐"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        error = industry_code_error(self.industry_code)
        if error:
            raise ValidationError({"industry_code": error})


def _matter_names(codes: Any) -> str:
    if not codes:
        return EMPTY
    names = dict(Matter.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(names.get(code, code) for code in codes)


def _icon_name(icon: Any) -> str:
    from regulus.licensing.services.catalogue import BUNDLE_ICONS

    return dict(BUNDLE_ICONS).get(icon, "自定图标") if icon else EMPTY


class BundleMatter(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_matters")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "matter"], name="bundle_matter_once")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.matter_id}"


class Application(models.Model):
    """One application for a bundle (or a single matter, as a one-matter bundle)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        CORRECTION = "correction", "待补正"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        REVIEW = "review", "审查中"
        ONSITE_CHECK = "onsite_check", "联合现场核查"
        APPROVED = "approved", "准予许可"
        REFUSED = "refused", "不予许可"
        ISSUED = "issued", "已发证"
        DELIVERED = "delivered", "已送达"
        REVOKED = "revoked", "已撤销"
        WITHDRAWN = "withdrawn", "已撤回"

    class Channel(models.TextChoices):
        WINDOW = "window", "窗口"
        PORTAL = "portal", "网上申请"

    class Path(models.TextChoices):
        NORMAL = "normal", "一般程序"
        COMMITMENT = "commitment", "告知承诺"

    class Delivery(models.TextChoices):
        PICKUP = "pickup", "窗口领取"
        MAIL = "mail", "免费邮寄"

    number = models.CharField("申请编号", max_length=20, unique=True)
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, related_name="applications", verbose_name="一件事"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licensing_applications",
        verbose_name="市场主体",
    )
    applicant_name = models.CharField("主体名称", max_length=200)
    entity_kind = models.CharField("主体类型", max_length=20, choices=EntityKindChoice.choices)
    is_new_business = models.BooleanField("新设主体", default=False)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("申请人（经办人）", max_length=50)
    contact_id_number = EncryptedTextField("申请人身份证号码", blank=True, default="")
    contact_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact_phone = EncryptedTextField("联系电话", default="")
    contact_phone_hash = models.CharField(max_length=64, editable=False)
    address = models.CharField("经营场所", max_length=255)
    district_code = models.CharField("所属区县", max_length=6)
    business_scope = models.TextField("经营范围", blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="办理单位"
    )
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    path = models.CharField("办理方式", max_length=12, choices=Path.choices, default=Path.NORMAL)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED)
    # The date of the running main clock (core.clock_services keeps it): the handler's lists
    # sort and filter by it through the indexes below.
    deadline = models.DateField("当前环节期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    # Limits copied from the matters' rules in force on the day of submission (the longest of
    # the bundle's matters), so a later rule change never moves this application's deadlines.
    # The database defaults fill rows older than the step columns (the limits then in use).
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    acceptance_days = models.PositiveSmallIntegerField("受理时限（工作日）", db_default=5)
    issue_days = models.PositiveSmallIntegerField("制证时限（工作日）", db_default=1)
    delivery_days = models.PositiveSmallIntegerField("送达时限（工作日）", db_default=3)
    rectification_days = models.PositiveSmallIntegerField("整改期限（工作日）", db_default=10)
    onsite_check_required = models.BooleanField("需现场核查", default=False)
    submitted_at = models.DateTimeField("提交时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    correction_count = models.PositiveSmallIntegerField("补正次数", default=0)
    correction_notice = models.JSONField("一次性补正告知", default=list, blank=True)
    decision_note = models.TextField("决定理由", blank=True)
    commitment_signed_at = models.DateTimeField("承诺签署时间", null=True, blank=True)
    commitment_signer = models.CharField("承诺人", max_length=50, blank=True)
    commitment_text = models.TextField("承诺书内容", blank=True)
    delivery_method = models.CharField(
        "送达方式", max_length=10, choices=Delivery.choices, default=Delivery.PICKUP
    )
    delivery_address = models.CharField("邮寄地址", max_length=255, blank=True)
    tracking_number = models.CharField("快递单号", max_length=40, blank=True)
    # Counting (一次办): visits to a window, distinct materials, working days taken.
    visits = models.PositiveSmallIntegerField("跑动次数", default=0)
    materials_count = models.PositiveSmallIntegerField("材料份数", default=0)
    working_days_taken = models.PositiveSmallIntegerField(
        "办理用时（工作日）", null=True, blank=True
    )
    same_day = models.BooleanField("当天办结", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="承办人",
    )

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"
    workflow: Any = None  # set by licensing.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "district_code": AuditKey(show=division_text),
        "deadline_provisional": AuditKey("期限暂定"),
        "removed_material": AuditKey("删除的材料"),
        "removed_file": AuditKey("删除的文件"),
    }

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            # The handler's list: open items of a unit, nearest deadline first.
            # The id completes the key so that the page's ids come from the index alone
            # (an index-only scan on PostgreSQL, a covering index on SQLite).
            models.Index(
                fields=["unit", "state", "deadline", "id"], name="app_unit_state_deadline_id"
            ),
            models.Index(fields=["state", "deadline"], name="app_state_deadline"),
            models.Index(fields=["unit", "submitted_at"], name="app_unit_submitted"),
            models.Index(fields=["district_code", "submitted_at"], name="app_district_submitted"),
            models.Index(fields=["submitted_at"], name="app_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("licensing:application_detail", args=[self.number])

    @property
    def is_commitment(self) -> bool:
        return self.path == self.Path.COMMITMENT


class ApplicationItem(models.Model):
    """A matter of the application, with the limits copied on submission."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="items")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    rule_effective_from = models.DateField("所依规则生效日期")
    statutory_days = models.PositiveSmallIntegerField("法定时限")
    promised_days = models.PositiveSmallIntegerField("承诺时限")
    verification_days = models.PositiveSmallIntegerField("后置核查期限")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "matter"], name="app_item_once")
        ]

    def __str__(self) -> str:
        return str(self.matter)


class ApplicationMaterial(AttachmentFields):
    """A file the applicant gave, for one shared material key (serves every matter asking)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["material__key", "uploaded_at"]
        indexes = [models.Index(fields=["application", "material"], name="app_material_idx")]

    def __str__(self) -> str:
        return f"{self.material}：{self.original_name}"


class JointCheck(models.Model):
    """联合一次核查: ONE visit covering every matter of the application."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="joint_check"
    )
    scheduled_on = models.DateField("核查日期")
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name="核查人员"
    )
    departments = models.CharField("参加科室", max_length=300, blank=True)
    result = models.CharField(
        "核查结论", max_length=20, blank=True, choices=[("pass", "符合"), ("fail", "不符合")]
    )
    findings = models.TextField("核查记录", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "联合现场核查"
        verbose_name_plural = "联合现场核查"

    def __str__(self) -> str:
        return f"{self.application.number} {self.scheduled_on}"


class Certificate(models.Model):
    """多证合一: one certificate listing every permitted item of the application."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已撤销"

    number = models.CharField("证书编号", max_length=30, unique=True)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="certificate"
    )
    entity = models.ForeignKey(
        "registry.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField("持证主体", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    address = models.CharField("经营场所", max_length=255, blank=True)
    items = models.JSONField("许可项目", default=list)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    issuing_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    issuing_unit_name = models.CharField("发证机关", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销理由", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "issuing_unit"

    class Meta:
        verbose_name = "证书"
        verbose_name_plural = "证书"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number

    def public_status(self, today: dt.date) -> str:
        """valid / revoked / expired, as the portal's verification shows it."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.valid_until and self.valid_until < today:
            return "expired"
        return "valid"


class VerificationTask(models.Model):
    """后置核查: after a commitment-path issuance, check that the commitment was true."""

    class State(models.TextChoices):
        PENDING = "pending", "待核查"
        PASSED = "passed", "核查属实"
        RECTIFYING = "rectifying", "责令整改中"
        RECTIFIED = "rectified", "整改到位"
        REVOKED = "revoked", "已撤销许可"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="verification"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    deadline = models.DateField("核查期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    created_at = models.DateTimeField("创建时间")
    findings = models.TextField("核查情况", blank=True)
    rectification_order = models.TextField("整改要求", blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"
    workflow: Any = None
    audit_keys: ClassVar[dict[str, AuditKey]] = {"deadline_provisional": AuditKey("期限暂定")}

    class Meta:
        verbose_name = "后置核查"
        verbose_name_plural = "后置核查"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["unit", "state", "deadline"], name="verif_unit_state")]

    def __str__(self) -> str:
        return f"后置核查 {self.application.number}"
