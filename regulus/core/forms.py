from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from regulus.core.models import DataScope, OrgUnit, Role
from regulus.core.text import clean_name, clean_text


class TextCheckedForm(forms.Form):
    """Every text field of the form goes through core.text at the edge: normalised (NFC,
    trimmed) and refused with a message beside the field when it holds a control, bidi or
    zero-width character; a Textarea is multi-line text (tabs and line breaks kept). The
    fields named in `name_fields` are names of people or entities (a CJK or Latin letter
    at least). Passwords are left as typed: they are compared, never shown.

    Every form of the project derives from it (tests/core/test_text.py checks)."""

    name_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.fields.items():
            value = data.get(name)
            if not isinstance(field, forms.CharField) or not isinstance(value, str):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            label = str(field.label or name)
            try:
                if name in self.name_fields:
                    data[name] = clean_name(value, label=label)
                else:
                    multiline = isinstance(field.widget, forms.Textarea)
                    data[name] = clean_text(value, label=label, multiline=multiline)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data


class LoginForm(TextCheckedForm, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续5次错误将锁定账号15分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class StaffForm(TextCheckedForm):
    name_fields = ("full_name",)

    username = forms.RegexField(
        label="用户名", regex=r"^[A-Za-z0-9_.-]{3,30}$", max_length=30,
        error_messages={"invalid": "用户名只能包含字母、数字、下划线、点和连字符，3至30位"},
    )  # fmt: skip
    full_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    phone = forms.RegexField(
        label="联系电话", regex=r"^[0-9-]{7,20}$", required=False,
        error_messages={"invalid": "联系电话只能包含数字和连字符，7至20位"},
    )  # fmt: skip
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, required=False,
        help_text="至少8位，包含大写字母、小写字母、数字、符号中的至少3类。",
    )  # fmt: skip
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args: Any, units: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if editing:
            del self.fields["password"]
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]
        for name, field in self.fields.items():
            if name != "is_active":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")


class UnitForm(TextCheckedForm):
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    kind = forms.ChoiceField(label="类型", choices=OrgUnit.Kind.choices)
    parent = forms.ModelChoiceField(label="上级单位", queryset=OrgUnit.objects.none())
    division_code = forms.RegexField(
        label="行政区划代码", regex=r"^\d{6}$", required=False,
        error_messages={"invalid": "行政区划代码应为6位数字（GB/T 2260）"},
    )  # fmt: skip
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=32767, initial=0)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class StaffRolesForm(TextCheckedForm):
    """The security administrator's grant: which roles a staff member holds."""

    roles = forms.ModelMultipleChoiceField(
        label="角色",
        queryset=Role.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="系统管理员、安全管理员、安全审计员三员分立：只能单独授予，不得兼任其他角色。",
    )


class RoleForm(TextCheckedForm):
    name = forms.CharField(label="角色名称", max_length=50)
    code = forms.ChoiceField(label="权限类别", choices=Role.Code.choices)
    data_scope = forms.ChoiceField(label="数据范围", choices=DataScope.choices)
    custom_units = forms.ModelMultipleChoiceField(
        label="指定单位",
        queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        required=False,
        help_text="数据范围为“指定单位数据”时选择。",
    )
    description = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A role keeps its permission kind: a new kind is a new role.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "权限类别创建后不能更改；需要其他类别请新增角色。"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
