"""Template helpers of the legal clocks: where an object's clocks and their traces are."""

from __future__ import annotations

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@register.filter
def clocks_url(obj: models.Model) -> str:
    """The page of the object's clocks (core.views.object_clocks): no query, for list rows."""
    return reverse("core:object_clocks", args=[obj._meta.label_lower, obj.pk])
