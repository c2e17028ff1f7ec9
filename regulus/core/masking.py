"""Masks for publishing personal information (penalty decisions, check results, replies).

domain.md section 5 ("Zhejiang rule"): a natural person's address, contacts, ID number and
bank account, other people's names and an organisation's bank account are hidden before
publication. SAMR's national list is unconfirmed, so every keep-count below is a module
constant that can be tightened (0 hides everything) without touching the functions.

Every function is pure, idempotent (``mask(mask(x)) == mask(x)``) and safe on ``None`` or
``""`` (both give ``""``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from stdnum import luhn

from regulus.core.ids import validate_id_number, validate_uscc

__all__ = [
    "ADDRESS_MASK",
    "BANK_KEEP_TAIL",
    "COMPOUND_SURNAMES",
    "ID_KEEP_HEAD",
    "ID_KEEP_TAIL",
    "MASK_CHAR",
    "NAME_MASK_CHAR",
    "PHONE_KEEP_TAIL",
    "mask_address",
    "mask_bank_account",
    "mask_id_number",
    "mask_person_name",
    "mask_phone",
    "mask_plate",
    "mask_text",
    "unmasked_places",
]

MASK_CHAR = "*"
# Chinese publications write 陈某某, not 陈**; one 某 per hidden character.
NAME_MASK_CHAR = "某"
# A Latin name shows only its initial; the fixed tail hides the name's length.
LATIN_NAME_TAIL = "***"

# ID number: keep the province + prefecture hint and the last two (which include the check
# digit); the national rule is unconfirmed (domain.md §5), the Zhejiang rule hides it all.
ID_KEEP_HEAD = 3
ID_KEEP_TAIL = 2

# Mobile: the first three digits only name the carrier, the last four are the usual
# "尾号" people recognise themselves by; the middle four identify the subscriber.
MOBILE_KEEP_HEAD = 3
PHONE_KEEP_TAIL = 4
# Hidden parts of phones are always written as four stars so the mask does not leak length.
PHONE_HIDDEN = MASK_CHAR * 4

# Bank account: the last four are what banks themselves print on statements.
BANK_KEEP_TAIL = 4
# Numbers this short are not real accounts; keeping four of them would show half, so hide all.
BANK_MIN_LENGTH_TO_KEEP = 2 * BANK_KEEP_TAIL

# Licence plate: province character + issuing-office letter are a region, not a person; the
# last two help a party recognise its own vehicle.
PLATE_KEEP_HEAD = 2
PLATE_KEEP_TAIL = 2

ADDRESS_MASK = MASK_CHAR * 4

# Two-character surnames: masking them as one character would both mislead ("欧某某" for
# 欧阳明) and, worse, treat their second character as part of the given name. Only surnames
# whose first character is not itself a common single surname are listed (a false match
# would reveal a character of the given name); 夏侯 stays because 侯 is rare in given names.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
        "长孙", "宇文", "司徒", "夏侯", "司空", "轩辕", "端木", "独孤", "南宫", "西门",
        "百里", "呼延", "澹台", "公冶", "太叔", "淳于", "鲜于", "闾丘", "拓跋", "赫连",
        "万俟", "东郭", "公羊", "第五", "濮阳", "亓官", "巫马", "漆雕", "乐正", "谷梁",
    }
)  # fmt: skip

# Characters that mean "already hidden" inside a name.
_NAME_HIDDEN = frozenset({NAME_MASK_CHAR, MASK_CHAR, "＊"})
_NAME_TITLES = ("先生", "女士")
# Separators inside names (minority names: 阿卜杜拉·买买提) are kept as they are.
_NAME_SEPARATORS = frozenset("·•・.．- \u3000")
_SEX_TITLES = {
    "男": "先生",
    "M": "先生",
    "MALE": "先生",
    "女": "女士",
    "F": "女士",
    "FEMALE": "女士",
}


def _clean(value: str | None) -> str:
    return value.strip() if value else ""


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _surname_length(name: str) -> int:
    # A two-character name made of a compound surname ("欧阳") is surname 欧 + given name 阳.
    return 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1


def _is_masked_given_name(rest: str) -> bool:
    visible = [char for char in rest if char not in _NAME_SEPARATORS]
    return rest in _NAME_TITLES or (bool(visible) and all(c in _NAME_HIDDEN for c in visible))


def mask_person_name(
    name: str | None, style: Literal["surname", "title"] = "surname", sex: str | None = None
) -> str:
    """Hide a natural person's given name.

    style "surname": 陈小明 → 陈某某 (one 某 per hidden character); style "title" with ``sex``
    ("男"/"女", also "M"/"F"): 陈小明 → 陈先生 / 陈女士 (without a known sex it falls back to
    "surname" rather than guess). Compound surnames keep both characters; a Latin name keeps
    its initial (Zhang San → Z***). An already masked name is returned unchanged.
    """
    value = _clean(name)
    if not value:
        return ""
    if _is_latin(value[0]):
        return value[0] + LATIN_NAME_TAIL
    surname_length = _surname_length(value)
    surname, rest = value[:surname_length], value[surname_length:]
    if not rest or _is_masked_given_name(rest):
        return value
    title = _SEX_TITLES.get((sex or "").strip().upper())
    if style == "title" and title:
        return surname + title
    return surname + "".join(c if c in _NAME_SEPARATORS else NAME_MASK_CHAR for c in rest)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` characters, one star per hidden character; all stars when
    the value is too short to hide anything in between."""
    if len(value) <= head + tail:
        return MASK_CHAR * len(value)
    return value[:head] + MASK_CHAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(value: str | None) -> str:
    """Mask an ID number keeping the first ``ID_KEEP_HEAD`` and last ``ID_KEEP_TAIL`` characters.

    43010219800101123X → 430*************3X. domain.md lists the national (SAMR) rule as
    unconfirmed: the keep-counts are the module constants ID_KEEP_HEAD / ID_KEEP_TAIL.
    """
    return _keep_ends(_clean(value), ID_KEEP_HEAD, ID_KEEP_TAIL)


_MOBILE_RE = re.compile(
    r"^(?P<prefix>(?:\+|00)?86[- ]?)?(?P<head>1[0-9*]{2})[- ]?(?P<mid>[0-9*]{4})[- ]?"
    r"(?P<tail>[0-9*]{4})$"
)
_LANDLINE_RE = re.compile(
    r"^(?P<area>0[0-9]{2,3}|\(0[0-9]{2,3}\)|（0[0-9]{2,3}）)?(?P<sep>[- ]?)"
    r"(?P<local>[0-9*]{7,8})$"
)


def _mask_all_but_last(value: str, keep: int, hideable: str) -> str:
    """Replace every ``hideable`` character except the last ``keep`` of them with a star,
    leaving separators in place."""
    positions = [i for i, char in enumerate(value) if char in hideable]
    hidden = set(positions[: max(len(positions) - keep, 0)])
    return "".join(MASK_CHAR if i in hidden else char for i, char in enumerate(value))


def mask_phone(value: str | None) -> str:
    """Mask a phone number.

    Mobile 13812345678 → 138****5678 (a +86 prefix is kept); landline 0731-84512345 →
    0731-****2345 (area code kept). Anything else: every digit but the last four hidden.
    """
    text = _clean(value)
    if mobile := _MOBILE_RE.match(text):
        prefix = mobile["prefix"] or ""
        return prefix + mobile["head"] + PHONE_HIDDEN + mobile["tail"]
    if landline := _LANDLINE_RE.match(text):
        local = landline["local"]
        area = landline["area"] or ""
        return area + landline["sep"] + PHONE_HIDDEN + local[-PHONE_KEEP_TAIL:]
    return _mask_all_but_last(text, PHONE_KEEP_TAIL, "0123456789")


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def mask_bank_account(value: str | None) -> str:
    """Keep the last four characters of a bank account, hide the rest, keep separators.

    6222021234561234 → ************1234; 6222 0212 3456 1234 → **** **** **** 1234. Values of
    8 characters or fewer are hidden entirely.
    """
    text = _clean(value)
    length = sum(1 for char in text if char in _ALNUM or char == MASK_CHAR)
    keep = BANK_KEEP_TAIL if length > BANK_MIN_LENGTH_TO_KEEP else 0
    return _mask_all_but_last(text, keep, _ALNUM)


_PLATE_SEPARATORS = re.compile(r"[\s·•.\-]")


def mask_plate(value: str | None) -> str:
    """Mask a licence plate: 湘A12345 → 湘A***45 (湘AD12345 → 湘A****45)."""
    text = _PLATE_SEPARATORS.sub("", _clean(value)).upper()
    return _keep_ends(text, PLATE_KEEP_HEAD, PLATE_KEEP_TAIL)


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------

# A division name is a short run of Chinese characters without the characters of street-level
# addresses (roads, numbers, buildings, villages) and without 省/区/县, which end a level (a
# name may contain 市: 济南市市中区).
_NAME_CHAR = r"(?:(?![路街巷弄号楼栋幢室层座村组省区县])[\u4e00-\u9fff])"
# Each level is optional and matched only at the start, in order. Words that end like a level
# but are not one (小区, 社区, 园区, 超市, 菜市, 市场, 城乡 …) are excluded by look-arounds.
_NOT_MARKET = r"(?<![超菜夜门集]市)(?!场)"
_ADMIN_PREFIX_RE = re.compile(
    rf"^(?:{_NAME_CHAR}{{2,6}}?(?:省|自治区|特别行政区))?"
    rf"(?:{_NAME_CHAR}{{2,12}}?(?:市|自治州|地区|盟){_NOT_MARKET})?"
    rf"(?:{_NAME_CHAR}{{1,12}}?(?:区|县|市|旗)(?<![小社园校景片厂营住]区){_NOT_MARKET})?"
    rf"(?:{_NAME_CHAR}{{2,8}}?(?:街道|镇|乡)(?<![城家]乡))?"
)


def mask_address(value: str | None) -> str:
    """Keep the administrative part of an address and hide the rest.

    长沙市岳麓区麓山南路123号5栋301 → 长沙市岳麓区****. The kept part runs up to and including
    the deepest of 省 / 市 / 区·县·市·旗 / 街道·镇·乡 found at the start of the address; an
    address without a recognisable administrative prefix is hidden entirely.
    """
    text = _clean(value)
    if not text:
        return ""
    match = _ADMIN_PREFIX_RE.match(text)
    kept = match.group(0) if match else ""
    return kept + ADDRESS_MASK if len(kept) < len(text) else kept


# --------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------

# Boundaries use [0-9A-Za-z] rather than \b/\d: Chinese text has no spaces, and \d would also
# match full-width digits.
_USCC_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_BANK_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)"
    r"(?![0-9A-Za-z])"
)
_MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)?86[- ]?)?1[3-9][0-9](?:[0-9]{8}|-[0-9]{4}-[0-9]{4})(?![0-9])"
)
_LANDLINE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:0[0-9]{2,3}-|\(0[0-9]{2,3}\)|（0[0-9]{2,3}）)[0-9]{7,8}(?![0-9])"
)
_PLATE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-HJ-NP-Z][·•]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳](?![0-9A-Za-z])"
)


# A bank account named as one ("账号6222 0212 3456 1234"): corporate accounts are 8 to 30
# digits without a Luhn check digit, so the word that names them is what finds them.
_ACCOUNT_IN_TEXT = re.compile(
    r"(?P<word>(?:银行|开户|收款|付款|基本)?(?:账号|帐号|账户|帐户|卡号|户号))"
    r"(?P<sep>[：:为是\s]{0,3})(?P<number>[0-9](?:[0-9]|[ -](?=[0-9])){7,34})(?![0-9A-Za-z])"
)

# A street address with a door number (…路…号, …街…号, …大道…号, …巷…号, …村…组, …村…号),
# with what follows the number (栋, 单元, 室, a room number). The road's name is the run of
# Chinese characters before 路/街 back to an administrative level (市, 区, 县, 镇, 乡 …), a
# punctuation mark or a word that introduces an address (住, 在, 于, 址 …): that prefix is
# kept, the road and its numbers are hidden, as mask_address does for an address field.
_NUMERAL = r"[0-9０-９一二三四五六七八九十百零〇两]"
# Not part of a road's name: the levels and address words above, and words around addresses.
_NOT_ROAD = "省市区县镇乡旗州盟道路街巷弄村组号" + "住在于址至到从的是为即系和与及或"
_ROAD_CHAR = rf"(?:(?![{_NOT_ROAD}])[\u4e00-\u9fff])"
_DOOR = rf"{_NUMERAL}+(?:[-－之]{_NUMERAL}+)?"
_AFTER_DOOR = (
    rf"(?:附?(?:{_NUMERAL}+|[A-Za-z])(?:号楼|号院|栋|幢|座|单元|楼|层|室|号|户))*"
    r"(?:[0-9]{1,5}(?:室|房)?)?"
)
_ADDRESS_IN_TEXT = re.compile(
    rf"{_ROAD_CHAR}{{1,12}}(?:(?:大道|大街|路|街|巷|弄|胡同){_DOOR}号|村{_DOOR}(?:组|号)){_AFTER_DOOR}"
)


def _mask_account(match: re.Match[str]) -> str:
    return match["word"] + match["sep"] + mask_bank_account(match["number"])


def _mask_valid_id(match: re.Match[str]) -> str:
    candidate = match.group(0)
    return mask_id_number(candidate) if _is_valid(validate_id_number, candidate) else candidate


def _mask_valid_bank_card(match: re.Match[str]) -> str:
    candidate = match.group(0)
    digits = "".join(char for char in candidate if char.isdigit())
    if not 16 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return candidate
    return mask_bank_account(candidate)


def _mask_names(text: str, names: Iterable[str]) -> str:
    # Longest first so that 欧阳小明 is replaced before a listed 欧阳小 could split it.
    cleaned = {_clean(name) for name in names}
    for name in sorted((n for n in cleaned if len(n) >= 2), key=len, reverse=True):
        text = text.replace(name, mask_person_name(name))
    return text


def _is_valid(validator: Callable[[str], str], candidate: str) -> bool:
    try:
        validator(candidate)
    except ValidationError:
        return False
    return True


def _is_protected(token: str) -> bool:
    # An organisation's USCC is published on purpose; but privacy wins the (rare) tie with a
    # string that is also a valid ID number.
    return _is_valid(validate_uscc, token) and not _is_valid(validate_id_number, token)


def _mask_fragment(text: str, names: Iterable[str]) -> str:
    text = _ID_IN_TEXT.sub(_mask_valid_id, text)
    text = _ACCOUNT_IN_TEXT.sub(_mask_account, text)
    text = _BANK_IN_TEXT.sub(_mask_valid_bank_card, text)
    text = _MOBILE_IN_TEXT.sub(lambda match: mask_phone(match.group(0)), text)
    text = _LANDLINE_IN_TEXT.sub(lambda match: mask_phone(match.group(0)), text)
    text = _PLATE_IN_TEXT.sub(lambda match: mask_plate(match.group(0)), text)
    text = _ADDRESS_IN_TEXT.sub(ADDRESS_MASK, text)
    return _mask_names(text, names)


def mask_text(text: str | None, *, names: Iterable[str] = ()) -> str:
    """Mask personal data inside free text.

    Hides 18-digit ID numbers (only when their check digit is valid, so an order number stays),
    bank card numbers (16–19 digits passing Luhn) and accounts named as such (账号/账户/卡号
    followed by 8–30 digits), mobile and landline numbers, licence plates, street addresses
    with door numbers (…路…号, …街…号, …大道…号, …村…组: the road and numbers become
    ``ADDRESS_MASK``, an administrative prefix before them stays), and every name in ``names``
    (single characters are ignored: they would hit ordinary words). Dates, amounts and
    document numbers (〔2026〕12号) are left alone.
    Valid USCCs are left untouched, so an all-digit USCC is never taken for a bank card.
    """
    if not text:
        return ""
    names = tuple(names)
    pieces: list[str] = []
    start = 0
    for token in _USCC_IN_TEXT.finditer(text):
        if _is_protected(token.group(0)):
            pieces += [_mask_fragment(text[start : token.start()], names), token.group(0)]
            start = token.end()
    pieces.append(_mask_fragment(text[start:], names))
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# Checking a text about to be published
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmaskedPlace:
    """Personal data left visible in a text: what it is, where (character offset, 1-based for
    people), the fragment and a few characters around it so a reviewer can find it."""

    kind: str
    position: int
    fragment: str
    context: str


_CHECKS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    ("身份证号码", _ID_IN_TEXT, _mask_valid_id),
    ("银行账号", _ACCOUNT_IN_TEXT, _mask_account),
    ("银行卡号", _BANK_IN_TEXT, _mask_valid_bank_card),
    ("手机号码", _MOBILE_IN_TEXT, lambda match: mask_phone(match.group(0))),
    ("固定电话", _LANDLINE_IN_TEXT, lambda match: mask_phone(match.group(0))),
    ("车牌号码", _PLATE_IN_TEXT, lambda match: mask_plate(match.group(0))),
    ("住址", _ADDRESS_IN_TEXT, lambda match: ADDRESS_MASK),
)


def _place(kind: str, text: str, start: int, end: int) -> UnmaskedPlace:
    context = text[max(0, start - 8) : min(len(text), end + 8)].replace("\n", " ")
    return UnmaskedPlace(kind, start + 1, text[start:end], context)


def unmasked_places(
    text: str | None, *, names: Iterable[str] = (), values: Iterable[tuple[str, str]] = ()
) -> list[UnmaskedPlace]:
    """Where `text` still shows what mask_text hides: ID numbers, accounts, phones, plates,
    street addresses, the listed `names`, and the listed raw `values` ((kind, value) pairs, such
    as the party's registered address as typed). An empty list: the text may be published.
    USCCs stay allowed (they are published on purpose). Used to refuse a publication with the
    place shown, after a reviewer edited the masked text."""
    if not text:
        return []
    protected = [
        (m.start(), m.end()) for m in _USCC_IN_TEXT.finditer(text) if _is_protected(m.group(0))
    ]
    found: list[UnmaskedPlace] = []
    for kind, pattern, mask in _CHECKS:
        for match in pattern.finditer(text):
            inside = any(a <= match.start() and match.end() <= b for a, b in protected)
            if not inside and mask(match) != match.group(0):
                found.append(_place(kind, text, match.start(), match.end()))
    for name in {_clean(n) for n in names}:
        if len(name) >= 2 and mask_person_name(name) != name:
            found += [
                _place("自然人姓名", text, m.start(), m.end())
                for m in re.finditer(re.escape(name), text)
            ]
    for kind, value in values:
        value = _clean(value)
        if len(value) >= 4:
            found += [
                _place(kind, text, m.start(), m.end()) for m in re.finditer(re.escape(value), text)
            ]
    return sorted(found, key=lambda place: place.position)
