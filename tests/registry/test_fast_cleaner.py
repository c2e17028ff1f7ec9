"""The import's fast path (rules.FastRowCleaner) may only ever answer what EntityRules.clean
answers: the same cleaned values for a row clean() accepts, or "not sure" (None), after
which the import runs clean() itself. Checked on rows made of valid and broken values."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regulus.core import ids
from regulus.registry.importing import COLUMNS, map_header
from regulus.registry.rules import EntityRules, FastRowCleaner

pytestmark = pytest.mark.django_db

HEADER = [headers[0] for _field, headers in COLUMNS]


def _uscc(body: str) -> str:
    return ids.make_uscc("9", "1", "430102", ids.make_org_code(body))


def _id_number(birth: dt.date) -> str:
    body = f"430102{birth:%Y%m%d}123"
    return body + ids._id_check_digit(body)


# Per field: values clean() accepts (first list) and values it refuses or must rewrite.
GOOD_AND_ODD = {
    "name": (
        ["长沙市芙蓉区鑫达超市", "liby立白日化", " 张记米粉 "],
        ["超", "", "x" * 201, "立白\u202e日化", "+1+1", "Cafe\u0301 超市", "鑫达\x1f"],
    ),
    "kind": (["企业"], ["个体工商户", "individual", "公司", ""]),
    "sub_kind": (["", "有限责任公司"], ["y" * 41]),
    "legal_rep_name": (["张三", ""], ["z" * 51, "=1+2", "张\u200b三"]),
    "registered_capital": (["", "100", "1,000.5", "35.555"], ["-1", "abc", "1e20", "NaN"]),
    "established_on": (["2020-05-18", "2020/05/18", "20200518"], ["2099-01-01", "", "x"]),
    "business_scope": (["", "日用百货销售"], ["日用百货\n食品销售", "百货\x00", "\t食品\t"]),
    "industry_section": (["", "F", "f"], ["Z", "C"]),
    "industry_code": (["", "52"], ["5", "99", "ab", "13"]),
    "registration_authority": (["", "长沙市芙蓉区市场监督管理局"], ["r" * 101]),
    "district_code": (["430102", "芙蓉区"], ["430103", "999999", ""]),
    "unit": (["", "芙蓉区市场监督管理局", "芙蓉区东湖市场监管所"], ["不存在的所"]),
    "address": (["", "长沙市芙蓉区五一大道1号"], ["a" * 256, "五一大道\x851号", "1号\n"]),
    "phone": (["", "0731-88888888"], ["电话"]),
    "status": (["", "存续", "吊销", "active"], ["停业"]),
    "status_changed_on": (["", "2021-01-01"], ["2019-01-01", "bad"]),
    "risk_class": (["", "A", "b", "C类"], ["E"]),
}
ODD_CHOICES = [*GOOD_AND_ODD, "uscc", "legal_rep_id_number"]


@st.composite
def rows(draw):
    """A row with every field valid but up to two chosen ones (any field may be the odd one)."""
    odd = draw(st.sets(st.sampled_from(ODD_CHOICES), max_size=2))
    row = {}
    for field, (good, bad) in GOOD_AND_ODD.items():
        row[field] = draw(st.sampled_from(bad if field in odd and bad else good))
    code = _uscc(draw(st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)))
    row["uscc"] = draw(
        st.sampled_from(["", "91430102MA4L0000X1", "abc", code[:17] + "I"])
        if "uscc" in odd
        else st.sampled_from([code, " " + code.lower()])
    )
    number = _id_number(draw(st.dates(dt.date(1940, 1, 1), dt.date(2005, 1, 1))))
    row["legal_rep_id_number"] = draw(
        st.sampled_from(["430102199001011230", "12345"])
        if "legal_rep_id_number" in odd
        else st.sampled_from(["", number])
    )
    return row


@pytest.fixture
def cleaners(bureau):
    rules = EntityRules()
    return rules, FastRowCleaner(rules, map_header(HEADER))


def test_fast_cleaner_answers_only_what_clean_answers(cleaners):
    rules, fast = cleaners

    @settings(max_examples=500, deadline=None)
    @given(row=rows())
    def check(row):
        cells = [row[field] for field, _headers in COLUMNS]
        expected, errors = rules.clean(dict(row))
        got = fast(list(cells))
        if got is not None:
            assert not errors
            assert got == expected
            accepted.append(1)

    accepted: list[int] = []
    check()
    assert len(accepted) > 50  # the fast path was really compared, not only unsure


def test_fast_cleaner_takes_a_valid_row(cleaners):
    rules, fast = cleaners
    row = {
        "uscc": _uscc("MA4L0000"), "name": "长沙市芙蓉区鑫达超市", "kind": "企业",
        "sub_kind": "有限责任公司", "legal_rep_name": "张三",
        "legal_rep_id_number": _id_number(dt.date(1980, 1, 1)), "registered_capital": "100",
        "established_on": "2020-05-18", "business_scope": "日用百货销售",
        "industry_section": "F", "industry_code": "52", "registration_authority": "",
        "district_code": "430102", "unit": "", "address": "长沙市芙蓉区五一大道1号",
        "phone": "0731-88888888", "status": "存续", "status_changed_on": "", "risk_class": "A",
    }  # fmt: skip
    got = fast([row[field] for field, _headers in COLUMNS])
    assert got is not None and got == rules.clean(row)[0]


def test_every_character_core_text_refuses_is_unprintable_so_the_fast_path_hands_it_on():
    """FastRowCleaner leaves a row that is not all printable to clean(), which words core.text's
    refusal: that holds only if no refused character is printable."""
    from regulus.core.text import REFUSED_IN_LINE

    refused = REFUSED_IN_LINE.findall("".join(map(chr, range(0x110000))))
    assert len(refused) > 200
    assert [c for c in refused if c.isprintable()] == []
