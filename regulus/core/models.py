"""Kernel data: the org-unit tree, staff and roles, the audit chain, the statutory calendar."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from regulus.core.auditwords import AuditKey, date_text, division_text
from regulus.core.scope import ScopedQuerySet


class OrgUnit(models.Model):
    """A unit of the bureau: the city bureau, its departments, district bureaus and stations.

    `path` is the chain of ids from the root ("/1/4/17/") so that a unit's subtree is one
    indexed prefix query; the tree is a few hundred rows, so ids of a subtree are cheap to list.
    """

    class Kind(models.TextChoices):
        CITY_BUREAU = "city", "市局"
        DEPARTMENT = "department", "科室"
        DISTRICT_BUREAU = "district", "县区局"
        STATION = "station", "市场监管所"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division_code = models.CharField("行政区划代码", max_length=6, blank=True, db_index=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    audit_keys: ClassVar[dict[str, AuditKey]] = {"division_code": AuditKey(show=division_text)}

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def subtree_ids(self) -> list[int]:
        return list(OrgUnit.objects.filter(path__startswith=self.path).values_list("id", flat=True))

    def district(self) -> OrgUnit | None:
        """The district bureau this unit belongs to (itself, or an ancestor), if any."""
        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        for unit in OrgUnit.objects.filter(id__in=ids, kind=self.Kind.DISTRICT_BUREAU):
            return unit
        return None


class DataScope(models.TextChoices):
    """The five data-scope levels staff know from government systems (RuoYi's numbering)."""

    ALL = "all", "全部数据"
    CUSTOM = "custom", "指定单位数据"
    UNIT_AND_BELOW = "unit_and_below", "本单位及下级数据"
    OWN_UNIT = "own_unit", "本单位数据"
    OWN_RECORDS = "own_records", "仅本人数据"


class Role(models.Model):
    """A named grant: a permission kind (`code`, what the holder may do: see each app's
    permissions.py) and a data scope (what the holder may see)."""

    class Code(models.TextChoices):
        # The three duties of 等保 2.0, never held together nor with a business role.
        ADMIN = "admin", "系统管理员"
        SECURITY_ADMIN = "security_admin", "安全管理员"
        AUDITOR = "auditor", "安全审计员"
        # The business.
        LEADER = "leader", "局领导"
        HANDLER = "handler", "业务承办人"
        INSPECTOR = "inspector", "执法检查人员"
        WINDOW_CLERK = "window_clerk", "窗口受理人员"
        DISPATCHER = "dispatcher", "分派员"
        LEGAL_REVIEWER = "legal_reviewer", "法制审核员"
        HEARING_OFFICER = "hearing_officer", "听证主持人"

    name = models.CharField("角色名称", max_length=50, unique=True)
    code = models.CharField("权限类别", max_length=30, choices=Code.choices)
    data_scope = models.CharField(
        "数据范围", max_length=20, choices=DataScope.choices, default=DataScope.OWN_UNIT
    )
    custom_units = models.ManyToManyField(
        OrgUnit, verbose_name="指定单位", blank=True, related_name="+"
    )
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["code", "name"]

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager, plus `visible_to(user)`."""


class User(AbstractUser):
    """A staff account. Belongs to one unit; its roles give its permissions and data scope."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    roles = models.ManyToManyField(Role, verbose_name="角色", blank=True, related_name="users")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    law_enforcement_cert = models.CharField("执法证号", max_length=30, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    scope_unit_field = "unit"
    # A lockout lifted by the security administrator (core.services) counts what it cleared.
    audit_keys: ClassVar[dict[str, AuditKey]] = {"cleared": AuditKey("清除失败记录数")}

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["unit__path", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def role_codes(self) -> set[str]:
        from regulus.core.scope import role_grants

        return {code for code, _, _ in role_grants(self)}


class AuditLog(models.Model):
    """One operation, chained to the previous one by an SM3 hash (see core.audit)."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        TRANSITION = "transition", "流转"
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出"
        LOGIN_FAILED = "login_failed", "登录失败"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        TOKEN = "token", "令牌"
        QUERY = "query", "查询"  # a read of personal information (a search by ID number)
        THROTTLED = "throttled", "频次超限"  # an address blocked by a rate limit (core.throttle)
        # The chain goes on under another key (the first keyed row after an upgrade, or a key
        # rotation): core.audit.
        CHAIN_KEY = "chain_key", "日志链密钥"

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        # A constraint, not unique=True: on PostgreSQL that would add a second index of the
        # hashes for LIKE (varchar_pattern_ops), which nothing uses and every row pays for.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()}"


class AuditChainHead(models.Model):
    """The last link of the audit chain. Locking this one row serialises chain appends, and
    its count and hash reveal a deletion at the tail, which the rows alone cannot show: `mac`
    (HMAC-SM3 of count, last id and hash under the key `key_id` names) keeps anyone without
    the key from moving the head back after cutting rows off the tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    key_id = models.CharField(max_length=16, blank=True)  # empty: the chain is not keyed yet
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"{self.count} rows, last #{self.last_id}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a weekday holiday or a weekend make-up workday.

    Seeded from the chinesecalendar package; admins edit it when the State Council announces
    next year's schedule each November."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        MAKEUP_WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule is loaded. Deadlines beyond the last one are provisional."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=100, default="chinesecalendar")
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    class Meta:
        verbose_name = "已载入年份"
        verbose_name_plural = "已载入年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class ApiToken(models.Model):
    """A bearer token issued to a staff member for integrations. Only its SM3 hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class TransitionEvent(models.Model):
    """One state change of any workflow object (see core.workflow): the object's timeline is
    its event rows. Generic by content type so every domain app shares one table."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    workflow = models.CharField("流程", max_length=50)
    transition = models.CharField("操作", max_length=50)
    label = models.CharField("操作名称", max_length=100, blank=True)
    from_state = models.CharField("原状态", max_length=30)
    to_state = models.CharField("新状态", max_length=30)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="transition_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.transition}: {self.from_state} → {self.to_state}"


class ThrottleCounter(models.Model):
    """A rate-limit counter (core.throttle) when the cache is the database's: the name holds
    the limit, its window and the client's address. A row past its window is swept by
    `regulus tick` (core.sweeps)."""

    name = models.CharField(max_length=200, primary_key=True)
    hits = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "访问频次计数"
        verbose_name_plural = "访问频次计数"

    def __str__(self) -> str:
        return f"{self.name}: {self.hits}"


class Handover(models.Model):
    """A record one app leaves for another to take up (移交): a clue for enforcement to verify
    (a spot-check problem, a verified report, a false commitment), or a credit fact for the
    credit record (a listing ground, a penalty, a confirmed complaint). The sending app does
    not depend on the receiving one: it writes here through core.handover, and the receiver
    takes the records of its kind when it is installed. The entity is named by id and code,
    not by a foreign key, because the kernel sits below the registry."""

    class Kind(models.TextChoices):
        CLUE = "clue", "案件线索"
        CREDIT = "credit", "信用信息"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    topic = models.CharField("事由代码", max_length=60)
    topic_label = models.CharField("事由", max_length=100)
    source_type = models.CharField("来源对象类型", max_length=100)
    source_id = models.CharField("来源对象编号", max_length=64)
    source_number = models.CharField("来源编号", max_length=60, blank=True)
    source_url = models.CharField("来源页面", max_length=300, blank=True)
    entity_id = models.BigIntegerField("市场主体", null=True, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    entity_name = models.CharField("主体名称", max_length=200, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField("发生日期")
    title = models.CharField("标题", max_length=200)
    detail = models.TextField("情况", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    sent_at = models.DateTimeField("移交时间")
    sent_by = models.CharField("移交人", max_length=150)
    taken_at = models.DateTimeField("接收时间", null=True, blank=True)
    taken_by = models.CharField("接收人", max_length=150, blank=True)
    taken_as = models.CharField("接收为", max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "unit"

    class Meta:
        verbose_name = "移交记录"
        verbose_name_plural = "移交记录"
        ordering = ["-sent_at", "-id"]
        indexes = [
            # The receiver's inbox: the records of its kind not yet taken, oldest first.
            models.Index(fields=["kind", "taken_at", "sent_at"], name="handover_inbox_idx"),
            models.Index(fields=["entity_id", "kind"], name="handover_entity_idx"),
            models.Index(fields=["source_type", "source_id"], name="handover_source_idx"),
        ]
        constraints = [
            # One record of a topic per source object: a repeated send is the same record.
            models.UniqueConstraint(
                fields=["kind", "topic", "source_type", "source_id"], name="handover_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


# -- legal clocks (core.clocks, core.clock_services) -------------------------------------------


class ClockUnit(models.TextChoices):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "自然日"


class PauseReason(models.TextChoices):
    """Why a clock may stop counting (中止): the grounds the laws name."""

    TESTING = "testing", "检验、检测、检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    HEARING = "hearing", "听证"
    NOTICE_SERVICE = "notice_service", "公告送达"
    # 12315 ODR: the business settles with the consumer first; those days are not the
    # bureau's (domain.md §4).
    ODR = "odr", "经营者和解（ODR）"


class ClockRule(models.Model):
    """A version of a clock's rule: its period, unit, legal basis, the longest extension it
    allows and the grounds on which it may be paused, from a date on. A clock keeps the version
    in force on the day it started, so a later version never moves it."""

    code = models.CharField("规则编码", max_length=60)
    name = models.CharField("名称", max_length=50)
    effective_from = models.DateField("施行日期")
    days = models.PositiveSmallIntegerField(
        "期限", null=True, blank=True, help_text="为空的，期限由办件自身的时限规则给出"
    )
    unit = models.CharField("计算单位", max_length=10, choices=ClockUnit.choices)
    legal_basis = models.CharField("法律依据", max_length=300)
    max_extension_days = models.PositiveSmallIntegerField("最长可延长", default=0)
    pause_reasons = models.JSONField("可中止的事由", default=list, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "计时规则"
        verbose_name_plural = "计时规则"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="clock_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from:%Y-%m-%d}起）"

    def pause_reason_labels(self) -> list[str]:
        labels = dict(PauseReason.choices)
        return [labels.get(code, code) for code in self.pause_reasons]


class Clock(models.Model):
    """One run of a named clock of an object (an application's 受理期限, a case's 立案期限 …).

    Generic by content type, so every app shares the table. `due_date` is the date
    core.clocks.due_date gives for start_date, days + extension_days, the unit and the closed
    pauses; it is None while the clock is paused (it is not running out) and kept once the
    clock is stopped. The object's own `deadline` column mirrors its running main clock."""

    class Status(models.TextChoices):
        RUNNING = "running", "计时中"
        PAUSED = "paused", "中止"
        STOPPED = "stopped", "已结束"

    # No index of their own: the content type leads the indexes below, and a rule version is
    # looked up by its clocks only when it is deleted. Every index is paid for by each write
    # of the recomputation after a holiday edit, which rewrites every open clock.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name="对象类型",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField("对象编号")
    name = models.CharField("计时", max_length=30)
    label = models.CharField("名称", max_length=50)
    rule = models.ForeignKey(
        ClockRule,
        verbose_name="计时规则",
        on_delete=models.PROTECT,
        related_name="clocks",
        db_index=False,
    )
    unit = models.CharField("计算单位", max_length=10, choices=ClockUnit.choices)
    is_main = models.BooleanField("当前环节期限", default=True)
    start_date = models.DateField("起算日")
    days = models.PositiveIntegerField("期限")
    extension_days = models.PositiveIntegerField("已延长", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    due_date = models.DateField("届满日", null=True, blank=True)
    provisional = models.BooleanField("暂定", default=False)
    started_at = models.DateTimeField("开始时间")
    stopped_on = models.DateField("结束日期", null=True, blank=True)

    # The row of a recomputation after a holiday edit (core.clock_recompute) counts clocks.
    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "checked": AuditKey("重算计时数"),
        "changed": AuditKey("届满日或暂定标记变化数"),
    }

    class Meta:
        verbose_name = "计时"
        verbose_name_plural = "计时"
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="clock_object_idx"),
            # The recomputation after a holiday edit: running clocks due on or after a date.
            models.Index(fields=["status", "due_date"], name="clock_status_due_idx"),
            # The overdue / due-soon query of one named clock of an app's objects.
            models.Index(
                fields=["content_type", "name", "status", "due_date", "object_id"],
                name="clock_due_query_idx",
            ),
        ]
        constraints = [
            # One run of a named clock at a time, and one main clock, per object.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "name"],
                condition=~models.Q(status="stopped"),
                name="clock_one_open_run",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(is_main=True) & ~models.Q(status="stopped"),
                name="clock_one_open_main",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start_date:%Y-%m-%d}+{self.total_days}"

    @property
    def total_days(self) -> int:
        return self.days + self.extension_days

    def unit_label(self) -> str:
        return ClockUnit(self.unit).label


class ClockPause(models.Model):
    """A pause (中止) of a clock: the days from `from_date` to `to_date` (both included) are not
    counted. An open pause (to_date None) is the clock's current one."""

    clock = models.ForeignKey(
        Clock, verbose_name="计时", on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField("中止事由", max_length=20, choices=PauseReason.choices)
    note = models.CharField("说明", max_length=300)
    from_date = models.DateField("中止日")
    to_date = models.DateField("恢复日", null=True, blank=True)
    paused_by = models.ForeignKey(
        User,
        verbose_name="中止登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paused_by_name = models.CharField("中止人", max_length=150)
    paused_at = models.DateTimeField("登记时间")
    resumed_by_name = models.CharField("恢复人", max_length=150, blank=True)
    resumed_at = models.DateTimeField("恢复登记时间", null=True, blank=True)
    resume_note = models.CharField("恢复说明", max_length=300, blank=True)

    # A pause's rows say how the clock's date moved: the clock's, not the pause's own field.
    audit_keys: ClassVar[dict[str, AuditKey]] = {"due_date": AuditKey("届满日", show=date_text)}

    class Meta:
        verbose_name = "计时中止"
        verbose_name_plural = "计时中止"
        ordering = ["from_date", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.from_date}–{self.to_date or ''}"

    @property
    def days(self) -> int | None:
        return None if self.to_date is None else (self.to_date - self.from_date).days + 1


class ClockExtension(models.Model):
    """An approved extension (延长) of a clock."""

    clock = models.ForeignKey(
        Clock, verbose_name="计时", on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField("延长天数")
    approver = models.ForeignKey(
        User, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    approver_name = models.CharField("批准人", max_length=150)
    document = models.CharField("批准文书", max_length=100)
    reason = models.CharField("延长理由", max_length=300)
    recorded_by_name = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间")

    audit_keys: ClassVar[dict[str, AuditKey]] = {
        "due_date": AuditKey("届满日", show=date_text),
        # clock_services.clock_extend(collective=True): beyond the rule's cap.
        "collective": AuditKey("集体讨论决定继续延长"),
    }

    class Meta:
        verbose_name = "计时延长"
        verbose_name_plural = "计时延长"
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} +{self.days}"


class ClockHistory(models.Model):
    """Each change of a clock's due date, in order: started, paused, resumed, extended,
    recomputed after the holiday table changed, stopped."""

    class Kind(models.TextChoices):
        START = "start", "开始计时"
        PAUSE = "pause", "中止计时"
        RESUME = "resume", "恢复计时"
        EXTEND = "extend", "延长期限"
        RECOMPUTE = "recompute", "节假日调整重算"
        STOP = "stop", "结束计时"

    clock = models.ForeignKey(
        Clock, verbose_name="计时", on_delete=models.CASCADE, related_name="history"
    )
    kind = models.CharField("变化", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("时间")
    actor_name = models.CharField("操作人", max_length=150)
    due_before = models.DateField("原届满日", null=True, blank=True)
    due_after = models.DateField("新届满日", null=True, blank=True)
    provisional_after = models.BooleanField("暂定", default=False)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "计时变化"
        verbose_name_plural = "计时变化"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind} {self.due_before} → {self.due_after}"
