"""The kernel's sweeps (see core.tick): expired sessions, as Django's `clearsessions` does,
rate-limit counters past their window, the audit chain's daily anchor, and provisional clocks
whose year is loaded."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings

from regulus.core import audit_anchor, clock
from regulus.core.audit import audited, chain_key, unaudited
from regulus.core.clock_recompute import provisional_clocks_due, provisional_clocks_recompute
from regulus.core.models import AuditChainHead, AuditLog, ThrottleCounter
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep


def _session_store() -> tuple[Any, Any]:
    """The session engine's store, and its model (None for engines without a table: cache
    and signed-cookie sessions expire by themselves)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    return store, (get_model() if get_model is not None else None)


def _expired() -> Any:
    _, model = _session_store()
    return None if model is None else model.objects.filter(expire_date__lt=clock.now())


# Sessions expire all day long (30-minute idle logout): cleared when the oldest has been
# expired this long, the sweep writes about one audit row an hour instead of one a minute.
SESSIONS_CLEAR_AFTER = dt.timedelta(hours=1)


def _expired_sessions_pending() -> bool:
    expired = _expired()
    return (
        expired is not None
        and expired.filter(expire_date__lt=clock.now() - SESSIONS_CLEAR_AFTER).exists()
    )


@sweep(
    "core.expired_sessions",
    "清除过期的登录会话（同 clearsessions）",
    pending=_expired_sessions_pending,
)
def expired_sessions_clear() -> SweepResult:
    store, _ = _session_store()
    expired = _expired()
    count = expired.count() if expired is not None else 0
    with audited(actor=SYSTEM_ACTOR) as audit:
        store.clear_expired()
        if count:
            # One row a run: a session is no business object, and its key is a credential
            # that the log must not hold.
            audit.record(
                action=AuditLog.Action.DELETE,
                object_type="sessions.session",
                object_repr="过期会话",
                summary=f"清除过期的登录会话{count}个",
                changes={"count": count},
            )
    return SweepResult(count, f"清除过期会话 {count} 个")


def _expired_counters() -> Any:
    return ThrottleCounter.objects.filter(expires_at__lt=clock.now())


@sweep(
    "core.expired_throttle_counters",
    "清除已过时间窗的访问频次计数",
    pending=lambda: _expired_counters().exists(),
)
def expired_throttle_counters_clear() -> SweepResult:
    # Not audited: the counters are a cache of the current windows, not records; a block
    # they caused was audited when it happened (core.throttle).
    with unaudited("过期的访问频次计数：缓存，不是业务记录"):
        deleted, _ = _expired_counters().delete()
    return SweepResult(deleted, f"清除过期访问频次计数 {deleted} 个")


@sweep(
    "core.provisional_clocks",
    "节假日安排载入后，重算暂定的计时",
    pending=lambda: provisional_clocks_due().exists(),
)
def provisional_clocks() -> SweepResult:
    """A safety net: the services that load or edit the holiday table recompute the clocks
    themselves; a year recorded another way (a CalendarYear row written by a script) is
    caught here within a minute. Audited as one row a run (core.clock_recompute)."""
    result = provisional_clocks_recompute(actor=SYSTEM_ACTOR)
    return SweepResult(
        result.changed,
        f"重算暂定计时 {result.checked} 个，届满日或暂定标记变化 {result.changed} 个",
    )


def _anchor_due() -> bool:
    last = audit_anchor.last_anchor_date(settings.AUDIT_ANCHOR_FILE)
    return (last is None or last < clock.today()) and AuditChainHead.objects.filter(
        count__gt=0
    ).exists()


@sweep(
    "core.audit_anchor",
    "将操作日志链头锚定到库外的锚点文件（每日一次）",
    pending=_anchor_due,
)
def audit_anchor_write() -> SweepResult:
    # The head as committed: rows of a transaction still running (an import) are anchored the
    # next day. Not audited: the anchor is the record, outside the database by design, and a
    # row about it would move the head it has just anchored.
    head = AuditChainHead.objects.get(pk=1)
    line = audit_anchor.anchor_append(
        settings.AUDIT_ANCHOR_FILE, key=chain_key(), date=clock.today(), rows=head.count,
        last_id=head.last_id, head=head.last_hash,
    )  # fmt: skip
    # The line goes to tick's output too (its log): a second copy outside the database.
    return SweepResult(1, f"锚定操作日志链头：{line}")
