"""Documents: numbered documents, Word files from templates admins can replace, Excel exports,
QR codes.

- `number_next(model=, field=, prefix=, width=)`: the next number "prefix + 00001" of a
  numbered document (application numbers, certificate numbers, 文书 numbers). Call inside the
  transaction that creates the row; the field must be unique, so two writers racing on
  PostgreSQL make one of them fail with IntegrityError, which `number_retry` retries.
- `series_next(queryset=, field=)`: the next integer of a numbered series that is not
  zero-padded (文书 numbers in the official style "芙市监处罚〔2026〕12号": per unit, kind and
  year), max + 1 over the series' rows; a unique constraint over the series and `number_retry`
  make two racing writers take different numbers, and no number is skipped.
- `docx_render(template=, context=, images=)`: a docxtpl template, looked up first under
  MEDIA_ROOT/doc_templates/ (where admins put their edited copy), then in the app's packaged
  `doc_templates/` folder; images (a QR code's PNG) where the template names them.
- `xlsx_bytes(sheets)`: a small .xlsx in memory (big exports write core.xlsx into a file).
- `qr_svg_data_uri(text)`: a QR code as an SVG data URI for <img src> (the CSP allows data:);
  `qr_png_bytes(text)` the same code as a PNG, for a Word file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from regulus.core.xlsx import write_xlsx

T = TypeVar("T")


def number_next(*, model: type[models.Model], field: str, prefix: str, width: int = 5) -> str:
    """prefix + the next sequence number among existing values with that prefix. Call inside
    the creating transaction (with number_retry): on PostgreSQL it first takes the prefix's
    advisory lock, held to the transaction's end, so that concurrent writers of one prefix
    queue instead of computing the same number (32 concurrent 12315 intakes through the API
    ran out of number_retry's attempts and failed; bench/intake_load_bench.py)."""
    _series_lock(f"{model._meta.label_lower}.{field}:{prefix}")
    last = (
        model._default_manager.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    seq = 1
    if last:
        tail = str(last)[len(prefix) :]
        seq = int(tail) + 1 if tail.isdigit() else 1
    return f"{prefix}{seq:0{width}d}"


def _series_lock(series: str) -> None:
    """PostgreSQL: the transaction's advisory lock on the series (a no-op elsewhere: SQLite's
    IMMEDIATE transactions queue writers already)."""
    if series and connection.vendor == "postgresql":
        key = int.from_bytes(
            hashlib.blake2b(series.encode(), digest_size=8).digest(), "big", signed=True
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def series_next(*, queryset: models.QuerySet[Any], field: str = "seq", series: str = "") -> int:
    """The next integer of the series the queryset holds (its rows of one unit, kind and year):
    the largest so far + 1, or 1. Call inside the creating transaction (with number_retry).

    series: a name of the series; on PostgreSQL the transaction first takes an advisory lock
    on it (held to its end), so that concurrent writers of one series queue instead of
    computing the same number and retrying (SQLite's IMMEDIATE transactions queue already)."""
    _series_lock(series)
    last = queryset.aggregate(last=models.Max(field))["last"]
    return int(last or 0) + 1


def number_retry(create: Callable[[], T], attempts: int = 3) -> T:
    """Run a creating function in a savepoint, retrying when a racing writer took the number."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def template_path(template: str, *, package_dir: Path) -> Path:
    """The admin's copy under MEDIA_ROOT/doc_templates/<template> if present, else the
    packaged one."""
    override = Path(settings.MEDIA_ROOT) / "doc_templates" / template
    if override.is_file():
        return override
    return package_dir / template


def docx_render(
    *,
    template: str,
    context: dict[str, Any],
    package_dir: Path,
    images: Mapping[str, tuple[bytes, float]] | None = None,
) -> bytes:
    """The template filled with `context`; `images` ({tag: (PNG bytes, width in mm)}) are
    placed where the template says {{ tag }} (a certificate's QR code)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    doc = DocxTemplate(str(template_path(template, package_dir=package_dir)))
    placed = {
        tag: InlineImage(doc, io.BytesIO(data), width=Mm(width))
        for tag, (data, width) in (images or {}).items()
    }
    doc.render({**context, **placed}, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """sheets: (title, header, rows); the header row bold (core.xlsx)."""
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def qr_svg(text: str, *, scale: int = 3) -> str:
    import segno

    return str(segno.make(text, error="m").svg_inline(scale=scale))


def qr_svg_data_uri(text: str, *, scale: int = 3) -> str:
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=scale))


def qr_png_bytes(text: str, *, scale: int = 4) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale)
    return out.getvalue()
