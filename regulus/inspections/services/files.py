"""Photos and files of a visit's result: added and removed by an inspector assigned to the
target until the result is published, each upload checked by core.files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.files import file_delete, file_store, file_validate
from regulus.core.models import AuditLog
from regulus.inspections.models import ResultFile, Target

# Photos from the phone, and the signed record or documents as PDF.
RESULT_FILE_KINDS = ("jpeg", "png", "pdf")
MAX_FILES = 20


def _may_change(actor: Any, target: Target) -> None:
    permissions.require(actor, "inspections.result_enter")
    if not target.assignments.filter(inspector__user=actor, active=True).exists():
        raise ValidationError("只有抽中检查该对象的检查人员才能上传检查照片和文件")
    if target.state == Target.State.PUBLISHED:
        raise ValidationError("检查结果已公示，不能再改动照片和文件")


def result_file_add(*, actor: Any, target: Target, upload: Any) -> ResultFile:
    """Attach one photo or file (JPEG, PNG or PDF, by content) to the target's result."""
    _may_change(actor, target)
    if upload is None:
        raise ValidationError({"file": "请选择要上传的照片或文件"})
    if target.files.count() >= MAX_FILES:
        raise ValidationError({"file": f"每户检查最多上传{MAX_FILES}个照片和文件"})
    try:
        info = file_validate(upload, allowed=RESULT_FILE_KINDS, label="检查照片或文件")
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    stored = file_store(upload, info=info, folder="inspections")
    try:
        with audited(actor=actor) as audit:
            row = ResultFile(target=target, uploaded_at=clock.now(), uploaded_by=actor)
            row.fill_from(info, stored)
            row.save()
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=row,
                summary=f"上传检查照片或文件：{target.entity.name}（{info.original_name}）",
                changes={"original_name": info.original_name, "size": info.size},
            )
    except Exception:
        file_delete(stored)  # nothing names the bytes: do not keep them
        raise
    return row


def result_file_remove(*, actor: Any, row: ResultFile) -> None:
    """Take back a wrong upload before publication; its bytes go once that is committed."""
    target = row.target
    _may_change(actor, target)
    stored = row.stored_name
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.DELETE,
            obj=row,
            summary=f"删除检查照片或文件：{target.entity.name}（{row.original_name}）",
        )
        row.delete()
        transaction.on_commit(lambda: file_delete(stored))
