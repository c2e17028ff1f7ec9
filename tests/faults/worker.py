"""What a fault test's victim process does, in an instance of its own (the environment names
its database and folders): `python -m tests.faults.worker SCENARIO [ARG]`.

Each scenario prints a line `ACK <what>` only after what it names was committed, so that the
test knows which records were acknowledged before it killed the process or the disk filled.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time

import django


def setup_instance() -> None:
    """The bureau, a superuser (whole city, every permission), the calendar and the 12315
    rules: what the scenarios need."""
    from regulus.complaints.rules import rules_ensure
    from regulus.core import calendar
    from regulus.core.demo import roles_ensure
    from regulus.core.models import OrgUnit, User

    roles_ensure()
    city = OrgUnit.objects.create(
        name="长沙市市场监督管理局", kind=OrgUnit.Kind.CITY_BUREAU, division_code="430100"
    )
    OrgUnit.objects.create(
        name="芙蓉区市场监督管理局", short_name="芙蓉区", kind=OrgUnit.Kind.DISTRICT_BUREAU,
        parent=city, division_code="430102",
    )  # fmt: skip
    User.objects.create_superuser(username="ops", password="x-Ops-2026-long", unit=city)
    calendar.load_year_from_package(2026)
    rules_ensure()
    print("ACK setup", flush=True)


def actor():
    from regulus.core.models import User

    return User.objects.get(username="ops")


def register_complaints(start: str = "0") -> None:
    """Register complaints one after another (each takes the next document number); `start`
    numbers their facts (the same facts twice the same day are one complaint: the second is
    answered with the first's number)."""
    from regulus.complaints import services

    user = actor()
    for i in range(int(start), 100_000):
        item, _ = services.item_register(
            actor=user, channel="phone", kind="complaint", category="food",
            respondent_name=f"某店{i}", district_code="430102", facts=f"第{i}件：售卖过期食品",
            request_text="退货退款", person_name="王某", person_phone=f"139{i:08d}",
        )  # fmt: skip
        print(f"ACK {item.number}", flush=True)


def write_import_file(path: str, rows: int) -> None:
    from regulus.registry.demo import units_by_district, write_csv

    write_csv(path, int(rows), units=units_by_district())
    print(f"ACK file {path}", flush=True)


def upload_import(path: str) -> None:
    """Upload a file for import (the job's check is queued, not run: TASKS is immediate only
    under pytest, and this is not pytest)."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from regulus.registry import services

    with open(path, "rb") as f:
        upload = SimpleUploadedFile("entities.csv", f.read(), content_type="text/csv")
    try:
        job = services.import_job_create(actor=actor(), upload=upload)
    except ValidationError as exc:
        print(f"REFUSED {exc.message_dict}", flush=True)
        return
    print(f"ACK job {job.pk}", flush=True)


def run_import(job_id: str) -> None:
    """The background task's work on an uploaded job: check, confirm, import."""
    from regulus.registry import services
    from regulus.registry.models import ImportJob

    services.import_job_execute(job_id=int(job_id), phase="check")
    job = ImportJob.objects.get(pk=int(job_id))
    services.import_job_commit(actor=actor(), job=job, mode="all-or-nothing")
    print("ACK checked", flush=True)
    services.import_job_execute(job_id=int(job_id), phase="commit")
    print("ACK imported", flush=True)


def export_entities() -> None:
    from regulus.registry import exporting, selectors

    filters, _ = selectors.EntityFilters.parse({})
    _handle, rows = exporting.entity_export(actor=actor(), filters=filters)
    print(f"ACK exported {rows}", flush=True)


def fail_stale_imports() -> None:
    """`regulus tick`'s sweep, run as if its minutes had passed."""
    import datetime as dt

    import time_machine

    from regulus.registry import sweeps

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        print(f"ACK {sweeps.stale_import_jobs()}", flush=True)


SCENARIOS = {
    "setup": setup_instance,
    "complaints": register_complaints,
    "write_import_file": write_import_file,
    "upload": upload_import,
    "import": run_import,
    "export": export_entities,
    "fail_stale": fail_stale_imports,
}


def main() -> None:
    limit = os.environ.get("FAULT_FILE_SIZE_LIMIT")
    if limit:  # a full disk: every file this process writes stops growing at the limit
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regulus.settings")
    django.setup()
    started = time.monotonic()
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
    print(f"DONE {time.monotonic() - started:.1f}s", flush=True)


if __name__ == "__main__":
    main()
