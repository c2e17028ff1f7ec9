"""Writes of 特种设备: keyword-only functions, one audited transaction each.

Hand-over topics this app sends (core.handover):
- CLUE "equipment.hazard_escalated" (隐患移送执法): a hazard a check found that the unit did
  not remove, or a major one, handed to enforcement. data: {"hazard_id", "check_number",
  "level" ("ordinary"/"major"), "found_on", "deadline" (ISO date or null), "equipment"
  (registration numbers), "orders" (order numbers)}.
"""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from regulus.core import clock, clock_services, permissions
from regulus.core.audit import audited
from regulus.core.clock_services import rule_in_force
from regulus.core.documents import number_next, number_retry
from regulus.core.handover import handover_send
from regulus.core.models import AuditLog, Handover
from regulus.core.tabular import Column, TableImport, import_rows
from regulus.core.text import clean_text
from regulus.core.workflow import transition_fire
from regulus.equipment.models import (
    REGISTRATION_PREFIX,
    Campaign,
    Category,
    Compound,
    Equipment,
    FieldCheck,
    Hazard,
    Inspection,
    IntervalRule,
    KeyUnit,
    Maintenance,
    Order,
    OverdueWarning,
)
from regulus.equipment.workflow import EQUIPMENT_FLOW, HAZARD_FLOW, ORDER_FLOW
from regulus.registry.models import Entity

EDIT = "equipment.equipment_edit"
CHECK = "equipment.check_record"
ESCALATE = "equipment.escalate"
CAMPAIGN = "equipment.campaign_manage"
ESCALATED_TOPIC = "equipment.hazard_escalated"

# 使用登记证编号 (TSG 08-2017 附件A): the category's character, the variety's two digits,
# the province's abbreviation and the city's letter, a five-digit serial, the year in
# brackets: 梯11湘A00012(23).
REGISTRATION_RULE = (
    "应为“类别字+2位品种代号+省简称+城市字母+5位流水号+(2位年份)”，如 梯11湘A00012(23)"
)
_REGISTRATION = re.compile(
    r"^([锅容管梯起索游车])(\d{2})([\u4e00-\u9fff])([A-Z])(\d{5})\((\d{2})\)$"
)


# -- rules ---------------------------------------------------------------------------------


def registration_number_validate(value: str, *, category: str) -> str:
    """The number normalised (full-width brackets accepted), or ValidationError naming the
    field and the rule; its first character must be the category's."""
    number = value.strip().replace("（", "(").replace("）", ")").upper().replace(" ", "")
    match = _REGISTRATION.match(number)
    if not match:
        raise ValidationError(
            {"registration_number": f"使用登记证编号“{value[:30]}”{REGISTRATION_RULE}"}
        )
    expected = REGISTRATION_PREFIX.get(Category(category)) if category in Category.values else None
    if expected and match.group(1) != expected:
        label = Category(category).label
        raise ValidationError(
            {
                "registration_number": f"使用登记证编号首字应为“{expected}”（{label}），"
                f"实为“{match.group(1)}”"
            }
        )
    return number


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1
    month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, monthcal.monthrange(year, month)[1]))


def interval_in_force(category: str, day: dt.date) -> IntervalRule:
    rule = (
        IntervalRule.objects.filter(category=category, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        label = Category(category).label if category in Category.values else category
        raise ValidationError(
            {"inspected_on": f"{label}在 {day:%Y-%m-%d} 没有施行中的检验周期规则，请先设置"}
        )
    return rule


def next_due(category: str, inspected_on: dt.date) -> tuple[dt.date, IntervalRule]:
    """The next due date after an inspection: the interval of the version in force that day."""
    rule = interval_in_force(category, inspected_on)
    return add_months(inspected_on, rule.months), rule


def rule_days(code: str, day: dt.date | None = None) -> int:
    """A kernel clock rule's period read as a setting (the due-soon window, the maintenance
    interval), from the version in force on the day."""
    rule = rule_in_force(code, day or clock.today())
    if rule is None or rule.days is None:
        raise ValueError(f"clock rule {code} is not loaded (equipment.rules.rules_ensure)")
    return int(rule.days)


def _who(actor: Any) -> str:
    return clock_services.actor_name(actor, "系统")


def _text(value: str, label: str, field: str, *, required: bool = False, limit: int = 200) -> str:
    text = clean_text(value or "", label=label, field=field)
    if required and not text:
        raise ValidationError({field: f"请填写{label}"})
    if len(text) > limit:
        raise ValidationError({field: f"{label}不能超过{limit}个字"})
    return text


def _not_future(day: dt.date | None, field: str, label: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: f"{label}不能晚于今天（{clock.today():%Y-%m-%d}）"})


# -- the register --------------------------------------------------------------------------


def compound_get_or_create(*, audit: Any, name: str, entity: Entity, address: str = "") -> Compound:
    """The compound of that name in the entity's district (made on first mention, a step of
    the caller's audited write)."""
    compound = Compound.objects.filter(district_code=entity.district_code, name=name).first()
    if compound is None:
        compound = Compound.objects.create(
            name=name, district_code=entity.district_code, unit=entity.unit, address=address
        )
        audit.record(action=AuditLog.Action.CREATE, obj=compound, summary=f"登记住宅小区：{name}")
    return compound


def _register_checks(
    *,
    category: str,
    registration_number: str,
    first_used_on: dt.date | None,
    registered_on: dt.date | None,
    last_inspected_on: dt.date | None,
    next_due_on: dt.date | None,
    made_year: int | None,
) -> str:
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = f"设备类别“{category}”无效，应为{'、'.join(Category.labels)}之一"
    number = ""
    if registration_number:
        try:
            number = registration_number_validate(registration_number, category=category)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if number and Equipment.objects.filter(registration_number=number).exists():
            errors["registration_number"] = f"使用登记证编号 {number} 已登记"
    for day, field, label in (
        (first_used_on, "first_used_on", "投入使用日期"),
        (registered_on, "registered_on", "使用登记日期"),
        (last_inspected_on, "last_inspected_on", "上次检验日期"),
    ):
        if day is not None and day > clock.today():
            errors[field] = f"{label}不能晚于今天（{clock.today():%Y-%m-%d}）"
    if registered_on and not number:
        errors.setdefault("registration_number", "填写了使用登记日期，请同时填写使用登记证编号")
    if next_due_on and last_inspected_on and next_due_on <= last_inspected_on:
        errors["next_due_on"] = (
            f"下次检验日期 {next_due_on:%Y-%m-%d} 应晚于上次检验日期 {last_inspected_on:%Y-%m-%d}"
        )
    if next_due_on and not last_inspected_on:
        errors.setdefault("last_inspected_on", "填写了下次检验日期，请同时填写上次检验日期")
    if made_year is not None and not (1950 <= made_year <= clock.today().year):
        errors["made_year"] = f"制造年份{made_year}无效（1950至今年）"
    if errors:
        raise ValidationError(errors)
    return number


def equipment_register(
    *,
    actor: Any,
    category: str,
    using_entity: Entity,
    kind: str = "",
    registration_number: str = "",
    factory_number: str = "",
    maintenance_entity: Entity | None = None,
    address: str = "",
    compound_name: str = "",
    make: str = "",
    model_name: str = "",
    made_year: int | None = None,
    first_used_on: dt.date | None = None,
    registered_on: dt.date | None = None,
    last_inspected_on: dt.date | None = None,
    last_result: str = "",
    next_due_on: dt.date | None = None,
) -> Equipment:
    """Enter an item in the register, in the using unit's district under its supervising
    unit. An item in use but not yet registered starts its use-registration clock from its
    first use (SE Law Art 33). The next due date is the interval's unless given."""
    permissions.require(actor, EDIT)
    number = _register_checks(
        category=category,
        registration_number=registration_number,
        first_used_on=first_used_on,
        registered_on=registered_on,
        last_inspected_on=last_inspected_on,
        next_due_on=next_due_on,
        made_year=made_year,
    )
    texts = {
        "kind": _text(kind, "设备品种", "kind", limit=40),
        "factory_number": _text(factory_number, "出厂编号", "factory_number", limit=40),
        "address": _text(address, "设置地点", "address"),
        "make": _text(make, "制造单位", "make", limit=100),
        "model_name": _text(model_name, "型号", "model_name", limit=60),
    }
    compound_name = _text(compound_name, "所在小区", "compound_name", limit=100)
    if last_result and last_result not in Equipment.Result.values:
        raise ValidationError({"last_result": f"检验结论“{last_result}”无效"})
    if last_inspected_on and not next_due_on:
        next_due_on, _rule = next_due(category, last_inspected_on)
    with audited(actor=actor) as audit:
        compound = (
            compound_get_or_create(audit=audit, name=compound_name, entity=using_entity)
            if compound_name
            else None
        )
        equipment = Equipment.objects.create(
            category=category,
            registration_number=number or None,
            using_entity=using_entity,
            maintenance_entity=maintenance_entity,
            unit=using_entity.unit,
            district_code=using_entity.district_code,
            compound=compound,
            made_year=made_year,
            first_used_on=first_used_on,
            registered_on=registered_on if number else None,
            last_inspected_on=last_inspected_on,
            last_result=last_result or (Equipment.Result.PASSED if last_inspected_on else ""),
            next_due_on=next_due_on,
            **texts,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=equipment,
            summary=f"登记特种设备：{equipment}（{using_entity.name}）",
            changes={
                "category": category,
                "registration_number": number,
                "next_due_on": next_due_on,
            },
        )
        if not number and first_used_on:
            clock_services.clock_start(
                obj=equipment, name="registration", actor=actor, start=first_used_on
            )
            equipment.refresh_from_db()
    return equipment


def equipment_register_use(
    *, actor: Any, equipment: Equipment, registration_number: str, registered_on: dt.date
) -> Equipment:
    """Record the use registration: the number (checked) and date; the clock stops."""
    permissions.require(actor, EDIT)
    if equipment.registration_number:
        raise ValidationError({"registration_number": "该设备已办理使用登记"})
    number = registration_number_validate(registration_number, category=equipment.category)
    _not_future(registered_on, "registered_on", "使用登记日期")
    if Equipment.objects.filter(registration_number=number).exists():
        raise ValidationError({"registration_number": f"使用登记证编号 {number} 已登记"})
    with audited(actor=actor) as audit:
        Equipment.objects.filter(pk=equipment.pk).update(
            registration_number=number, registered_on=registered_on
        )
        clocks = clock_services.open_clocks(equipment)
        if "registration" in clocks:
            clock_services.clock_stop(
                clock=clocks["registration"], actor=actor, note=f"已登记：{number}"
            )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=equipment,
            summary=f"办理使用登记：{number}",
            changes={"registration_number": [None, number], "registered_on": registered_on},
        )
    equipment.refresh_from_db()
    return equipment


def equipment_transition(
    *, actor: Any, equipment: Equipment, name: str, note: str = ""
) -> Equipment:
    """停用, 恢复使用, 报废 (the workflow checks the permission and the state)."""
    note = _text(note, "说明", "note", limit=300)
    transition_fire(obj=equipment, name=name, actor=actor, note=note, workflow=EQUIPMENT_FLOW)
    return equipment


def inspection_record(
    *,
    actor: Any,
    equipment: Equipment,
    inspected_on: dt.date,
    result: str,
    next_due_on: dt.date | None = None,
    agency: str = "",
    report_number: str = "",
) -> Inspection:
    """Record a periodic inspection's result. The next due date is the category's interval
    in force on the inspection day unless the report gives one; it must come after the
    inspection. The item's overdue flag and open warnings are cleared."""
    permissions.require(actor, EDIT)
    errors: dict[str, str] = {}
    if result not in Equipment.Result.values:
        errors["result"] = f"检验结论“{result}”无效，应为{'、'.join(Equipment.Result.labels)}之一"
    if inspected_on > clock.today():
        errors["inspected_on"] = f"检验日期不能晚于今天（{clock.today():%Y-%m-%d}）"
    if equipment.last_inspected_on and inspected_on < equipment.last_inspected_on:
        errors["inspected_on"] = (
            f"检验日期早于已录入的上次检验日期 {equipment.last_inspected_on:%Y-%m-%d}"
        )
    if next_due_on is not None and next_due_on <= inspected_on:
        errors["next_due_on"] = (
            f"下次检验日期 {next_due_on:%Y-%m-%d} 应晚于检验日期 {inspected_on:%Y-%m-%d}"
        )
    if errors:
        raise ValidationError(errors)
    agency = _text(agency, "检验机构", "agency", limit=100)
    report_number = _text(report_number, "检验报告编号", "report_number", limit=40)
    computed, rule = next_due(equipment.category, inspected_on)
    due = next_due_on or computed
    with audited(actor=actor) as audit:
        inspection = Inspection.objects.create(
            equipment=equipment,
            unit=equipment.unit,
            inspected_on=inspected_on,
            result=result,
            next_due_on=due,
            interval_rule=rule,
            agency=agency,
            report_number=report_number,
            recorded_by=_who(actor),
        )
        Equipment.objects.filter(pk=equipment.pk).update(
            last_inspected_on=inspected_on, last_result=result, next_due_on=due, overdue=False
        )
        OverdueWarning.objects.filter(equipment=equipment, resolved_on__isnull=True).update(
            resolved_on=clock.today()
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=inspection,
            summary=f"录入定期检验：{equipment}，{inspection.get_result_display()}，"
            f"下次检验 {due:%Y-%m-%d}",
            changes={"inspected_on": inspected_on, "result": result, "next_due_on": due},
        )
    equipment.refresh_from_db()
    return inspection


def maintenance_record(
    *, actor: Any, equipment: Equipment, done_on: dt.date, maintainer: str = "", note: str = ""
) -> Maintenance:
    """Record a lift's maintenance visit; the gap since the last one is flagged when it is
    longer than the interval in force (equipment.lift_maintenance, 条例 Art 31)."""
    permissions.require(actor, EDIT)
    if equipment.category != Category.LIFT:
        raise ValidationError({"equipment": "维护保养记录仅适用于电梯"})
    _not_future(done_on, "done_on", "维保日期")
    if Maintenance.objects.filter(equipment=equipment, done_on=done_on).exists():
        raise ValidationError({"done_on": f"{done_on:%Y-%m-%d} 的维保记录已录入"})
    maintainer = _text(maintainer, "维保单位", "maintainer")
    note = _text(note, "维保内容", "note", limit=300)
    previous = (
        Maintenance.objects.filter(equipment=equipment, done_on__lt=done_on)
        .order_by("-done_on")
        .values_list("done_on", flat=True)
        .first()
    )
    gap = (done_on - previous).days if previous else None
    late = gap is not None and gap > rule_days("equipment.lift_maintenance", done_on)
    with audited(actor=actor) as audit:
        record = Maintenance.objects.create(
            equipment=equipment,
            unit=equipment.unit,
            done_on=done_on,
            maintainer=maintainer
            or (equipment.maintenance_entity.name if equipment.maintenance_entity else ""),
            note=note,
            gap_days=gap,
            late=late,
            recorded_by=_who(actor),
        )
        latest = max(done_on, equipment.last_maintained_on or done_on)
        Equipment.objects.filter(pk=equipment.pk).update(
            last_maintained_on=latest, maintenance_overdue=False
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=record,
            summary=f"录入电梯维保：{equipment}，{done_on:%Y-%m-%d}"
            + (f"（距上次{gap}日，超过间隔）" if late else ""),
            changes={"done_on": done_on, "gap_days": gap, "late": late},
        )
    equipment.refresh_from_db()
    return record


# -- the sweeps' writes --------------------------------------------------------------------


def _due_for_sweep(today: dt.date) -> QuerySet[Equipment]:
    return Equipment.objects.filter(
        status=Equipment.Status.IN_USE, overdue=False, next_due_on__lt=today
    )


def overdue_flag(*, actor: Any) -> int:
    """Flag the items in use past their next due date and raise one warning each, set-based:
    one INSERT … SELECT of the warnings (ON CONFLICT DO NOTHING: one warning an item and due
    date) and one conditional UPDATE of the same rows, so a second run, or one beside it,
    flags nothing again. One audit row for the run says how many; the warnings are the
    per-item record. Returns how many were flagged."""
    from django.db import connection

    today = clock.today()
    due = _due_for_sweep(today)
    warning = OverdueWarning._meta.db_table
    select_sql, params = (
        due.order_by().values_list("pk", "unit_id", "next_due_on").query.sql_with_params()
    )
    with audited(actor=actor) as audit:
        with connection.cursor() as cursor:
            # Django has no INSERT … SELECT; the SELECT is the ORM's own, so the rows
            # warned are exactly the rows flagged below (one transaction).
            cursor.execute(
                f"INSERT INTO {warning} (equipment_id, unit_id, due_on, raised_on) "
                f"SELECT sub.*, %s FROM ({select_sql}) sub WHERE true "
                "ON CONFLICT (equipment_id, due_on) DO NOTHING",
                [today, *params],
            )
        flagged = due.update(overdue=True)
        if flagged:
            audit.record(
                action=AuditLog.Action.UPDATE,
                object_type="equipment.equipment",
                object_repr=f"超期未检 {flagged} 台",
                summary=f"标记超期未检特种设备 {flagged} 台并发出预警",
                changes={"overdue": [False, True], "count": flagged},
            )
    return flagged


def maintenance_overdue_flag(*, actor: Any) -> int:
    """Flag the lifts in use whose last maintenance is longer ago than the interval (a lift
    never maintained since registration counts from its first use)."""
    today = clock.today()
    limit = today - dt.timedelta(days=rule_days("equipment.lift_maintenance", today))
    due = Equipment.objects.filter(
        category=Category.LIFT,
        status=Equipment.Status.IN_USE,
        maintenance_overdue=False,
        last_maintained_on__lt=limit,
    )
    with audited(actor=actor) as audit:
        changed = due.update(maintenance_overdue=True)
        if changed:
            audit.record(
                action=AuditLog.Action.UPDATE,
                object_type="equipment.equipment",
                object_repr=f"维保超期 {changed} 台",
                summary=f"标记维保超过间隔的电梯 {changed} 台",
                changes={"maintenance_overdue": [False, True], "count": changed},
            )
    return changed


# -- import --------------------------------------------------------------------------------


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.replace("/", "-")[:10])
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None


def _category(value: str) -> str:
    by_label = {label: code for code, label in Category.choices}
    by_label.update({"场内专用机动车辆": "5000", "场(厂)内专用机动车辆": "5000"})
    code = by_label.get(value, value)
    if code not in Category.values:
        raise ValueError(f"应为设备类别名称或代码（{'、'.join(Category.labels)}）")
    return code


def _year(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise ValueError("应为四位年份")
    return int(value)


def _result(value: str) -> str:
    if not value:
        return ""
    by_label = {label: code for code, label in Equipment.Result.choices}
    code = by_label.get(value, value)
    if code not in Equipment.Result.values:
        raise ValueError(f"应为{'、'.join(Equipment.Result.labels)}之一")
    return code


def _uscc(value: str) -> str:
    from regulus.core.ids import validate_uscc

    try:
        return validate_uscc(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


IMPORT_COLUMNS = (
    Column(
        "category", "设备类别", required=True, parse=_category, note="名称或代码，如 电梯 或 3000"
    ),
    Column("kind", "设备品种", note="如 曳引驱动乘客电梯"),
    Column("registration_number", "使用登记证编号", note="如 梯11湘A00012(23)；尚未登记的留空"),
    Column("factory_number", "出厂编号"),
    Column(
        "using_uscc",
        "使用单位统一社会信用代码",
        required=True,
        parse=_uscc,
        note="须为登记库中、您数据范围内的主体",
    ),
    Column(
        "maintenance_uscc",
        "维保单位统一社会信用代码",
        parse=lambda v: _uscc(v) if v else "",
        note="电梯填写",
    ),
    Column("address", "设置地点", note="楼栋单元或车间"),
    Column("compound_name", "所在小区", note="电梯填写；同区县同名小区视为同一小区"),
    Column("make", "制造单位"),
    Column("model_name", "型号"),
    Column("made_year", "制造年份", parse=_year, note="四位年份"),
    Column(
        "first_used_on",
        "投入使用日期",
        parse=_date,
        note="YYYY-MM-DD；未登记的自此日起30日内应办理使用登记",
    ),
    Column("registered_on", "使用登记日期", parse=_date, note="YYYY-MM-DD"),
    Column("last_inspected_on", "上次检验日期", parse=_date, note="YYYY-MM-DD，不晚于今天"),
    Column("last_result", "检验结论", parse=_result, note="合格、复检合格或不合格"),
    Column(
        "next_due_on",
        "下次检验日期",
        parse=_date,
        note="YYYY-MM-DD；不填按设备类别施行中的检验周期计算",
    ),
)


def equipment_import(
    *, actor: Any, path: str | Path, name: str, mode: str = "all-or-nothing", dry_run: bool = False
) -> TableImport:
    """Import the register from .xlsx/.csv through the kernel's reader: every row checked by
    equipment_register's rules (a registration number twice in the file is a row error
    too); all-or-nothing by default. The actor may import only entities in its scope."""
    permissions.require(actor, EDIT)
    seen: dict[str, int] = {}

    def entity_of(uscc: str, field: str, label: str) -> Entity:
        entity = Entity.objects.visible_to(actor).filter(uscc=uscc).first()
        if entity is None:
            raise ValidationError({field: f"{label}{uscc}不在登记库或不在您的数据范围内"})
        return entity

    def save(line: int, values: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
        number = values.get("registration_number") or ""
        if number:
            key = registration_number_validate(number, category=values["category"])
            if key in seen:
                raise ValidationError(
                    {"registration_number": f"使用登记证编号 {key} 与第{seen[key]}行重复"}
                )
            seen[key] = line
        using = entity_of(values.pop("using_uscc"), "using_uscc", "使用单位")
        maintenance_uscc = values.pop("maintenance_uscc") or ""
        maintenance = (
            entity_of(maintenance_uscc, "maintenance_uscc", "维保单位")
            if maintenance_uscc
            else None
        )
        item = equipment_register(
            actor=actor,
            using_entity=using,
            maintenance_entity=maintenance,
            **{k: v for k, v in values.items() if v not in (None, "")},
        )
        return (str(item.pk), str(item)[:200], f"导入特种设备：{item}", {"category": item.category})

    def run(*, dry: bool) -> TableImport:
        seen.clear()
        return import_rows(
            actor=actor,
            path=path,
            name=name,
            columns=IMPORT_COLUMNS,
            save=save,
            object_type="equipment.equipment",
            mode=mode,
            dry_run=dry,
            what="特种设备台账",
        )

    # The reader stops at the first bad cell in all-or-nothing mode; a preview first reports
    # every row's errors at once (cells, duplicates, unknown units), so one correction of
    # the file is enough. Nothing is written until the file is clean.
    preview = run(dry=True)
    if dry_run or preview.file_error or (preview.bad_rows and mode == "all-or-nothing"):
        preview.written = 0 if not dry_run else preview.written
        return preview
    return run(dry=False)


# -- field checks, hazards, orders ---------------------------------------------------------


def _check_number(day: dt.date) -> str:
    return number_next(model=FieldCheck, field="number", prefix=f"TJ{day:%Y}")


def _order_number(kind: str, day: dt.date) -> str:
    prefix = "TZ" if kind == Order.Kind.RECTIFY else "TY"
    return number_next(model=Order, field="number", prefix=f"{prefix}{day:%Y}")


def _post_licence_rule(entity: Entity, kind: str, day: dt.date) -> None:
    """Order 57 Art 17: no routine check of a unit in a year when it had a post-licence
    check."""
    if kind != FieldCheck.Kind.ROUTINE:
        return
    post = FieldCheck.objects.filter(
        entity=entity, kind=FieldCheck.Kind.POST_LICENCE, checked_on__year=day.year
    ).first()
    if post is not None:
        raise ValidationError(
            {
                "kind": f"该单位{day.year}年已接受证后监督检查（{post.number}，"
                f"{post.checked_on:%Y-%m-%d}），当年不再安排常规监督检查（第57号令第十七条）"
            }
        )


def check_record(
    *,
    actor: Any,
    entity: Entity,
    kind: str,
    checked_on: dt.date,
    inspectors: str,
    items: Sequence[dict[str, Any]] = (),
    findings: str = "",
    equipment: Iterable[Equipment] = (),
    hazards: Sequence[dict[str, Any]] = (),
    order: dict[str, Any] | None = None,
    campaign: Campaign | None = None,
    compound: Compound | None = None,
) -> FieldCheck:
    """Record a field check: the items checked (each {"name", "ok", "note"}), the findings,
    the equipment seen, the hazards found (each {"description", "level", "removal_days",
    "equipment"}: its removal clock starts) and an order (责令整改 or 停运, {"kind",
    "requirement", "rectify_days"}) covering the hazards; a stop order stops the equipment."""
    permissions.require(actor, CHECK)
    errors: dict[str, str] = {}
    if kind not in FieldCheck.Kind.values:
        errors["kind"] = f"检查类型“{kind}”无效"
    if checked_on > clock.today():
        errors["checked_on"] = f"检查日期不能晚于今天（{clock.today():%Y-%m-%d}）"
    if errors:
        raise ValidationError(errors)
    _post_licence_rule(entity, kind, checked_on)
    inspectors = _text(inspectors, "检查人员", "inspectors", required=True, limit=150)
    findings = clean_text(findings or "", label="检查情况", multiline=True, field="findings")
    clean_items = [
        {
            "name": _text(str(i.get("name", "")), "检查项目", "items", required=True, limit=100),
            "ok": bool(i.get("ok")),
            "note": _text(str(i.get("note", "")), "检查项目说明", "items"),
        }
        for i in items
    ]
    seen = list(equipment)
    stranger = [e for e in seen if e.using_entity_id != entity.pk]
    if stranger:
        raise ValidationError({"equipment": f"设备 {stranger[0]} 不属于被检查单位"})
    hazard_rows = [_hazard_values(h, entity) for h in hazards]
    if order is not None:
        order = _order_values(order, hazard_rows, seen)
    outcome = FieldCheck.Outcome.HAZARDS if hazard_rows else FieldCheck.Outcome.NO_PROBLEM
    with audited(actor=actor) as audit:
        check = number_retry(
            lambda: FieldCheck.objects.create(
                number=_check_number(checked_on),
                entity=entity,
                unit=entity.unit,
                kind=kind,
                campaign=campaign,
                compound=compound,
                checked_on=checked_on,
                inspectors=inspectors,
                items=clean_items,
                findings=findings,
                outcome=outcome,
            )
        )
        check.equipment.set(seen)
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=check,
            summary=f"录入现场检查：{entity.name}（{check.get_kind_display()}），"
            f"发现隐患{len(hazard_rows)}处",
            changes={"kind": kind, "checked_on": checked_on, "hazards": len(hazard_rows)},
        )
        made = [_hazard_create(audit, actor, check, row) for row in hazard_rows]
        if order is not None:
            _order_create(audit, actor, check, order, made)
    return check


def _hazard_values(row: dict[str, Any], entity: Entity) -> dict[str, Any]:
    description = _text(
        str(row.get("description", "")), "隐患描述", "hazards", required=True, limit=300
    )
    level = row.get("level") or Hazard.Level.ORDINARY
    if level not in Hazard.Level.values:
        raise ValidationError({"hazards": f"隐患等级“{level}”无效"})
    days = row.get("removal_days") or rule_days("equipment.hazard_removal")
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise ValidationError({"hazards": "隐患消除期限应为1至365日"})
    item = row.get("equipment")
    if item is not None and item.using_entity_id != entity.pk:
        raise ValidationError({"hazards": f"设备 {item} 不属于被检查单位"})
    return {"description": description, "level": level, "removal_days": days, "equipment": item}


def _hazard_create(audit: Any, actor: Any, check: FieldCheck, row: dict[str, Any]) -> Hazard:
    hazard = Hazard.objects.create(
        field_check=check, unit=check.unit, found_on=check.checked_on, **row
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=hazard,
        summary=f"登记事故隐患：{hazard.description[:60]}（{hazard.get_level_display()}）",
        changes={"level": hazard.level, "removal_days": hazard.removal_days},
    )
    clock_services.clock_start(obj=hazard, name="removal", actor=actor, start=check.checked_on)
    return hazard


def _order_values(
    order: dict[str, Any], hazards: list[dict[str, Any]], seen: list[Equipment]
) -> dict[str, Any]:
    kind = order.get("kind")
    if kind not in Order.Kind.values:
        raise ValidationError({"order": f"指令类型“{kind}”无效"})
    requirement = _text(
        str(order.get("requirement", "")), "整改要求", "order", required=True, limit=500
    )
    days = order.get("rectify_days") or rule_days("equipment.rectification")
    if not isinstance(days, int) or not 1 <= days <= 180:
        raise ValidationError({"order": "整改期限应为1至180日"})
    targets = list(
        {e.pk: e for e in [*seen, *(h["equipment"] for h in hazards if h["equipment"])]}.values()
    )
    if kind == Order.Kind.STOP and not targets:
        raise ValidationError({"order": "停止使用指令须指明停用的设备"})
    return {"kind": kind, "requirement": requirement, "rectify_days": days, "targets": targets}


def _order_create(
    audit: Any, actor: Any, check: FieldCheck, values: dict[str, Any], hazards: list[Hazard]
) -> Order:
    targets = values.pop("targets")
    order = number_retry(
        lambda: Order.objects.create(
            number=_order_number(values["kind"], check.checked_on),
            field_check=check,
            entity=check.entity,
            unit=check.unit,
            issued_on=check.checked_on,
            **values,
        )
    )
    order.equipment.set(targets)
    order.hazards.set(hazards)
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=order,
        summary=f"下达{order.get_kind_display()}指令书 {order.number}：{check.entity.name}",
        changes={"kind": order.kind, "rectify_days": order.rectify_days},
    )
    clock_services.clock_start(obj=order, name="rectification", actor=actor, start=check.checked_on)
    if order.kind == Order.Kind.STOP:
        for item in targets:
            if item.status == Equipment.Status.IN_USE:
                transition_fire(
                    obj=item,
                    name="stop",
                    actor=actor,
                    note=f"指令书 {order.number}",
                    workflow=EQUIPMENT_FLOW,
                )
    order.refresh_from_db()
    return order


def hazard_remove(*, actor: Any, hazard: Hazard, note: str = "") -> Hazard:
    """Confirm a hazard removed (the removal clock stops)."""
    note = _text(note, "说明", "note", limit=300)
    transition_fire(
        obj=hazard,
        name="remove",
        actor=actor,
        note=note,
        updates={"removed_on": clock.today()},
        workflow=HAZARD_FLOW,
    )
    return hazard


def order_report(*, actor: Any, order: Order, note: str = "") -> Order:
    """The unit reports the order rectified: the re-check clock (10 working days) starts."""
    note = _text(note, "说明", "note", limit=300)
    transition_fire(
        obj=order,
        name="report",
        actor=actor,
        note=note,
        updates={"reported_on": clock.today()},
        workflow=ORDER_FLOW,
    )
    return order


def order_recheck(*, actor: Any, order: Order, passed: bool, note: str = "") -> Order:
    """Record the re-check. Passed: a rectification order is closed and its hazards are
    removed; a stop order may now be lifted. Failed: back to rectification, its clock again."""
    note = _text(note, "复查情况", "note", limit=300)
    if passed:
        name = "recheck_pass" if order.kind == Order.Kind.RECTIFY else "recheck_pass_stop"
    else:
        name = "recheck_fail"
    with audited(actor=actor):
        transition_fire(
            obj=order,
            name=name,
            actor=actor,
            note=note,
            updates={"rechecked_on": clock.today(), "recheck_passed": passed},
            workflow=ORDER_FLOW,
        )
        if passed:
            for hazard in order.hazards.filter(state=Hazard.State.OPEN):
                hazard_remove(actor=actor, hazard=hazard, note=f"指令书 {order.number} 复查合格")
    return order


def order_lift(*, actor: Any, order: Order, note: str = "") -> Order:
    """Lift a stop order: only after a passed re-check (the equipment resumes)."""
    permissions.require(actor, CHECK)
    if order.kind != Order.Kind.STOP:
        raise ValidationError("只有停止使用指令需要解除")
    current = Order.objects.filter(pk=order.pk).values_list("state", flat=True).first()
    if current != Order.State.PASSED:
        raise ValidationError(
            "停止使用指令须经复查合格后方可解除（当前状态："
            f"{Order.State(current).label if current else '不存在'}）"
        )
    note = _text(note, "说明", "note", limit=300)
    with audited(actor=actor):
        transition_fire(obj=order, name="lift", actor=actor, note=note, workflow=ORDER_FLOW)
        for item in order.equipment.filter(status=Equipment.Status.STOPPED):
            transition_fire(
                obj=item,
                name="resume",
                actor=actor,
                note=f"指令书 {order.number} 解除",
                workflow=EQUIPMENT_FLOW,
            )
    return order


def hazard_escalate(*, actor: Any, hazard: Hazard, note: str = "") -> Handover:
    """Hand the hazard to enforcement as a clue (topic equipment.hazard_escalated)."""
    permissions.require(actor, ESCALATE)
    note = clean_text(note or "", label="移送理由", multiline=True, field="note")
    if not note:
        raise ValidationError({"note": "请填写移送理由"})
    check = hazard.field_check
    with audited(actor=actor) as audit:
        Hazard.objects.filter(pk=hazard.pk).update(escalated=True)
        record = handover_send(
            audit=audit,
            kind=Handover.Kind.CLUE,
            topic=ESCALATED_TOPIC,
            topic_label="特种设备隐患移送",
            source=hazard,
            unit=hazard.unit,
            occurred_on=clock.today(),
            title=f"{check.entity.name}：{hazard.description[:80]}",
            source_number=check.number,
            source_url=check.get_absolute_url(),
            entity=check.entity,
            detail=note,
            data={
                "hazard_id": hazard.pk,
                "check_number": check.number,
                "level": hazard.level,
                "found_on": hazard.found_on.isoformat(),
                "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
                "equipment": [hazard.equipment.registration_number] if hazard.equipment else [],
                "orders": list(hazard.orders.values_list("number", flat=True)),
            },
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=hazard,
            summary=f"隐患移送执法：{hazard.description[:60]}",
            changes={"escalated": [False, True]},
        )
    hazard.escalated = True
    return record


def key_unit_set(*, actor: Any, entity: Entity, reasons: Sequence[str]) -> KeyUnit | None:
    """Put the entity on the key-unit list with its reasons, or take it off (no reasons)."""
    permissions.require(actor, ESCALATE)
    unknown = [r for r in reasons if r not in KeyUnit.Reason.values]
    if unknown:
        raise ValidationError({"reasons": f"列入理由“{unknown[0]}”无效"})
    current = KeyUnit.objects.filter(entity=entity).first()
    with audited(actor=actor) as audit:
        if not reasons:
            if current is not None:
                audit.record(
                    action=AuditLog.Action.DELETE,
                    obj=current,
                    summary=f"移出重点单位：{entity.name}",
                )
                current.delete()
            return None
        if current is None:
            current = KeyUnit.objects.create(
                entity=entity, unit=entity.unit, reasons=list(reasons), listed_on=clock.today()
            )
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=current,
                summary=f"列入重点单位：{entity.name}",
                changes={"reasons": list(reasons)},
            )
        else:
            before = list(current.reasons)
            KeyUnit.objects.filter(pk=current.pk).update(reasons=list(reasons))
            current.reasons = list(reasons)
            audit.record(
                action=AuditLog.Action.UPDATE,
                obj=current,
                summary=f"调整重点单位理由：{entity.name}",
                changes={"reasons": [before, list(reasons)]},
            )
    return current


def campaign_create(
    *,
    actor: Any,
    name: str,
    scope: str,
    category: str,
    starts_on: dt.date,
    ends_on: dt.date,
    compounds: Iterable[Compound],
) -> Campaign:
    """Open a 专项整治 over the compounds given (its progress is counted from their checks)."""
    permissions.require(actor, CAMPAIGN)
    name = _text(name, "名称", "name", required=True, limit=100)
    scope = _text(scope, "范围", "scope", required=True, limit=300)
    if category not in Category.values:
        raise ValidationError({"category": f"设备类别“{category}”无效"})
    if ends_on < starts_on:
        raise ValidationError(
            {"ends_on": f"结束日期 {ends_on:%Y-%m-%d} 早于开始日期 {starts_on:%Y-%m-%d}"}
        )
    chosen = list(compounds)
    if not chosen:
        raise ValidationError({"compounds": "请选择至少一个小区"})
    unit = actor.unit if getattr(actor, "is_authenticated", False) else chosen[0].unit
    with audited(actor=actor) as audit:
        campaign = number_retry(
            lambda: Campaign.objects.create(
                number=number_next(
                    model=Campaign, field="number", prefix=f"ZX{starts_on:%Y}", width=3
                ),
                name=name,
                scope=scope,
                category=category,
                unit=unit,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )
        campaign.compounds.set(chosen)
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=campaign,
            summary=f"组织专项整治：{name}（{len(chosen)}个小区）",
            changes={"scope": scope, "compounds": len(chosen)},
        )
    return campaign


def equipment_bulk_register(*, actor: Any, items: Sequence[Equipment], batch: int = 2000) -> int:
    """Enter many items already checked by their maker (the demo city, a migration from the
    provincial system): bulk inserts in one audited transaction with one audit row an item
    (audit.record_many). Items must carry unit, district and their dates; registration
    numbers are checked here too. Returns how many were written."""
    permissions.require(actor, EDIT)
    for item in items:
        if item.registration_number:
            registration_number_validate(item.registration_number, category=item.category)
        if (
            item.next_due_on
            and item.last_inspected_on
            and item.next_due_on <= item.last_inspected_on
        ):
            raise ValidationError({"next_due_on": f"{item}：下次检验日期应晚于上次检验日期"})
    with audited(actor=actor) as audit:
        for start in range(0, len(items), batch):
            chunk = list(items[start : start + batch])
            Equipment.objects.bulk_create(chunk, batch_size=500)
            audit.record_many(
                action=AuditLog.Action.CREATE,
                object_type="equipment.equipment",
                entries=(
                    (str(e.pk), str(e)[:200], f"登记特种设备：{e}", {"category": e.category})
                    for e in chunk
                ),
            )
    return len(items)
