"""The rules an entity's data must keep, shared by the services, the import and the API.

`EntityRules.clean(raw)` takes field values (strings from a file, or typed values from a
service call) and returns the cleaned values and a list of (field, Chinese message). It is
written for speed, since an import runs it once per row.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
from decimal import Decimal, InvalidOperation
from operator import itemgetter, mul
from typing import Any
from unicodedata import is_normalized

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ValidationError

from regulus.core import clock, ids
from regulus.core.crypto import ENCRYPTED_PREFIX
from regulus.core.text import (
    NAME_RULE,
    has_name_letter,
    nfc,
    shown,
    text_problem,
    trim,
)
from regulus.registry.models import EntityKind, EntityStatus, RiskClass

FIELD_LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "名称",
    "kind": "主体类型",
    "sub_kind": "类型细分",
    "legal_rep_name": "法定代表人/经营者",
    "legal_rep_id_number": "法定代表人/经营者身份证号码",
    "registered_capital": "注册资本（万元）",
    "established_on": "成立日期",
    "business_scope": "经营范围",
    "industry_section": "行业门类",
    "industry_code": "行业大类",
    "registration_authority": "登记机关",
    "district_code": "所属区县代码",
    "unit": "监管单位",
    "address": "住所（经营场所）",
    "phone": "联系电话",
    "status": "登记状态",
    "status_changed_on": "状态变更日期",
    "risk_class": "信用风险分类",
}
REQUIRED = ("uscc", "name", "kind", "established_on", "district_code")
# Names of an entity or a person: a CJK or Latin letter at least (core.text).
NAME_FIELDS = ("name", "legal_rep_name")
# The one text field that may run over several lines.
MULTILINE_FIELDS = frozenset({"business_scope"})
MAX_LENGTHS = {
    "name": 200,
    "sub_kind": 40,
    "legal_rep_name": 50,
    "registration_authority": 100,
    "address": 255,
    "phone": 30,
}

# GB/T 4754-2017: 门类 → range of its 大类 codes.
INDUSTRY_SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("农、林、牧、渔业", 1, 5),
    "B": ("采矿业", 6, 12),
    "C": ("制造业", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", 44, 46),
    "E": ("建筑业", 47, 50),
    "F": ("批发和零售业", 51, 52),
    "G": ("交通运输、仓储和邮政业", 53, 60),
    "H": ("住宿和餐饮业", 61, 62),
    "I": ("信息传输、软件和信息技术服务业", 63, 65),
    "J": ("金融业", 66, 69),
    "K": ("房地产业", 70, 70),
    "L": ("租赁和商务服务业", 71, 72),
    "M": ("科学研究和技术服务业", 73, 75),
    "N": ("水利、环境和公共设施管理业", 76, 79),
    "O": ("居民服务、修理和其他服务业", 80, 82),
    "P": ("教育", 83, 83),
    "Q": ("卫生和社会工作", 84, 85),
    "R": ("文化、体育和娱乐业", 86, 90),
    "S": ("公共管理、社会保障和社会组织", 91, 97),
    "T": ("国际组织", 98, 98),
}
DISTRICTS = dict(ids.DEMO_DISTRICTS)
USCC_KIND_CATEGORY = {
    EntityKind.ENTERPRISE: "1",
    EntityKind.INDIVIDUAL: "2",
    EntityKind.COOPERATIVE: "3",
}
EARLIEST_DATE = dt.date(1949, 10, 1)
_PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")


def _choice_map(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    mapping = {}
    for value, label in choices.choices:
        mapping[value] = value
        mapping[str(label)] = value
    mapping.update(extra)
    return mapping


KIND_VALUES = _choice_map(
    EntityKind, {"个体户": EntityKind.INDIVIDUAL, "合作社": EntityKind.COOPERATIVE}
)
STATUS_VALUES = _choice_map(
    EntityStatus,
    {"存续": EntityStatus.ACTIVE, "在业": EntityStatus.ACTIVE, "开业": EntityStatus.ACTIVE},
)
RISK_VALUES = _choice_map(RiskClass, {f"{c}类": c for c in "ABCD"} | {c.lower(): c for c in "ABCD"})


class EntityRules:
    """Validation context: today's date and the units of each demo district."""

    def __init__(self) -> None:
        from regulus.core.models import OrgUnit

        self.today = clock.today()
        self.units_by_district: dict[str, dict[str, int]] = {}
        self.default_unit: dict[str, int] = {}
        units = OrgUnit.objects.filter(
            is_active=True,
            kind__in=[OrgUnit.Kind.DISTRICT_BUREAU, OrgUnit.Kind.STATION],
            division_code__in=list(DISTRICTS),
        ).order_by("path")
        for unit in units:
            names = self.units_by_district.setdefault(unit.division_code, {})
            names[unit.name] = unit.pk
            names[str(unit.pk)] = unit.pk
            if unit.short_name:
                names.setdefault(unit.short_name, unit.pk)
            if unit.kind == OrgUnit.Kind.DISTRICT_BUREAU:
                self.default_unit.setdefault(unit.division_code, unit.pk)

    # ---- per field -------------------------------------------------------------------------

    def _date(self, value: Any, field: str, errors: list[tuple[str, str]]) -> dt.date | None:
        if value in (None, ""):
            return None
        if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
            # The usual YYYY-MM-DD of a file, without the general path's rewriting (which
            # reports the value if it is no date).
            with contextlib.suppress(ValueError):
                value = _date_from_iso(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            text = str(value).strip().replace("/", "-").replace(".", "-")
            if re.fullmatch(r"\d{8}", text):
                text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                errors.append(
                    (field, f"{FIELD_LABELS[field]}“{text}”不是有效日期（应为YYYY-MM-DD）")
                )
                return None
        if value > self.today:
            errors.append((field, f"{FIELD_LABELS[field]}{value.isoformat()}晚于今天"))
            return None
        if value < EARLIEST_DATE:
            errors.append((field, f"{FIELD_LABELS[field]}{value.isoformat()}早于1949年10月1日"))
            return None
        return value

    def clean(
        self, raw: dict[str, Any], *, partial: bool = False
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Cleaned values and errors. ``partial``: only the keys present (an update)."""
        errors: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        present = raw.keys() if partial else FIELD_LABELS.keys()
        v, refused = _normalised(raw, present, errors)

        for key in REQUIRED:
            if key in v and v[key] == "" and key not in refused:
                errors.append((key, f"{FIELD_LABELS[key]}不能为空"))
        for key, limit in MAX_LENGTHS.items():
            if key in v:
                value = str(v[key])
                if len(value) > limit:
                    errors.append((key, f"{FIELD_LABELS[key]}超过{limit}个字"))
                out[key] = value
        for key in NAME_FIELDS:
            if out.get(key) and not has_name_letter(out[key]):
                errors.append((key, f"{FIELD_LABELS[key]}“{shown(out[key])}”{NAME_RULE}"))
        if "business_scope" in v:
            out["business_scope"] = str(v["business_scope"])

        if v.get("uscc"):
            try:
                out["uscc"] = fast_uscc(str(v["uscc"]))
            except ValidationError as exc:
                errors.append(("uscc", exc.messages[0]))
        if 0 < len(out.get("name") or "xx") < 2:
            errors.append(("name", "名称至少2个字"))
        if v.get("kind"):
            kind = KIND_VALUES.get(str(v["kind"]))
            if kind is None:
                errors.append(
                    ("kind", f"主体类型“{v['kind']}”应为企业、个体工商户或农民专业合作社")
                )
            else:
                out["kind"] = kind
        uscc, kind = out.get("uscc"), out.get("kind")
        if uscc and kind and uscc[0] == "9" and uscc[1] != USCC_KIND_CATEGORY[kind]:
            errors.append(
                (
                    "uscc",
                    f"统一社会信用代码第2位“{uscc[1]}”与主体类型“{EntityKind(kind).label}”不符"
                    f"（应为{USCC_KIND_CATEGORY[kind]}）",
                )
            )

        if "legal_rep_id_number" in v:
            number = str(v["legal_rep_id_number"])
            out["legal_rep_id_number"] = ""
            if number:
                try:
                    out["legal_rep_id_number"] = fast_id_number(number, self.today)
                except ValidationError as exc:
                    errors.append(("legal_rep_id_number", exc.messages[0]))

        if "registered_capital" in v:
            value = v["registered_capital"]
            out["registered_capital"] = None
            if value != "":
                try:
                    capital = Decimal(str(value).replace(",", ""))
                    if not capital.is_finite():
                        raise InvalidOperation
                except InvalidOperation:
                    errors.append(("registered_capital", f"注册资本“{value}”不是数字"))
                else:
                    if capital < 0:
                        errors.append(("registered_capital", "注册资本不能为负数"))
                    elif capital >= Decimal("1e14"):
                        errors.append(("registered_capital", "注册资本超出范围"))
                    else:
                        out["registered_capital"] = capital.quantize(_CENT)

        if v.get("established_on", "") != "":
            out["established_on"] = self._date(v["established_on"], "established_on", errors)
        if "status_changed_on" in v:
            out["status_changed_on"] = self._date(
                v["status_changed_on"], "status_changed_on", errors
            )
            est = out.get("established_on")
            if est and out["status_changed_on"] and out["status_changed_on"] < est:
                errors.append(("status_changed_on", "状态变更日期早于成立日期"))

        if "industry_code" in v or "industry_section" in v:
            section = str(v.get("industry_section", "")).upper()
            code = str(v.get("industry_code", ""))
            if code:
                if not (len(code) <= 2 and code.isascii() and code.isdigit()):
                    errors.append(("industry_code", f"行业大类“{code}”应为2位数字（GB/T 4754）"))
                    code = ""
                else:
                    code = code.zfill(2)
                    derived = _SECTION_OF_CODE.get(code)
                    if derived is None:
                        errors.append(("industry_code", f"行业大类“{code}”不是GB/T 4754的大类代码"))
                    elif section and section != derived:
                        errors.append(("industry_code", f"行业大类“{code}”不属于门类“{section}”"))
                    section = derived or section
            if section and section not in INDUSTRY_SECTIONS:
                errors.append(("industry_section", f"行业门类“{section}”应为A–T之一（GB/T 4754）"))
            out["industry_section"], out["industry_code"] = section, code

        if v.get("district_code"):
            given = str(v["district_code"])
            district = given if given in DISTRICTS else _DISTRICT_BY_NAME.get(given)
            if district is None:
                errors.append(("district_code", f"所属区县“{given}”不是本市的区县代码"))
            else:
                out["district_code"] = district
        district = out.get("district_code")
        if district and ("unit" in v or "district_code" in v):
            unit = v.get("unit", "")
            unit_id: int | None
            if unit == "":
                unit_id = self.default_unit.get(district)
                if unit_id is None:
                    errors.append(("unit", f"{DISTRICTS[district]}没有监管单位"))
            else:
                key = str(getattr(unit, "pk", unit))
                unit_id = self.units_by_district.get(district, {}).get(key)
                if unit_id is None:
                    errors.append(("unit", f"监管单位“{unit}”不属于{DISTRICTS[district]}"))
            out["unit_id"] = unit_id

        if out.get("phone") and not _PHONE.match(out["phone"]):
            errors.append(("phone", f"联系电话“{out['phone']}”格式不正确"))
        if "status" in v:
            value = str(v["status"])
            status = STATUS_VALUES.get(value or EntityStatus.ACTIVE)
            if status is None:
                errors.append(("status", f"登记状态“{value}”应为存续（在业）、吊销、注销或迁出"))
            else:
                out["status"] = status
        if "risk_class" in v:
            value = str(v["risk_class"])
            risk = RISK_VALUES.get(value) if value else ""
            if risk is None:
                errors.append(("risk_class", f"信用风险分类“{value}”应为A、B、C或D"))
            else:
                out["risk_class"] = risk
        return out, errors


def _normalised(
    raw: dict[str, Any], present: Any, errors: list[tuple[str, str]]
) -> tuple[dict[str, Any], set[str]]:
    """Each present field's value, its text through core.text (trimmed, NFC); a text that
    holds a refused character is an error and counts as not given."""
    values: dict[str, Any] = {}
    refused: set[str] = set()
    for key in present:
        value = raw.get(key)
        if type(value) is str:
            multiline = key in MULTILINE_FIELDS
            value = trim(value, multiline=multiline)
            problem = text_problem(value, multiline=multiline)
            if problem:
                errors.append((key, f"{FIELD_LABELS.get(key, key)}{problem}"))
                refused.add(key)
                value = ""
            else:
                value = nfc(value)
        values[key] = "" if value is None else value
    return values, refused


class FastRowCleaner:
    """The import's fast path of EntityRules.clean for rows of text cells (a .csv file).

    For a row that clean() accepts it returns the very dict clean() returns; for anything
    else, or whenever it is unsure, it returns None and the caller runs clean(), which finds
    every error and words it. It never judges a row bad by itself, so a row's fate and its
    messages are always clean()'s (tests/registry/test_fast_cleaner.py holds the two to the
    same answers). Faster because it reads the cells by position (no dict per row) and
    remembers the combinations of the coded fields, which repeat across a file.
    """

    def __init__(self, rules: EntityRules, mapping: dict[str, int]) -> None:
        self.rules = rules
        self.width = max(mapping.values()) + 1
        # One C call fetches every field's cell, in FIELD_LABELS order; a field without a
        # column reads the "" appended at the end of each row (as clean() reads it as "").
        self.cells_of = itemgetter(*[mapping.get(name, -1) for name in FIELD_LABELS])
        self.today = rules.today
        self._limits = tuple(MAX_LENGTHS[key] for key in _LIMITED)
        self._codes: dict[tuple[str, ...], tuple[Any, ...] | None] = {}

    def __call__(self, cells: list[str]) -> dict[str, Any] | None:
        if len(cells) < self.width:
            return None
        cells.append("")
        raw = self.cells_of(cells)
        cells.pop()
        # core.text's rules, as clean() applies them: a row that is not all printable (which
        # every character text refuses is not, nor a tab or a break clean() would trim, nor a
        # space wider than ASCII's) or not in NFC is clean()'s to judge. Without those,
        # str.strip() trims exactly what core.text.trim does. One C loop a row.
        joined = "".join(raw)
        if not joined.isprintable() or not (joined.isascii() or is_normalized("NFC", joined)):
            return None
        (
            uscc_raw, name, kind, sub_kind, rep_name, number, capital_raw, established, scope,
            section, code, authority, district, unit, address, phone, status, changed, risk,
        ) = [c.strip() for c in raw]  # fmt: skip
        if len(name) < 2 or not uscc_raw or not established:
            return None
        if not has_name_letter(name) or (rep_name and not has_name_letter(rep_name)):
            return None
        codes_key = (kind, district, unit, status, risk, section, code)
        try:
            codes = self._codes[codes_key]
        except KeyError:
            codes = self._coded_fields(*codes_key)
            if len(self._codes) < 100_000:
                self._codes[codes_key] = codes
        if codes is None:
            return None
        kind, district, unit_id, status, risk, section, code = codes
        max_name, max_sub_kind, max_rep, max_authority, max_address, max_phone = self._limits
        if (
            len(name) > max_name
            or len(sub_kind) > max_sub_kind
            or len(rep_name) > max_rep
            or len(authority) > max_authority
            or len(address) > max_address
            or len(phone) > max_phone
            or (phone and not _PHONE.match(phone))
        ):
            return None
        try:
            uscc = fast_uscc(uscc_raw)
            if number:
                number = fast_id_number(number, self.today)
        except ValidationError:
            return None
        if uscc[0] == "9" and uscc[1] != USCC_KIND_CATEGORY[kind]:
            return None
        capital = None
        if capital_raw:
            try:
                value = Decimal(capital_raw.replace(",", ""))
            except InvalidOperation:
                return None
            if not value.is_finite() or value < 0 or value >= _CAPITAL_LIMIT:
                return None
            capital = value.quantize(_CENT)
        established_on = self._date(established)
        changed_on = self._date(changed) if changed else None
        if established_on is False or changed_on is False:
            return None
        if changed_on and changed_on < established_on:
            return None
        return {
            "name": name, "sub_kind": sub_kind, "legal_rep_name": rep_name,
            "registration_authority": authority, "address": address, "phone": phone,
            "business_scope": scope, "uscc": uscc, "kind": kind,
            "legal_rep_id_number": number, "registered_capital": capital,
            "established_on": established_on, "status_changed_on": changed_on,
            "industry_section": section, "industry_code": code, "district_code": district,
            "unit_id": unit_id, "status": status, "risk_class": risk,
        }  # fmt: skip

    def _date(self, text: str) -> Any:
        """A date clean() accepts, or False when unsure."""
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                value = _date_from_iso(text)
            except ValueError:
                return False
            return value if EARLIEST_DATE <= value <= self.today else False
        errors: list[tuple[str, str]] = []
        parsed = self.rules._date(text, "established_on", errors)
        return False if errors or parsed is None else parsed

    def _coded_fields(
        self, kind: str, district: str, unit: str, status: str, risk: str, section: str, code: str
    ) -> tuple[Any, ...] | None:
        """The cleaned coded fields, or None if clean() would find anything to say."""
        kind_value = KIND_VALUES.get(kind)
        district_code = district if district in DISTRICTS else _DISTRICT_BY_NAME.get(district)
        status_value = STATUS_VALUES.get(status or EntityStatus.ACTIVE)
        risk_value = RISK_VALUES.get(risk) if risk else ""
        if (
            kind_value is None
            or district_code is None
            or status_value is None
            or risk_value is None
        ):
            return None
        if unit == "":
            unit_id = self.rules.default_unit.get(district_code)
        else:
            unit_id = self.rules.units_by_district.get(district_code, {}).get(unit)
        if unit_id is None:
            return None
        section = section.upper()
        if code:
            if not (len(code) <= 2 and code.isascii() and code.isdigit()):
                return None
            code = code.zfill(2)
            derived = _SECTION_OF_CODE.get(code)
            if derived is None or (section and section != derived):
                return None
            section = derived
        if section and section not in INDUSTRY_SECTIONS:
            return None
        return (kind_value, district_code, unit_id, status_value, risk_value, section, code)


_CAPITAL_LIMIT = Decimal("1e14")
_LIMITED = ("name", "sub_kind", "legal_rep_name", "registration_authority", "address", "phone")
_CENT = Decimal("0.01")
_DISTRICT_BY_NAME = {name: code for code, name in DISTRICTS.items()}
_SECTION_OF_CODE = {
    f"{n:02d}": section
    for section, (_label, low, high) in INDUSTRY_SECTIONS.items()
    for n in range(low, high + 1)
}
_date_from_iso = dt.date.fromisoformat


def industry_section_of(code: str) -> str | None:
    """The GB/T 4754 门类 of a 大类 code ("52" → "F"), None if it is not one."""
    return _SECTION_OF_CODE.get(code)


def industry_code_error(code: str) -> str | None:
    """Why a 大类 code given alone (a bundle's) is refused, or None ("" is none given)."""
    if code and industry_section_of(code) is None:
        return f"行业大类“{code}”不是GB/T 4754的两位大类代码（如零售业52）"
    return None


_USCC_VALUE = {c: i for i, c in enumerate(ids.USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_BYTE_VALUES = bytes(_USCC_VALUE.get(chr(b), 0xFF) for b in range(256))
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_DIGIT_OFFSET = 48 * sum(_ID_WEIGHTS)
_ID_CHECK = "10X98765432"


def fast_uscc(value: str) -> str:
    """ids.validate_uscc, with a fast path for the valid case (an import checks millions)."""
    v = value.upper()
    if len(v) == 18 and v[0] in ids.USCC_AUTHORITIES:
        division = v[2:8]
        if (
            division.isascii()
            and division.isdigit()
            and (division[:2] in ids.PROVINCES or division == ids.NATIONAL_DIVISION[0])
        ):
            # Each character's value as a byte (0xFF outside the alphabet: then the full
            # validator names the character).
            digits = v[:17].encode("latin-1", "replace").translate(_USCC_BYTE_VALUES)
            if b"\xff" not in digits:
                total = sum(map(mul, digits, _USCC_WEIGHTS))
                if ids.USCC_ALPHABET[(31 - total % 31) % 31] == v[17] and v[17] in _USCC_VALUE:
                    return v
    return ids.validate_uscc(value)


def fast_id_number(value: str, today: dt.date) -> str:
    """ids.validate_id_number, with a fast path for the valid case."""
    v = value.upper()
    if len(v) == 18 and v[:17].isascii() and v[:17].isdigit() and v[:2] in ids.ID_NUMBER_PREFIXES:
        try:
            birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
        except ValueError:
            birth = None
        if birth and ids.ID_MIN_BIRTH_DATE <= birth <= today:
            # The digits' bytes minus 48 each: their values, without int() per character.
            total = sum(map(mul, v[:17].encode(), _ID_WEIGHTS)) - _ID_DIGIT_OFFSET
            if _ID_CHECK[total % 11] == v[17]:
                return v
    return ids.validate_id_number(value, today=today)


def raise_errors(errors: list[tuple[str, str]]) -> None:
    if errors:
        merged: dict[str, list[str]] = {}
        for field, message in errors:
            merged.setdefault(field, []).append(message)
        raise ValidationError(merged)


# --------------------------------------------------------------------------------------------
# Fast SM4 / HMAC-SM3 for bulk paths: the same format as regulus.core.crypto, without building
# a cipher object per value (CBC done by hand over a reused ECB context).
# --------------------------------------------------------------------------------------------


class BulkCrypto:
    def __init__(self, key_hex: str = "") -> None:
        key = bytes.fromhex(key_hex or settings.FIELD_ENCRYPTION_KEY)
        self._ecb = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
        # HMAC (RFC 2104) with SM3, its inner and outer states computed once.
        block = key.ljust(64, b"\0")
        self._inner = hashes.Hash(hashes.SM3())
        self._inner.update(bytes(b ^ 0x36 for b in block))
        self._outer = hashes.Hash(hashes.SM3())
        self._outer.update(bytes(b ^ 0x5C for b in block))

    def encrypt(self, plain: str) -> str:
        data = plain.encode()
        pad = 16 - len(data) % 16
        data += bytes([pad]) * pad
        iv = os.urandom(16)
        prev = int.from_bytes(iv, "big")
        out = [iv]
        ecb = self._ecb.update
        for i in range(0, len(data), 16):
            block = ecb((int.from_bytes(data[i : i + 16], "big") ^ prev).to_bytes(16, "big"))
            prev = int.from_bytes(block, "big")
            out.append(block)
        return ENCRYPTED_PREFIX + base64.b64encode(b"".join(out)).decode()

    def encrypt_many(self, plains: list[str]) -> list[str]:
        """encrypt() of many values at once ("" stays ""): the values are grouped by their
        number of blocks, and the n-th block of every value of a group goes through ONE ECB
        call, its CBC chaining XOR done on the whole run as one big integer. An import
        encrypts a batch of 5,000 ID numbers this way in ~0.3 µs each instead of ~2.6."""
        out = [""] * len(plains)
        groups: dict[int, list[tuple[int, bytes]]] = {}
        for index, plain in enumerate(plains):
            if plain:
                data = plain.encode()
                pad = 16 - len(data) % 16
                data += bytes([pad]) * pad
                groups.setdefault(len(data) // 16, []).append((index, data))
        ecb = self._ecb.update
        for blocks, members in groups.items():
            size = 16 * len(members)
            previous = os.urandom(size)  # the IVs, then each round's cipher blocks
            columns = [previous]
            for b in range(blocks):
                run = b"".join(data[16 * b : 16 * b + 16] for _i, data in members)
                mixed = int.from_bytes(run, "big") ^ int.from_bytes(previous, "big")
                previous = ecb(mixed.to_bytes(size, "big"))
                columns.append(previous)
            for m, (index, _data) in enumerate(members):
                raw = b"".join(column[16 * m : 16 * m + 16] for column in columns)
                out[index] = ENCRYPTED_PREFIX + base64.b64encode(raw).decode()
        return out

    def keyed_hash(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode())
        outer = self._outer.copy()
        outer.update(inner.finalize())
        return outer.finalize().hex()
