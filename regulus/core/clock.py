"""The one clock. Everything that asks "what time is it" asks here, so tests move it
(time-machine) and deadlines are computed in the bureau's time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())
