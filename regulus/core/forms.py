from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from regulus.core.models import OrgUnit, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续5次错误将锁定账号15分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class StaffForm(forms.Form):
    username = forms.RegexField(
        label="用户名", regex=r"^[A-Za-z0-9_.-]{3,30}$", max_length=30,
        error_messages={"invalid": "用户名只能包含字母、数字、下划线、点和连字符，3至30位"},
    )  # fmt: skip
    full_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    roles = forms.ModelMultipleChoiceField(
        label="角色", queryset=Role.objects.all(), widget=forms.CheckboxSelectMultiple
    )
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
            if name not in ("roles", "is_active"):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
