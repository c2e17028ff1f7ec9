"""Licensing fixtures: the catalogue (reloaded if a browser test flushed it), the 2026
holiday table, files with real magic bytes, and application builders."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from regulus.core import calendar
from regulus.core.models import CalendarYear
from regulus.licensing import services
from regulus.licensing.catalogue import catalogue_ensure
from regulus.licensing.models import Bundle

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def catalogue(db, bureau):
    catalogue_ensure()
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    return {b.code: b for b in Bundle.objects.all()}


def all_files(bundle: Bundle, *, new_business: bool = True) -> dict:
    from regulus.licensing import selectors

    matters = selectors.bundle_matters(bundle, new_business=new_business)
    return {r.key: [pdf(f"{r.key}.pdf")] for r in selectors.materials_union(matters)}


def submit(bundle: Bundle, *, actor=None, path="normal", files=None, **overrides):
    values = dict(
        actor=actor,
        channel="window" if actor else "portal",
        bundle=bundle,
        applicant_name="长沙市芙蓉区好邻居超市有限公司",
        entity_kind="enterprise",
        contact_name="张三",
        contact_id_number="11010519491231002X",
        contact_phone="13812345678",
        address="长沙市芙蓉区五一大道1号",
        district_code="430102",
        path=path,
        commitment_signed=path == "commitment",
        files=all_files(bundle) if files is None else files,
    )
    values.update(overrides)
    return services.application_submit(**values)


@pytest.fixture
def supermarket(catalogue):
    return catalogue["open-supermarket"]
