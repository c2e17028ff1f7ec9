"""Validated attachments: the content must be what the extension says, and not too big.

`file_validate(upload)` checks size (settings.UPLOAD_MAX_MB) and magic bytes (PDF %PDF,
JPEG FF D8 FF, PNG 89 50 4E 47, docx/xlsx a zip "PK" holding the Office part), raising a
ValidationError with a Chinese message that names the file and the rule. `file_store` keeps
the bytes under MEDIA_ROOT with a generated name (never the uploader's); `file_response`
serves a stored file: call it only from a view that has already checked the data scope of the
object the file belongs to. `AttachmentFields` is the abstract model that domain apps extend.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.http import FileResponse, Http404

# kind -> (extensions, content type, label)
KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "pdf": ((".pdf",), "application/pdf", "PDF"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg", "JPEG图片"),
    "png": ((".png",), "image/png", "PNG图片"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word文档",
    ),
    "xlsx": (
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel表格",
    ),
}
DEFAULT_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx")


@dataclass(frozen=True)
class FileInfo:
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_MB", 20)) * 1024 * 1024


def _read_all(upload: Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def sniff(data: bytes) -> str | None:
    """The kind the bytes really are, by their magic number (None when unknown)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    return None


def file_validate(
    upload: Any, *, allowed: tuple[str, ...] = DEFAULT_KINDS, label: str = ""
) -> FileInfo:
    """Check one uploaded file; return what it is. Raises ValidationError (Chinese)."""
    name = Path(getattr(upload, "name", "") or "").name or "未命名文件"
    what = f"{label}“{name}”" if label else f"文件“{name}”"
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            f"{what}大小为{size / 1024 / 1024:.1f}MB，超过上限{limit // 1024 // 1024}MB"
        )
    data = _read_all(upload)
    if len(data) > limit:
        raise ValidationError(
            f"{what}大小为{len(data) / 1024 / 1024:.1f}MB，超过上限{limit // 1024 // 1024}MB"
        )
    if not data:
        raise ValidationError(f"{what}是空文件")
    ext = Path(name).suffix.lower()
    claimed = next((k for k in allowed if ext in KINDS[k][0]), None)
    allowed_exts = "、".join(e for k in allowed for e in KINDS[k][0])
    if claimed is None:
        raise ValidationError(f"{what}的类型不允许，只接受：{allowed_exts}")
    actual = sniff(data)
    if actual != claimed:
        raise ValidationError(
            f"{what}的内容不是{KINDS[claimed][2]}（扩展名为{ext}，但文件内容与之不符），"
            "请上传真实的文件"
        )
    return FileInfo(
        kind=claimed,
        extension=KINDS[claimed][0][0] if ext not in KINDS[claimed][0] else ext,
        content_type=KINDS[claimed][1],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=name[:200],
    )


def file_store(upload: Any, *, info: FileInfo, folder: str) -> str:
    """Save the bytes under MEDIA_ROOT/<folder>/<yyyy>/<uuid><ext>; return the stored name."""
    from regulus.core import clock

    today = clock.today()
    name = f"{folder.strip('/')}/{today:%Y/%m}/{uuid.uuid4().hex}{info.extension}"
    upload.seek(0)
    return default_storage.save(name, upload)


def file_open(stored_name: str) -> Any:
    if not stored_name or ".." in stored_name or not default_storage.exists(stored_name):
        raise Http404("文件不存在")
    return default_storage.open(stored_name, "rb")


def file_response(
    stored_name: str, *, download_name: str, content_type: str, inline: bool = True
) -> FileResponse:
    """Serve a stored file. The caller has checked that the user may see its owner."""
    response = FileResponse(
        file_open(stored_name),
        as_attachment=not inline,
        filename=download_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class AttachmentFields(models.Model):
    """What every stored attachment keeps. Domain apps subclass it with their owner FK."""

    stored_name = models.CharField("存储名", max_length=255, editable=False)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
    )

    class Meta:
        abstract = True

    def fill_from(self, info: FileInfo, stored_name: str) -> None:
        self.stored_name = stored_name
        self.original_name = info.original_name
        self.content_type = info.content_type
        self.size = info.size
        self.sha256 = info.sha256
