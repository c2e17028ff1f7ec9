"""Every write of licensing: keyword-only functions, each checking its permission first
(licensing.permissions; a transition's own, through the workflow), then one audited
transaction (core.audit.audited).

One module a part of the work, as the views are split: applications (submission and the steps
to the decision), certificates (issue and delivery), verification (post-approval checks) and
catalogue (matters, rules, bundles). Callers use `services.<function>` from this package.

Bad input raises ValidationError with Chinese messages and changes nothing. Transitions go
through core.workflow.transition_fire (state checked in the database, one event row and one
audit row per step).
"""

from regulus.licensing.services.applications import (
    application_accept,
    application_resubmit,
    application_submit,
    application_transition,
    commitment_sign,
    correction_request,
    joint_check_complete,
    joint_check_schedule,
    material_add,
    material_remove,
)
from regulus.licensing.services.catalogue import (
    BUNDLE_ICONS,
    bundle_create,
    bundle_set_matters,
    bundle_update,
    matter_rule_add,
    matter_update,
)
from regulus.licensing.services.certificates import (
    application_fast_track,
    certificate_deliver,
    certificate_issue,
    entity_register,
    uscc_generate,
)
from regulus.licensing.services.stats import stats_export
from regulus.licensing.services.verification import (
    verification_confirm,
    verification_confirm_rectified,
    verification_order_rectification,
    verification_revoke,
)

__all__ = [
    "BUNDLE_ICONS",
    "application_accept",
    "application_fast_track",
    "application_resubmit",
    "application_submit",
    "application_transition",
    "bundle_create",
    "bundle_set_matters",
    "bundle_update",
    "certificate_deliver",
    "certificate_issue",
    "commitment_sign",
    "correction_request",
    "entity_register",
    "joint_check_complete",
    "joint_check_schedule",
    "material_add",
    "material_remove",
    "matter_rule_add",
    "matter_update",
    "stats_export",
    "uscc_generate",
    "verification_confirm",
    "verification_confirm_rectified",
    "verification_order_rectification",
    "verification_revoke",
]
