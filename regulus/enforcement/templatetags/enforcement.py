"""Template filters of enforcement: amounts in fen shown in yuan."""

from django import template

from regulus.enforcement.services import fen_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 → "123.45元"."""
    return fen_text(int(fen or 0))
