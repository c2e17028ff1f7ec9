from django import template

from regulus.inspections.selectors import filters_text

register = template.Library()


@register.filter
def filters_label(task: object) -> str:
    return filters_text(getattr(task, "filters", None) or {})
