"""The draw and its withdrawals (抽取、回避重抽), their verification, and the files the portal
publishes for anyone to re-run them (docs/draw-algorithm.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.core.scope import unit_is_visible
from regulus.core.text import clean_text
from regulus.inspections import drawalgo
from regulus.inspections.models import (
    STRATA,
    Assignment,
    Draw,
    Inspector,
    Snapshot,
    Target,
    Task,
)
from regulus.inspections.services.tasks import source_confirmed
from regulus.registry.models import Entity


def _lists(task: Task, texts: dict[str, str]) -> drawalgo.Lists:
    return drawalgo.Lists(
        targets=drawalgo.parse_targets(texts[Snapshot.Name.TARGETS]),
        inspectors=drawalgo.parse_inspectors(texts[Snapshot.Name.INSPECTORS]),
        exclusions=drawalgo.parse_exclusions(texts[Snapshot.Name.EXCLUSIONS]),
        check_date=f"{task.check_from:%Y-%m-%d}",
        cross_district=task.cross_district,
    )


def _params(task: Task) -> str:
    return drawalgo.params_line(
        per_target=task.per_target,
        check_date=f"{task.check_from:%Y-%m-%d}",
        cross_district=task.cross_district,
        ratios={s.stratum: s.ratio_bp for s in task.strata.all()},
    )


def _seed(task: Task, snapshots: dict[str, Snapshot], params: str, source: str) -> str:
    return drawalgo.seed_of(
        task=task.number,
        targets_sm3=snapshots[Snapshot.Name.TARGETS].sm3,
        inspectors_sm3=snapshots[Snapshot.Name.INSPECTORS].sm3,
        exclusions_sm3=snapshots[Snapshot.Name.EXCLUSIONS].sm3,
        params=params,
        source=source,
    )


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Many rows at once: one executemany (SQLite) or one COPY (PostgreSQL) (perf-notes trap 1)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)


def draw_run(*, actor: Any, task: Task) -> Draw:
    """The draw: targets per stratum and their inspectors, from the frozen lists and the
    confirmed source; once per task."""
    permissions.require(actor, "inspections.plan_manage")
    if not unit_is_visible(actor, task.unit):
        raise ValidationError("只能抽取本单位的任务")
    if task.state == Task.State.DRAWN:
        raise ValidationError("该任务已经抽取过，不能再次抽取")
    if task.state != Task.State.FROZEN:
        raise ValidationError("请先冻结检查对象和检查人员名录")
    entries = list(task.source_entries.all()[:2])
    source = source_confirmed(task)
    if source is None:
        raise ValidationError(
            "随机源仅录入一次，须另一名工作人员复核录入后才能抽取"
            if len(entries) == 1
            else "尚未录入公共随机源"
        )
    snapshots = {s.name: s for s in task.snapshots.all()}
    texts = {name: s.content for name, s in snapshots.items()}
    lists = _lists(task, texts)
    params = _params(task)
    seed = _seed(task, snapshots, params, source)
    ratios = {s.stratum: s.ratio_bp for s in task.strata.all()}
    try:
        result = drawalgo.draw_main(lists, seed=seed, ratios=ratios, per_target=task.per_target)
    except drawalgo.DrawFailure as failure:
        raise ValidationError(f"检查人员不足，无法抽取：{failure}") from None
    spread = drawalgo.load_spread(lists, result.inspectors)
    uneven = {k: v for k, v in spread.items() if v[1] - v[0] > 1}
    note = ""
    if uneven:
        note = (
            "；".join(
                f"{'全市' if k == '*' else '区划' + k}检查人员承担{lo}至{hi}户"
                for k, (lo, hi) in uneven.items()
            )
            + "：部分人员因利害关系回避、曾检查过对象或属地限制不能承担更多对象"
        )
    now = clock.now()
    with audited(actor=actor) as audit:
        draw = Draw.objects.create(
            task=task,
            seq=1,
            kind=Draw.Kind.MAIN,
            algorithm=drawalgo.ALGORITHM,
            seed=seed,
            params={"params": params, "source": source},
            result={},
            created_by=actor,
            created_at=now,
        )
        usccs = [lists.targets[i][0] for i in result.targets]
        entity_ids = _ids_by_uscc(usccs)
        _insert(
            Target._meta.db_table,
            ["task_id", "entity_id", "stratum", "position", "state", "deadline_provisional"],
            [
                (
                    task.pk,
                    entity_ids[lists.targets[i][0]],
                    lists.targets[i][1],
                    pos,
                    Target.State.ASSIGNED,
                    False,
                )
                for pos, i in enumerate(result.targets, start=1)
            ],
        )
        target_ids = dict(Target.objects.filter(task=task).values_list("position", "id"))
        inspector_ids = dict(
            Inspector.objects.filter(number__in=[r.number for r in lists.inspectors]).values_list(
                "number", "id"
            )
        )
        _insert(
            Assignment._meta.db_table,
            ["target_id", "inspector_id", "draw_id", "pick", "active"],
            [
                (target_ids[pos], inspector_ids[lists.inspectors[i].number], draw.pk, pick, True)
                for pos, chosen in enumerate(result.inspectors, start=1)
                for pick, i in enumerate(chosen, start=1)
            ],
        )
        task.state, task.drawn_at, task.spread_note = Task.State.DRAWN, now, note[:500]
        task.save(update_fields=["state", "drawn_at", "spread_note"])
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=draw,
            summary=f"抽取检查对象和检查人员：{task.title}",
            changes={
                "targets": len(result.targets),
                "assignments": sum(len(c) for c in result.inspectors),
            },
        )
    return draw


def _ids_by_uscc(usccs: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(usccs), 900):
        chunk = usccs[start : start + 900]
        found.update(Entity.objects.filter(uscc__in=chunk).values_list("uscc", "id"))
    return found


def withdrawal_draw(*, actor: Any, assignment: Assignment, reason: str) -> Draw:
    """回避: end an inspector's assignment to a target and draw the replacement from the
    remaining pool by a recorded, re-runnable draw (section 7 of the document)."""
    permissions.require(actor, "inspections.plan_manage")
    target = assignment.target
    task = target.task
    if not unit_is_visible(actor, task.unit):
        raise ValidationError("只能办理本单位任务的回避")
    reason = clean_text(reason, label="回避事由", field="reason")
    if not reason:
        raise ValidationError({"reason": "请填写回避事由"})
    if not assignment.active:
        raise ValidationError("该检查人员已不在该对象的检查组中")
    if target.state != Target.State.ASSIGNED:
        raise ValidationError("该对象已检查，不能再回避重抽")
    snapshots = {s.name: s for s in task.snapshots.all()}
    lists = _lists(task, {n: s.content for n, s in snapshots.items()})
    main = task.draws.get(kind=Draw.Kind.MAIN)
    index = {r.number: i for i, r in enumerate(lists.inspectors)}
    current: dict[str, list[int]] = {}
    for uscc, number in Assignment.objects.filter(target__task=task, active=True).values_list(
        "target__entity__uscc", "inspector__number"
    ):
        current.setdefault(uscc, []).append(index[number])
    earlier = task.draws.filter(kind=Draw.Kind.WITHDRAWAL).order_by("seq")
    extra = {(d.params["withdrawn"], d.params["uscc"]) for d in earlier}
    seq = (task.draws.order_by("-seq").values_list("seq", flat=True).first() or 1) + 1
    withdrawal = drawalgo.Withdrawal(seq, target.entity.uscc, assignment.inspector.number)
    try:
        chosen = drawalgo.draw_withdrawal(
            lists, seed=main.seed, current=current, withdrawal=withdrawal, extra_exclusions=extra
        )
    except drawalgo.DrawFailure as failure:
        raise ValidationError(str(failure)) from None
    number = lists.inspectors[chosen].number
    replacement = Inspector.objects.get(number=number)
    with audited(actor=actor) as audit:
        draw = Draw.objects.create(
            task=task,
            seq=seq,
            kind=Draw.Kind.WITHDRAWAL,
            algorithm=drawalgo.ALGORITHM,
            seed=main.seed,
            params={"uscc": withdrawal.uscc, "withdrawn": withdrawal.withdrawn},
            result={"replacement": number},
            reason=reason[:300],
            created_by=actor,
            created_at=clock.now(),
        )
        Assignment.objects.filter(pk=assignment.pk).update(active=False)
        Assignment.objects.create(
            target=target, inspector=replacement, draw=draw, pick=assignment.pick
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=draw,
            summary=f"回避重抽：{assignment.inspector.user.display_name}回避{target.entity.name}，"
            f"抽中{replacement.user.display_name}",
            changes={"reason": draw.reason},
        )
    return draw


# -- verification and publication ---------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    task: str
    ok: bool
    problem: str = ""


def verify(task: Task) -> Verdict:
    """Recompute the task's draws from what is stored and published: each snapshot's SM3 and
    size, the seed, the drawn targets and inspectors in order, each withdrawal."""
    snapshots = {s.name: s for s in task.snapshots.all()}
    for name in Snapshot.Name.values:
        snap = snapshots.get(name)
        if snap is None:
            return Verdict(task.number, False, f"缺少{Snapshot.Name(name).label}")
        if drawalgo.sm3(snap.content.encode("utf-8")) != snap.sm3:
            return Verdict(task.number, False, f"{snap.get_name_display()}与公布的SM3杂凑值不符")
        if snap.content.count("\n") != snap.lines:
            return Verdict(task.number, False, f"{snap.get_name_display()}与公布的条数不符")
    draws = list(task.draws.order_by("seq"))
    if not draws:
        return Verdict(task.number, True, "尚未抽取")
    main = draws[0]
    lists = _lists(task, {n: s.content for n, s in snapshots.items()})
    params = _params(task)
    if main.params.get("params") != params:
        return Verdict(task.number, False, f"第{main.seq}次抽取：参数与任务不符")
    source = source_confirmed(task)
    if source is None or main.params.get("source") != source:
        return Verdict(task.number, False, f"第{main.seq}次抽取：随机源与两人录入的数值不符")
    seed = _seed(task, snapshots, params, source)
    if seed != main.seed:
        return Verdict(
            task.number, False, f"第{main.seq}次抽取：种子不能由公布的名录和随机源重算得出"
        )
    ratios = {s.stratum: s.ratio_bp for s in task.strata.all()}
    try:
        result = drawalgo.draw_main(lists, seed=seed, ratios=ratios, per_target=task.per_target)
    except drawalgo.DrawFailure as failure:
        return Verdict(task.number, False, f"第{main.seq}次抽取不能重现：{failure}")
    stored = stored_main(task, main)
    expected = [
        (lists.targets[i][0], [lists.inspectors[j].number for j in chosen])
        for i, chosen in zip(result.targets, result.inspectors, strict=True)
    ]
    if stored != expected:
        where = next(
            (n for n, (a, b) in enumerate(zip(stored, expected, strict=False), 1) if a != b),
            min(len(stored), len(expected)) + 1,
        )
        return Verdict(
            task.number, False, f"第{main.seq}次抽取：抽中结果自第{where}户起与重算结果不符"
        )
    index = {r.number: i for i, r in enumerate(lists.inspectors)}
    current = {uscc: [index[n] for n in numbers] for uscc, numbers in expected}
    extra: set[tuple[str, str]] = set()
    for draw in draws[1:]:
        w = drawalgo.Withdrawal(
            draw.seq, draw.params.get("uscc", ""), draw.params.get("withdrawn", "")
        )
        if (
            draw.seed != seed
            or w.uscc not in current
            or index.get(w.withdrawn) not in current[w.uscc]
        ):
            return Verdict(task.number, False, f"第{draw.seq}次抽取（回避重抽）的参数与记录不符")
        try:
            chosen = drawalgo.draw_withdrawal(
                lists, seed=seed, current=current, withdrawal=w, extra_exclusions=extra
            )
        except drawalgo.DrawFailure as failure:
            return Verdict(task.number, False, f"第{draw.seq}次抽取不能重现：{failure}")
        number = lists.inspectors[chosen].number
        kept = list(draw.assignments.values_list("inspector__number", flat=True))
        if draw.result.get("replacement") != number or kept != [number]:
            return Verdict(
                task.number, False, f"第{draw.seq}次抽取（回避重抽）的结果与重算结果不符"
            )
        current[w.uscc] = [i for i in current[w.uscc] if i != index[w.withdrawn]] + [chosen]
        extra.add((w.withdrawn, w.uscc))
    return Verdict(task.number, True)


def stored_main(task: Task, main: Draw, *, limit: int | None = None) -> list[tuple[str, list[str]]]:
    """The main draw as stored: each target's USCC in draw order with its drawn inspectors
    (the first `limit` targets, or all)."""
    rows: dict[int, tuple[str, list[str]]] = {}
    targets = Target.objects.filter(task=task)
    picks = Assignment.objects.filter(draw=main).order_by("target__position", "pick")
    if limit is not None:
        targets = targets.filter(position__lte=limit)
        picks = picks.filter(target__position__lte=limit)
    for pos, uscc in targets.values_list("position", "entity__uscc"):
        rows[pos] = (uscc, [])
    for pos, number in picks.values_list("target__position", "inspector__number"):
        if pos in rows:
            rows[pos][1].append(number)
    return [rows[p] for p in sorted(rows)]


def draw_info(task: Task, *, drawn_limit: int | None = None) -> dict[str, Any]:
    """What draw.json holds: the algorithm, parameters, hashes and sizes, the source, the seed,
    the drawn targets with their inspectors (the first `drawn_limit` of them, or all) and the
    withdrawals. Reads no snapshot's content."""
    snapshots = list(task.snapshots.defer("content"))
    info: dict[str, Any] = {
        "algorithm": drawalgo.ALGORITHM,
        "task": task.number,
        "title": task.title,
        "params": _params(task),
        "source_description": task.source_description,
        "source_available_at": task.source_available_at.isoformat(),
        "files": {s.filename: {"sm3": s.sm3, "lines": s.lines} for s in snapshots},
        "strata": {
            s.stratum: {"population": s.population, "ratio_bp": s.ratio_bp, "count": s.drawn}
            for s in task.strata.all()
        },
    }
    draws = list(task.draws.order_by("seq"))
    if draws:
        main = draws[0]
        info["source"] = main.params.get("source", "")
        info["seed"] = main.seed
        info["drawn"] = [[u, n] for u, n in stored_main(task, main, limit=drawn_limit)]
        info["withdrawals"] = [
            {
                "seq": d.seq,
                "uscc": d.params.get("uscc"),
                "withdrawn": d.params.get("withdrawn"),
                "replacement": d.result.get("replacement"),
            }
            for d in draws[1:]
        ]
    return info


def published_files(task: Task, names: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """The files the portal offers for a frozen task (or those named): the three snapshots
    and draw.json."""
    files: dict[str, bytes] = {}
    for snap in task.snapshots.all():
        if names is None or snap.filename in names:
            files[snap.filename] = snap.content.encode("utf-8")
    if names is None or "draw.json" in names:
        info = draw_info(task)
        files["draw.json"] = json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8")
    return files


assert STRATA == drawalgo.STRATA
