"""投诉举报件 (12315 items) and the rule versions they are handled under.

An item keeps the rule version in force on the day it was received (RuleVersion, effective
dated, seeded by migration 0002): its refusal grounds, and through the workflow's clocks
(ClockSpec.rule_day) the periods of the ClockRule versions in force that day.

Personal data of the complainant or reporter (name, phone, ID number) is stored SM4-encrypted
(core.crypto) with keyed hashes for exact lookups; lists and exports show it masked, the
item's page unmasked only to holders of complaints.identity_view, and each such view is
audited (services.identity_reveal).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from regulus.core.auditwords import AuditKey, division_text
from regulus.core.crypto import EncryptedTextField
from regulus.core.masking import mask_phone
from regulus.core.models import OrgUnit
from regulus.core.scope import ScopedQuerySet


class RuleVersion(models.Model):
    """A version of the rules on complaints and reports (Order 20, Order 121), in force from
    valid_from to valid_to (both included; valid_to None: until replaced). Its periods are
    the ClockRule versions of the same dates (codes complaints.*); `unconfirmed` names the
    figures carried over until the official text confirms them (shown 待核实)."""

    code = models.CharField("规则编码", max_length=20, unique=True)
    name = models.CharField("规章名称", max_length=100)
    valid_from = models.DateField("施行日期")
    valid_to = models.DateField("废止日期", null=True, blank=True)
    refusal_grounds = models.JSONField("不予受理情形", default=list)
    unconfirmed = models.JSONField("待核实事项", default=list, blank=True)
    source = models.CharField("依据说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "投诉举报规则版本"
        verbose_name_plural = "投诉举报规则版本"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def in_force(cls, day: dt.date) -> RuleVersion | None:
        return cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()

    def ground_label(self, code: str) -> str:
        for ground in self.refusal_grounds:
            if ground.get("code") == code:
                return str(ground.get("label", code))
        return code


class Item(models.Model):
    """One complaint, report, enquiry or suggestion, from any door."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "投诉"
        REPORT = "report", "举报"
        ENQUIRY = "enquiry", "咨询"
        SUGGESTION = "suggestion", "建议"

    class Channel(models.TextChoices):
        PHONE = "phone", "热线电话"
        PORTAL = "portal", "网上投诉举报"
        WINDOW = "window", "窗口来访"
        LETTER = "letter", "来信"
        PARTNER = "partner", "平台转办"

    class Line(models.TextChoices):
        L12315 = "12315", "12315"
        L12331 = "12331", "12331（食品药品）"
        L12365 = "12365", "12365（质量技术）"
        L12358 = "12358", "12358（价格）"
        L12330 = "12330", "12330（知识产权）"
        L12345 = "12345", "12345（政务服务便民热线）"

    class Category(models.TextChoices):
        FOOD = "food", "食品"
        DRUG = "drug", "药品"
        DEVICE = "device", "医疗器械、化妆品"
        SPECIAL_EQUIPMENT = "special_equipment", "特种设备"
        PRICE = "price", "价格"
        IP = "ip", "知识产权"
        ADVERTISING = "advertising", "广告"
        PRODUCT_QUALITY = "product_quality", "产品质量"
        CONTRACT = "contract", "合同与消费服务"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        REGISTERED = "registered", "待分派"
        PENDING = "pending", "待受理"
        MEDIATING = "mediating", "调解中"
        VERIFYING = "verifying", "核查中"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        MEDIATED = "mediated", "调解成功"
        MEDIATION_FAILED = "mediation_failed", "调解不成"
        TERMINATED = "terminated", "终止调解"
        CLUE = "clue", "移交立案线索"
        NO_CASE = "no_case", "核查不予立案"
        ANSWERED = "answered", "已答复"
        REFERRED = "referred", "已移送其他部门"
        # 12315 ODR: the business settles with the consumer first (domain.md §4).
        ODR = "odr", "经营者和解中"
        ODR_SETTLED = "odr_settled", "和解成功（ODR）"

    class OdrResult(models.TextChoices):
        SETTLED = "settled", "和解成功"
        FAILED = "failed", "经营者反馈未和解"
        STAFF_FAILED = "staff_failed", "工作人员登记未和解"
        LEFT = "left", "消费者不再和解"
        EXPIRED = "expired", "经营者逾期未和解"

    number = models.CharField("受理编号", max_length=20, unique=True)
    query_code_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices)
    line = models.CharField("来源热线", max_length=6, choices=Line.choices, default=Line.L12315)
    category = models.CharField("所属领域", max_length=20, choices=Category.choices)
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="+", verbose_name="适用规则"
    )
    received_at = models.DateTimeField("登记时间")
    received_on = models.DateField("收到日期")
    anonymous = models.BooleanField("匿名", default=False)
    person_name = EncryptedTextField("投诉举报人姓名", blank=True, default="")
    person_phone = EncryptedTextField("联系电话", blank=True, default="")
    person_phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    person_id_number = EncryptedTextField("身份证号码", blank=True, default="")
    person_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    respondent_name = models.CharField("被投诉举报对象", max_length=200)
    respondent_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    entity = models.ForeignKey(
        "registry.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记的市场主体",
    )
    place = models.CharField("发生地点", max_length=255, blank=True)
    district_code = models.CharField("所属区县", max_length=6)
    amount_fen = models.PositiveBigIntegerField("涉及金额（分）", null=True, blank=True)
    facts = models.TextField("事实与理由")
    request_text = models.TextField("诉求", blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REGISTERED)
    deadline = models.DateField("当前环节期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    dispatched_at = models.DateTimeField("分派时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_in_time = models.BooleanField("按期办结", null=True, blank=True)
    returned_note = models.CharField("退回理由", max_length=300, blank=True)
    referred_to = models.CharField("移送的部门", max_length=100, blank=True)
    refusal_ground = models.CharField("不予受理情形", max_length=30, blank=True)
    decision_note = models.TextField("处理结果", blank=True)
    substantiated = models.BooleanField("投诉属实", null=True, blank=True)
    money_recovered_fen = models.PositiveBigIntegerField(
        "挽回经济损失（分）", null=True, blank=True
    )
    rating = models.PositiveSmallIntegerField("满意度评价", null=True, blank=True)
    rating_note = models.CharField("评价意见", max_length=300, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # The first item of the same complainant against the same respondent on the same matter
    # (category) within REPEAT_DAYS: a repeat is linked to it (Order 121: repeats may be merged).
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name="重复件所属首件",
    )
    # A mixed filing (Order 20 Art 7): the report split off a complaint runs its own track,
    # linked to the complaint it came with.
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_reports",
        verbose_name="拆分自投诉",
    )
    # ODR (在线消费纠纷解决): the consumer agrees that the business, an ODR member, settles
    # with them directly first; the member, and how the ODR ended.
    odr_consent = models.BooleanField("同意经营者先行和解", default=False)
    odr_member = models.ForeignKey(
        "OdrMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name="在线消费纠纷解决单位",
    )
    odr_result = models.CharField(
        "经营者和解结果", max_length=12, choices=OdrResult.choices, blank=True
    )
    odr_note = models.TextField("经营者和解情况", blank=True)
    odr_answered_at = models.DateTimeField("和解结果登记时间", null=True, blank=True)
    odr_answered_by = models.CharField("和解结果登记人", max_length=150, blank=True)
    idempotency_key = models.CharField(
        "幂等键", max_length=80, null=True, blank=True, unique=True, editable=False
    )
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
    workflow: Any = None  # set by complaints.workflow
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "district_code": AuditKey(show=division_text),
        "deadline_provisional": AuditKey("期限暂定"),
    }

    class Meta:
        verbose_name = "投诉举报件"
        verbose_name_plural = "投诉举报件"
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["unit", "state", "deadline", "id"], name="cmp_unit_state_deadline_id"
            ),
            models.Index(fields=["state", "deadline"], name="cmp_state_deadline"),
            models.Index(fields=["unit", "received_at"], name="cmp_unit_received"),
            models.Index(fields=["district_code", "received_on"], name="cmp_district_received"),
            models.Index(fields=["received_on"], name="cmp_received"),
            models.Index(fields=["entity", "received_on"], name="cmp_entity_received"),
            # The duplicate and repeat checks of every intake: the same phone, recently.
            models.Index(fields=["person_phone_hash", "received_on"], name="cmp_phone_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="cmp_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}：{self.respondent_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("complaints:item_detail", args=[self.number])

    @property
    def refusal_ground_label(self) -> str:
        return self.rule_version.ground_label(self.refusal_ground)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


REPEAT_DAYS = 30

S = Item.State
FINAL_STATES = (
    S.NOT_ACCEPTED,
    S.MEDIATED,
    S.MEDIATION_FAILED,
    S.TERMINATED,
    S.CLUE,
    S.NO_CASE,
    S.ANSWERED,
    S.REFERRED,
    S.ODR_SETTLED,
)


class Transfer(models.Model):
    """One move of an item between units (分派, 转办, 退回), with its reason: the routing
    history."""

    class Kind(models.TextChoices):
        DISPATCH = "dispatch", "分派"
        TRANSFER = "transfer", "转办"
        RETURN = "return", "退回"

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="transfers", verbose_name="投诉举报件"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    from_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="原单位"
    )
    to_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="接收单位"
    )
    reason = models.CharField("理由", max_length=300, blank=True)
    at = models.DateTimeField("时间")
    actor_name = models.CharField("经办人", max_length=150)

    class Meta:
        verbose_name = "分派记录"
        verbose_name_plural = "分派记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.from_unit} → {self.to_unit}"


class RoutingRule(models.Model):
    """The routing table (分派规则): the unit responsible for the items of an area (the
    district of the respondent's registered place, else of the place of the act) and a
    domain; a rule without a domain covers every domain of the area. Edited by the system
    administrator; where no rule fits, the unit supervising the registered respondent, else
    the district bureau, is proposed (Order 20 Art 12)."""

    district_code = models.CharField("区县", max_length=6)
    category = models.CharField(
        "领域", max_length=20, choices=Item.Category.choices, blank=True, default=""
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.CharField("修改人", max_length=150)

    audit_keys: ClassVar[dict[str, AuditKey]] = {"district_code": AuditKey(show=division_text)}

    class Meta:
        verbose_name = "投诉举报分派规则"
        verbose_name_plural = "投诉举报分派规则"
        ordering = ["district_code", "category"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "category"], name="cmp_routing_once")
        ]

    def __str__(self) -> str:
        return f"{self.district_code} {self.get_category_display() or '全部领域'}"


class ReporterNotice(models.Model):
    """Telling a named reporter the decision on the report (Order 20 Art 31: within 5 working
    days of the decision whether to open a case; Order 121's figure unconfirmed), on the
    clock complaints.reporter_notice of the rule version of the item's receipt. Made when the
    verification ends for a report that is not anonymous; the handler records how and when
    the reporter was told."""

    class State(models.TextChoices):
        DUE = "due", "待告知"
        NOTIFIED = "notified", "已告知"

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        SMS = "sms", "短信"
        LETTER = "letter", "书面"
        ONLINE = "online", "网上（进度查询页）"

    item = models.OneToOneField(
        Item, verbose_name="举报件", on_delete=models.CASCADE, related_name="reporter_notice"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField("处理决定", max_length=200)
    decided_on = models.DateField("决定日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DUE)
    deadline = models.DateField("告知期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    channel = models.CharField("告知方式", max_length=10, choices=Channel.choices, blank=True)
    notified_on = models.DateField("告知日期", null=True, blank=True)
    notified_by = models.CharField("告知人", max_length=150, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "实名举报人告知"
        verbose_name_plural = "实名举报人告知"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["unit", "state", "deadline"], name="cmp_notice_due")]

    def __str__(self) -> str:
        return f"举报人告知 {self.item_id}"


class OdrMember(models.Model):
    """An ODR unit (ODR单位): a business that joined the 12315 platform's online consumer
    dispute resolution, so that complaints against it, with the consumer's consent, go to it
    first and it settles within the rule's period (ClockRule complaints.odr). Signed up and
    withdrawn by staff (complaints.odr_manage); a business is an active member (left_on
    None) once at a time. `unit` is the supervising unit whose staff see it (scope)."""

    entity = models.ForeignKey(
        "registry.Entity",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经营者",
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="监管单位"
    )
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    contact_name = models.CharField("和解联系人", max_length=50)
    contact_phone = EncryptedTextField("和解联系电话")
    note = models.CharField("说明", max_length=200, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"
    audit_keys: ClassVar[dict[str, AuditKey]] = {"contact_phone": AuditKey(show=mask_phone)}

    class Meta:
        verbose_name = "在线消费纠纷解决单位"
        verbose_name_plural = "在线消费纠纷解决单位"
        ordering = ["-joined_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"],
                condition=models.Q(left_on__isnull=True),
                name="cmp_odr_member_active_once",
            )
        ]

    def __str__(self) -> str:
        return f"ODR单位 {self.entity_id}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @classmethod
    def active_for(cls, entity_id: Any) -> OdrMember | None:
        """The entity's current membership, or None."""
        if entity_id is None:
            return None
        return cls.objects.filter(entity_id=entity_id, left_on__isnull=True).first()
