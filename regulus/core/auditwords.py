"""What an operation-log row changed, in the words of the people who read it.

A row's `changes` hold what its service recorded: field names and stored values
(`{"kind": "individual", "unit_id": 13, "is_active": [false, true]}`). The log's pages show
every key under its Chinese name and every value as users know it: a choice by its label, a
yes/no as 是/否, a foreign key by the object's name, a date in Chinese, an empty value as
（空）. Keyed hashes and server file paths are never shown.

A key is read against the model the row names (its object_type), in this order:
1. the model's `audit_keys`, a dict of AuditKey: for what a row carries beyond its plain
   fields (an import's counts, a search's filters) or a field read in a way of its own (a
   division code with its name, a list of codes by their names);
2. a field of the model, by name or attname, many-to-many included: its verbose_name, its
   value by the field's kind;
3. the few keys every row may carry (a note, a reason), and the keys of the rows the kernel
   writes about things that are no app's model (a rate-limit block, expired sessions).
A key found nowhere is shown as it is written, which tests/core/test_audit_words.py catches.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

EMPTY = "（空）"
WITHHELD = "（不显示）"


@dataclass(frozen=True)
class AuditKey:
    """How the log shows one key of a model's audit rows.

    label: its Chinese name ("" for the field's verbose_name); show: its value (one side of a
    change) → text, instead of the field's own reading; many: its values are lists (so that
    a two-item list is a value, not a change from one item to the other); hidden: never
    shown (a keyed hash, a file path)."""

    label: str = ""
    show: Callable[[Any], str] | None = None
    many: bool = False
    hidden: bool = False


# Field names whose values are never shown, whatever model holds them: keyed hashes (their
# point is that the value cannot be read back), server paths, credentials.
HIDDEN_NAME = re.compile(r"(^|_)(hash|sha256|password|secret)$|_path$")
# What a value may still hold of them (a hash in free text, a path in a list): withheld.
_DIGEST = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_SERVER_PATH = re.compile(r"(?<![\w./\\])(?:/|[A-Za-z]:\\)(?:[\w.\-]+[/\\])+[\w.\-]*")


def seconds_text(seconds: Any) -> str:
    """A duration of seconds in the largest whole unit (3600 → 1小时, 90 → 90秒)."""
    try:
        value = int(seconds)
    except (TypeError, ValueError):
        return plain_text(seconds)
    for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟")):
        if value and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}秒"


def division_text(code: Any) -> str:
    """A division code with its name: "芙蓉区（430102）"."""
    from regulus.core.ids import division_name

    if not code:
        return EMPTY
    name = division_name(str(code))
    return f"{name}（{code}）" if name else str(code)


# Keys any row may carry, and the keys of the rows the kernel writes about things that are not
# models of an app: {object_type: (its name, its keys)}.
COMMON_KEYS: dict[str, AuditKey] = {
    "note": AuditKey("说明"),
    "reason": AuditKey("理由"),
    # The counts of an import by core.tabular.import_rows, whatever it imported.
    "import_rows": AuditKey("数据行数"),
    "import_written": AuditKey("写入行数"),
    "import_bad_rows": AuditKey("错误行数"),
    "import_mode": AuditKey("导入方式", show=lambda mode: _import_mode(mode)),
}


def _import_mode(mode: Any) -> str:
    from regulus.core.tabular import MODES

    return MODES.get(str(mode), str(mode))


KERNEL_TYPES: dict[str, tuple[str, dict[str, AuditKey]]] = {
    "core.throttle": (
        "访问频率限制",
        {
            "limit": AuditKey(hidden=True),  # the summary says what was counted
            "address": AuditKey("网络地址"),
            "count": AuditKey("本时段次数"),
            "window_seconds": AuditKey("统计时段", show=seconds_text),
            "retry_after_seconds": AuditKey("暂停时长", show=seconds_text),
            "subject": AuditKey("受限对象"),
        },
    ),
    "core.auditchain": (
        "操作日志链",
        {
            "key_id": AuditKey("签名密钥标识"),
            "previous_key_id": AuditKey("原签名密钥标识"),
            "rows_before": AuditKey("此前记录数"),
        },
    ),
    "sessions.session": ("登录会话", {"count": AuditKey("清除数量")}),
}


# -- reading values ------------------------------------------------------------------------


def plain_text(value: Any) -> str:
    """A stored value as text, when nothing more is known of it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(plain_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{plain_text(v)}" for k, v in value.items())
    return str(value)


def date_text(value: Any) -> str:
    """A stored date as 2026年9月3日; a date-time in the local zone, to the second."""
    if value in (None, ""):
        return EMPTY
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return plain_text(value)
    if len(str(value)) <= 10:
        return f"{moment.year}年{moment.month}月{moment.day}日"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}"


def _choice_reader(field: models.Field[Any, Any]) -> Callable[[Any], str]:
    labels = {str(code): str(label) for code, label in field.flatchoices}

    def show(value: Any) -> str:
        if isinstance(value, list):
            return "、".join(show(v) for v in value) or EMPTY
        return EMPTY if value in (None, "") else labels.get(str(value), str(value))

    return show


def _bool_text(value: Any) -> str:
    return EMPTY if value is None else ("是" if value else "否")


@dataclass(frozen=True)
class Reading:
    """How one key of one object type reads: its label and its value's text."""

    label: str
    show: Callable[[Any, Names], str]
    many: bool = False
    hidden: bool = False
    related: type[models.Model] | None = None  # a foreign key's model, named by Names


class Names:
    """The names of the objects the rows' foreign keys point at, fetched once for a page of
    rows: want() them all, then fetch()."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = {}
        self._names: dict[tuple[type[models.Model], int], str] = {}

    def want(self, model: type[models.Model], value: Any) -> None:
        for pk in _ids(value):
            self._wanted.setdefault(model, set()).add(pk)

    def fetch(self) -> None:
        for model, pks in self._wanted.items():
            found = model._base_manager.in_bulk(sorted(pks))
            self._names.update({(model, pk): str(obj) for pk, obj in found.items()})
        self._wanted = {}

    def text(self, model: type[models.Model], value: Any) -> str:
        if value in (None, "", []):
            return EMPTY
        if isinstance(value, list):
            return "、".join(self.text(model, v) for v in value)
        pk = _ids(value)
        if not pk:  # stored by name already
            return plain_text(value)
        return self._names.get((model, pk[0]), f"（已删除的{model._meta.verbose_name}）")


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool):
            out.append(v)
        elif isinstance(v, str) and v.isdigit():
            out.append(int(v))
    return out


def _field_reading(field: Any) -> Reading:
    label = str(field.verbose_name)
    if field.is_relation and field.related_model is not None:
        model = field.related_model
        return Reading(
            label, lambda v, names: names.text(model, v), many=field.many_to_many, related=model
        )
    if field.choices:
        reader = _choice_reader(field)
        return Reading(label, lambda v, names: reader(v))
    if isinstance(field, models.BooleanField):
        return Reading(label, lambda v, names: _bool_text(v))
    if isinstance(field, models.DateField):  # DateTimeField included
        return Reading(label, lambda v, names: date_text(v))
    return Reading(label, lambda v, names: plain_text(v), many=isinstance(field, models.JSONField))


def _declared(key: AuditKey, field_reading: Reading | None, name: str) -> Reading:
    base = field_reading or Reading(name, lambda v, names: plain_text(v))
    show = key.show
    return Reading(
        label=key.label or base.label,
        show=(lambda v, names: show(v)) if show is not None else base.show,
        many=key.many or base.many,
        hidden=key.hidden,
        related=None if show is not None else base.related,
    )


@functools.cache
def reading(object_type: str, key: str) -> Reading:
    """How `key` of a row about `object_type` ("registry.entity") reads."""
    model = model_of(object_type)
    field = _field_of(model, key) if model is not None else None
    found = _field_reading(field) if field is not None else None
    declared_keys = getattr(model, "audit_keys", {})
    declared = declared_keys.get(key) or (declared_keys.get(field.name) if field else None)
    if declared is not None:
        return _declared(declared, found, key)
    if found is not None and field is not None:
        hidden = bool(HIDDEN_NAME.search(field.name))
        return Reading(found.label, found.show, found.many, hidden, found.related)
    kernel = KERNEL_TYPES.get(object_type, ("", {}))[1].get(key) or COMMON_KEYS.get(key)
    if kernel is not None:
        return _declared(kernel, None, key)
    return Reading(key, lambda v, names: plain_text(v), hidden=bool(HIDDEN_NAME.search(key)))


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_of(model: type[models.Model], key: str) -> Any:
    for field in model._meta.get_fields():
        if (field.concrete or field.many_to_many) and key in (
            field.name,
            getattr(field, "attname", None),
        ):
            return field
    return None


@functools.cache
def object_type_name(object_type: str) -> str:
    """The Chinese name of what a row is about: the model's, the kernel's name of a type that
    is no model, else the app's ("licensing.stats" → 一件事一次办)."""
    if object_type in KERNEL_TYPES:
        return KERNEL_TYPES[object_type][0]
    model = model_of(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    try:
        return str(apps.get_app_config(object_type.partition(".")[0]).verbose_name)
    except LookupError:
        return object_type


# -- rows ----------------------------------------------------------------------------------


def _sides(value: Any, read: Reading) -> tuple[Any, ...]:
    """A change [old, new] as its two sides, a plain fact as one."""
    pair = isinstance(value, list) and len(value) == 2
    if pair and (not read.many or all(v is None or isinstance(v, list) for v in value)):
        return (value[0], value[1])
    return (value,)


def _shown(text: str) -> str:
    """The text with anything left of a hash or a server path withheld."""
    return _SERVER_PATH.sub(WITHHELD, _DIGEST.sub(WITHHELD, text)) or EMPTY


def _items(row: Any) -> list[tuple[Reading, Any]]:
    changes = row.changes if isinstance(row.changes, dict) else {}
    found = [(reading(row.object_type, str(key)), value) for key, value in changes.items()]
    return [(read, value) for read, value in found if not read.hidden]


def change_lines(rows: Sequence[Any]) -> list[list[tuple[str, str]]]:
    """Each row's changes as (Chinese name, text): "old → new" for a change, the value for a
    plain fact (a created object's value, a transition's note). Foreign keys of all the rows
    are named in one query a model."""
    names = Names()
    items = [_items(row) for row in rows]
    for row_items in items:
        for read, value in row_items:
            if read.related is not None:
                for side in _sides(value, read):
                    names.want(read.related, side)
    names.fetch()
    return [
        [
            (read.label, " → ".join(_shown(read.show(side, names)) for side in _sides(value, read)))
            for read, value in row_items
        ]
        for row_items in items
    ]


def changed_names(row: Any) -> list[str]:
    """The Chinese names of what a row changed (for a timeline's "修改：…")."""
    return [read.label for read, _value in _items(row)]
