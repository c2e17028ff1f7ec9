"""The one normaliser and validator of text at the edge: forms, API schemas and imports.

Every piece of text a person or a file gives is
- normalised to NFC (the same name typed on two keyboards is the same string) and trimmed;
  multi-line text has its line breaks made "\\n";
- refused, with a message naming the character, when it holds what no one can see or type
  on purpose: control characters (NUL, C0 and C1; tab and line breaks only in multi-line
  text), characters that reorder or hide text (bidi overrides, embeddings, isolates and marks;
  zero-width spaces and joiners; the byte-order mark), lone surrogates and non-characters.
  U+202E (right-to-left override) makes "exe.txt" display as "txt.exe"; a zero-width space
  makes two names that look the same differ, so a duplicate check passes;
- for names of people and entities, refused unless it holds at least one CJK or Latin letter
  (`+1+1`, `=1+2`, `……` are no names).

`clean_text` and `clean_name` raise django's ValidationError; the same rules are a form
mixin (core.forms.TextCheckedForm) and pydantic types for the API's schemas (core.schemas);
`escape_unsafe` makes any text safe for a log line (the access log, the operation log's
request path).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError

# Characters refused in any text. Tab, line feed and carriage return are listed separately:
# multi-line text keeps tabs and line breaks.
_REFUSED = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (less tab, LF, CR), DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u180e\u200b-\u200d\u2060-\u2064\ufeff"  # zero-width and invisible characters, the BOM
    "\u2028\u2029"  # line and paragraph separators (break a line where no break may be)
    "\ud800-\udfff"  # lone surrogates (not text: no encoding can write them)
    "\ufdd0-\ufdef\ufffe\uffff"  # non-characters
)
# What a line of text (a name, an address) and a multi-line text may not hold.
REFUSED_IN_LINE = re.compile(f"[\t\n\r{_REFUSED}]")
REFUSED_IN_TEXT = re.compile(f"[{_REFUSED}]")
# A letter of a name: a CJK ideograph or a Latin letter (also the full-width ones).
_NAME_LETTER = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"
    "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
_BREAKS = re.compile(r"\r\n?")
# Trimmed from both ends: spaces of every width and the breaks a paste leaves, never a control
# character (str.strip() would drop \x1c-\x1f and \x85 without a word).
TRIM = " \t\n\r\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))

NAME_RULE = "须含有汉字或拉丁字母"


def character_label(char: str) -> str:
    """What a refused character is, in Chinese, with its code point."""
    code = ord(char)
    point = f"U+{code:04X}"
    if char in "\t\n\r":
        kind = {"\t": "制表符", "\n": "换行符", "\r": "回车符"}[char]
    elif code <= 0x1F or 0x7F <= code <= 0x9F:
        kind = "空字符" if code == 0 else "控制字符"
    elif char in "\u061c\u200e\u200f" or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        kind = "文字方向控制字符"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "孤立的代理码位"
    elif char in "\u2028\u2029":
        kind = "分隔符"
    elif 0xFDD0 <= code <= 0xFDEF or char in "\ufffe\uffff":
        kind = "非字符码位"
    else:
        kind = "不可见字符"
    return f"{kind}（{point}）"


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of value that text may not hold, or None."""
    found = (REFUSED_IN_TEXT if multiline else REFUSED_IN_LINE).search(value)
    return found.group() if found else None


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why value is refused (without the field's name), or None."""
    char = refused_character(value, multiline=multiline)
    return None if char is None else f"含有不允许的{character_label(char)}，请删除后重新输入"


def trim(value: str, *, multiline: bool = False) -> str:
    """value without the spaces and breaks at its ends; in multi-line text every line break
    becomes "\\n"."""
    if multiline and "\r" in value:
        value = _BREAKS.sub("\n", value)
    return value.strip(TRIM)


def nfc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def has_name_letter(value: str) -> bool:
    return _NAME_LETTER.search(value) is not None


def _refuse(message: str, field: str | None) -> ValidationError:
    return ValidationError({field: message}) if field else ValidationError(message)


def clean_text(value: str, *, label: str, multiline: bool = False, field: str | None = None) -> str:
    """The normalised text, or ValidationError naming the field (label) and the character.
    ``field``: raise the error under this key (a form's or a service's field name)."""
    value = trim(value, multiline=multiline)
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise _refuse(f"{label}{problem}", field)
    return nfc(value)


def clean_name(value: str, *, label: str, field: str | None = None) -> str:
    """clean_text for the name of a person or an entity: also at least one CJK or Latin
    letter ("" stays "": whether a name is required is the form's rule)."""
    value = clean_text(value, label=label, field=field)
    if value and not has_name_letter(value):
        raise _refuse(f"{label}“{value}”{NAME_RULE}", field)
    return value


# The kinds of text a hand-parsed form's field holds (clean_fields).
LINE, MULTILINE, NAME = "line", "multiline", "name"


def clean_fields(
    data: Any, fields: Mapping[str, tuple[Any, ...]], *, model: Any = None
) -> dict[str, str]:
    """For a form parsed by hand (a POST, a dict): each named field's text through
    clean_text or clean_name by its kind (LINE, MULTILINE or NAME), fields: {name: (label,
    kind)} or (label, kind, max_length); with a model, no longer than the model's field of
    that name either (a longer one is a 500 on PostgreSQL). ValidationError({field: message})
    naming every refused one at once."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, (label, kind, *given_limit) in fields.items():
        raw = str(data.get(key) or "")
        try:
            if kind == NAME:
                values[key] = clean_name(raw, label=label)
            else:
                values[key] = clean_text(raw, label=label, multiline=kind == MULTILINE)
        except ValidationError as exc:
            errors[key] = exc.messages[0]
            continue
        limit = given_limit[0] if given_limit else _max_length(model, key)
        if limit is not None and len(values[key]) > limit:
            errors[key] = f"{label}不能超过{limit}个字"
    if errors:
        raise ValidationError(errors)
    return values


def _max_length(model: Any, name: str) -> int | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name).max_length  # type: ignore[no-any-return]
    except FieldDoesNotExist:
        return None


def escape_unsafe(value: str) -> str:
    """value with every character text may not hold (and tab, CR, LF) written as an escape
    (\\x0d, \\u202e): one log line stays one line and reads as it was sent."""
    return REFUSED_IN_LINE.sub(_escape_one, value)


def shown(value: str, limit: int = 20) -> str:
    """value as a message may quote it: at most limit characters, escaped."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return escape_unsafe(cut)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
