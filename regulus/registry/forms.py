"""Staff forms of the registry: they parse and check the input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from regulus.core import clock, ids
from regulus.core.errors import add_to_form
from regulus.core.forms import TextCheckedForm
from regulus.core.masking import mask_id_number
from regulus.core.models import OrgUnit
from regulus.registry.models import Entity, EntityKind, EntityStatus, RiskClass
from regulus.registry.rules import DISTRICTS, INDUSTRY_SECTIONS, MAX_LENGTHS
from regulus.registry.services import STATUS_TRANSITIONS

INDUSTRY_CHOICES = [("", "（未填）")] + [(k, f"{k} {v[0]}") for k, v in INDUSTRY_SECTIONS.items()]
RISK_CHOICES = [("", "（未分类）"), *RiskClass.choices]
# The service reports a few facts under another key than the form's field.
SERVICE_FIELD_ALIASES = {"unit_id": "unit"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError({field: 中文}) beside the form's matching field."""
    add_to_form(form, exc, aliases=SERVICE_FIELD_ALIASES)


class StyledForm(TextCheckedForm):
    """Bootstrap classes on every widget; a field with an error (the form's own or the
    service's) is marked ``is-invalid``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            select = isinstance(widget, forms.Select)
            widget.attrs.setdefault(
                "class", "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def _check_uscc(value: str) -> str:
    return ids.validate_uscc(value) if value else value


def _check_id_number(value: str) -> str:
    return ids.validate_id_number(value, today=clock.today()) if value else ""


def _text(label: str, key: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=MAX_LENGTHS.get(key), **kwargs)


class EntityCreateForm(StyledForm):
    name_fields = ("name", "legal_rep_name")

    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        help_text="18位，含第18位校验码（GB 32100-2015）",
    )
    name = _text("名称", "name", min_length=2)
    kind = forms.ChoiceField(label="主体类型", choices=EntityKind.choices)
    sub_kind = _text(
        "类型细分", "sub_kind", required=False, help_text="如：有限责任公司（自然人独资）"
    )
    district_code = forms.ChoiceField(label="所属区县", choices=ids.DEMO_DISTRICTS)
    unit = forms.ModelChoiceField(
        label="监管单位",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "监管单位不在您的数据范围内，请从列表中选择"},
    )
    established_on = forms.DateField(label="成立日期", widget=DateInput())
    legal_rep_name = _text("法定代表人/经营者", "legal_rep_name", required=False)
    legal_rep_id_number = forms.CharField(
        label="法定代表人/经营者身份证号码",
        max_length=30,
        required=False,
        help_text="18位居民身份证号码；加密保存，页面只显示部分",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    registered_capital = forms.DecimalField(
        label="注册资本（万元）", required=False, min_value=0, max_digits=16, decimal_places=2
    )
    industry_section = forms.ChoiceField(label="行业门类", choices=INDUSTRY_CHOICES, required=False)
    industry_code = forms.CharField(
        label="行业大类", max_length=2, required=False, help_text="GB/T 4754 两位代码，如 52"
    )
    business_scope = forms.CharField(
        label="经营范围", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    registration_authority = _text("登记机关", "registration_authority", required=False)
    address = _text("住所（经营场所）", "address", required=False)
    phone = _text("联系电话", "phone", required=False)
    risk_class = forms.ChoiceField(label="信用风险分类", choices=RISK_CHOICES, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units.filter(  # type: ignore[attr-defined]
            kind__in=[OrgUnit.Kind.DISTRICT_BUREAU, OrgUnit.Kind.STATION],
            division_code__in=list(DISTRICTS),
        )
        field.label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.name}（{DISTRICTS.get(u.division_code, u.division_code)}）"
        )

    def clean_uscc(self) -> str:
        return _check_uscc(self.cleaned_data["uscc"])

    def clean_legal_rep_id_number(self) -> str:
        return _check_id_number(self.cleaned_data["legal_rep_id_number"])

    def clean_established_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["established_on"]
        if value > clock.today():
            raise ValidationError("成立日期晚于今天")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, district = data.get("unit"), data.get("district_code")
        if unit is not None and district and unit.division_code != district:
            self.add_error(
                "unit", f"监管单位“{unit.name}”不属于{DISTRICTS.get(district, district)}"
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["registered_capital"] = data.get("registered_capital")
        return data


EDITABLE = (
    "name",
    "address",
    "phone",
    "legal_rep_name",
    "legal_rep_id_number",
    "business_scope",
    "registered_capital",
    "industry_section",
    "industry_code",
    "risk_class",
)


class EntityEditForm(StyledForm):
    """变更登记事项. The ID number is changed only when a new one is typed."""

    name_fields = ("name", "legal_rep_name")

    name = _text("名称", "name", min_length=2, help_text="变更后，原名称作为曾用名保留")
    address = _text("住所（经营场所）", "address", required=False)
    phone = _text("联系电话", "phone", required=False)
    legal_rep_name = _text("法定代表人/经营者", "legal_rep_name", required=False)
    legal_rep_id_number = forms.CharField(
        label="法定代表人/经营者身份证号码",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    business_scope = forms.CharField(
        label="经营范围", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    registered_capital = forms.DecimalField(
        label="注册资本（万元）", required=False, min_value=0, max_digits=16, decimal_places=2
    )
    industry_section = forms.ChoiceField(label="行业门类", choices=INDUSTRY_CHOICES, required=False)
    industry_code = forms.CharField(
        label="行业大类", max_length=2, required=False, help_text="GB/T 4754 两位代码"
    )
    risk_class = forms.ChoiceField(label="信用风险分类", choices=RISK_CHOICES, required=False)

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "edit")
        kwargs.setdefault(
            "initial",
            {key: getattr(entity, key) for key in EDITABLE if key != "legal_rep_id_number"},
        )
        super().__init__(*args, **kwargs)
        masked = mask_id_number(entity.legal_rep_id_number)
        self.fields["legal_rep_id_number"].help_text = (
            f"现为 {masked}；不变更请留空" if masked else "未登记；需要时填写18位号码"
        )

    def clean_legal_rep_id_number(self) -> str:
        return _check_id_number(self.cleaned_data["legal_rep_id_number"])

    def service_kwargs(self) -> dict[str, Any]:
        data = {key: self.cleaned_data[key] for key in EDITABLE}
        if not data["legal_rep_id_number"]:
            del data["legal_rep_id_number"]  # left blank: keep the registered number
        return data


class EntityStatusForm(StyledForm):
    """状态变更: only the transitions the service's table allows from the current status."""

    status = forms.ChoiceField(label="变更为")
    status_changed_on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(
        label="事由", max_length=200, help_text="如：决定书文号、注销原因或迁入地"
    )

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "status")
        kwargs.setdefault("initial", {"status_changed_on": clock.today()})
        super().__init__(*args, **kwargs)
        allowed = allowed_statuses(entity)
        field = self.fields["status"]
        field.choices = [(s, EntityStatus(s).label) for s in allowed]  # type: ignore[attr-defined]
        current = entity.get_status_display()  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = f"“{current}”的主体不能变更为所选状态" + (
            f"（可选：{'、'.join(str(EntityStatus(s).label) for s in allowed)}）"
            if allowed
            else "（已是最终状态）"
        )


def allowed_statuses(entity: Entity) -> list[str]:
    """The statuses the entity may move to, in the order of EntityStatus."""
    allowed = STATUS_TRANSITIONS.get(entity.status, set())
    return [s for s in EntityStatus.values if s in allowed]
