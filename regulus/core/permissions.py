"""Authorization in one place: each app declares once which roles may do what.

An app lists its permissions in its own `permissions.py` (found by autodiscovery, as sweeps
are)::

    PERMISSIONS = declare(
        Permission("licensing.application_view", "查看办件及申请材料", (R.HANDLER, R.LEADER)),
        ...
    )

and everything else names them by code:

- services call `require(actor, "licensing.application_view")` first, before any validation,
  so that a refused actor gets PermissionDenied (403 on pages and the API), never a 422;
- pages are decorated `@page("licensing.application_view")` and API operations
  `@operation("licensing.application_view")` (below the router's decorator): the check runs
  before the view parses anything, and the declared code is on the view, where the generated
  tests read it (tests/core/test_permissions_everywhere.py);
- workflow transitions name a permission (core.workflow.Transition.permission);
- navigation entries name one; templates get flags computed with `allows`.

A permission names role codes (core.models.Role.Code), the permission kinds a Role carries; what
a role may see is its data scope (core.scope), a separate question. The three duties of 等保
2.0 (system administrator, security administrator, security auditor) are roles like the others:
they simply appear in no permission outside their own duty (tests/core/test_three_duties.py).

Actors: a staff user is checked; None or an anonymous user (the public) is refused — services
open to applicants say so themselves; a string names the system itself (a sweep, a management
command run by the operator) and is not checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.module_loading import autodiscover_modules

from regulus.core.models import Role

R = Role.Code
F = TypeVar("F", bound=Callable[..., Any])

# The three duties of 等保 2.0, held apart from each other and from the business roles.
DUTIES: tuple[str, ...] = (R.ADMIN, R.SECURITY_ADMIN, R.AUDITOR)
# Every role that works on the bureau's business (not one of the three duties).
BUSINESS: tuple[str, ...] = tuple(code for code in R.values if code not in DUTIES)


@dataclass(frozen=True)
class Permission:
    """What may be done (`label`, Chinese, read in refusals and on the roles page) and by whom
    (`roles`: role codes). `code` is "<app>.<what>"."""

    code: str
    label: str
    roles: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [r for r in self.roles if r not in R.values]
        if unknown:
            raise ValueError(f"permission {self.code!r} names unknown role codes {unknown}")

    def allows_role(self, code: str) -> bool:
        return code in self.roles

    def refusal(self) -> str:
        holders = "、".join(R(code).label for code in self.roles) or "任何角色"
        return f"无权{self.label}：此操作仅限{holders}"


_REGISTRY: dict[str, Permission] = {}


def declare(*permissions: Permission) -> tuple[Permission, ...]:
    """Register an app's permissions (call once, in the app's permissions.py)."""
    for perm in permissions:
        existing = _REGISTRY.get(perm.code)
        if existing is not None and existing != perm:
            raise ValueError(f"permission {perm.code!r} is declared twice")
        _REGISTRY[perm.code] = perm
    return permissions


def registered() -> dict[str, Permission]:
    """Every permission of the installed apps, by code."""
    autodiscover_modules("permissions")
    return dict(_REGISTRY)


def get(code: str) -> Permission:
    perm = _REGISTRY.get(code)
    if perm is None:
        perm = registered().get(code)
    if perm is None:
        raise LookupError(f"no permission {code!r} is declared")
    return perm


def allows(user: Any, code: str) -> bool:
    """Whether the user holds a role the permission names (a superuser holds them all)."""
    perm = get(code)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(perm.allows_role(role) for role in user.role_codes())


def require(actor: Any, code: str) -> None:
    """Raise PermissionDenied (a Chinese message naming the permission and who holds it)
    unless the actor may; a string actor is the system itself (see the module's note)."""
    if isinstance(actor, str):
        get(code)  # an unknown code is a bug wherever it is asked
        return
    if not allows(actor, code):
        raise PermissionDenied(get(code).refusal())


def page(code: str | None = None) -> Callable[[F], F]:
    """A staff page: signed in (else the login page), then the permission `code` (None: any
    signed-in staff member) checked before the view runs (403 page). The code stays on the
    view as `permission` for the generated tests."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
            if code is not None:
                require(request.user, code)
            return view(request, *args, **kwargs)

        guarded = login_required(checked)
        guarded.permission = code  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def operation(code: str | None) -> Callable[[F], F]:
    """An API operation (put it below `@router.get(...)`): the permission `code` (None: any
    authenticated caller) is checked right after authentication and before the request's
    parameters and body are parsed, so a refused caller gets 403 whatever it sent."""

    def decorate(func: F) -> F:
        from ninja.utils import contribute_operation_callback

        func.permission = code  # type: ignore[attr-defined]
        if code is not None:
            contribute_operation_callback(func, lambda op: _checks_after_auth(op, code))
        return func

    return decorate


def _checks_after_auth(operation: Any, code: str) -> None:
    """Put the permission check into the operation's checks, after authentication. Ninja
    copies an operation for each API it is mounted on and applies its `_run_decorators` to
    each copy again (decorate_view's mechanism), so the check goes in as one of them."""

    def install_on(run: Callable[..., Any]) -> Callable[..., Any]:
        op = run.__self__  # type: ignore[attr-defined]
        authenticate = op._run_checks

        def run_checks(request: Any) -> Any:
            error = authenticate(request)
            if error is not None:
                return error
            if not allows(request.auth, code):
                return op.api.on_exception(request, PermissionDenied(get(code).refusal()))
            return None

        op._run_checks = run_checks
        return run

    operation._run_decorators = [*getattr(operation, "_run_decorators", []), install_on]
    operation.run = install_on(operation.run)


def for_role(role_code: str) -> list[Permission]:
    """The permissions a role code carries, in declaration order (the roles page)."""
    return [p for p in registered().values() if p.allows_role(role_code)]


# -- the kernel's own permissions ------------------------------------------------------------

# Everyone but the auditor, who reads the operation log and nothing else.
NOT_AUDITOR: tuple[str, ...] = (R.ADMIN, R.SECURITY_ADMIN, *BUSINESS)

PERMISSIONS = declare(
    Permission("core.staff_view", "查看单位与人员", (R.ADMIN, R.SECURITY_ADMIN, *BUSINESS)),
    Permission("core.staff_manage", "新增、修改和停用工作人员账号", (R.ADMIN,)),
    Permission("core.unit_manage", "管理单位", (R.ADMIN,)),
    Permission("core.metrics_view", "查看运行指标（Prometheus）", (R.ADMIN,)),
    Permission("core.calendar_view", "查看工作日历", (R.ADMIN, *BUSINESS)),
    Permission("core.calendar_manage", "维护工作日历（节假日安排）", (R.ADMIN,)),
    Permission("core.roles_manage", "管理角色和为工作人员授权", (R.SECURITY_ADMIN,)),
    Permission("core.security_manage", "查看安全设置、解除登录锁定", (R.SECURITY_ADMIN,)),
    Permission("core.token_manage", "查看和吊销全部接口令牌", (R.SECURITY_ADMIN,)),
    Permission("core.token_issue", "签发和吊销本人的接口令牌", NOT_AUDITOR),
    Permission("core.audit_view", "查看操作日志", (R.AUDITOR,)),
    Permission("core.audit_verify", "校验操作日志链", (R.AUDITOR,)),
    # The legal clocks of every app's objects (core.clock_services): read where the object is
    # (its workflow's view permission too); paused and extended on the clocks their workflow
    # declares pausable or extendable (core.workflow.ClockSpec).
    Permission("core.clock_view", "查看办理期限及其计算过程", BUSINESS),
    Permission("core.clock_pause", "中止和恢复计时", (R.HANDLER, R.LEADER)),
    Permission("core.clock_extend", "登记经批准的期限延长", (R.HANDLER, R.LEADER)),
    # 行政许可法 Art 42 and its kin: an extension is approved by the bureau's head.
    Permission("core.clock_approve", "批准延长期限", (R.LEADER,)),
    # The rule versions behind the clocks: read by the staff whose work runs on them, a new
    # version (a changed law) entered by the system administrator, as the calendar is.
    Permission("core.clock_rule_view", "查看计时规则及其版本", (R.ADMIN, *BUSINESS)),
    Permission("core.clock_rule_manage", "录入和撤回计时规则的新版本", (R.ADMIN,)),
)
