"""The operation log as a clerk reads it: what in a row's lines would be a word no clerk should
see. tests/conftest.py runs this over every audit row every test writes, so each service of
every app, as its tests run it, has its rows read back as the log's pages show them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models

from regulus.core import auditwords
from regulus.core.models import AuditLog

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
# What a page must never show for a stored value: Python's words and containers, a date as
# stored (a value that is an ISO date or date-time), a keyed hash, a server path.
RAW_VALUE = (
    (re.compile(r"\b(True|False|None)\b"), "Python 的真假值或空值"),
    (re.compile(r"[{}\[\]]|'\w+':"), "Python 的列表或字典"),
    (re.compile(r"(^| → )\d{4}-\d{2}-\d{2}(T[\d:.+\-]+)?($| → )"), "未按中文格式显示的日期"),
    (re.compile(r"\b[0-9a-f]{32,}\b"), "哈希值"),
    (re.compile(r"(^|\s)/\w+/"), "服务器文件路径"),
)
# An identifier as code writes it ("portal_entity", "good-rows").
IDENTIFIER = re.compile(r"^[a-z]+(?:[_-][a-z0-9]+)+$")


@functools.cache
def stored_codes() -> frozenset[str]:
    """Every choice code of every model of the project: none may stand where its label
    belongs."""
    codes = set(AuditLog.Action.values)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for code, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(code, str) and re.fullmatch(r"[a-z][a-z_\-]{2,}", code):
                    codes.add(code)
    return frozenset(codes)


def is_project_type(object_type: str) -> bool:
    """Rows about a project app's objects (the fake objects some kernel tests log are not)."""
    app_label = object_type.partition(".")[0]
    return apps.is_installed(f"regulus.{app_label}") or object_type in auditwords.KERNEL_TYPES


def typed_words(row: AuditLog) -> set[str]:
    """The Latin words a user typed into what the row is about: its name, and the values of
    its free-text fields (a bundle's code, a name with Latin letters, a search's words)."""
    words = set(TOKEN.findall(row.object_repr))
    for key, value in (row.changes or {}).items() if isinstance(row.changes, dict) else ():
        if _is_free_text(row.object_type, str(key)):
            words.update(TOKEN.findall(_strings(value)))
        elif isinstance(value, dict) and "q" in value:  # a search's words
            words.update(TOKEN.findall(str(value["q"])))
    return words


def _is_free_text(object_type: str, key: str) -> bool:
    """A text field a user fills (not one with choices, nor one the model reads its own way)."""
    model = auditwords.model_of(object_type)
    field = auditwords._field_of(model, key) if model is not None else None
    declared = getattr(model, "audit_keys", {})
    return (
        isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and key not in declared
        and field.name not in declared
    )


def _strings(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_strings(v) for v in value)
    return value if isinstance(value, str) else ""


def problems(rows: Iterable[AuditLog]) -> list[str]:
    """What the rows' lines, object names and timeline entries show that a clerk should not
    see, one message a problem."""
    rows = [row for row in rows if is_project_type(row.object_type)]
    found: list[str] = []
    for row, lines in zip(rows, auditwords.change_lines(rows), strict=True):
        where = f"第{row.pk}条（{row.object_type} {row.action}：{row.summary[:40]}）"
        type_name = auditwords.object_type_name(row.object_type)
        if not CJK.search(type_name) or LATIN.search(type_name):
            found.append(f"{where}对象类型显示为“{type_name}”")
        allowed = typed_words(row)
        for label, text in lines:
            if not CJK.search(label) or LATIN.search(label):
                found.append(f"{where}字段名显示为“{label}”")
            for pattern, what in RAW_VALUE:
                if pattern.search(text):
                    found.append(f"{where}“{label}”的值含{what}：{text}")
            for token in set(TOKEN.findall(text)) - allowed:
                if token in stored_codes() or IDENTIFIER.match(token):
                    found.append(f"{where}“{label}”的值含代码“{token}”：{text}")
            if re.fullmatch(r"\d+( → \d+)?", text) and _is_relation(row.object_type, label):
                found.append(f"{where}“{label}”显示为编号：{text}")
    return found


def _is_relation(object_type: str, label: str) -> bool:
    model = auditwords.model_of(object_type)
    if model is None:
        return False
    return any(
        f.is_relation and str(getattr(f, "verbose_name", "")) == label
        for f in model._meta.get_fields()
        if f.concrete or f.many_to_many
    )
