"""Background work of the registry (django-tasks: the database backend in production, the
immediate backend under tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_job_run(job_id: int, phase: str) -> None:
    """Check ("check": a dry run that reports every bad row) or import ("commit") a file."""
    from regulus.registry.services import import_job_execute

    import_job_execute(job_id=job_id, phase=phase)
