"""Publication masks (domain.md section 5, Zhejiang rule)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Literal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import luhn

from regulus.core.ids import make_id_number, make_uscc
from regulus.core.masking import (
    COMPOUND_SURNAMES,
    ID_KEEP_HEAD,
    ID_KEEP_TAIL,
    _is_masked_given_name,
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_person_name,
    mask_phone,
    mask_plate,
    mask_text,
)

ID_NUMBER = "43010219800101123X"  # the brief's example; its check digit is not valid
VALID_ID = "430102198001011233"
USCC = "91110000600037341L"

SIMPLE_MASKS: list[Callable[[str | None], str]] = [
    mask_person_name,
    mask_id_number,
    mask_phone,
    mask_bank_account,
    mask_address,
    mask_plate,
    mask_text,
]


def card_number(body: str) -> str:
    """A Luhn-valid card number from its body."""
    return body + luhn.calc_check_digit(body)


# --- strategies -------------------------------------------------------------------------------

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# A given name that already reads as masked ("陈某", "陈先生") is left as it is by design
# (idempotence), so the property below is about every other name.
chinese_names = st.builds(
    lambda surname, given_name: surname + given_name,
    st.one_of(cjk, st.sampled_from(sorted(COMPOUND_SURNAMES))),
    st.text(cjk, min_size=1, max_size=3).filter(lambda given: not _is_masked_given_name(given)),
)
id_numbers = st.builds(
    make_id_number,
    st.sampled_from(["430102", "430104", "110105", "440305"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
)
mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
landlines = st.from_regex(r"\A0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}\Z")
cards = st.builds(card_number, st.from_regex(r"\A62[0-9]{13,16}\Z"))
plates = st.from_regex(r"\A[京沪湘粤][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}\Z")
filler = st.text(
    st.one_of(cjk, st.sampled_from("，。：；、 （）-+*#0123456789abcXYZ")), max_size=12
)
sensitive = st.one_of(id_numbers, mobiles, landlines, cards, plates, st.just(USCC))
free_texts = st.lists(st.one_of(filler, sensitive), max_size=8).map("".join)


# --- None / empty / idempotency for every mask ------------------------------------------------


@pytest.mark.parametrize("mask", SIMPLE_MASKS)
@pytest.mark.parametrize("value", [None, ""])
def test_every_mask_returns_empty_string_for_none_or_empty(
    mask: Callable[[str | None], str], value: str | None
) -> None:
    assert mask(value) == ""


@pytest.mark.parametrize("mask", SIMPLE_MASKS)
@given(value=st.text(max_size=40))
def test_every_mask_is_idempotent_on_arbitrary_text(
    mask: Callable[[str | None], str], value: str
) -> None:
    once = mask(value)
    assert mask(once) == once


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("陈小明", "陈某某"),
        ("陈明", "陈某"),
        ("欧阳小明", "欧阳某某"),
        ("诸葛亮", "诸葛某"),
        ("夏侯惇", "夏侯某"),
        ("阿卜杜拉·买买提", "阿某某某·某某某"),
        (" 陈小明 ", "陈某某"),
    ],
)
def test_name_surname_style_keeps_surname_and_hides_each_given_character(
    name: str, masked: str
) -> None:
    assert mask_person_name(name) == masked


def test_name_two_characters_equal_to_compound_surname_are_surname_plus_given_name() -> None:
    assert mask_person_name("欧阳") == "欧某"


@pytest.mark.parametrize(
    ("name", "sex", "masked"),
    [("陈小明", "女", "陈女士"), ("陈小明", "男", "陈先生"), ("欧阳小明", "M", "欧阳先生")],
)
def test_name_title_style_uses_sex(name: str, sex: str, masked: str) -> None:
    assert mask_person_name(name, style="title", sex=sex) == masked


def test_name_title_style_without_sex_falls_back_to_surname_style() -> None:
    assert mask_person_name("陈小明", style="title") == "陈某某"


@pytest.mark.parametrize(("name", "masked"), [("Zhang San", "Z***"), ("alice", "a***")])
def test_name_latin_keeps_only_first_letter(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked


@pytest.mark.parametrize(
    "masked", ["陈某某", "陈某", "欧阳某某", "陈女士", "陈先生", "陈**", "Z***"]
)
def test_name_already_masked_stays_unchanged(masked: str) -> None:
    assert mask_person_name(masked) == masked
    assert mask_person_name(masked, style="title", sex="女") == masked


@given(chinese_names, st.sampled_from(["surname", "title"]), st.sampled_from(["男", "女", None]))
def test_name_mask_is_idempotent_and_hides_given_name(
    name: str, style: Literal["surname", "title"], sex: str | None
) -> None:
    masked = mask_person_name(name, style=style, sex=sex)
    assert mask_person_name(masked, style=style, sex=sex) == masked
    assert masked[0] == name[0]
    assert masked != name


# --- ID numbers -------------------------------------------------------------------------------


def test_valid_id_constant_is_valid() -> None:
    assert make_id_number("430102", dt.date(1980, 1, 1), 123) == VALID_ID


def test_id_number_keeps_first_three_and_last_two() -> None:
    assert mask_id_number(ID_NUMBER) == "430*************3X"


def test_id_number_keep_counts_are_the_module_constants() -> None:
    assert (ID_KEEP_HEAD, ID_KEEP_TAIL) == (3, 2)


def test_id_number_too_short_to_keep_anything_is_hidden_entirely() -> None:
    assert mask_id_number("12345") == "*****"


@given(id_numbers)
def test_id_number_mask_never_contains_the_hidden_run(code: str) -> None:
    masked = mask_id_number(code)
    hidden = code[ID_KEEP_HEAD:-ID_KEEP_TAIL]
    assert hidden not in masked
    assert masked == code[:ID_KEEP_HEAD] + "*" * len(hidden) + code[-ID_KEEP_TAIL:]
    assert mask_id_number(masked) == masked


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("0731-84512345", "0731-****2345"),
        ("010-6512345", "010-****2345"),
        ("（0731）84512345", "（0731）****2345"),
        ("84512345", "****2345"),
        ("12345", "*2345"),
    ],
)
def test_phone_mask_keeps_prefix_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(mobiles)
def test_mobile_mask_never_contains_the_hidden_digits(mobile: str) -> None:
    masked = mask_phone(mobile)
    assert masked == mobile[:3] + "****" + mobile[7:]
    assume(mobile[3:7] != mobile[7:])
    assert mobile[3:7] not in masked
    assert mask_phone(masked) == masked


@given(landlines)
def test_landline_mask_keeps_area_code_and_last_four(landline: str) -> None:
    area, local = landline.split("-")
    masked = mask_phone(landline)
    assert masked == f"{area}-****{local[-4:]}"
    assume(local[:-4] not in local[-4:] + area)
    assert local[:-4] not in masked
    assert mask_phone(masked) == masked


# --- bank accounts, plates, addresses ---------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "masked"),
    [
        ("6222021234561234", "************1234"),
        ("6222 0212 3456 1234", "**** **** **** 1234"),
        ("43050175363600000123", "****************0123"),
        ("12345678", "********"),
    ],
)
def test_bank_account_keeps_only_last_four(account: str, masked: str) -> None:
    assert mask_bank_account(account) == masked


@given(cards)
def test_bank_account_mask_hides_every_digit_but_the_last_four(card: str) -> None:
    masked = mask_bank_account(card)
    assert masked == "*" * (len(card) - 4) + card[-4:]
    assert mask_bank_account(masked) == masked


@pytest.mark.parametrize(
    ("plate", "masked"),
    [("湘A12345", "湘A***45"), ("湘AD12345", "湘A****45"), ("湘A·12345", "湘A***45")],
)
def test_plate_keeps_province_office_letter_and_last_two(plate: str, masked: str) -> None:
    assert mask_plate(plate) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("长沙市岳麓区麓山南路123号5栋301", "长沙市岳麓区****"),
        ("湖南省长沙市长沙县星沙街道开元东路1号", "湖南省长沙市长沙县星沙街道****"),
        ("浏阳市集里街道新北路8号", "浏阳市集里街道****"),
        ("长沙高新技术产业开发区麓谷大道662号", "长沙高新技术产业开发区****"),
        ("湘西土家族苗族自治州吉首市人民北路1号", "湘西土家族苗族自治州吉首市****"),
        ("济南市市中区经十路1号", "济南市市中区****"),
        ("长沙市岳麓区", "长沙市岳麓区"),
    ],
)
def test_address_keeps_administrative_part_and_hides_the_rest(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("长沙市阳光小区3栋201", "长沙市****"),
        ("岳麓区望城市场12号", "岳麓区****"),
        ("长沙市市场监督管理局", "长沙市****"),
        ("麓山南路超市2楼", "****"),
    ],
)
def test_address_does_not_take_residential_quarter_or_market_for_a_division(
    address: str, masked: str
) -> None:
    assert mask_address(address) == masked


# --- free text --------------------------------------------------------------------------------


def test_text_masks_id_number_in_a_sentence() -> None:
    text = f"当事人身份证号码{VALID_ID}，住所地长沙市。"
    assert mask_text(text) == "当事人身份证号码430*************33，住所地长沙市。"


def test_text_masks_id_number_with_lower_case_x() -> None:
    assert mask_text("证件号11010519491231002x。") == "证件号110*************2x。"


def test_text_leaves_uscc_untouched() -> None:
    text = f"统一社会信用代码：{USCC}，"
    assert mask_text(text) == text


def test_text_leaves_all_digit_uscc_that_passes_luhn_untouched() -> None:
    # A USCC made only of digits could pass for a bank card number; it must stay readable.
    codes = (
        make_uscc("9", "1", "430104", "".join(body))
        for body in itertools.product("0123456789", repeat=9)
    )
    code = next(c for c in codes if c.isdigit() and luhn.is_valid(c))
    assert mask_text(f"信用代码{code}。") == f"信用代码{code}。"


def test_text_leaves_eighteen_digit_number_with_invalid_check_digit() -> None:
    text = "订单号430102198001011234。"
    assert mask_text(text) == text


def test_text_masks_mobile_but_not_a_longer_digit_run() -> None:
    assert mask_text("电话13812345678。") == "电话138****5678。"
    assert mask_text("编号913812345678。") == "编号913812345678。"


def test_text_masks_landline() -> None:
    assert mask_text("座机0731-84512345转") == "座机0731-****2345转"


def test_text_masks_luhn_valid_bank_card_only() -> None:
    card = card_number("622202123456123")
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert mask_text(f"账号{card}。") == f"账号{'*' * 12}{card[-4:]}。"
    # Unnamed, a number that fails Luhn is no card (an order number, say) and stays ...
    assert mask_text(f"编号{wrong}。") == f"编号{wrong}。"
    # ... but named as an account it is one (corporate accounts have no Luhn digit).
    assert mask_text(f"账号{wrong}。") == f"账号{'*' * 12}{wrong[-4:]}。"


def test_text_masks_grouped_bank_card() -> None:
    card = card_number("622202123456123")
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert mask_text(f"卡号{grouped}。") == f"卡号**** **** **** {card[-4:]}。"


def test_text_masks_licence_plate() -> None:
    assert mask_text("车辆湘A12345停放") == "车辆湘A***45停放"


def test_text_masks_given_names_including_compound_surname_and_latin() -> None:
    text = "当事人陈小明与欧阳娜娜、Zhang San到场，陈小明签字。"
    masked = mask_text(text, names=["陈小明", "欧阳娜娜", "Zhang San"])
    assert masked == "当事人陈某某与欧阳某某、Z***到场，陈某某签字。"


def test_text_ignores_single_character_names() -> None:
    assert mask_text("陈述申辩", names=["陈"]) == "陈述申辩"


@given(id_numbers, filler, filler)
def test_text_masks_any_valid_id_number_between_fillers(code: str, before: str, after: str) -> None:
    assume(not before[-1:].isalnum() or not before[-1:].isascii())
    assume(not after[:1].isalnum() or not after[:1].isascii())
    masked = mask_text(before + code + after)
    assert code not in masked
    # Masked as an ID number, or whole by a rule that reads the words around it (a number after
    # 账号 is an account's; digits before 号 after a road's name are a door number): either way
    # the date of birth is hidden.
    birth = code[6:14]
    assert mask_id_number(code) in masked or masked.count(birth) <= (before + after).count(birth)


@given(free_texts, st.lists(chinese_names, max_size=3))
def test_text_mask_is_idempotent(text: str, names: list[str]) -> None:
    once = mask_text(text, names=names)
    assert mask_text(once, names=names) == once


@given(free_texts)
def test_text_mask_never_touches_a_uscc_bounded_by_non_alphanumerics(text: str) -> None:
    sentence = f"{text}，代码{USCC}。"
    assert f"代码{USCC}。" in mask_text(sentence)


# --- addresses, accounts and plates inside free text (domain.md §5) ---------------------------

from regulus.core.masking import _NOT_ROAD, ADDRESS_MASK  # noqa: E402

road_chars = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(
    lambda c: c not in _NOT_ROAD
)
numerals = st.one_of(
    st.integers(1, 9999).map(str), st.sampled_from(["一", "二", "三", "十二", "二十一"])
)
street_addresses = st.builds(
    lambda name, road, door, rest: f"{name}{road}{door}号{rest}",
    st.text(road_chars, min_size=1, max_size=6),
    st.sampled_from(["路", "街", "大道", "大街", "巷", "中路", "北街"]),
    st.integers(1, 9999).map(str),
    st.sampled_from(["", "5栋301室", "A座1203", "2单元", "附1号", "3号楼"]),
)
village_addresses = st.builds(
    lambda name, n: f"{name}村{n}组",
    st.text(road_chars, min_size=1, max_size=5),
    numerals,
)
# What introduces an address in a decision, and what follows it.
before_address = st.sampled_from(
    ["住所地长沙市岳麓区", "家住", "现住", "经营场所位于芙蓉区", "，住", "地址：", "户籍地浏阳市"]
)
after_address = st.sampled_from(["", "。", "，电话见卷宗。", "；", "（以下简称当事人）"])
accounts = st.from_regex(r"\A[1-9][0-9]{9,24}\Z")
account_words = st.sampled_from(
    ["账号", "银行账号", "开户账号：", "基本账户", "收款账户为", "卡号 "]
)


@given(before_address, street_addresses, after_address)
def test_text_masks_street_addresses_with_door_numbers(
    before: str, address: str, after: str
) -> None:
    masked = mask_text(f"当事人{before}{address}{after}")
    assert address not in masked and ADDRESS_MASK in masked
    assert masked.startswith(f"当事人{before}") and masked.endswith(after)
    assert "号" not in masked.removeprefix(f"当事人{before}")


@given(before_address, village_addresses, after_address)
def test_text_masks_village_group_addresses(before: str, address: str, after: str) -> None:
    masked = mask_text(f"当事人{before}{address}{after}")
    assert address not in masked and ADDRESS_MASK in masked
    assert masked.startswith(f"当事人{before}") and masked.endswith(after)


@given(account_words, accounts, after_address)
def test_text_masks_bank_accounts_named_as_such(word: str, number: str, after: str) -> None:
    masked = mask_text(f"{word}{number}{after}")
    assert number not in masked
    assert masked == f"{word}{mask_bank_account(number)}{after}"


@given(plates, filler)
def test_text_masks_any_plate(plate: str, after: str) -> None:
    assume(not after[:1].isascii() or not after[:1].isalnum())
    masked = mask_text(f"车牌号{plate}{after}")
    assert plate not in masked and mask_plate(plate) in masked


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))
ordinary_texts = st.lists(
    st.one_of(
        dates.map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
        dates.map(lambda d: d.isoformat()),
        st.decimals(0, 10**7, places=2).map(lambda a: f"罚款人民币{a}元"),
        st.integers(1, 10**6).map(lambda a: f"没收违法所得{a}元，"),
        st.integers(2000, 2035).map(lambda y: f"长市监罚〔{y}〕"),
        st.integers(1, 999).map(lambda n: f"{n}号"),
        st.integers(1, 200).map(lambda n: f"依据《产品质量法》第{n}条"),
        st.just(f"统一社会信用代码{USCC}"),
        st.sampled_from(["当事人", "经查", "责令改正", "，", "。", "长沙市芙蓉区市场监督管理局"]),
    ),
    max_size=10,
).map("".join)


@given(ordinary_texts)
def test_text_leaves_dates_amounts_document_numbers_and_usccs_alone(text: str) -> None:
    assert mask_text(text) == text
