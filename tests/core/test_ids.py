"""Identifier rules of domain.md section 8: USCC (GB 32100), ID number (GB 11643), GB/T 2260."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from regulus.core.ids import (
    DEMO_CITY,
    DEMO_DISTRICTS,
    ID_NUMBER_PREFIXES,
    PROVINCES,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    division_name,
    make_id_number,
    make_org_code,
    make_uscc,
    parse_id_number,
    parse_uscc,
    validate_division_code,
    validate_id_number,
    validate_uscc,
)

GOOD_USCC = "91110000600037341L"
GOOD_ID = "11010519491231002X"
TODAY = dt.date(2026, 1, 15)

FULL_WIDTH = {chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)}


def to_full_width(value: str) -> str:
    return "".join(FULL_WIDTH.get(char, char) for char in value)


def rejection(validator: object, value: str, **kwargs: object) -> ValidationError:
    assert callable(validator)
    with pytest.raises(ValidationError) as caught:
        validator(value, **kwargs)
    return caught.value


def message(error: ValidationError) -> str:
    return error.messages[0]


# --- strategies -------------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=4, max_size=4)
divisions = st.one_of(
    st.sampled_from([code for code, _ in DEMO_DISTRICTS] + [DEMO_CITY[0], "100000"]),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(sorted(PROVINCES)), digits),
)
usccs = st.builds(
    make_uscc,
    authority=st.sampled_from(sorted(USCC_AUTHORITIES)),
    category=st.sampled_from(USCC_ALPHABET),
    division=divisions,
    org_code=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
id_divisions = st.builds(
    lambda prefix, rest: prefix + rest, st.sampled_from(sorted(ID_NUMBER_PREFIXES)), digits
)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
id_numbers = st.builds(make_id_number, id_divisions, birth_dates, st.integers(0, 999))


# --- USCC: known values and generated ones ----------------------------------------------------


def test_uscc_accepts_known_good_value() -> None:
    assert validate_uscc(GOOD_USCC) == GOOD_USCC


def test_uscc_parse_names_authority_category_division_and_org_code() -> None:
    parts = parse_uscc(GOOD_USCC)
    assert parts.authority_code == "9"
    assert parts.authority_name == "工商/市场监管"
    assert parts.category_code == "1"
    assert parts.category_name == "企业"
    assert parts.division_code == "110000"
    assert parts.organisation_code == "600037341"
    assert parts.check_char == "L"


def test_uscc_parse_names_individual_business_and_cooperative_categories() -> None:
    individual = make_uscc("9", "2", "430104", make_org_code("MA4L1234"))
    cooperative = make_uscc("9", "3", "430181", make_org_code("MA4L5678"))
    assert parse_uscc(individual).category_name == "个体工商户"
    assert parse_uscc(cooperative).category_name == "农民专业合作社"


def test_uscc_parse_gives_no_category_name_for_unlisted_category() -> None:
    assert parse_uscc(make_uscc("9", "8", "430104", "MA4L12345")).category_name is None


@given(usccs)
def test_uscc_built_by_make_uscc_always_validates(code: str) -> None:
    assert validate_uscc(code) == code
    assert parse_uscc(code).check_char == code[-1]


def test_uscc_accepts_national_division_of_central_registrations() -> None:
    code = make_uscc("1", "1", "100000", "000013127")
    assert parse_uscc(code).division_code == "100000"


# --- USCC: normalisation ----------------------------------------------------------------------


def test_uscc_normalises_lower_case_and_surrounding_whitespace() -> None:
    assert validate_uscc("  91110000600037341l\n") == GOOD_USCC


def test_uscc_normalises_full_width_input() -> None:
    assert validate_uscc(to_full_width(GOOD_USCC) + "\u3000") == GOOD_USCC


@given(usccs)
def test_uscc_full_width_and_lower_case_forms_normalise_to_the_same_code(code: str) -> None:
    assert validate_uscc(to_full_width(code.lower())) == code


# --- USCC: rejections -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "length"), [(GOOD_USCC[:17], 17), (GOOD_USCC + "0", 19)])
def test_uscc_rejects_wrong_length_and_names_actual_length(value: str, length: int) -> None:
    error = rejection(validate_uscc, value)
    assert error.code == "length"
    assert message(error) == f"统一社会信用代码应为18位，实际为{length}位"


def test_uscc_rejects_empty_string_as_wrong_length() -> None:
    assert message(rejection(validate_uscc, "")) == "统一社会信用代码应为18位，实际为0位"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_rejects_letters_i_o_z_s_v_and_names_character_and_position(letter: str) -> None:
    value = GOOD_USCC[:4] + letter + GOOD_USCC[5:]
    error = rejection(validate_uscc, value)
    assert error.code == "charset"
    assert message(error).startswith(f"统一社会信用代码第5位“{letter}”不是允许的字符")
    assert "不使用I、O、Z、S、V" in message(error)


def test_uscc_rejects_lower_case_forbidden_letter_after_upper_casing_it() -> None:
    error = rejection(validate_uscc, GOOD_USCC[:9] + "o" + GOOD_USCC[10:])
    assert "第10位“O”" in message(error)


@pytest.mark.parametrize(("char", "shown"), [("-", "“-”"), ("中", "“中”"), (" ", "空格")])
def test_uscc_rejects_non_alphanumeric_character_and_names_it(char: str, shown: str) -> None:
    error = rejection(validate_uscc, GOOD_USCC[:12] + char + GOOD_USCC[13:])
    assert error.code == "charset"
    assert message(error).startswith(f"统一社会信用代码第13位{shown}不是允许的字符")


@given(st.integers(0, 17), st.sampled_from("IOZSV"))
def test_uscc_rejects_forbidden_letter_at_any_position(index: int, letter: str) -> None:
    error = rejection(validate_uscc, GOOD_USCC[:index] + letter + GOOD_USCC[index + 1 :])
    assert error.code == "charset"
    assert f"第{index + 1}位“{letter}”" in message(error)


@pytest.mark.parametrize("authority", ["0", "B", "C", "X"])
def test_uscc_rejects_unknown_registration_authority(authority: str) -> None:
    error = rejection(validate_uscc, authority + GOOD_USCC[1:])
    assert error.code == "authority"
    assert message(error).startswith(
        f"统一社会信用代码第1位“{authority}”不是GB 32100规定的登记管理部门"
    )


@pytest.mark.parametrize("authority", sorted(USCC_AUTHORITIES))
def test_uscc_accepts_every_registration_authority_of_gb32100(authority: str) -> None:
    assert parse_uscc(make_uscc(authority, "1", "430100", "MA4L12345")).authority_code == authority


def test_uscc_rejects_letter_in_division_code() -> None:
    code = "91" + "4301A0" + GOOD_USCC[8:17]
    error = rejection(validate_uscc, code + "0")
    assert error.code == "division"
    assert message(error) == "统一社会信用代码第3–8位应为6位数字的行政区划代码，实际为“4301A0”"


def test_uscc_rejects_division_code_outside_any_province() -> None:
    error = rejection(validate_uscc, "91990000600037341L")
    assert error.code == "division"
    assert "第3–8位“990000”不是有效的行政区划代码" in message(error)
    assert "“99”不是省级代码" in message(error)


def test_uscc_rejects_wrong_check_character_and_names_expected() -> None:
    error = rejection(validate_uscc, GOOD_USCC[:17] + "X")
    assert error.code == "check"
    assert message(error) == "统一社会信用代码校验位错误：第18位应为“L”，实际为“X”"


@given(usccs, st.sampled_from(USCC_ALPHABET))
def test_uscc_rejects_any_other_check_character(code: str, wrong: str) -> None:
    assume(wrong != code[-1])
    error = rejection(validate_uscc, code[:17] + wrong)
    assert error.code == "check"
    assert message(error) == f"统一社会信用代码校验位错误：第18位应为“{code[-1]}”，实际为“{wrong}”"


def test_uscc_does_not_enforce_organisation_code_check_digit() -> None:
    # Individual businesses' codes often fail the GB 11714 digit; only position 18 counts.
    good_org = make_org_code("60003734")
    bad_org = good_org[:8] + ("0" if good_org[8] != "0" else "1")
    assert validate_uscc(make_uscc("9", "2", "430104", bad_org))


# --- organisation code (GB 11714) and make_uscc ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("60003734", "600037341"),  # from the known-good USCC 91110000600037341L
        ("00000001", "000000019"),  # Σ = 2 → 11 − 2 = 9
        ("10100000", "10100000X"),  # Σ = 3 + 9 = 12 ≡ 1 → 10 is written X
        ("00000000", "000000000"),  # Σ = 0 → 11 is written 0
        ("MA4L1234", "MA4L12346"),  # letters count A=10 … Z=35: Σ = 423 ≡ 5 → 6
    ],
)
def test_org_code_check_digit_follows_gb11714_weights(body: str, expected: str) -> None:
    assert make_org_code(body) == expected


@pytest.mark.parametrize("body", ["1234567", "123456789", "1234-678", "1234567中"])
def test_org_code_rejects_bad_body(body: str) -> None:
    with pytest.raises(ValueError):
        make_org_code(body)


@pytest.mark.parametrize(
    ("authority", "category", "division", "org_code"),
    [
        ("B", "1", "430100", "MA4L12345"),
        ("9", "I", "430100", "MA4L12345"),
        ("9", "12", "430100", "MA4L12345"),
        ("9", "1", "990100", "MA4L12345"),
        ("9", "1", "43010", "MA4L12345"),
        ("9", "1", "430100", "MA4L1234"),
        ("9", "1", "430100", "MA4L1234O"),
    ],
)
def test_make_uscc_rejects_bad_parts(
    authority: str, category: str, division: str, org_code: str
) -> None:
    with pytest.raises(ValueError):
        make_uscc(authority, category, division, org_code)


def test_make_uscc_reproduces_known_good_value() -> None:
    assert make_uscc("9", "1", "110000", "600037341") == GOOD_USCC


# --- ID number: known values and generated ones -----------------------------------------------


def test_id_number_accepts_known_good_value() -> None:
    assert validate_id_number(GOOD_ID) == GOOD_ID


def test_id_number_parse_gives_division_birth_date_and_sex() -> None:
    parts = parse_id_number(GOOD_ID)
    assert parts.division_code == "110105"
    assert parts.birth_date == dt.date(1949, 12, 31)
    assert parts.sequence == 2
    assert parts.sex == "女"


@given(id_divisions, birth_dates, st.integers(0, 999))
def test_id_number_built_by_make_id_number_always_validates(
    division: str, birth: dt.date, seq: int
) -> None:
    code = make_id_number(division, birth, seq)
    assert validate_id_number(code, today=TODAY) == code
    parts = parse_id_number(code, today=TODAY)
    assert (parts.division_code, parts.birth_date, parts.sequence) == (division, birth, seq)


@given(id_numbers)
def test_id_number_sex_follows_sequence_parity(code: str) -> None:
    expected = "男" if int(code[14:17]) % 2 else "女"
    assert parse_id_number(code, today=TODAY).sex == expected


def test_id_number_reproduces_known_good_value() -> None:
    assert make_id_number("110105", dt.date(1949, 12, 31), 2) == GOOD_ID


@pytest.mark.parametrize("seq", [-1, 1000])
def test_make_id_number_rejects_sequence_outside_three_digits(seq: int) -> None:
    with pytest.raises(ValueError):
        make_id_number("430102", dt.date(1980, 1, 1), seq)


@pytest.mark.parametrize("division", ["990102", "43010", "4301A2"])
def test_make_id_number_rejects_bad_division(division: str) -> None:
    with pytest.raises(ValueError):
        make_id_number(division, dt.date(1980, 1, 1), 1)


# --- ID number: normalisation -----------------------------------------------------------------


def test_id_number_accepts_lower_case_x_and_returns_upper_case() -> None:
    assert validate_id_number("11010519491231002x") == GOOD_ID


def test_id_number_accepts_full_width_input() -> None:
    assert validate_id_number(" " + to_full_width("11010519491231002x") + "\u3000") == GOOD_ID


# --- ID number: rejections --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "length"), [(GOOD_ID[:17], 17), (GOOD_ID + "1", 19)])
def test_id_number_rejects_wrong_length_and_names_actual_length(value: str, length: int) -> None:
    error = rejection(validate_id_number, value)
    assert error.code == "length"
    assert message(error) == f"身份证号码应为18位，实际为{length}位"


def test_id_number_rejects_fifteen_digit_first_generation_number_with_hint() -> None:
    error = rejection(validate_id_number, "110105491231002")
    assert error.code == "length"
    assert message(error).startswith("身份证号码应为18位，实际为15位")
    assert "第一代15位号码" in message(error)


def test_id_number_rejects_letter_among_first_seventeen_and_names_position() -> None:
    error = rejection(validate_id_number, "1101051949123100AX")
    assert error.code == "charset"
    assert message(error) == "身份证号码第17位“A”不是数字"


def test_id_number_rejects_letter_other_than_x_in_check_position() -> None:
    error = rejection(validate_id_number, GOOD_ID[:17] + "Y")
    assert error.code == "charset"
    assert message(error) == "身份证号码第18位“Y”应为数字或X"


def test_id_number_rejects_unknown_province_prefix() -> None:
    error = rejection(validate_id_number, "99" + GOOD_ID[2:])
    assert error.code == "division"
    assert message(error) == "身份证号码前两位“99”不是有效的省级行政区划代码"


def test_id_number_accepts_residence_permit_prefix_83() -> None:
    assert validate_id_number(make_id_number("830000", dt.date(1990, 5, 1), 11))


@pytest.mark.parametrize("birth", ["19490231", "20230230", "19491301", "19490000"])
def test_id_number_rejects_impossible_birth_date_and_names_it(birth: str) -> None:
    body = "110105" + birth + "002"
    error = rejection(validate_id_number, body + "0")
    assert error.code == "birth_date"
    assert message(error) == f"身份证号码中的出生日期{birth}不存在"


def test_id_number_rejects_february_30() -> None:
    error = rejection(validate_id_number, "430102" + "19800230" + "1230")
    assert "出生日期19800230不存在" in message(error)


def test_id_number_rejects_birth_date_after_today() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    code = make_id_number("430102", tomorrow, 1)
    error = rejection(validate_id_number, code, today=TODAY)
    assert error.code == "birth_date"
    assert message(error) == f"身份证号码中的出生日期{tomorrow:%Y%m%d}晚于今天"


def test_id_number_accepts_birth_date_of_today() -> None:
    assert validate_id_number(make_id_number("430102", TODAY, 1), today=TODAY)


def test_id_number_rejects_future_birth_date_against_the_real_clock() -> None:
    code = make_id_number("430102", dt.date.today() + dt.timedelta(days=400), 1)
    assert rejection(validate_id_number, code).code == "birth_date"


def test_id_number_rejects_birth_date_before_1900() -> None:
    code = make_id_number("430102", dt.date(1899, 12, 31), 1)
    error = rejection(validate_id_number, code)
    assert error.code == "birth_date"
    assert message(error) == "身份证号码中的出生日期18991231早于1900年"


def test_id_number_rejects_wrong_check_digit_and_names_expected() -> None:
    error = rejection(validate_id_number, GOOD_ID[:17] + "3")
    assert error.code == "check"
    assert message(error) == "身份证号码校验位错误：第18位应为“X”，实际为“3”"


@given(id_numbers, st.sampled_from("0123456789X"))
def test_id_number_rejects_any_other_check_digit(code: str, wrong: str) -> None:
    assume(wrong != code[-1])
    error = rejection(validate_id_number, code[:17] + wrong, today=TODAY)
    assert error.code == "check"
    assert message(error) == f"身份证号码校验位错误：第18位应为“{code[-1]}”，实际为“{wrong}”"


# --- divisions --------------------------------------------------------------------------------


def test_demo_city_is_changsha_with_twelve_districts() -> None:
    assert DEMO_CITY == ("430100", "长沙市")
    assert len(DEMO_DISTRICTS) == 12
    assert dict(DEMO_DISTRICTS)["430104"] == "岳麓区"
    assert dict(DEMO_DISTRICTS)["430173"] == "湘江新区"
    assert all(code.startswith("4301") for code, _ in DEMO_DISTRICTS)


def test_provinces_cover_all_34_province_level_divisions() -> None:
    assert len(PROVINCES) == 34
    assert PROVINCES["43"] == "湖南省"
    assert PROVINCES["82"] == "澳门特别行政区"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("430100", "长沙市"),
        ("430104", "岳麓区"),
        ("430171", "长沙高新技术产业开发区"),
        ("430000", "湖南省"),
        ("43", "湖南省"),
        ("110000", "北京市"),
        ("440300", None),
        ("990000", None),
    ],
)
def test_division_name_resolves_demo_city_and_province_codes(code: str, name: str | None) -> None:
    assert division_name(code) == name


@pytest.mark.parametrize(
    ("code", "expected"), [("430104", "430104"), (" ４３０１０４ ", "430104"), ("110000", "110000")]
)
def test_division_code_accepts_six_digits_with_province_prefix(code: str, expected: str) -> None:
    assert validate_division_code(code) == expected


@pytest.mark.parametrize("code", ["43010", "4301040", "4301A4", ""])
def test_division_code_rejects_anything_but_six_digits(code: str) -> None:
    error = rejection(validate_division_code, code)
    assert error.code == "division"
    assert message(error).startswith("行政区划代码应为6位数字")


def test_division_code_rejects_unknown_province_prefix() -> None:
    error = rejection(validate_division_code, "990104")
    assert message(error) == "行政区划代码“990104”的前两位“99”不是省级行政区划代码"
