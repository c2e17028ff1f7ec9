"""core.errors: one conversion of a service's ValidationError into field errors, used by the
staff pages, the registry and licensing forms and the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from regulus.core.errors import add_to_form, field_errors, field_messages, flash_errors


class _Form(forms.Form):
    name = forms.CharField(required=False)
    unit = forms.CharField(required=False)


def test_field_errors_keep_each_fields_messages_in_order():
    exc = ValidationError({"name": ["至少2个字", "不能含有控制字符"], "unit": "监管单位不存在"})
    assert field_errors(exc) == {
        "name": ["至少2个字", "不能含有控制字符"],
        "unit": ["监管单位不存在"],
    }


def test_a_bare_message_is_an_error_of_the_whole_input():
    assert field_errors(ValidationError("该申请已受理，不能修改")) == {
        "__all__": ["该申请已受理，不能修改"]
    }
    assert field_errors(ValidationError(["一", "二"])) == {"__all__": ["一", "二"]}


def test_messages_with_parameters_are_formatted():
    exc = ValidationError({"name": ValidationError("至少%(n)s个字", params={"n": 2})})
    assert field_messages(exc) == {"name": "至少2个字"}


def test_field_messages_join_a_fields_messages():
    exc = ValidationError({"name": ["甲", "乙"]})
    assert field_messages(exc) == {"name": "甲；乙"}


def test_add_to_form_puts_messages_beside_fields_aliases_and_top():
    form = _Form(data={})
    assert form.is_valid()
    exc = ValidationError({"name": "名称重复", "unit_id": "单位不存在", "elsewhere": "其他问题"})
    add_to_form(form, exc, aliases={"unit_id": "unit"})
    assert form.errors["name"] == ["名称重复"]
    assert form.errors["unit"] == ["单位不存在"]
    assert form.non_field_errors() == ["其他问题"]


def test_the_four_callers_use_the_one_conversion():
    """Staff pages, the registry's and licensing's forms and the API answer alike."""
    import inspect

    from regulus import api
    from regulus.core import views
    from regulus.licensing import forms as licensing_forms
    from regulus.registry import forms as registry_forms

    assert "add_to_form" in inspect.getsource(views)
    assert "add_to_form" in inspect.getsource(registry_forms.add_service_errors)
    assert "field_messages" in inspect.getsource(licensing_forms.error_dict)
    assert "field_messages" in inspect.getsource(api.on_django_validation_error)
    exc = ValidationError({"name": ["甲", "乙"]})
    assert licensing_forms.error_dict(exc) == field_messages(exc)


def test_flashed_errors_name_their_field_unless_the_message_does(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    exc = ValidationError({"days": "应为正整数", "reason": "延长理由不能为空", "__all__": "已结束"})
    flash_errors(request, exc, {"days": "延长天数", "reason": "延长理由"})
    assert [m.message for m in get_messages(request)] == [
        "延长天数：应为正整数",
        "延长理由不能为空",
        "已结束",
    ]


def test_joined_flash_gives_one_message_a_field(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    exc = ValidationError({"name": ["至少2个字", "不能含有控制字符"], "unit": "监管单位不存在"})
    flash_errors(request, exc, join=True)
    assert [m.message for m in get_messages(request)] == [
        "至少2个字；不能含有控制字符",
        "监管单位不存在",
    ]


def test_no_page_keeps_its_own_flash_loop():
    """A refusal is flashed through flash_errors only, so every page words it alike."""
    import re
    from pathlib import Path

    import regulus

    loop = re.compile(r"for \w+ in [^\n]*\.values\(\):\s*\n\s*messages\.error\(")
    root = Path(regulus.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if loop.search(p.read_text())]
    assert offenders == []
