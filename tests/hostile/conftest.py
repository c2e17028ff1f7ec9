"""A small world for the generated walks: one object of every kind a URL can name, so that a
walk reaches each view's real work and not only its 404.

`world` holds the objects and the value each URL parameter takes to name one of them
(`real_kwargs`); the personas are the anonymous public, a district handler and the city's
system administrator (tests/conftest.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from regulus.core import calendar
from regulus.core.models import CalendarDay, CalendarYear, User
from regulus.licensing import services as licensing
from regulus.licensing.models import Application, Bundle, Certificate, Matter, VerificationTask
from regulus.registry.models import Entity, ImportJob
from tests.licensing.conftest import catalogue, media_root, submit, supermarket  # noqa: F401
from tests.registry.conftest import make_entity


@pytest.fixture(autouse=True)
def quick_walk(settings):
    """The walks make thousands of requests: the personas' passwords are hashed with a quick
    hasher (argon2 costs half a second a password on this machine, and the walks test no
    password), a session is written only when it changes (the idle logout is not what they
    test), and the warnings Django logs for every refused request stay quiet."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_SAVE_EVERY_REQUEST = False
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@dataclass
class World:
    entity: Entity
    application: Application  # open: submitted, awaiting acceptance
    reviewing: Application  # accepted: its review clock may be paused and extended by hand
    issued: Application  # its certificate issued, its post-approval check open
    certificate: Certificate
    task: VerificationTask
    bundle: Bundle
    matter: Matter
    job: ImportJob
    staff: User
    holiday: CalendarDay
    personas: dict[str, User | None] = field(default_factory=dict)

    def real_kwargs(self, route_name: str, names: list[str]) -> dict[str, Any]:
        """The value of each URL parameter that names a real object of this world."""
        by_name: dict[str, Any] = {
            "uscc": self.entity.uscc,
            "number": self.application.number,
            "code": self.bundle.code,
            "date": self.holiday.date.isoformat(),
            "name": "accept",
            "pk": self.staff.pk,
        }
        by_route: dict[str, dict[str, Any]] = {
            "licensing:matter_edit": {"code": self.matter.code},
            "portal:certificate_verify": {"number": self.certificate.number},
            "licensing:certificate_page": {"number": self.issued.number},
            "licensing:certificate_docx": {"number": self.issued.number},
            "licensing:certificate_deliver": {"number": self.issued.number},
            "licensing:verification_detail": {"pk": self.task.pk},
            "core:object_clocks": {
                "object_type": "licensing.application",
                "object_id": self.reviewing.pk,
            },
            "licensing:material_file": {"pk": self._material_pk()},
            "portal:application_material": {"pk": self._material_pk()},
        }
        if route_name.startswith("registry:import_"):
            by_route[route_name] = {"pk": self.job.pk}
        values = {**by_name, **by_route.get(route_name, {})}
        return {name: values.get(name, "1") for name in names}

    def _material_pk(self) -> int:
        return self.application.materials.values_list("pk", flat=True).first() or 1


@pytest.fixture
def world(
    catalogue,  # noqa: F811
    supermarket,  # noqa: F811
    handler,
    window_clerk,
    city_admin,
    city_handler,
    colleague,
):
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    entity = make_entity(handler, "长沙市芙蓉区便利超市有限公司", legal_rep_name="陈凯旋")
    # An application through to its certificate on the commitment path: it opens a
    # post-approval check too.
    app = submit(supermarket, actor=window_clerk, path="commitment")
    certificate = licensing.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    open_app = submit(supermarket, actor=window_clerk)
    reviewing = submit(supermarket, actor=window_clerk)
    licensing.application_accept(application=reviewing, actor=handler)
    job = ImportJob.objects.create(
        created_by=handler, original_name="主体.csv", file_path="", state=ImportJob.State.CHECKED
    )
    return World(
        entity=entity,
        application=open_app,
        reviewing=reviewing,
        issued=app,
        certificate=certificate,
        task=VerificationTask.objects.get(application=app),
        bundle=supermarket,
        matter=Matter.objects.order_by("pk").first(),  # type: ignore[arg-type]
        job=job,
        staff=colleague,
        holiday=CalendarDay.objects.filter(date__year=2026).order_by("date").first(),  # type: ignore[arg-type]
        # No one may do everything (the three duties of 等保 2.0 see no business data): the
        # city's business is walked as a city-wide handler, the system pages as the admin.
        personas={
            "anonymous": None,
            "district handler": handler,
            "city handler": city_handler,
            "city admin": city_admin,
        },
    )
