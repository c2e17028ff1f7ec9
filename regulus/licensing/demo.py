"""Demo applications: a few hundred, in every state, over the last four months, in every
district; some overdue, some on the commitment path, many issued the same day.

Each application goes through the real services (so its timeline, audit rows, certificate,
verification task and new entity are real), with paper materials (no files), then its dates
are moved back to its demo submission day. Idempotent: a second run finds applications and
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F

from regulus.core import calendar, clock, ids
from regulus.core.models import OrgUnit, TransitionEvent, User
from regulus.licensing import selectors, services
from regulus.licensing.catalogue import catalogue_ensure
from regulus.licensing.models import Application, Bundle, Certificate, VerificationTask

S = Application.State
DEMO_COUNT = 360
# Final state → weight. Commitment-path items get more of the same-day issued states.
STATE_WEIGHTS = (
    (S.SUBMITTED, 9),
    (S.CORRECTION, 5),
    (S.REVIEW, 10),
    (S.ONSITE_CHECK, 5),
    (S.APPROVED, 3),
    (S.ISSUED, 15),
    (S.DELIVERED, 38),
    (S.REFUSED, 4),
    (S.NOT_ACCEPTED, 4),
    (S.WITHDRAWN, 3),
    (S.REVOKED, 4),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉萍红玲芬燕彬辉鹏斌宇浩凯健俊帆"
SHOP_WORDS = {
    "open-supermarket": "超市",
    "open-pharmacy": "大药房",
    "open-convenience-store": "便利店",
    "open-restaurant": "餐饮店",
    "open-snack-bar": "小吃店",
    "open-device-store": "医疗器械店",
    "pharmacy-permits": "大药房",
}
PLACES = [
    "五一",
    "解放",
    "芙蓉",
    "韶山",
    "八一",
    "人民",
    "湘江",
    "麓山",
    "东塘",
    "侯家塘",
    "星沙",
    "洞井",
    "高桥",
    "金星",
    "岳华",
]


def seed(*, entities: int = 0, log: Callable[[str], None] = print, count: int = DEMO_COUNT) -> int:
    catalogue_ensure()
    if Application.objects.exists():
        log("一件事演示办件已存在，跳过")
        return 0
    admin = (
        User.objects.filter(is_superuser=True).first()
        or User.objects.filter(roles__code="admin").first()
    )
    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU, is_active=True))
    if admin is None or not districts:
        log("没有演示单位或管理员，跳过一件事演示办件（先运行 seed_demo 载入单位）")
        return 0
    rng = random.Random(4)
    bundles = {b.code: b for b in Bundle.objects.filter(is_active=True)}
    staff = {d.pk: _district_staff(d, admin) for d in districts}
    today = clock.today()
    made = 0
    per_day: dict[dt.date, int] = {}
    with transaction.atomic():
        for i in range(count):
            district = districts[i % len(districts)]
            clerk, handler = staff[district.pk]
            target = _pick(rng)
            app = _one(rng, i, district, bundles, clerk, handler, admin, target)
            if app is None:
                continue
            open_target = target in Application.workflow.open_states()
            days_ago = rng.randint(0, 9) if open_target else rng.randint(0, 120)
            _backdate(app, today - dt.timedelta(days=days_ago), rng, per_day)
            made += 1
    log(f"一件事演示办件 {made} 件")
    return made


def _district_staff(district: OrgUnit, admin: User) -> tuple[User, User]:
    clerk = User.objects.filter(unit=district, roles__code="window_clerk", is_active=True).first()
    handler = User.objects.filter(unit=district, roles__code="handler", is_active=True).first()
    return clerk or admin, handler or admin


def _pick(rng: random.Random) -> str:
    states, weights = zip(*STATE_WEIGHTS, strict=True)
    return rng.choices(states, weights=weights)[0]


def _entity_for(district: OrgUnit, rng: random.Random, kinds: list[str]) -> Any:
    from regulus.registry.models import Entity

    qs = Entity.objects.filter(unit=district, status="active", kind__in=kinds)
    n = qs.count()
    if not n:
        return None
    return qs.order_by("id")[rng.randrange(min(n, 500))]


def _one(
    rng: random.Random,
    i: int,
    district: OrgUnit,
    bundles: dict[str, Bundle],
    clerk: User,
    handler: User,
    admin: User,
    target: str,
) -> Application | None:
    code = rng.choice(list(bundles))
    bundle = bundles[code]
    allowed = ["enterprise", "individual", "cooperative"]
    for m in selectors.bundle_matters(bundle, new_business=True):
        allowed = [k for k in allowed if m.applies_to(k)]
    entity = None
    if (
        not any(m.creates_entity for m in selectors.bundle_matters(bundle, new_business=True))
        or rng.random() < 0.25
    ):
        entity = _entity_for(district, rng, allowed)
        if entity is None and code == "pharmacy-permits":
            bundle = bundles["open-pharmacy"]
    matters = selectors.bundle_matters(bundle, new_business=entity is None)
    kind = "enterprise" if "enterprise" in allowed and rng.random() < 0.6 else rng.choice(allowed)
    commitment = selectors.commitment_problem(matters) is None and (
        rng.random() < 0.55 or target == S.REVOKED
    )
    if target == S.REVOKED and not commitment:
        target = S.DELIVERED
    if target == S.ONSITE_CHECK and (
        commitment or not any(m.onsite_check_required for m in matters)
    ):
        target = S.REVIEW
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    place = rng.choice(PLACES)
    division = district.division_code if district.division_code[:2] == "43" else "430102"
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 12000))
    keys = [r.key for r in selectors.materials_union(matters)]
    window = rng.random() < 0.45
    actor = clerk if window else None
    app = services.application_submit(
        actor=actor,
        channel="window" if window else "portal",
        bundle=bundle,
        entity=entity,
        applicant_name=f"长沙市{place}{name}{SHOP_WORDS.get(bundle.code, '商行')}"
        + ("有限公司" if kind == "enterprise" else ""),
        entity_kind=kind,
        contact_name=name,
        contact_id_number=ids.make_id_number(division, birth, rng.randint(1, 999)),
        contact_phone=f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}",
        address=f"{district.short_name or district.name}{place}路{rng.randint(1, 300)}号",
        district_code=district.division_code,
        path="commitment" if commitment else "normal",
        commitment_signed=commitment,
        delivery_method="mail" if rng.random() < 0.4 else "pickup",
        delivery_address=f"{district.short_name}{place}路{rng.randint(1, 300)}号",
        files={},
        paper_materials=keys,
    )
    _drive(app, target, rng, clerk, handler, admin)
    return app


def _drive(
    app: Application, target: str, rng: random.Random, clerk: User, handler: User, admin: User
) -> None:
    if target == S.SUBMITTED:
        return
    if target == S.CORRECTION or rng.random() < 0.08:
        required = selectors.materials_union(selectors.application_matters(app))
        picked = rng.sample(required, k=min(len(required), rng.randint(1, 3)))
        services.correction_request(
            application=app,
            actor=clerk,
            items=[
                {
                    "key": r.key,
                    "name": r.name,
                    "problem": rng.choice(
                        ["复印件不清晰", "租赁期限不足一年", "缺少签字", "与申请事项不符"]
                    ),
                }
                for r in picked
            ],
        )
        if target == S.CORRECTION:
            return
        services.application_resubmit(application=app, actor=None, actor_name=app.contact_name)
    if target == S.WITHDRAWN:
        services.application_transition(
            application=app, name="withdraw", actor=None, actor_name=app.contact_name
        )
        return
    if target == S.NOT_ACCEPTED:
        services.application_transition(
            application=app, name="not_accept", actor=clerk, note="申请事项依法不需要取得行政许可"
        )
        return
    if app.is_commitment and target in (S.ISSUED, S.DELIVERED, S.REVOKED):
        services.application_fast_track(application=app, actor=handler)
    else:
        services.application_accept(application=app, actor=clerk)
        if target == S.REVIEW:
            return
        if app.onsite_check_required and not app.is_commitment:
            inspectors = list(
                User.objects.filter(
                    unit=app.unit, roles__code__in=["inspector", "handler"]
                ).distinct()[:3]
            ) or [handler]
            services.joint_check_schedule(
                application=app, actor=handler, scheduled_on=clock.today(), inspectors=inspectors
            )
            if target == S.ONSITE_CHECK:
                return
            passed = target != S.REFUSED
            services.joint_check_complete(
                application=app,
                actor=handler,
                result="pass" if passed else "fail",
                findings="经营场所、设施设备与申请材料一致" if passed else "未设置专用冷藏设施",
            )
        if target == S.REFUSED:
            services.application_transition(
                application=app, name="refuse", actor=handler, note="经营场所不符合食品安全要求"
            )
            return
        services.application_transition(
            application=app, name="approve", actor=handler, note="符合法定条件"
        )
        if target == S.APPROVED:
            return
        services.certificate_issue(application=app, actor=clerk)
    app.refresh_from_db()
    if target in (S.DELIVERED, S.REVOKED):
        method = app.delivery_method
        services.certificate_deliver(
            application=app,
            actor=clerk,
            method=method,
            tracking_number=f"SF{rng.randint(10**11, 10**12 - 1)}" if method == "mail" else "",
        )
    if target == S.REVOKED:
        task = VerificationTask.objects.get(application=app)
        services.verification_order_rectification(
            task=task,
            actor=handler,
            findings="现场未配备执业药师或冷藏设施",
            order="配备执业药师和冷藏设施",
        )
        services.verification_revoke(task=task, actor=handler, reason="逾期未整改，承诺不实")
    elif app.is_commitment and rng.random() < 0.5:
        pending = VerificationTask.objects.filter(application=app).first()
        if pending is not None:
            services.verification_confirm(task=pending, actor=handler, findings="核查属实")


def _backdate(
    app: Application, day: dt.date, rng: random.Random, per_day: dict[dt.date, int]
) -> None:
    """Move the application's dates back to `day` as if it had been submitted then."""
    app.refresh_from_db()
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    old = app.submitted_at
    new = clock.now().replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=1 + rng.randint(0, 7),
        minute=rng.randint(0, 59),
    )
    delta = old - new
    per_day[day] = per_day.get(day, 0) + 1
    values: dict[str, Any] = {"submitted_at": new, "number": f"YJS{day:%Y%m%d}D{per_day[day]:04d}"}
    taken = 0
    if app.completed_at is not None:
        if app.is_commitment or (not app.onsite_check_required and rng.random() < 0.7):
            taken = 0
        else:
            taken = max(1, rng.randint(1, app.promised_days + 3))
        done_day = calendar.add_working_days(day, taken)
        done_day = min(done_day, clock.today())
        done = new.replace(
            year=done_day.year, month=done_day.month, day=done_day.day
        ) + dt.timedelta(hours=rng.randint(0, 3))
        values.update(
            completed_at=done,
            decided_at=done,
            working_days_taken=calendar.working_days_between(day, done_day),
            same_day=done_day == day,
        )
        if app.accepted_at:
            values["accepted_at"] = new
    elif app.accepted_at:
        values["accepted_at"] = new
    if app.state in Application.workflow.open_states():
        step_days: dict[str, int] = {
            S.SUBMITTED: 5,
            S.REVIEW: app.promised_days,
            S.ONSITE_CHECK: app.promised_days,
            S.APPROVED: app.promised_days + 1,
            S.ISSUED: 3 + taken,
        }
        days = step_days.get(app.state)
        if days is not None:
            deadline = calendar.working_deadline(day, days)
            values.update(
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                deadline_start=day,
                deadline_days=days,
            )
    Application.objects.filter(pk=app.pk).update(**values)
    ct = ContentType.objects.get_for_model(Application)
    TransitionEvent.objects.filter(content_type=ct, object_id=str(app.pk)).update(
        at=F("at") - delta
    )
    issued = values.get("completed_at", new).date() if app.completed_at else day
    Certificate.objects.filter(application=app).update(issued_on=issued)
    cert = Certificate.objects.filter(application=app).first()
    if cert and cert.valid_until:
        until = (services._years_later(issued, 5) - dt.timedelta(days=1)).isoformat()
        items = [{**i, "valid_until": until if i.get("valid_until") else ""} for i in cert.items]
        Certificate.objects.filter(pk=cert.pk).update(valid_until=until, items=items)
    task = VerificationTask.objects.filter(application=app).first()
    if task is not None:
        check = calendar.working_deadline(issued, 30)
        VerificationTask.objects.filter(pk=task.pk).update(
            created_at=F("created_at") - delta,
            deadline=check.date,
            deadline_provisional=check.provisional,
            deadline_start=issued,
            deadline_days=30,
        )
        vct = ContentType.objects.get_for_model(VerificationTask)
        TransitionEvent.objects.filter(content_type=vct, object_id=str(task.pk)).update(
            at=F("at") - delta
        )
