"""core.files: content must match the extension (magic bytes), size limit, generated names."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from regulus.core.files import file_open, file_store, file_validate, sniff

MAIN_PARTS = {"word": "word/document.xml", "xl": "xl/workbook.xml"}


def office(
    part: str, *, content_types: bool = True, extra: dict[str, bytes] | None = None
) -> bytes:
    """An Office Open XML package: [Content_Types].xml and the main part of `part`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if content_types:
            z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(MAIN_PARTS[part], "<x/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", b"%PDF-1.7 ...", "pdf"),
        ("a.jpg", b"\xff\xd8\xff\xe0....", "jpeg"),
        ("a.JPEG", b"\xff\xd8\xff\xdb....", "jpeg"),
        ("a.png", b"\x89PNG\r\n\x1a\n....", "png"),
        ("a.docx", office("word"), "docx"),
        ("a.xlsx", office("xl"), "xlsx"),
    ],
)
def test_real_files_pass(name, data, kind):
    info = file_validate(SimpleUploadedFile(name, data))
    assert info.kind == kind and info.size == len(data) and len(info.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", b"\x89PNG...."),
        ("a.png", b"%PDF-1.4"),
        ("a.jpg", b"GIF89a"),
        ("a.docx", office("xl")),
        ("a.xlsx", b"PK\x03\x04 not a zip"),
    ],
)
def test_content_not_matching_extension_is_refused(name, data):
    with pytest.raises(ValidationError, match="内容与之不符"):
        file_validate(SimpleUploadedFile(name, data))


def test_unknown_extension_is_refused():
    with pytest.raises(ValidationError, match="类型不允许"):
        file_validate(SimpleUploadedFile("a.exe", b"MZ"))


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="空文件"):
        file_validate(SimpleUploadedFile("a.pdf", b""))


def test_oversize_file_is_refused(settings):
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError, match="超过上限1MB"):
        file_validate(SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (1024 * 1024)))


def test_sniff_unknown():
    assert sniff(b"hello") is None


def test_store_uses_a_generated_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("../../etc/passwd.pdf", b"%PDF-1.4")
    info = file_validate(upload)
    name = file_store(upload, info=info, folder="t")
    assert name.startswith("t/") and "passwd" not in name and name.endswith(".pdf")
    assert file_open(name).read() == b"%PDF-1.4"
    with pytest.raises(Http404):
        file_open("../" + name)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.docx", plain_zip({"word/readme.txt": b"hello"})),
        ("a.docx", plain_zip({"word/document.xml": b"<x/>"})),  # no [Content_Types].xml
        ("a.docx", plain_zip({"[Content_Types].xml": b"<Types/>", "word/x.xml": b"<x/>"})),
        ("a.xlsx", plain_zip({"xl/readme.txt": b"hello"})),
        ("a.xlsx", plain_zip({"[Content_Types].xml": b"<Types/>", "xl/sheet.xml": b"<x/>"})),
    ],
)
def test_a_zip_without_the_office_structure_does_not_pass_as_office(name, data):
    """A zip holding a word/ (or xl/) folder is not a .docx (.xlsx): the package must have
    [Content_Types].xml and its main part."""
    with pytest.raises(ValidationError, match=f"“{name}”"):
        file_validate(SimpleUploadedFile(name, data))


def test_office_file_over_the_decompressed_ceiling_is_refused(settings):
    settings.UPLOAD_UNZIPPED_MAX_MB = 1
    bomb = office("word", extra={"word/media/big.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # small on the wire
    with pytest.raises(ValidationError, match="解压后为2 MB，超过上限1 MB"):
        file_validate(SimpleUploadedFile("报告.docx", bomb))


def test_lying_declared_sizes_are_caught_by_the_bounded_read(settings):
    """A member whose header declares a small size but inflates to more is stopped at the
    ceiling as it is read."""
    from regulus.core.files import ooxml_problem

    settings.UPLOAD_UNZIPPED_MAX_MB = 1
    data = bytearray(office("xl", extra={"xl/big.bin": b"\0" * (3 * 1024 * 1024)}))
    # Rewrite the big member's declared size (local header and central directory) to 10 bytes.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/big.bin")
    size = (3 * 1024 * 1024).to_bytes(4, "little")
    assert data.count(size) == 2
    data = bytearray(bytes(data).replace(size, (10).to_bytes(4, "little")))
    problem = ooxml_problem(bytes(data), main_part="xl/workbook.xml", label="Excel", what="文件“a”")
    assert problem is not None and ("超过上限1 MB" in problem or "已损坏" in problem)
    assert info.file_size == 3 * 1024 * 1024


def test_office_file_under_the_ceiling_passes(settings):
    settings.UPLOAD_UNZIPPED_MAX_MB = 1
    info = file_validate(
        SimpleUploadedFile("a.docx", office("word", extra={"word/a": b"x" * 1000}))
    )
    assert info.kind == "docx"


def test_long_file_names_keep_their_extension():
    from regulus.core.files import short_name

    name = "营" * 300 + ".pdf"
    short = short_name(name)
    assert len(short) == 200 and short.endswith("….pdf")
    assert short_name("短.pdf") == "短.pdf"
    info = file_validate(SimpleUploadedFile(name, b"%PDF-1.4"))
    assert info.original_name.endswith(".pdf") and len(info.original_name) <= 200
