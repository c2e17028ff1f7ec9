"""Template helpers of the legal clocks: where an object's clocks and their traces are."""

from __future__ import annotations

import functools

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@functools.cache
def _prefix(object_type: str) -> str:
    # A list shows 30 rows: the URL is resolved once a model, not once a row.
    return reverse("core:object_clocks", args=[object_type, 1]).removesuffix("1/")


@register.filter
def clocks_url(obj: models.Model) -> str:
    """The page of the object's clocks (core.clock_views.object_clocks), for list rows."""
    return f"{_prefix(obj._meta.label_lower)}{obj.pk}/"
