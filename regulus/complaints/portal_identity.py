"""The business's credential on the portal for its ODR complaints: its USCC and the portal
code (企业填报码) the bureau issued to it, registry.portal_codes. One place the ODR pages
name it, with what the business is doing for the failure audit rows."""

from __future__ import annotations

from typing import Any

DOING = "ODR和解反馈"


def business_identify(uscc: str, code: str) -> Any:
    """The entity, or ValidationError({"code": ...}) on a wrong or locked code (the failure
    is counted and audited by the registry)."""
    from regulus.registry.portal_codes import portal_identify

    return portal_identify(uscc, code, doing=DOING)


def business_failures_clear(*, audit: Any, entity: Any) -> None:
    """After a success, inside the caller's audited block: the wrong tries count from zero."""
    from regulus.registry.portal_codes import portal_failures_clear

    portal_failures_clear(audit=audit, entity=entity)
