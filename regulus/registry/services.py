"""Every write to the registry: keyword-only functions, each checking its permission
(registry.permissions) first, then one audited transaction (core.audit.audited).

The name-search index (search.py) is kept in step here, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction

from regulus.core import clock, permissions
from regulus.core.audit import audited, diff, snapshot, unaudited
from regulus.core.crypto import keyed_hash
from regulus.core.files import STORAGE_FULL, storage_full
from regulus.core.masking import mask_id_number
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.tick import SYSTEM_ACTOR
from regulus.registry import search
from regulus.registry.models import (
    Entity,
    EntityFormerName,
    EntityStatus,
    ImportJob,
    RiskClass,
)
from regulus.registry.rules import EntityRules, raise_errors

AUDITED_FIELDS = (
    "uscc",
    "name",
    "kind",
    "sub_kind",
    "legal_rep_name",
    "legal_rep_id_hash",
    "registered_capital",
    "established_on",
    "business_scope",
    "industry_section",
    "industry_code",
    "registration_authority",
    "district_code",
    "unit_id",
    "address",
    "phone",
    "status",
    "status_changed_on",
    "risk_class",
)
UPDATABLE_FIELDS = frozenset(
    {
        "name",
        "kind",
        "sub_kind",
        "legal_rep_name",
        "legal_rep_id_number",
        "registered_capital",
        "established_on",
        "business_scope",
        "industry_section",
        "industry_code",
        "registration_authority",
        "district_code",
        "unit",
        "address",
        "phone",
        "risk_class",
    }
)

# Which registration status may follow which (吊销 → 注销 is the usual path after revocation).
STATUS_TRANSITIONS: dict[str, set[str]] = {
    EntityStatus.ACTIVE: {EntityStatus.REVOKED, EntityStatus.CANCELLED, EntityStatus.MOVED_OUT},
    EntityStatus.REVOKED: {EntityStatus.CANCELLED},
    EntityStatus.CANCELLED: set(),
    EntityStatus.MOVED_OUT: set(),
}


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    """Audit rows never hold the ID number: its keyed hash stands for it."""
    return {k: v for k, v in values.items() if k != "legal_rep_id_number"}


def entity_create(
    *,
    actor: Any,
    uscc: str,
    name: str,
    kind: str,
    established_on: dt.date | str,
    district_code: str,
    unit: OrgUnit | None = None,
    sub_kind: str = "",
    legal_rep_name: str = "",
    legal_rep_id_number: str = "",
    registered_capital: Decimal | int | str | None = None,
    business_scope: str = "",
    industry_section: str = "",
    industry_code: str = "",
    registration_authority: str = "",
    address: str = "",
    phone: str = "",
    status: str = EntityStatus.ACTIVE,
    status_changed_on: dt.date | str | None = None,
    risk_class: str = "",
    permission: str = "registry.entity_edit",
) -> Entity:
    """Register a market entity (licensing calls this when a 设立登记 is approved).

    Raises ValidationError({field: 中文}) for a bad USCC (check character, or its category not
    matching the kind), a date in the future, negative capital, a district outside the city or
    a unit not of that district, or a USCC already registered. ``unit`` defaults to the
    district's bureau. ``permission``: what the actor must hold; another app that registers
    the entity as a step of its own (licensing, issuing a new business's certificate) names
    its step's permission.
    """
    permissions.require(actor, permission)
    raw = {
        "uscc": uscc,
        "name": name,
        "kind": kind,
        "established_on": established_on,
        "district_code": district_code,
        "unit": unit,
        "sub_kind": sub_kind,
        "legal_rep_name": legal_rep_name,
        "legal_rep_id_number": legal_rep_id_number,
        "registered_capital": registered_capital,
        "business_scope": business_scope,
        "industry_section": industry_section,
        "industry_code": industry_code,
        "registration_authority": registration_authority,
        "address": address,
        "phone": phone,
        "status": status,
        "status_changed_on": status_changed_on,
        "risk_class": risk_class,
    }
    data, errors = EntityRules().clean(raw)
    raise_errors(errors)
    with audited(actor=actor) as audit:
        if Entity.objects.filter(uscc=data["uscc"]).exists():
            raise ValidationError({"uscc": f"统一社会信用代码{data['uscc']}已登记"})
        id_number = data.pop("legal_rep_id_number", "")
        entity = Entity(
            **data,
            legal_rep_id_number=id_number,
            legal_rep_id_hash=keyed_hash(id_number) if id_number else "",
        )
        if entity.status != EntityStatus.ACTIVE and not entity.status_changed_on:
            entity.status_changed_on = clock.today()
        entity.save()
        search.index_entity(entity)
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=entity,
            summary=f"登记市场主体：{entity.name}（{entity.uscc}）",
            changes=_audit_view(snapshot(entity, AUDITED_FIELDS)),
        )
    return entity


def entity_update(*, actor: Any, entity: Entity, **changes: Any) -> Entity:
    """Change an entity's facts. A change of name keeps the old one as a former name.

    The USCC and the registration status are not changed here (see entity_change_status).
    """
    permissions.require(actor, "registry.entity_edit")
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError({field: "该字段不能在此修改" for field in sorted(unknown)})
    raw = dict(changes)
    # District and unit are checked together: a unit must belong to the entity's district.
    if "unit" in raw and "district_code" not in raw:
        raw["district_code"] = entity.district_code
    elif (
        "district_code" in raw
        and "unit" not in raw
        and raw["district_code"] == entity.district_code
    ):
        raw["unit"] = entity.unit_id
    if "established_on" in raw:
        raw.setdefault("status_changed_on", entity.status_changed_on)
    data, errors = EntityRules().clean(raw, partial=True)
    raise_errors(errors)
    with audited(actor=actor) as audit:
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        before = snapshot(entity, AUDITED_FIELDS)
        old_name = entity.name
        if "legal_rep_id_number" in data:
            number = data.pop("legal_rep_id_number")
            entity.legal_rep_id_number = number
            entity.legal_rep_id_hash = keyed_hash(number) if number else ""
        for key, value in data.items():
            setattr(entity, key, value)
        after = snapshot(entity, AUDITED_FIELDS)
        changed = diff(before, after)
        if not changed:
            return entity
        if entity.name != old_name:
            EntityFormerName.objects.create(entity=entity, name=old_name, used_until=clock.today())
        entity.save()
        search.index_entity(entity)
        summary = f"变更市场主体：{entity.name}"
        if entity.name != old_name:
            summary += f"（原名称：{old_name}）"
        if "legal_rep_id_hash" in changed:
            changed["legal_rep_id_hash"] = [
                "（已变更）",
                mask_id_number(entity.legal_rep_id_number),
            ]
        audit.record(action=AuditLog.Action.UPDATE, obj=entity, summary=summary, changes=changed)
    return entity


def entity_change_status(
    *, actor: Any, entity: Entity, status: str, on: dt.date | None = None, reason: str = ""
) -> Entity:
    """Record 吊销 / 注销 / 迁出 (the registration status) with its date."""
    permissions.require(actor, "registry.entity_edit")
    if status not in EntityStatus.values:
        raise ValidationError({"status": f"登记状态“{status}”不存在"})
    on = on or clock.today()
    with audited(actor=actor) as audit:
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if status not in STATUS_TRANSITIONS[entity.status]:
            raise ValidationError(
                {
                    "status": f"“{entity.get_status_display()}”的主体不能变更为"
                    f"“{EntityStatus(status).label}”"
                }
            )
        if on > clock.today():
            raise ValidationError({"status_changed_on": "状态变更日期晚于今天"})
        if on < entity.established_on:
            raise ValidationError({"status_changed_on": "状态变更日期早于成立日期"})
        old = entity.status
        entity.status, entity.status_changed_on = status, on
        entity.save(update_fields=["status", "status_changed_on", "updated_at"])
        search.index_entity(entity)
        audit.record(
            action=AuditLog.Action.TRANSITION,
            obj=entity,
            summary=f"登记状态：{EntityStatus(old).label} → {EntityStatus(status).label}"
            + (f"（{reason}）" if reason else ""),
            changes={"status": [old, status], "status_changed_on": [None, on]},
        )
    return entity


# --------------------------------------------------------------------------------------------
# Imports (the rows themselves are written by importing.EntityImporter, in one transaction)
# --------------------------------------------------------------------------------------------


def import_dir(job_id: int) -> Path:
    """The job's folder: the upload, its error report and, while it runs, progress.json."""
    return Path(settings.MEDIA_ROOT) / "imports" / str(job_id)


def import_progress_file(job_id: int) -> Path:
    return import_dir(job_id) / "progress.json"


def import_job_create(*, actor: Any, upload: UploadedFile) -> ImportJob:
    """Keep an uploaded file (after checking it: size, extension against content, an .xlsx's
    container and decompressed size, an empty .csv, the header's required columns; refused
    at once, never later in the background job) and start its check (a dry run) in the
    background."""
    from regulus.core.tabular import check_header, check_upload
    from regulus.registry.importing import TABLE_COLUMNS, FileError
    from regulus.registry.tasks import import_job_run

    permissions.require(actor, "registry.entity_import")
    name = Path(upload.name or "").name[:200]
    try:
        kind = check_upload(name, upload, upload.size or 0)
    except FileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    with audited(actor=actor) as audit:
        job = ImportJob.objects.create(
            created_by=actor,
            original_name=name,
            file_path="",
            file_size=upload.size or 0,
            heartbeat_at=clock.now(),
        )
        folder = import_dir(job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / ("upload" + Path(name).suffix.lower())
        try:
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # no part of it left; the row rolls back
            if storage_full(exc):
                raise ValidationError({"file": STORAGE_FULL}) from exc
            raise
        try:
            # Its header too, read from the stored copy (the upload itself was checked above).
            check_header(target, kind, TABLE_COLUMNS)
        except FileError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # the job's row is rolled back
            raise ValidationError({"file": str(exc)}) from exc
        job.file_path = str(target)
        job.save(update_fields=["file_path"])
        # The file is personal data (ID numbers) kept on the server until its import ends:
        # who put it there is on record even if it is never imported.
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=job,
            summary=f"上传市场主体导入文件（{name}，{job.file_size}字节），开始校验",
            changes={"original_name": name, "file_size": job.file_size},
        )
    import_job_run.enqueue(job.pk, "check")
    return job


def import_job_commit(*, actor: Any, job: ImportJob, mode: str) -> ImportJob:
    from regulus.registry.tasks import import_job_run

    permissions.require(actor, "registry.entity_import")
    if mode not in ImportJob.Mode.values:
        raise ValidationError({"mode": "导入方式不正确"})
    with audited(actor=actor) as audit:
        updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.IMPORTING,
            mode=mode,
            processed_rows=0,
            percent_done=0,
            heartbeat_at=clock.now(),
        )
        if not updated:
            raise ValidationError({"state": "该文件不在待确认状态，不能导入"})
        # The import writes its own rows when it ends (what it loaded); this one says who
        # confirmed it, and how, even if the import then fails.
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=job,
            summary=f"确认导入任务{job.pk}（{job.original_name}）：{ImportJob.Mode(mode).label}",
            changes={"state": [ImportJob.State.CHECKED, ImportJob.State.IMPORTING], "mode": mode},
        )
    import_job_run.enqueue(job.pk, "commit")
    job.refresh_from_db()
    return job


def import_job_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    """The user gives up a checked import: nothing is loaded, and the upload (personal data
    nobody is going to import) and its error report are deleted."""
    permissions.require(actor, "registry.entity_import")
    _checked_job_cancel(
        job=job,
        actor=actor,
        summary=f"放弃导入任务{job.pk}（{job.original_name}），删除上传的文件和错误报告",
    )
    job.refresh_from_db()
    return job


def _checked_job_cancel(*, job: ImportJob, actor: Any, summary: str, file_error: str = "") -> bool:
    """Cancel a checked job, audit it and delete its files once that is committed; False when
    it is no longer checked (confirmed or cancelled meanwhile)."""
    with audited(actor=actor) as audit:
        cancelled = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.CANCELLED,
            file_error=file_error,
            file_path="",
            error_report_path="",
            finished_at=clock.now(),
        )
        if not cancelled:
            return False
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=job,
            summary=summary,
            changes={
                "state": [ImportJob.State.CHECKED, ImportJob.State.CANCELLED],
                "deleted": _job_files(job),
            },
        )
        _remove_job_folder_after_commit(job.pk)
    return True


def _job_files(job: ImportJob) -> list[str]:
    return [p for p in (job.file_path, job.error_report_path) if p]


def _remove_job_folder_after_commit(job_id: int) -> None:
    # Only once the row says so for good: a rolled-back change leaves the files in place.
    folder = import_dir(job_id)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


# An import job's progress and outcome, written by the background task: the import itself
# writes the audit rows of what it loaded (importing.EntityImporter), in its transaction.
PROGRESS = "导入任务的进度和结果：导入本身在其事务中记录所载入的数据"


def import_job_execute(*, job_id: int, phase: str) -> None:
    """Run the check or the import of a job (called by the background task)."""
    import json

    from regulus.registry.importing import EntityImporter, write_error_report

    running = ImportJob.State.CHECKING if phase == "check" else ImportJob.State.IMPORTING
    with unaudited(PROGRESS):
        started = ImportJob.objects.filter(pk=job_id, state=running).update(
            heartbeat_at=clock.now()
        )
    if not started:
        # No longer waiting for this phase: `regulus tick` marked it failed while it waited in
        # the queue (its user was told to upload again), or it was cancelled.
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress_file = import_progress_file(job.pk)

    def progress(rows: int, fraction: float) -> None:
        # The import holds the database's write lock (SQLite) inside its one transaction, so
        # progress goes to a small file beside the upload; the page reads it while running.
        tmp = progress_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rows": rows, "percent": int(fraction * 100)}))
        tmp.replace(progress_file)

    dry_run = phase == "check"
    importer = EntityImporter(
        actor=job.created_by,
        mode=job.mode or ImportJob.Mode.GOOD_ROWS,
        dry_run=dry_run,
        progress=progress,
        file_label=job.original_name,
    )
    try:
        result = importer.run(job.file_path, name=job.original_name)
    except Exception as exc:
        reason = (
            "服务器存储空间不足或磁盘写入失败：导入在一个事务中进行，已全部撤销，未导入任何数据；"
            "请联系系统管理员处理后重新上传"
            if storage_full(exc)
            else f"导入失败：{exc}"
        )
        with unaudited(PROGRESS):
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.FAILED,
                file_error=reason[:500],
                finished_at=clock.now(),
                heartbeat_at=clock.now(),
            )
        raise
    report = ""
    if result.errors:
        report_path = import_dir(job.pk) / "errors.xlsx"
        write_error_report(result.errors, result.error_count, report_path)
        report = str(report_path)
    state = ImportJob.State.CHECKED if dry_run else ImportJob.State.DONE
    if result.file_error:
        state = ImportJob.State.FAILED
    with unaudited(PROGRESS):
        _job_result_save(job, state=state, result=result, report=report, dry_run=dry_run)
    progress_file.unlink(missing_ok=True)


def _job_result_save(
    job: ImportJob, *, state: str, result: Any, report: str, dry_run: bool
) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        total_rows=result.rows,
        processed_rows=result.rows,
        percent_done=100,
        good_rows=result.good_rows,
        error_rows=result.bad_rows,
        error_count=result.error_count,
        created_count=result.created,
        updated_count=result.updated,
        changed_count=result.changed,
        errors_preview=[
            {"line": e.line, "field": e.field_label, "message": e.message}
            for e in result.preview_errors
        ],
        error_report_path=report,
        file_error=result.file_error,
        finished_at=None if dry_run and not result.file_error else clock.now(),
        # For a checked job: when its preview became ready (kept IMPORT_PREVIEW_DAYS).
        heartbeat_at=clock.now(),
    )


def import_job_fail_stale(*, job: ImportJob, minutes: int) -> bool:
    """Mark a job whose worker died as failed (`regulus tick`, registry.sweeps); False when
    it moved meanwhile (its worker started or finished it).

    The check and the import each run in one database transaction, so a worker that died took
    its transaction with it: nothing of the file was loaded, and the user is told so."""
    message = (
        f"后台处理中断（超过{minutes}分钟无进展）。导入在一个事务中进行，中断时已全部撤销，"
        "未导入任何数据，请重新上传"
    )
    with audited(actor=SYSTEM_ACTOR) as audit:
        updated = ImportJob.objects.filter(
            pk=job.pk, state=job.state, heartbeat_at=job.heartbeat_at
        ).update(state=ImportJob.State.FAILED, file_error=message, finished_at=clock.now())
        if not updated:
            return False
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=job,
            summary=f"导入任务{job.pk}（{job.original_name}）{job.get_state_display()}"
            f"超过{minutes}分钟无进展，后台处理已中断，标记为失败（未导入任何数据）",
            changes={"state": [job.state, ImportJob.State.FAILED], "file_error": message},
        )
    return True


def import_job_expire_preview(*, job: ImportJob, days: int) -> bool:
    """Cancel a checked job left unconfirmed for `days` days and delete its files: the upload
    holds personal data (legal representatives' ID numbers) that nobody is going to import.
    False when it moved meanwhile (confirmed or cancelled by its user)."""
    return _checked_job_cancel(
        job=job,
        actor=SYSTEM_ACTOR,
        summary=f"导入任务{job.pk}（{job.original_name}）的校验结果超过{days}天未确认，自动放弃，"
        "删除上传的文件和错误报告",
        file_error=f"校验结果超过{days}天未确认，已自动放弃，上传的文件和错误报告已删除；"
        "如需导入请重新上传",
    )


def import_job_remove_files(*, job: ImportJob, days: int) -> bool:
    """Delete the upload and error report of an import finished `days` days ago (done or
    failed): kept until then for the user to fix and re-import the bad rows; the upload holds
    personal data. The job and its counts stay. False when it changed meanwhile."""
    with audited(actor=SYSTEM_ACTOR) as audit:
        updated = ImportJob.objects.filter(pk=job.pk, file_path=job.file_path).update(
            file_path="", error_report_path=""
        )
        if not updated:
            return False
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=job,
            summary=f"导入任务{job.pk}（{job.original_name}）结束已满{days}天，"
            "删除上传的文件和错误报告",
            changes={"deleted": _job_files(job)},
        )
        _remove_job_folder_after_commit(job.pk)
    return True


def record_id_number_search(*, actor: Any, number: str) -> None:
    """A search by a person's ID number is a read of personal information: the audit log
    records who looked for whom (the number masked, as everywhere in the log)."""
    masked = mask_id_number(number)
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.QUERY,
            object_type="registry.entity",
            summary=f"按法定代表人/经营者身份证号码查询市场主体（{masked}）",
            changes={"legal_rep_id_number": masked},
        )


def entity_risk_classes_apply(*, actor: Any, table: str, reason: str) -> int:
    """Set the credit risk class of many entities at once from `table`, a temporary table of
    the caller's transaction with the columns (id, old_class, new_class) of the entities
    whose class changes (credit's monthly recompute stages it with one INSERT … SELECT):
    one UPDATE of the entities, one swap of the class token in the search index, and one
    audit row for the whole change, with the count per class transition (the caller keeps
    the row per entity: credit's RiskChange). Returns the number of entities changed."""
    permissions.require(actor, "registry.risk_class_set")
    allowed = tuple(RiskClass.values)
    marks = ", ".join(["%s"] * len(allowed))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE new_class NOT IN ({marks})", list(allowed)
        )
        if cursor.fetchone()[0]:
            raise ValidationError({"risk_class": "信用风险分类应为A、B、C或D"})
        cursor.execute(
            f"SELECT old_class, new_class, COUNT(*) FROM {table} GROUP BY old_class, new_class"
        )
        moves = {
            f"{f'{old}类' if old else '未分类'}→{new}类": n for old, new, n in cursor.fetchall()
        }
    total = sum(moves.values())
    if not total:
        return 0
    with audited(actor=actor) as audit, connection.cursor() as cursor:
        # UPDATE … FROM: PostgreSQL, and SQLite from 3.33.
        cursor.execute(
            f"UPDATE registry_entity SET risk_class = t.new_class, updated_at = %s FROM {table} t"
            " WHERE registry_entity.id = t.id",
            [clock.now()],
        )
        search.index_swap_filter(
            key="risk", table=table, old_column="old_class", new_column="new_class"
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            object_type="registry.entity",
            object_repr=f"市场主体{total}户",
            summary=f"信用风险分类批量变更{total}户：{reason}",
            changes={"risk_changed": total, "risk_moves": moves},
        )
    return total


def entity_risk_classes_set(
    *, actor: Any, classes: Mapping[int, str], default: str, reason: str, chunk: int = 2000
) -> list[tuple[int, str, str]]:
    """Set the credit risk class (信用风险分类) of many entities at once: `classes` names the
    class of some entities by id, every other entity takes `default` (a monthly recompute of
    the whole city). Only entities whose class changes are written, audited (one row each,
    with `reason`) and re-indexed. Returns (id, old class, new class) of the changed ones."""
    permissions.require(actor, "registry.risk_class_set")
    allowed = set(RiskClass.values)
    if default not in allowed or not set(classes.values()) <= allowed:
        raise ValidationError({"risk_class": "信用风险分类应为A、B、C或D"})
    changed: list[tuple[int, str, str]] = []
    # The entities not named whose class is not the default: one pass over two columns.
    for entity_id, current in (
        Entity.objects.exclude(risk_class=default)
        .values_list("id", "risk_class")
        .iterator(chunk_size=20_000)
    ):
        if entity_id not in classes:
            changed.append((entity_id, current, default))
    named = list(classes.items())
    for start in range(0, len(named), chunk):
        part = dict(named[start : start + chunk])
        for entity_id, current in Entity.objects.filter(pk__in=part).values_list(
            "id", "risk_class"
        ):
            if current != part[entity_id]:
                changed.append((entity_id, current, part[entity_id]))
    if not changed:
        return []
    labels = dict(RiskClass.choices)
    with audited(actor=actor) as audit:
        by_class: dict[str, list[int]] = {}
        for entity_id, _old, new in changed:
            by_class.setdefault(new, []).append(entity_id)
        for new, ids_of in by_class.items():
            for start in range(0, len(ids_of), chunk):
                Entity.objects.filter(pk__in=ids_of[start : start + chunk]).update(
                    risk_class=new, updated_at=clock.now()
                )
        audit.record_many(
            action=AuditLog.Action.UPDATE,
            object_type="registry.entity",
            entries=(
                (
                    str(entity_id),
                    f"市场主体{entity_id}",
                    f"信用风险分类 {old or '未分类'} → {new}：{reason}",
                    {"risk_class": labels[new]},
                )
                for entity_id, old, new in changed
            ),
        )
        ids_changed = [entity_id for entity_id, _old, _new in changed]
        for start in range(0, len(ids_changed), 20_000):
            search.index_entities(ids_changed[start : start + 20_000])
    return changed
