from django import template

from regulus.inspections.selectors import filters_text

register = template.Library()


@register.filter
def filters_label(task: object) -> str:
    return filters_text(getattr(task, "filters", None) or {})


@register.filter
def qr_svg(text: str) -> str:
    """The text as an inline SVG QR code (core.documents, segno)."""
    from django.utils.safestring import mark_safe

    from regulus.core.documents import qr_svg as make

    return mark_safe(make(str(text), scale=4)) if text else ""
