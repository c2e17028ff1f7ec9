"""Import jobs left behind (`regulus tick`): a job whose worker died is failed, saying nothing
was loaded; a preview nobody confirmed is cancelled after the set days and its files deleted."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from regulus.core import audit as core_audit
from regulus.core.models import AuditLog
from regulus.core.tick import SYSTEM_ACTOR
from regulus.registry import services
from regulus.registry.models import Entity, ImportJob
from tests.registry.test_entity_import import _csv_bytes, row

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
S = ImportJob.State


@pytest.fixture(autouse=True)
def media_and_lock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")


def run_tick(*only: str) -> str:
    out = io.StringIO()
    args = [arg for name in only for arg in ("--only", name)]
    call_command("tick", *args, stdout=out)
    return out.getvalue()


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def running_job(actor, *, state: str = S.IMPORTING, progress_at: dt.datetime | None = None):
    """A job as its worker leaves it: confirmed (queued) at T0, then running; progress.json
    last written at `progress_at` (None: the worker never reported)."""
    with time_machine.travel(T0, tick=False):
        job = ImportJob.objects.create(
            created_by=actor,
            original_name="主体.csv",
            file_path="",
            state=state,
            mode=ImportJob.Mode.GOOD_ROWS,
            heartbeat_at=T0,
        )
    if progress_at is not None:
        path = services.import_progress_file(job.pk)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"rows": 4000, "percent": 40}')
        os.utime(path, (progress_at.timestamp(), progress_at.timestamp()))
    return job


def test_stale_import_job_is_failed_with_nothing_loaded(handler):
    job = running_job(handler, progress_at=T0 + minutes(5))
    with time_machine.travel(T0 + minutes(36), tick=False):
        out = run_tick()
    job.refresh_from_db()
    assert job.state == S.FAILED and job.finished_at == T0 + minutes(36)
    assert "超过30分钟无进展" in job.file_error and "未导入任何数据，请重新上传" in job.file_error
    assert "中断的导入任务标记为失败 1 个" in out and Entity.objects.count() == 0
    audit = AuditLog.objects.get(object_type="registry.importjob", object_id=str(job.pk))
    assert audit.actor_name == SYSTEM_ACTOR and audit.changes["state"] == ["importing", "failed"]


def test_running_job_with_recent_progress_is_left_alone(handler):
    job = running_job(handler, progress_at=T0 + minutes(50))
    with time_machine.travel(T0 + minutes(60), tick=False):
        run_tick()
    job.refresh_from_db()
    assert job.state == S.IMPORTING and job.file_error == ""


def test_checking_job_that_started_recently_is_left_alone(handler):
    job = running_job(handler, state=S.CHECKING)
    with time_machine.travel(T0 + minutes(29), tick=False):
        run_tick()
    job.refresh_from_db()
    assert job.state == S.CHECKING


def test_stale_time_is_a_setting(handler, settings):
    settings.IMPORT_STALE_MINUTES = 10
    job = running_job(handler, state=S.CHECKING)
    with time_machine.travel(T0 + minutes(11), tick=False):
        run_tick()
    job.refresh_from_db()
    assert job.state == S.FAILED and "超过10分钟无进展" in job.file_error


def test_job_failed_by_the_sweep_is_not_run_when_its_worker_comes_back(handler):
    job = running_job(handler)
    with time_machine.travel(T0 + minutes(31), tick=False):
        run_tick()
        services.import_job_execute(job_id=job.pk, phase="commit")  # the task, late
    job.refresh_from_db()
    assert job.state == S.FAILED and Entity.objects.count() == 0


def test_stale_job_sweep_twice_changes_nothing_the_second_time(handler):
    running_job(handler)
    with time_machine.travel(T0 + minutes(31), tick=False):
        run_tick()
        audits = AuditLog.objects.count()
        out = run_tick("registry.stale_import_jobs")
    assert "无待处理事项" in out and AuditLog.objects.count() == audits


def checked_job(actor) -> ImportJob:
    """A preview checked at T0 (the upload's check runs at once under the test backend), with
    one bad row, so an error report too."""
    content = _csv_bytes([row(), row(成立日期="2999-01-01")])
    with time_machine.travel(T0, tick=False):
        job = services.import_job_create(
            actor=actor, upload=SimpleUploadedFile("主体.csv", content)
        )
    job.refresh_from_db()
    assert job.state == S.CHECKED and job.error_report_path
    return job


def test_unconfirmed_preview_is_cancelled_and_its_file_removed_after_the_configured_days(
    handler, settings, django_capture_on_commit_callbacks, client
):
    settings.IMPORT_PREVIEW_DAYS = 3
    job = checked_job(handler)
    folder = services.import_dir(job.pk)
    upload, report = job.file_path, job.error_report_path
    assert os.path.exists(upload) and os.path.exists(report)
    with time_machine.travel(T0 + dt.timedelta(days=2, hours=23), tick=False):
        run_tick()
    job.refresh_from_db()
    assert job.state == S.CHECKED and os.path.exists(upload)
    with (
        time_machine.travel(T0 + dt.timedelta(days=3, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        out = run_tick()
    job.refresh_from_db()
    assert job.state == S.CANCELLED and "超过3天未确认" in job.file_error
    assert "自动放弃 1 个" in out
    assert not folder.exists() and not os.path.exists(upload) and not os.path.exists(report)
    assert job.error_report_path == "" and Entity.objects.count() == 0
    audit = AuditLog.objects.filter(object_type="registry.importjob", object_id=str(job.pk)).latest(
        "id"
    )
    assert audit.actor_name == SYSTEM_ACTOR and audit.changes["deleted"] == [upload, report]
    client.force_login(handler)
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    assert "已放弃" in page and "超过3天未确认" in page and "下载错误报告" not in page


def test_preview_files_stay_when_the_sweep_is_rolled_back(
    handler, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = checked_job(handler), checked_job(handler)
    record = core_audit.AuditTrail.record

    def audit_fails_on_the_second(trail, **kwargs):
        if kwargs["obj"].pk == second.pk:
            raise RuntimeError("audit down")
        return record(trail, **kwargs)

    monkeypatch.setattr(core_audit.AuditTrail, "record", audit_fails_on_the_second)
    with (
        time_machine.travel(T0 + dt.timedelta(days=8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError),
    ):
        run_tick("registry.expired_import_previews")
    for job in (first, second):
        job.refresh_from_db()
        assert job.state == S.CHECKED and os.path.exists(job.file_path)


def test_confirmed_or_cancelled_jobs_are_left_alone(handler, django_capture_on_commit_callbacks):
    done = checked_job(handler)
    services.import_job_commit(actor=handler, job=done, mode=ImportJob.Mode.GOOD_ROWS)
    cancelled = checked_job(handler)
    services.import_job_cancel(actor=handler, job=cancelled)
    with (
        time_machine.travel(T0 + dt.timedelta(days=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_tick()
    done.refresh_from_db()
    cancelled.refresh_from_db()
    assert (done.state, cancelled.state) == (S.DONE, S.CANCELLED)
    assert os.path.exists(done.file_path) and cancelled.file_error == ""


def test_cancelling_a_checked_import_deletes_its_files_and_is_audited(
    handler, django_capture_on_commit_callbacks
):
    job = checked_job(handler)
    upload, report = job.file_path, job.error_report_path
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_cancel(actor=handler, job=job)
    assert job.state == S.CANCELLED and job.file_path == "" and job.error_report_path == ""
    assert not services.import_dir(job.pk).exists() and Entity.objects.count() == 0
    audit = AuditLog.objects.filter(object_type="registry.importjob", object_id=str(job.pk)).latest(
        "id"
    )
    assert audit.actor_id == handler.pk and audit.changes["deleted"] == [upload, report]


def test_finished_import_files_are_deleted_after_the_configured_days(
    handler, settings, django_capture_on_commit_callbacks, client
):
    settings.IMPORT_FILES_DAYS = 30
    job = checked_job(handler)
    with time_machine.travel(T0, tick=False):
        services.import_job_commit(actor=handler, job=job, mode=ImportJob.Mode.GOOD_ROWS)
    job.refresh_from_db()
    assert job.state == S.DONE and job.created_count == 1 and os.path.exists(job.file_path)
    upload, report = job.file_path, job.error_report_path
    with time_machine.travel(T0 + dt.timedelta(days=29, hours=23), tick=False):
        run_tick("registry.finished_import_files")
    assert os.path.exists(upload) and os.path.exists(report)  # the user may still fix the rows
    with (
        time_machine.travel(T0 + dt.timedelta(days=30, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        out = run_tick("registry.finished_import_files")
        again = run_tick("registry.finished_import_files")
    job.refresh_from_db()
    assert "文件 1 个" in out and "无待处理事项" in again
    assert not services.import_dir(job.pk).exists()
    assert (job.state, job.created_count, job.file_path, job.error_report_path) == (
        S.DONE, 1, "", ""
    )  # fmt: skip
    audit = AuditLog.objects.filter(object_type="registry.importjob", object_id=str(job.pk))
    assert audit.latest("id").changes == {"deleted": [upload, report]}
    client.force_login(handler)
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    assert "已导入" in page and "下载错误报告" not in page
