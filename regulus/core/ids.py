"""Chinese identifiers: 统一社会信用代码 (USCC), 居民身份证号码 and 行政区划代码.

Pure functions, no database. Validators normalise their input (surrounding whitespace,
full-width characters, lower case) and return the normalised value, or raise
``django.core.exceptions.ValidationError`` with a Chinese message naming the broken rule and
a machine-readable ``code``.

Check characters are computed by python-stdnum (``stdnum.cn.uscc``, ``stdnum.cn.ric``) so the
weights live in one well-tested place; see domain.md section 8.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from stdnum.cn import ric, uscc

__all__ = [
    "DEMO_CITY",
    "DEMO_DISTRICTS",
    "ID_NUMBER_PREFIXES",
    "NATIONAL_DIVISION",
    "PROVINCES",
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "USCC_CATEGORIES",
    "IdParts",
    "UsccParts",
    "division_name",
    "make_id_number",
    "make_org_code",
    "make_uscc",
    "normalise",
    "parse_id_number",
    "parse_uscc",
    "validate_division_code",
    "validate_id_number",
    "validate_uscc",
]

# --------------------------------------------------------------------------------------------
# Division codes (GB/T 2260)
# --------------------------------------------------------------------------------------------

# The 34 province-level divisions; the two-digit prefix equals ISO 3166-2:CN.
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# ID numbers additionally use 83 (830000): residence permits of Taiwan residents
# (港澳台居民居住证 use 810000 / 820000 / 830000), so 83 is a valid ID prefix but no province.
ID_NUMBER_PREFIXES: frozenset[str] = frozenset(PROVINCES) | {"83"}

# Registrations by central (national-level) authorities carry 100000 in USCC positions 3-8.
NATIONAL_DIVISION: tuple[str, str] = ("100000", "全国")

DEMO_CITY: tuple[str, str] = ("430100", "长沙市")

# The demo bureau's districts. The last three are development zones that the bureau treats
# as districts under its own codes (they are not GB/T 2260 county-level codes).
DEMO_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("430102", "芙蓉区"),
    ("430103", "天心区"),
    ("430104", "岳麓区"),
    ("430105", "开福区"),
    ("430111", "雨花区"),
    ("430112", "望城区"),
    ("430121", "长沙县"),
    ("430181", "浏阳市"),
    ("430182", "宁乡市"),
    ("430171", "长沙高新技术产业开发区"),
    ("430172", "长沙经济技术开发区"),
    ("430173", "湘江新区"),
)

_KNOWN_DIVISIONS: dict[str, str] = {
    NATIONAL_DIVISION[0]: NATIONAL_DIVISION[1],
    DEMO_CITY[0]: DEMO_CITY[1],
    **dict(DEMO_DISTRICTS),
    **{prefix + "0000": name for prefix, name in PROVINCES.items()},
}

# --------------------------------------------------------------------------------------------
# USCC tables (GB 32100-2015 and its later additions A and N)
# --------------------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

USCC_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商/市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# Category (position 2) per authority. Not enforced by validate_uscc: it only names the
# category, because the table has grown over time and an unknown pair is not proof of a typo.
USCC_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

# GB 11714 organisation code: python-stdnum has no module for it, so the weights are here.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # value = index

# ID numbers: people born before 1900 hold no valid 18-digit card in practice.
ID_MIN_BIRTH_DATE = dt.date(1900, 1, 1)

# --------------------------------------------------------------------------------------------
# Normalisation and messages
# --------------------------------------------------------------------------------------------

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space, as typed with a Chinese IME.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(value: str) -> str:
    """Full-width → half-width, strip surrounding whitespace, upper-case."""
    return value.translate(_FULL_TO_HALF).strip().upper()


def _show(char: str) -> str:
    """A character as it should appear inside “…” in a message (spaces are invisible)."""
    return "空格" if char.isspace() else f"“{char}”"


def _invalid(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _today() -> dt.date:
    """The bureau's today when Django is configured (via the project clock), else the host's."""
    try:
        from regulus.core import clock

        return clock.today()
    except (ImportError, ImproperlyConfigured):
        return dt.date.today()


# --------------------------------------------------------------------------------------------
# Division codes
# --------------------------------------------------------------------------------------------


def validate_division_code(code: str) -> str:
    """Check a GB/T 2260 code: six digits whose first two are a province-level code."""
    value = normalise(code)
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise _invalid(f"行政区划代码应为6位数字，实际为“{value}”", "division")
    if value[:2] not in PROVINCES:
        raise _invalid(
            f"行政区划代码“{value}”的前两位“{value[:2]}”不是省级行政区划代码", "division"
        )
    return value


def division_name(code: str) -> str | None:
    """Name of a demo-city or province-level code ("430104" → 岳麓区, "43"/"430000" → 湖南省)."""
    value = normalise(code)
    if len(value) == 2:
        return PROVINCES.get(value)
    return _KNOWN_DIVISIONS.get(value)


# --------------------------------------------------------------------------------------------
# USCC
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsccParts:
    authority_code: str
    authority_name: str
    category_code: str
    category_name: str | None
    division_code: str
    organisation_code: str
    check_char: str


def _check_uscc_charset(value: str) -> None:
    for position, char in enumerate(value, start=1):
        if char not in USCC_ALPHABET:
            raise _invalid(
                f"统一社会信用代码第{position}位{_show(char)}不是允许的字符"
                "（只用数字和大写字母，不使用I、O、Z、S、V）",
                "charset",
            )


def _check_uscc_authority(value: str) -> None:
    if value[0] not in USCC_AUTHORITIES:
        allowed = "、".join(USCC_AUTHORITIES)
        raise _invalid(
            f"统一社会信用代码第1位“{value[0]}”不是GB 32100规定的登记管理部门代码"
            f"（应为{allowed}之一）",
            "authority",
        )


def _check_uscc_division(value: str) -> None:
    division = value[2:8]
    if not division.isdigit():
        raise _invalid(
            f"统一社会信用代码第3–8位应为6位数字的行政区划代码，实际为“{division}”", "division"
        )
    if division != NATIONAL_DIVISION[0] and division[:2] not in PROVINCES:
        raise _invalid(
            f"统一社会信用代码第3–8位“{division}”不是有效的行政区划代码"
            f"（前两位“{division[:2]}”不是省级代码）",
            "division",
        )


def _check_uscc_check_char(value: str) -> None:
    expected = uscc.calc_check_digit(value[:17])
    if value[17] != expected:
        raise _invalid(
            f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{value[17]}”", "check"
        )


def validate_uscc(code: str) -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015) and return it normalised.

    Checks, in order: length 18, character set, registration authority (position 1), division
    code (positions 3–8), check character (position 18). The organisation code's own GB 11714
    check digit (position 17) is deliberately not enforced: real 个体工商户 codes often fail it.
    """
    value = normalise(code)
    if len(value) != 18:
        raise _invalid(f"统一社会信用代码应为18位，实际为{len(value)}位", "length")
    _check_uscc_charset(value)
    _check_uscc_authority(value)
    _check_uscc_division(value)
    _check_uscc_check_char(value)
    return value


def parse_uscc(code: str) -> UsccParts:
    """Validate and split a USCC into its parts."""
    value = validate_uscc(code)
    authority, category = value[0], value[1]
    return UsccParts(
        authority_code=authority,
        authority_name=USCC_AUTHORITIES[authority],
        category_code=category,
        category_name=USCC_CATEGORIES.get(authority, {}).get(category),
        division_code=value[2:8],
        organisation_code=value[8:17],
        check_char=value[17],
    )


def make_org_code(body8: str) -> str:
    """Append the GB 11714 check digit to an 8-character organisation-code body.

    Check = 11 − (Σ value·weight mod 11); 10 is written "X" and 11 is written "0".
    """
    body = body8.upper()
    if len(body) != 8 or any(char not in _ORG_CODE_ALPHABET for char in body):
        raise ValueError(f"organisation-code body must be 8 digits or capital letters: {body8!r}")
    total = sum(
        _ORG_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(authority: str, category: str, division: str, org_code: str) -> str:
    """Build a valid USCC from its parts, computing the check character with stdnum.

    For demo data and tests; bad parts are programming errors and raise ValueError.
    """
    if authority not in USCC_AUTHORITIES:
        raise ValueError(f"unknown USCC registration authority: {authority!r}")
    if len(category) != 1 or category not in USCC_ALPHABET:
        raise ValueError(f"USCC category must be one allowed character: {category!r}")
    if len(org_code) != 9 or any(char not in USCC_ALPHABET for char in org_code):
        raise ValueError(f"organisation code must be 9 USCC characters: {org_code!r}")
    if division != NATIONAL_DIVISION[0]:
        try:
            validate_division_code(division)
        except ValidationError as error:
            raise ValueError(f"bad division code: {division!r}") from error
    body = authority + category + division + org_code
    return body + uscc.calc_check_digit(body)


# --------------------------------------------------------------------------------------------
# Resident ID number (GB 11643-1999)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdParts:
    division_code: str
    birth_date: dt.date
    sequence: int
    sex: str  # "男" (odd sequence) or "女" (even sequence)


def _check_id_charset(value: str) -> None:
    for position, char in enumerate(value[:17], start=1):
        if not ("0" <= char <= "9"):
            raise _invalid(f"身份证号码第{position}位{_show(char)}不是数字", "charset")
    if not ("0" <= value[17] <= "9" or value[17] == "X"):
        raise _invalid(f"身份证号码第18位{_show(value[17])}应为数字或X", "charset")


def _check_id_division(value: str) -> None:
    if value[:2] not in ID_NUMBER_PREFIXES:
        raise _invalid(f"身份证号码前两位“{value[:2]}”不是有效的省级行政区划代码", "division")


def _id_birth_date(value: str, today: dt.date) -> dt.date:
    digits = value[6:14]
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _invalid(f"身份证号码中的出生日期{digits}不存在", "birth_date") from None
    if birth < ID_MIN_BIRTH_DATE:
        raise _invalid(f"身份证号码中的出生日期{digits}早于1900年", "birth_date")
    if birth > today:
        raise _invalid(f"身份证号码中的出生日期{digits}晚于今天", "birth_date")
    return birth


def _id_check_digit(body17: str) -> str:
    # stdnum's calc_check_digit expects the full number and ignores its last character.
    return ric.calc_check_digit(body17 + "0")


def _check_id_check_digit(value: str) -> None:
    expected = _id_check_digit(value[:17])
    if value[17] != expected:
        raise _invalid(
            f"身份证号码校验位错误：第18位应为“{expected}”，实际为“{value[17]}”", "check"
        )


def validate_id_number(code: str, *, today: dt.date | None = None) -> str:
    """Validate an 18-digit 居民身份证号码 and return it normalised (upper-case X).

    Checks, in order: length, characters, province prefix, birth date (real, 1900 or later,
    not after ``today``), ISO 7064 MOD 11-2 check digit.
    """
    value = normalise(code)
    if len(value) != 18:
        hint = "（第一代15位号码请换用18位号码）" if len(value) == 15 else ""
        raise _invalid(f"身份证号码应为18位，实际为{len(value)}位{hint}", "length")
    _check_id_charset(value)
    _check_id_division(value)
    _id_birth_date(value, today or _today())
    _check_id_check_digit(value)
    return value


def parse_id_number(code: str, *, today: dt.date | None = None) -> IdParts:
    """Validate and split an ID number into division, birth date, sequence and sex."""
    value = validate_id_number(code, today=today)
    sequence = int(value[14:17])
    return IdParts(
        division_code=value[:6],
        birth_date=dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14])),
        sequence=sequence,
        sex="男" if sequence % 2 else "女",
    )


def make_id_number(division: str, birth: dt.date, seq: int) -> str:
    """Build a valid ID number (for demo data and tests). An odd ``seq`` is a man."""
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence must be 0–999: {seq}")
    if len(division) != 6 or not division.isdigit() or division[:2] not in ID_NUMBER_PREFIXES:
        raise ValueError(f"bad division code for an ID number: {division!r}")
    body = f"{division}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return body + _id_check_digit(body)
