"""Validated attachments: the content must be what the extension says, and not too big.

`file_validate(upload)` checks size (settings.UPLOAD_MAX_MB) and magic bytes (PDF %PDF,
JPEG FF D8 FF, PNG 89 50 4E 47), and for .docx/.xlsx the Office Open XML container
([Content_Types].xml and word/document.xml or xl/workbook.xml, `ooxml_problem`) and its
decompressed size (settings.UPLOAD_UNZIPPED_MAX_MB, declared and read), raising a
ValidationError with a Chinese message that names the file and the rule. `file_store` keeps
the bytes under MEDIA_ROOT with a generated name (never the uploader's); `file_response`
serves a stored file: call it only from a view that has already checked the data scope of the
object the file belongs to. `AttachmentFields` is the abstract model that domain apps extend.
`short_name` cuts a long file name's stem and keeps its extension.
"""

from __future__ import annotations

import contextlib
import errno
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


def unzipped_max_bytes() -> int:
    """An uploaded Office file's decompressed-size ceiling (settings.UPLOAD_UNZIPPED_MAX_MB)."""
    return int(getattr(settings, "UPLOAD_UNZIPPED_MAX_MB", 200)) * 1024 * 1024


# The Office Open XML kinds: the main part their [Content_Types].xml must sit beside.
OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def ooxml_problem(
    fileobj: Any,
    *,
    main_part: str,
    label: str,
    what: str,
    max_unzipped: int | None = None,
) -> str | None:
    """What is wrong with an Office Open XML container (.docx, .xlsx), in Chinese naming the
    file (`what`) and the rule, or None: a zip with [Content_Types].xml and its main part
    (word/document.xml, xl/workbook.xml), whose members' sizes, declared and read (never
    more than the ceiling in all: a zip bomb is stopped at it), stay under the
    decompressed-size ceiling. `fileobj` is a binary file, a path or bytes."""
    ceiling = unzipped_max_bytes() if max_unzipped is None else max_unzipped
    ceiling_mb = ceiling / 1024 / 1024
    if isinstance(fileobj, bytes):
        fileobj = io.BytesIO(fileobj)
    try:
        book = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        return f"{what}不是有效的{label}（文件已损坏或不是Office文档格式）"
    with book:
        names = set(book.namelist())
        if "[Content_Types].xml" not in names or main_part not in names:
            return (
                f"{what}不是有效的{label}：缺少{label}应有的结构（[Content_Types].xml和"
                f"{main_part}），可能是改了扩展名的压缩包"
            )
        members = book.infolist()
        declared = sum(info.file_size for info in members)
        if declared > ceiling:
            return f"{what}解压后为{declared / 1024 / 1024:.0f} MB，超过上限{ceiling_mb:.0f} MB"
        # The declared sizes can lie: read every member, never more than the ceiling in all.
        left = ceiling
        try:
            for info in members:
                with book.open(info) as member:
                    while chunk := member.read(min(1024 * 1024, left + 1)):
                        left -= len(chunk)
                        if left < 0:
                            return f"{what}解压后超过上限{ceiling_mb:.0f} MB（压缩比异常）"
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return f"{what}已损坏：压缩内容无法读取"
    return None


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
        # By the package's structure, not a folder's name: a zip that merely holds a word/
        # folder is a zip.
        if "[Content_Types].xml" in names:
            for kind, part in OOXML_MAIN_PARTS.items():
                if part in names:
                    return kind
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
    if claimed in OOXML_MAIN_PARTS:
        problem = ooxml_problem(
            data, main_part=OOXML_MAIN_PARTS[claimed], label=KINDS[claimed][2], what=what
        )
        if problem:
            raise ValidationError(problem)
    return FileInfo(
        kind=claimed,
        extension=KINDS[claimed][0][0] if ext not in KINDS[claimed][0] else ext,
        content_type=KINDS[claimed][1],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=short_name(name),
    )


def short_name(name: str, limit: int = 200) -> str:
    """A file name of at most `limit` characters that keeps its extension: the stem is cut
    ("很长的名称….pdf"), never the suffix."""
    name = Path(name).name
    if len(name) <= limit:
        return name
    suffix = Path(name).suffix
    if len(suffix) > 16 or len(suffix) >= limit - 1:
        return name[: limit - 1] + "…"
    return name[: limit - len(suffix) - 1] + "…" + suffix


# A write refused for want of room (ENOSPC: the disk is full; EFBIG: a file-size limit;
# EDQUOT: the service user's quota), or SQLite saying so of its database ("database or disk
# is full"; past a file-size limit it says "disk I/O error").
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
STORAGE_FULL_TEXTS = ("disk is full", "No space left", "disk I/O error")
STORAGE_FULL = "服务器存储空间不足，文件未保存，未作任何更改；请稍后重试或联系系统管理员"


def storage_full(exc: BaseException) -> bool:
    """Whether an error is the disk (or the database's file) refusing to grow."""
    if isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS:
        return True
    return any(text in str(exc) for text in STORAGE_FULL_TEXTS)


def file_store(upload: Any, *, info: FileInfo, folder: str) -> str:
    """Save the bytes under MEDIA_ROOT/<folder>/<yyyy>/<uuid><ext>; return the stored name.
    A full disk: ValidationError (STORAGE_FULL) and no part of the file left behind."""
    from regulus.core import clock

    today = clock.today()
    name = f"{folder.strip('/')}/{today:%Y/%m}/{uuid.uuid4().hex}{info.extension}"
    upload.seek(0)
    try:
        return default_storage.save(name, upload)
    except OSError as exc:
        if not storage_full(exc):
            raise
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise ValidationError({"file": STORAGE_FULL}) from exc


def file_delete(stored_name: str) -> None:
    """Remove a stored file (call it once the row that named it is gone for good: from
    transaction.on_commit)."""
    if stored_name and ".." not in stored_name and default_storage.exists(stored_name):
        default_storage.delete(stored_name)


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
