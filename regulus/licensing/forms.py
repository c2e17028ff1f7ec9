"""The one application form, shared by the window (staff UI) and the public portal.

The form is dynamic (its file fields are the bundle's union of materials), so it is parsed
here rather than declared as a Django Form: `application_form_context` builds what the
template `licensing/_application_form.html` shows, `application_form_submit` parses the POST
and calls the service, returning the application or the errors by field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from regulus.core import ids
from regulus.core.errors import field_messages
from regulus.core.text import LINE, MULTILINE, NAME, clean_fields
from regulus.licensing import selectors, services
from regulus.licensing.models import Application, Bundle, EntityKindChoice

# Every text the form posts, through core.text (names of people and entities a letter at
# least); the service then checks what each must be.
TEXT_FIELDS = {
    "uscc": ("统一社会信用代码", LINE),
    "applicant_name": ("申请主体名称", NAME),
    "entity_kind": ("主体类型", LINE),
    "contact_name": ("申请人（经办人）姓名", NAME),
    "contact_id_number": ("身份证号码", LINE),
    "contact_phone": ("联系电话", LINE),
    "address": ("经营场所", LINE),
    "district_code": ("所属区县", LINE),
    "business_scope": ("经营范围", MULTILINE),
    "path": ("办理方式", LINE),
    "delivery_method": ("领取方式", LINE),
    "delivery_address": ("邮寄地址", LINE),
}
FIELDS = tuple(TEXT_FIELDS)


def application_form_context(
    bundle: Bundle, *, data: Any = None, errors: dict[str, str] | None = None, window: bool
) -> dict[str, Any]:
    new = selectors.bundle_matters(bundle, new_business=True)
    existing = selectors.bundle_matters(bundle, new_business=False)
    values = {name: (data.get(name, "") if data is not None else "") for name in FIELDS}
    values.setdefault("path", "normal")
    values["path"] = values["path"] or "normal"
    values["delivery_method"] = values["delivery_method"] or "pickup"
    return {
        "bundle": bundle,
        "matters": new,
        "existing_matters": existing,
        "materials": selectors.materials_union(new),
        "commitment_problem": selectors.commitment_problem(new),
        "commitment_text": selectors.commitment_text(new),
        "kinds": EntityKindChoice.choices,
        "districts": ids.DEMO_DISTRICTS,
        "values": values,
        "commitment_checked": bool(data is not None and data.get("commitment_signed")),
        "errors": errors or {},
        "window": window,
    }


def application_form_submit(
    request: HttpRequest, bundle: Bundle, *, actor: Any, entity_lookup: Any
) -> tuple[Application | None, dict[str, str]]:
    """Parse the POST and submit. entity_lookup(uscc) returns the entity the actor may apply
    for, or raises ValidationError."""
    try:
        text = clean_fields(request.POST, TEXT_FIELDS, model=Application)
    except ValidationError as exc:
        return None, error_dict(exc)
    post = request.POST
    entity = None
    uscc = text["uscc"]
    errors: dict[str, str] = {}
    if uscc:
        try:
            entity = entity_lookup(ids.validate_uscc(uscc))
        except ValidationError as exc:
            errors["uscc"] = "；".join(exc.messages)
    materials = selectors.materials_union(
        selectors.bundle_matters(bundle, new_business=entity is None and not uscc)
    )
    files = {m.key: request.FILES.getlist(f"material_{m.key}") for m in materials}
    paper = [m.key for m in materials if post.get(f"paper_{m.key}")] if actor else []
    if errors:
        return None, errors
    try:
        application = services.application_submit(
            actor=actor,
            channel=Application.Channel.WINDOW if actor else Application.Channel.PORTAL,
            bundle=bundle,
            entity=entity,
            applicant_name=text["applicant_name"],
            entity_kind=text["entity_kind"],
            contact_name=text["contact_name"],
            contact_id_number=text["contact_id_number"],
            contact_phone=text["contact_phone"],
            address=text["address"],
            district_code=text["district_code"],
            business_scope=text["business_scope"],
            path=text["path"] or "normal",
            commitment_signed=bool(post.get("commitment_signed")),
            delivery_method=text["delivery_method"] or "pickup",
            delivery_address=text["delivery_address"],
            files=files,
            paper_materials=paper,
        )
    except ValidationError as exc:
        return None, error_dict(exc)
    return application, {}


def error_dict(exc: ValidationError) -> dict[str, str]:
    """A service's refusal as one message a field (core.errors)."""
    return field_messages(exc)
