"""The registry's sweeps (see core.tick): entity import jobs left behind.

- A job in 校验中 / 导入中 whose worker died: nothing has shown progress for
  IMPORT_STALE_MINUTES, neither the job row (queued, started) nor the job's progress.json
  (rewritten every 2,000 rows while it runs). It is marked failed with a message that says
  nothing was loaded, which holds because the check and the import each run in one
  transaction. The time a job waits in the queue behind other imports counts too, so the
  setting must exceed the longest such wait.
- A checked preview that its user neither confirmed nor cancelled for IMPORT_PREVIEW_DAYS is
  cancelled, and its upload and error report are deleted.
- The upload and error report of an import that finished (done or failed) IMPORT_FILES_DAYS
  ago are deleted; the job and its counts stay. (A job's file_path is cleared whenever its
  files are deleted, so a finished job with a file_path still has them.)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce

from regulus.core import clock
from regulus.core.tick import SweepResult, sweep
from regulus.registry import services
from regulus.registry.models import ImportJob

RUNNING = (ImportJob.State.CHECKING, ImportJob.State.IMPORTING)


def _last_sign_of_life() -> Coalesce:
    return Coalesce(F("heartbeat_at"), F("created_at"))


def _progress_written(job: ImportJob) -> dt.datetime | None:
    try:
        mtime = services.import_progress_file(job.pk).stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(mtime, tz=dt.UTC)


def stale_jobs() -> list[ImportJob]:
    """Running jobs with no progress, in the row or in the progress file, for the set time."""
    limit = clock.now() - dt.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    candidates = (
        ImportJob.objects.filter(state__in=RUNNING)
        .alias(seen=_last_sign_of_life())
        .filter(seen__lt=limit)
        .order_by("pk")
    )
    stale: list[ImportJob] = []
    for job in candidates:
        written = _progress_written(job)
        if written is None or written < limit:
            stale.append(job)
    return stale


def expired_previews() -> list[ImportJob]:
    """Checked jobs whose preview has waited for its user longer than the set days."""
    limit = clock.now() - dt.timedelta(days=settings.IMPORT_PREVIEW_DAYS)
    return list(
        ImportJob.objects.filter(state=ImportJob.State.CHECKED)
        .alias(ready=_last_sign_of_life())
        .filter(ready__lt=limit)
        .order_by("pk")
    )


@sweep(
    "registry.stale_import_jobs",
    "后台处理中断（长时间无进展）的导入任务标记为失败",
    pending=lambda: bool(stale_jobs()),
)
def stale_import_jobs() -> SweepResult:
    minutes = settings.IMPORT_STALE_MINUTES
    failed = sum(services.import_job_fail_stale(job=job, minutes=minutes) for job in stale_jobs())
    return SweepResult(failed, f"中断的导入任务标记为失败 {failed} 个（超过{minutes}分钟无进展）")


@sweep(
    "registry.expired_import_previews",
    "超过保留天数未确认的导入校验结果自动放弃，删除上传的文件",
    pending=lambda: bool(expired_previews()),
)
def expired_import_previews() -> SweepResult:
    days = settings.IMPORT_PREVIEW_DAYS
    cancelled = sum(
        services.import_job_expire_preview(job=job, days=days) for job in expired_previews()
    )
    return SweepResult(cancelled, f"超过{days}天未确认的导入校验结果自动放弃 {cancelled} 个")


def finished_jobs_with_files() -> list[ImportJob]:
    """Done or failed jobs that finished longer ago than the set days and still keep files."""
    limit = clock.now() - dt.timedelta(days=settings.IMPORT_FILES_DAYS)
    return list(
        ImportJob.objects.filter(
            state__in=(ImportJob.State.DONE, ImportJob.State.FAILED), finished_at__lt=limit
        )
        .exclude(file_path="")
        .order_by("pk")
    )


@sweep(
    "registry.finished_import_files",
    "删除结束已满保留天数的导入任务的上传文件和错误报告",
    pending=lambda: bool(finished_jobs_with_files()),
)
def finished_import_files() -> SweepResult:
    days = settings.IMPORT_FILES_DAYS
    removed = sum(
        services.import_job_remove_files(job=job, days=days) for job in finished_jobs_with_files()
    )
    return SweepResult(removed, f"删除结束满{days}天的导入任务文件 {removed} 个")
