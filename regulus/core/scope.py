"""Data scope: which rows a staff member may see.

Every scoped model uses `ScopedQuerySet.as_manager()` (or a subclass) and names the field that
holds its owning unit (`scope_unit_field`) and, optionally, the staff member who owns the row
(`scope_owner_field`). `Model.objects.visible_to(user)` is then the only way staff queries
begin; `get_visible_or_404` answers 404 outside the scope, as if the object did not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from regulus.core.models import OrgUnit, User

M = TypeVar("M", bound=models.Model)


def scope_unit_ids(user: User) -> set[int] | None:
    """The unit ids the user may see, or None for the whole city.

    The union over the user's roles of what each role's data scope grants. Cached on the user
    object for the request, since one page may scope several queries.
    """
    cached = getattr(user, "_scope_unit_ids", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    result = _compute_scope_unit_ids(user)
    user._scope_unit_ids = result  # type: ignore[attr-defined]
    return result


def role_grants(user: User) -> list[tuple[str, str, int | None]]:
    """(permission code, data scope, custom unit id or None) of the user's roles, one query.

    Cached on the user object for the request: every scoped query of a page asks it.
    """
    cached = getattr(user, "_role_grants", None)
    if cached is None:
        cached = (
            list(user.roles.values_list("code", "data_scope", "custom_units")) if user.pk else []
        )
        user._role_grants = cached  # type: ignore[attr-defined]
    return cached


def set_role_grants(user: User, grants: list[tuple[str, str, int | None]]) -> None:
    """Put the grants on the user when they came with another query (API token auth)."""
    user._role_grants = grants  # type: ignore[attr-defined]


def _compute_scope_unit_ids(user: User) -> set[int] | None:
    from regulus.core.models import DataScope, OrgUnit

    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    grants = role_grants(user)
    scopes = {scope for _, scope, _ in grants}
    if DataScope.ALL in scopes:
        return None
    ids = {unit_id for _, scope, unit_id in grants if scope == DataScope.CUSTOM and unit_id}
    if user.unit_id is not None:
        if DataScope.UNIT_AND_BELOW in scopes:
            # One query by the unit's path prefix, without loading the unit itself first.
            own_path = OrgUnit.objects.filter(pk=user.unit_id).values("path")[:1]
            ids.update(
                OrgUnit.objects.filter(path__startswith=models.Subquery(own_path)).values_list(
                    "id", flat=True
                )
            )
        elif DataScope.OWN_UNIT in scopes:
            ids.add(user.unit_id)
    return ids


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        model = self.model
        unit_field: str | None = getattr(model, "scope_unit_field", None)
        owner_field: str | None = getattr(model, "scope_owner_field", None)
        if not user.is_authenticated or not user.is_active:
            return self.none()
        unit_ids = scope_unit_ids(user)
        if unit_ids is None:
            return self
        condition = Q(pk__in=[])
        if unit_field and unit_ids:
            condition |= Q(**{f"{unit_field}__in": sorted(unit_ids)})
        if owner_field and _has_own_records_grant(user):
            condition |= Q(**{owner_field: user.pk})
        return self.filter(condition)

    def get_visible_or_404(self, user: Any, **lookup: Any) -> M:
        try:
            return self.visible_to(user).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404("不存在或无权查看") from exc


def _has_own_records_grant(user: Any) -> bool:
    from regulus.core.models import DataScope

    return any(scope == DataScope.OWN_RECORDS for _, scope, _ in role_grants(user))


def row_is_visible(user: Any, unit_id: int | None) -> bool:
    """Whether a row owned by this unit is visible_to(user), by the same rules: for a read
    that fetches one row by a statement of its own (core.rawrows), with no queryset to
    scope, and for the unit a write targets."""
    if not user.is_authenticated or not user.is_active:
        return False
    ids = scope_unit_ids(user)
    return ids is None or unit_id in ids


def unit_is_visible(user: Any, unit: OrgUnit) -> bool:
    return row_is_visible(user, unit.id)
