"""core.files: content must match the extension (magic bytes), size limit, generated names."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from regulus.core.files import file_open, file_store, file_validate, sniff


def office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{part}/document.xml", "<x/>")
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
