"""core.text: the one normaliser and validator of text at the edge, and its three adapters
(forms, API schemas, the import) holding the same rules."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

import regulus
from regulus.core.forms import TextCheckedForm
from regulus.core.schemas import Id, MultilineText, Name, Text
from regulus.core.text import (
    LINE,
    MULTILINE,
    NAME,
    clean_fields,
    clean_name,
    clean_text,
    escape_unsafe,
    shown,
)

REFUSED = {
    "\x00": "空字符（U+0000）",
    "\x1b": "控制字符（U+001B）",
    "\x85": "控制字符（U+0085）",
    "\u202e": "文字方向控制字符（U+202E）",
    "\u2066": "文字方向控制字符（U+2066）",
    "\u200f": "文字方向控制字符（U+200F）",
    "\u200b": "不可见字符（U+200B）",
    "\u200d": "不可见字符（U+200D）",
    "\ufeff": "不可见字符（U+FEFF）",
    "\ud800": "孤立的代理码位（U+D800）",
    "\u2028": "分隔符（U+2028）",
    "\uffff": "非字符码位（U+FFFF）",
}


@pytest.mark.parametrize(("char", "described"), REFUSED.items())
def test_control_bidi_and_zero_width_characters_are_refused_naming_field_and_character(
    char, described
):
    for text in (f"立白{char}日化", f"{char}立白", f"立白{char}"):
        with pytest.raises(ValidationError) as refused:
            clean_text(text, label="名称")
        assert refused.value.messages == [f"名称含有不允许的{described}，请删除后重新输入"]
        with pytest.raises(ValidationError):
            clean_text(text, label="经营范围", multiline=True)


def test_text_is_nfc_and_trimmed_of_spaces_but_not_of_control_characters():
    assert clean_text(" Cafe\u0301 超市\u3000", label="名称") == "Café 超市"
    # str.strip() would drop these at either end without a word.
    for char in ("\x1c", "\x1f", "\x85", "\x0b"):
        with pytest.raises(ValidationError):
            clean_text(f"超市{char}", label="名称")


def test_single_line_text_refuses_tabs_and_breaks_inside_multi_line_text_keeps_them():
    with pytest.raises(ValidationError, match="换行符"):
        clean_text("第一行\n第二行", label="地址")
    with pytest.raises(ValidationError, match="制表符"):
        clean_text("a\tb", label="地址")
    assert (
        clean_text("第一行\r\n\t第二行\r", label="经营范围", multiline=True) == "第一行\n\t第二行"
    )


@pytest.mark.parametrize("name", ["+1+1", "=1+2", "……", "123", "-", "（）"])
def test_a_name_without_a_cjk_or_latin_letter_is_refused(name):
    with pytest.raises(ValidationError, match="须含有汉字或拉丁字母"):
        clean_name(name, label="名称")


@pytest.mark.parametrize("name", ["张三", "Liby", "ＡＢ便利", "阿卜杜·热合曼", "3M中国", "Zoë", ""])
def test_names_with_a_letter_are_kept(name):
    assert clean_name(name, label="名称") == name


def test_clean_fields_names_every_refused_field_of_a_hand_parsed_form_at_once():
    post = {"signer": "+1+1", "note": "好\u202e", "address": " 五一大道1号 "}
    with pytest.raises(ValidationError) as refused:
        clean_fields(
            post,
            {"signer": ("签署人", NAME), "note": ("说明", MULTILINE), "address": ("地址", LINE)},
        )
    assert set(refused.value.message_dict) == {"signer", "note"}
    assert clean_fields(post, {"address": ("地址", LINE)}) == {"address": "五一大道1号"}


def test_escape_unsafe_writes_what_no_log_line_may_hold_as_escapes():
    assert escape_unsafe("/a\r\nb\x00\u202ec\t") == "/a\\x0d\\x0ab\\x00\\u202ec\\x09"
    assert escape_unsafe("长沙 立白") == "长沙 立白"
    assert shown("立" * 30, 3) == "立立立…"


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Text, " Cafe\u0301 ", "Café"),
        (MultilineText, "a\r\nb", "a\nb"),
        (Name, "张三", "张三"),
        (Id, 1, 1),
    ],
)
def test_schema_types_normalise_like_the_forms(kind, value, expected):
    assert TypeAdapter(kind).validate_python(value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "error_type"),
    [
        (Text, "a\u202eb", "text_refused"),
        (Text, "a\x00b", "text_refused"),
        (Text, "a\nb", "text_refused"),
        (MultilineText, "a\u200bb", "text_refused"),
        (Name, "+1+1", "name_letter"),
        (Id, 0, "greater_than_equal"),
        (Id, -1, "greater_than_equal"),
        (Id, 2**63, "less_than_equal"),
    ],
)
def test_schema_types_refuse_what_the_forms_refuse(kind, value, error_type):
    with pytest.raises(PydanticValidationError) as refused:
        TypeAdapter(kind).validate_python(value)
    assert refused.value.errors()[0]["type"] == error_type


def _all_form_classes() -> list[type[forms.Form]]:
    for module in pkgutil.walk_packages(regulus.__path__, "regulus."):
        if ".migrations" not in module.name and not module.name.endswith("gunicorn_conf"):
            importlib.import_module(module.name)
    found, todo = [], list(forms.Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("regulus."):
            found.append(cls)
    return found


def test_every_form_of_the_project_checks_its_text_through_core_text():
    classes = _all_form_classes()
    assert len(classes) >= 5  # the registry's three, staff, login
    assert [c.__qualname__ for c in classes if not issubclass(c, TextCheckedForm)] == []


def test_a_form_refuses_a_bidi_override_beside_the_field_and_keeps_a_clean_value(bureau):
    from regulus.core.forms import StaffForm
    from regulus.core.models import OrgUnit

    role = next(iter(bureau["roles"].values()))
    data = {"username": "zhang.san", "full_name": "张\u202e三", "unit": bureau["district_a"].pk,
            "roles": [role.pk], "password": "Abcdef1!x"}  # fmt: skip
    form = StaffForm(data, units=OrgUnit.objects.all())
    assert not form.is_valid()
    assert form.errors["full_name"] == [
        "姓名含有不允许的文字方向控制字符（U+202E），请删除后重新输入"
    ]
    form = StaffForm({**data, "full_name": " =1+2 "}, units=OrgUnit.objects.all())
    assert not form.is_valid() and "须含有汉字或拉丁字母" in form.errors["full_name"][0]
    form = StaffForm({**data, "full_name": " Zoe\u0308 "}, units=OrgUnit.objects.all())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == "Zoë"


def test_clean_fields_holds_text_to_its_column_or_the_given_length(db):
    from regulus.core.models import ApiToken

    with pytest.raises(ValidationError) as refused:
        clean_fields({"name": "长" * 101}, {"name": ("用途", LINE)}, model=ApiToken)
    assert refused.value.message_dict == {"name": ["用途不能超过100个字"]}
    with pytest.raises(ValidationError, match="签署人不能超过5个字"):
        clean_fields({"signer": "欧阳长长长长"}, {"signer": ("签署人", NAME, 5)})
