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
from regulus.licensing import selectors, services
from regulus.licensing.models import Application, Bundle, EntityKindChoice

FIELDS = (
    "uscc",
    "applicant_name",
    "entity_kind",
    "contact_name",
    "contact_id_number",
    "contact_phone",
    "address",
    "district_code",
    "business_scope",
    "path",
    "delivery_method",
    "delivery_address",
)


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
    post = request.POST
    entity = None
    uscc = post.get("uscc", "").strip()
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
            applicant_name=post.get("applicant_name", ""),
            entity_kind=post.get("entity_kind", ""),
            contact_name=post.get("contact_name", ""),
            contact_id_number=post.get("contact_id_number", ""),
            contact_phone=post.get("contact_phone", ""),
            address=post.get("address", ""),
            district_code=post.get("district_code", ""),
            business_scope=post.get("business_scope", ""),
            path=post.get("path", "normal") or "normal",
            commitment_signed=bool(post.get("commitment_signed")),
            delivery_method=post.get("delivery_method", "pickup") or "pickup",
            delivery_address=post.get("delivery_address", ""),
            files=files,
            paper_materials=paper,
        )
    except ValidationError as exc:
        return None, error_dict(exc)
    return application, {}


def error_dict(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: "；".join(m for e in v for m in e.messages) for k, v in exc.error_dict.items()}
    return {"__all__": "；".join(exc.messages)}
