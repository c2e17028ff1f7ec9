"""Plans and tasks (年度抽查计划、抽查任务): create, file, freeze the lists, enter the source."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.timezone import localtime

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.documents import number_next, number_retry
from regulus.core.models import AuditLog
from regulus.core.scope import unit_is_visible
from regulus.core.text import clean_text
from regulus.inspections import drawalgo, selectors
from regulus.inspections.models import (
    STRATA,
    STRATUM_LABELS,
    Assignment,
    CheckItem,
    Conflict,
    Domain,
    Inspector,
    JointVisit,
    Plan,
    Snapshot,
    SourceEntry,
    Target,
    Task,
    TaskStratum,
)
from regulus.inspections.services.lists import unit_district_codes
from regulus.registry.models import EntityKind


def plan_create(*, actor: Any, year: int, batch: int, title: str) -> Plan:
    permissions.require(actor, "inspections.plan_manage")
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = "年度须在2000至2100之间"
    if not 1 <= batch <= 99:
        errors["batch"] = "批次须在1至99之间"
    title = clean_text(title, label="计划名称", field="title")
    if not title:
        errors["title"] = "请填写计划名称"
    if not errors and Plan.objects.filter(unit=actor.unit, year=year, batch=batch).exists():
        errors["batch"] = "本单位该年度该批次的计划已存在"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        plan = Plan.objects.create(year=year, batch=batch, title=title[:200], unit=actor.unit)
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=plan,
            summary=f"编制抽查计划：{plan}",
            changes={"year": year, "batch": batch, "title": plan.title},
        )
    return plan


def plan_file(*, actor: Any, plan: Plan) -> Plan:
    """File the plan with the level above (报备): it is then read-only for the city."""
    permissions.require(actor, "inspections.plan_manage")
    if not plan.is_own(actor):
        raise ValidationError("只能报备本单位的计划；上级单位只能查阅报备的计划")
    if plan.state != Plan.State.DRAFT:
        raise ValidationError("该计划已报备")
    above = plan.unit.parent
    if above is None:
        raise ValidationError("本单位没有上级单位，无需报备")
    with audited(actor=actor) as audit:
        plan.state, plan.filed_at, plan.filed_with = Plan.State.FILED, clock.now(), above
        plan.save(update_fields=["state", "filed_at", "filed_with"])
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=plan,
            summary=f"报备抽查计划：{plan}（报{above.name}备案）",
            changes={
                "state": [Plan.State.DRAFT.label, Plan.State.FILED.label],
                "filed_with": above.name,
            },
        )
    return plan


def _ratios(raw: dict[str, Any], on: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """Each stratum's ratio (percent, as typed) checked against 0–100 % and the rule version
    in force on `on`; {stratum: (basis points, rule)} and the errors by field."""
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for stratum in STRATA:
        key = f"ratio_{stratum}" if stratum != "-" else "ratio_none"
        label = STRATUM_LABELS[stratum]
        rule = selectors.rule_in_force(stratum, on)
        value = raw.get(stratum)
        if value in (None, ""):
            if rule is None:
                errors[key] = f"{label}抽查比例：{on:%Y-%m-%d}没有生效的比例规则，请填写比例"
                continue
            found[stratum] = (rule.default_bp, rule)
            continue
        try:
            percent = float(str(value).strip().rstrip("%"))
        except ValueError:
            errors[key] = f"{label}抽查比例须为0至100之间的数字（百分比）"
            continue
        if not 0 <= percent <= 100 or percent != percent:
            errors[key] = f"{label}抽查比例须在0%至100%之间"
            continue
        bp = round(percent * 100)
        if rule is None:
            errors[key] = f"{label}抽查比例：{on:%Y-%m-%d}没有生效的比例规则"
        elif not rule.min_bp <= bp <= rule.max_bp:
            errors[key] = (
                f"{label}抽查比例须在{rule.min_bp / 100:g}%至{rule.max_bp / 100:g}%之间"
                f"（{rule.basis}）"
            )
        else:
            found[stratum] = (bp, rule)
    return found, errors


def task_create(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    department: str,
    domain: str,
    items: list[CheckItem],
    check_from: dt.date | None,
    check_to: dt.date | None,
    source_description: str,
    source_available_at: dt.datetime | None,
    ratios: dict[str, Any],
    per_target: int = 2,
    filters: dict[str, Any] | None = None,
    joint: bool = False,
    cross_district: bool = False,
) -> Task:
    """A task of a plan; its ratios per stratum (percent) default to the rule version in force
    on the first check day, and must lie within that version's range."""
    permissions.require(actor, "inspections.plan_manage")
    if not plan.is_own(actor):
        raise ValidationError({"plan": "只能在本单位的计划下建立任务；上级单位只能查阅报备的计划"})
    errors: dict[str, str] = {}
    title = clean_text(title, label="任务名称", field="title")
    department = clean_text(department, label="实施部门", field="department")
    source_description = clean_text(
        source_description, label="公共随机源", field="source_description"
    )
    if not title:
        errors["title"] = "请填写任务名称"
    if not department:
        errors["department"] = "请填写实施部门"
    if domain not in Domain.values:
        errors["domain"] = "业务领域须从列表中选择"
    if not items:
        errors["items"] = "请至少选择一项检查事项"
    if not 2 <= per_target <= 10:
        errors["per_target"] = (
            "每户检查人员数须在2至10之间（行政处罚法第42条：执法人员不得少于两人）"
        )
    if check_from is None or check_to is None:
        errors["check_from"] = "请填写检查起止日期"
    elif check_to < check_from:
        errors["check_to"] = "检查结束日期不能早于开始日期"
    elif check_from.year != plan.year:
        errors["check_from"] = f"检查开始日期须在计划年度{plan.year}年内"
    if not source_description:
        errors["source_description"] = "请公布公共随机源（如某期公开彩票开奖号码及开奖时间）"
    if source_available_at is None:
        errors["source_available_at"] = "请填写随机源产生时间"
    elif source_available_at <= clock.now():
        errors["source_available_at"] = "随机源产生时间须晚于现在：冻结名录时任何人都不能知道随机源"
    filters = _filters(filters or {}, errors)
    found, ratio_errors = _ratios(ratios, check_from) if check_from else ({}, {})
    errors.update(ratio_errors)
    if errors:
        raise ValidationError(errors)
    assert check_from and check_to and source_available_at
    with audited(actor=actor) as audit:
        prefix = f"SJ{plan.unit_id:03d}{plan.year}"

        def create() -> Task:
            return Task.objects.create(
                number=number_next(model=Task, field="number", prefix=prefix, width=4),
                plan=plan,
                title=title[:200],
                unit=plan.unit,
                department=department[:100],
                joint=joint,
                domain=domain,
                filters=filters,
                cross_district=cross_district,
                per_target=per_target,
                check_from=check_from,
                check_to=check_to,
                source_description=source_description[:300],
                source_available_at=source_available_at,
            )

        task = number_retry(create)
        task.items.set(items)
        TaskStratum.objects.bulk_create(
            TaskStratum(task=task, stratum=s, ratio_bp=bp, rule=rule)
            for s, (bp, rule) in found.items()
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=task,
            summary=f"建立抽查任务：{task.title}",
            changes={
                "number": task.number,
                "title": task.title,
                "filters": filters,
                "per_target": per_target,
                "source_description": task.source_description,
            },
        )
    return task


def _filters(raw: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = str(raw.get("kind") or "")
    if kind:
        if kind not in EntityKind.values:
            errors["kind"] = "主体类型须从列表中选择"
        out["kind"] = kind
    section = str(raw.get("industry_section") or "").upper()
    if section:
        if len(section) != 1 or not "A" <= section <= "T":
            errors["industry_section"] = "行业门类须为A至T中的一个字母"
        out["industry_section"] = section
    district = str(raw.get("district_code") or "")
    if district:
        if len(district) != 6 or not district.isdigit():
            errors["district_code"] = "区县须为6位行政区划代码"
        out["district_code"] = district
    classes = [str(c) for c in raw.get("risk_class") or []]
    if classes:
        if any(c not in STRATA for c in classes):
            errors["risk_class"] = "风险分类须为A、B、C、D或未分类"
        out["risk_class"] = sorted(set(classes))
    return out


def _inspector_rows(task: Task) -> tuple[list[drawalgo.InspectorLine], dict[str, int]]:
    districts = unit_district_codes()
    rows = Inspector.objects.filter(available=True)
    if not task.cross_district and task.unit.kind != task.unit.Kind.CITY_BUREAU:
        rows = rows.filter(unit_id__in=task.unit.subtree_ids())
    lines, ids = [], {}
    for pk, number, expires, unit_id, domains in rows.values_list(
        "id", "number", "certificate_expires", "unit_id", "domains"
    ):
        if task.domain in (domains or []):
            lines.append(drawalgo.InspectorLine(number, districts[unit_id], f"{expires:%Y-%m-%d}"))
            ids[number] = pk
    return lines, ids


def freeze_lists(task: Task) -> tuple[dict[str, str], list[drawalgo.TargetLine]]:
    """The three snapshots of a task as they stand now (the texts of section 2), and the
    target lines."""
    targets: list[drawalgo.TargetLine] = [
        (uscc, risk or "-", district)  # type: ignore[misc]
        for uscc, risk, district in selectors.target_candidates(task).values_list(
            "uscc", "risk_class", "district_code"
        )
    ]
    inspectors, inspector_ids = _inspector_rows(task)
    numbers = set(inspector_ids)
    usccs = {t[0] for t in targets}
    pairs: set[tuple[str, str]] = set()
    for number, uscc in Conflict.objects.values_list("inspector__number", "entity__uscc"):
        if number in numbers and uscc in usccs:
            pairs.add((number, uscc))
    # The inspectors of each entity's previous check (its latest other task) are excluded.
    latest: dict[str, tuple[dt.date, int, set[str]]] = {}
    previous = Assignment.objects.filter(active=True).exclude(target__task_id=task.pk)
    for uscc, number, on, task_id in previous.values_list(
        "target__entity__uscc", "inspector__number", "target__task__check_from", "target__task_id"
    ):
        if uscc not in usccs:
            continue
        seen = latest.get(uscc)
        if seen is None or (on, task_id) > seen[:2]:
            latest[uscc] = (on, task_id, {number})
        elif (on, task_id) == seen[:2]:
            seen[2].add(number)
    for uscc, (_on, _task, found) in latest.items():
        pairs.update((n, uscc) for n in found if n in numbers)
    texts: dict[str, str] = {
        Snapshot.Name.TARGETS: drawalgo.targets_text(targets),
        Snapshot.Name.INSPECTORS: drawalgo.inspectors_text(inspectors),
        Snapshot.Name.EXCLUSIONS: drawalgo.exclusions_text(pairs),
    }
    return texts, targets


def task_freeze(*, actor: Any, task: Task) -> Task:
    """Freeze the target, inspector and exclusion lists as published snapshots (SM3 and line
    count); before the public random source exists."""
    permissions.require(actor, "inspections.plan_manage")
    if not unit_is_visible(actor, task.unit):
        raise ValidationError("只能冻结本单位的任务")
    if task.state != Task.State.DRAFT:
        raise ValidationError("该任务的名录已冻结，不能再次冻结")
    if task.source_available_at <= clock.now():
        raise ValidationError(
            {"source_available_at": "公共随机源已经产生，不能再冻结名录：请修改为今后产生的随机源"}
        )
    texts, targets = freeze_lists(task)
    excluded = selectors.exclusion_counts(task)
    if not targets:
        raise ValidationError(
            "检查对象名录为空：按筛选条件并排除本年度已抽中、未开业和非在业主体后，没有可抽取的主体"
        )
    if not texts[Snapshot.Name.INSPECTORS]:
        raise ValidationError("执法检查人员名录为空：本单位没有该业务领域可参加抽查的检查人员")
    population: dict[str, int] = {}
    for row in targets:
        population[row[1]] = population.get(row[1], 0) + 1
    with audited(actor=actor) as audit:
        Snapshot.objects.bulk_create(
            Snapshot(
                task=task,
                name=name,
                content=text,
                sm3=drawalgo.sm3(text.encode("utf-8")),
                lines=text.count("\n"),
            )
            for name, text in texts.items()
        )
        for stratum in task.strata.all():
            stratum.population = population.get(stratum.stratum, 0)
            stratum.drawn = drawalgo.stratum_count(stratum.population, stratum.ratio_bp)
            stratum.save(update_fields=["population", "drawn"])
        task.state, task.frozen_at = Task.State.FROZEN, clock.now()
        task.save(update_fields=["state", "frozen_at"])
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=task,
            summary=f"冻结检查对象和检查人员名录：{task.title}",
            changes={
                "targets": len(targets),
                "inspectors": texts[Snapshot.Name.INSPECTORS].count("\n"),
                "exclusions": texts[Snapshot.Name.EXCLUSIONS].count("\n"),
                **(
                    {"excluded": "；".join(f"{label}{n}户" for label, n in excluded)}
                    if excluded
                    else {}
                ),
            },
        )
    return task


def source_enter(*, actor: Any, task: Task, value: str) -> SourceEntry:
    """One of the two entries of the public random source, after it exists; the second, by
    another staff member, must match the first."""
    permissions.require(actor, "inspections.source_enter")
    if not unit_is_visible(actor, task.unit):
        raise ValidationError("只能为本单位的任务录入随机源")
    value = clean_text(value, label="随机源数值", field="value")
    if not value or len(value) > 200:
        raise ValidationError({"value": "请填写随机源数值（1至200个字符）"})
    if task.state == Task.State.DRAFT:
        raise ValidationError({"value": "请先冻结名录，再录入随机源"})
    if task.state == Task.State.DRAWN:
        raise ValidationError({"value": "该任务已经抽取，随机源不能再录入"})
    if clock.now() < task.source_available_at:
        when = f"{localtime(task.source_available_at):%Y-%m-%d %H:%M}"
        raise ValidationError({"value": f"随机源尚未产生（产生时间{when}），不能录入"})
    entries = list(task.source_entries.all())
    if len(entries) >= 2:
        raise ValidationError({"value": "随机源已由两人录入确认"})
    if entries and entries[0].entered_by_id == actor.pk:
        raise ValidationError({"value": "随机源须由另一名工作人员复核录入"})
    if entries and entries[0].value != value:
        raise ValidationError(
            {"value": "两次录入的随机源数值不一致，本次录入未保存：请核对公开的随机源后重新录入"}
        )
    with audited(actor=actor) as audit:
        entry = SourceEntry.objects.create(
            task=task, value=value, entered_by=actor, entered_at=clock.now()
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=entry,
            summary=("复核录入随机源，两次录入一致" if entries else "首次录入随机源")
            + f"：{task.title}",
            changes={"value": value},
        )
    return entry


def source_confirmed(task: Task) -> str | None:
    """The source value when two staff entered the same, else None."""
    entries = list(task.source_entries.all()[:2])
    if len(entries) == 2 and entries[0].value == entries[1].value:
        return entries[0].value
    return None


def visit_merge(*, actor: Any, task: Task, targets: list[Target]) -> int:
    """One visit, not three (综合查一次): check the task's items at targets another open task
    of the period already drew (selectors.overlapping_targets), in their visit. Before the
    task's draw; the targets must still be among the overlapping ones. Returns how many."""
    permissions.require(actor, "inspections.plan_manage")
    if not task.plan.is_own(actor):
        raise ValidationError("只能为本单位的任务安排综合查一次")
    if task.state == Task.State.DRAWN:
        raise ValidationError("任务已抽取：须在抽取前并入其他任务的检查")
    if not targets:
        raise ValidationError({"targets": "请选择要并入联合检查的对象"})
    allowed = set(
        selectors.overlapping_targets(task)
        .filter(pk__in=[t.pk for t in targets])
        .values_list("pk", flat=True)
    )
    refused = [t for t in targets if t.pk not in allowed]
    if refused:
        names = "、".join(t.entity.name for t in refused[:3])
        raise ValidationError(
            {"targets": f"{names}等不能并入：已检查、已并入，或不在本任务的检查期间和筛选范围内"}
        )
    now = clock.now()
    with audited(actor=actor) as audit:
        JointVisit.objects.bulk_create(
            JointVisit(target=t, task=task, joined_by=actor, joined_at=now) for t in targets
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=task,
            summary=f"综合查一次：{task.title}的检查事项并入{len(targets)}户已抽中对象的检查",
            changes={"joint_visits": len(targets)},
        )
    return len(targets)
