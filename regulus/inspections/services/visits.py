"""亮码检查: the code an inspector shows at the visit, and the inspected entity's rating.

At the visit the inspector shows a QR code (and its short code) on their phone; the entity
opens the portal page it names and sees the task, its inspectors (names and certificate
numbers) and the items. Once the result is entered, the inspector's screen also shows a
verification code: only with it can the visit be rated, once, so a stranger who saw the
public code cannot rate it. Wrong codes are counted per address (core.throttle)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.inspections.models import Target, VisitRating

# No 0/O, 1/I/L, 5/S, 2/Z: read aloud or typed from a phone screen without confusion.
VISIT_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
VISIT_CODE_LENGTH = 8
RATING_CODE_DIGITS = 6
SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def _new_visit_code() -> str:
    return "".join(secrets.choice(VISIT_ALPHABET) for _ in range(VISIT_CODE_LENGTH))


def rating_code_new() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(RATING_CODE_DIGITS))


def normalise_visit_code(raw: str) -> str:
    return "".join(ch for ch in str(raw).upper() if ch.isalnum())[:VISIT_CODE_LENGTH]


def visit_code_show(*, actor: Any, target: Target) -> Target:
    """Give the target its visit code (and, once checked, its rating code) if it has none:
    only an inspector assigned to it, at a target not yet published."""
    permissions.require(actor, "inspections.result_enter")
    if not target.assignments.filter(inspector__user=actor, active=True).exists():
        raise ValidationError("只有抽中检查该对象的检查人员才能出示检查码")
    if target.state == Target.State.PUBLISHED:
        raise ValidationError("检查结果已公示，无需再出示检查码")
    wanted: dict[str, str] = {}
    if not target.visit_code:
        wanted["visit_code"] = ""
    if target.state == Target.State.CHECKED and not target.rating_code:
        wanted["rating_code"] = rating_code_new()
    if not wanted:
        return target
    for _attempt in range(5):
        if "visit_code" in wanted:
            wanted["visit_code"] = _new_visit_code()
        try:
            with audited(actor=actor) as audit:
                Target.objects.filter(pk=target.pk).update(**wanted)
                audit.record(
                    action=AuditLog.Action.UPDATE,
                    obj=target,
                    summary=f"出示亮码检查码：{target.entity.name}"
                    + ("（含评价验证码）" if "rating_code" in wanted else ""),
                )
        except IntegrityError:  # the one-in-many-billions clash with another target's code
            continue
        for key, value in wanted.items():
            setattr(target, key, value)
        return target
    raise ValidationError("检查码生成失败，请重试")


def visit_target(code: str) -> Target | None:
    """The target a visit code names (its page stays open after publication, for the
    rating)."""
    code = normalise_visit_code(code)
    if len(code) != VISIT_CODE_LENGTH:
        return None
    return Target.objects.filter(visit_code=code).select_related("task__unit", "entity").first()


def visit_rate(*, target: Target, rating_code: str, score: int | None, comment: str) -> VisitRating:
    """The inspected entity's rating of the visit (the public: no staff actor), once per
    target, with the verification code shown after the check."""
    errors: dict[str, str] = {}
    if target.state == Target.State.ASSIGNED or not target.rating_code:
        raise ValidationError("检查结束、检查人员出示评价验证码后才能评价")
    if not secrets.compare_digest(rating_code.strip(), target.rating_code):
        errors["rating_code"] = "评价验证码不正确，请核对检查人员手机上显示的6位数字"
    if score not in SCORES:
        errors["score"] = "请选择1至5分的评价"
    if len(comment) > 500:
        errors["comment"] = "意见不超过500字"
    if errors:
        raise ValidationError(errors)
    assert score is not None
    if VisitRating.objects.filter(target=target).exists():
        raise ValidationError("该次检查已经评价过，每次检查只能评价一次")
    try:
        with audited(actor="被检查主体") as audit:
            rating = VisitRating.objects.create(
                target=target, score=score, comment=comment.strip(), rated_at=clock.now()
            )
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=rating,
                summary=f"被检查主体评价检查：{target.entity.name}，{SCORES[score]}",
                changes={"score": score},
            )
    except IntegrityError:
        raise ValidationError("该次检查已经评价过，每次检查只能评价一次") from None
    return rating
