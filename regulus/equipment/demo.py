"""特种设备's demo data: a register of one item for every five entities (tens of thousands at
full size; at least 300), across the categories in proportions like a city's (most of them
lifts, in residential compounds), their last inspections spread over the interval so that
some are due within 30 days and some overdue; a few new lifts not yet registered (their
30-day clocks run); lift maintenance; key units; field checks with hazards and orders, some
re-checked; and the lift campaign of the central districts' compounds.

The register is loaded in bulk through services.equipment_bulk_register (one audit row an
item); the checks and orders go through the services one by one, as staff would record
them, by the demo's city handler. Idempotent: a second run finds the register and adds
nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from regulus.core import clock
from regulus.core.audit import audited
from regulus.core.models import User
from regulus.equipment import services
from regulus.equipment.models import (
    REGISTRATION_PREFIX,
    Category,
    Compound,
    Equipment,
    IntervalRule,
    KeyUnit,
    Order,
    new_tag_code,
)
from regulus.equipment.rules import rules_ensure
from regulus.registry.models import Entity

DEMO_ACTOR = "演示数据"
ITEMS_PER_ENTITY = 5
MIN_ITEMS = 300
CENTRAL = ("430102", "430103", "430105")  # 芙蓉区, 天心区, 开福区
SHARES = (
    (Category.LIFT, 60),
    (Category.PRESSURE_VESSEL, 15),
    (Category.CRANE, 8),
    (Category.VEHICLE, 7),
    (Category.BOILER, 5),
    (Category.PIPING, 3),
    (Category.RIDE, 1.5),
    (Category.ROPEWAY, 0.5),
)
KINDS = {
    Category.LIFT: ("曳引驱动乘客电梯", "自动扶梯", "液压驱动电梯", "杂物电梯"),
    Category.PRESSURE_VESSEL: ("储气罐", "换热器", "反应釜"),
    Category.CRANE: ("桥式起重机", "门式起重机", "塔式起重机"),
    Category.VEHICLE: ("叉车", "观光车"),
    Category.BOILER: ("承压蒸汽锅炉", "承压热水锅炉"),
    Category.PIPING: ("工业管道", "公用管道"),
    Category.RIDE: ("观览车", "滑行车"),
    Category.ROPEWAY: ("客运架空索道",),
}
MAKES = (
    "日立电梯（中国）有限公司",
    "通力电梯有限公司",
    "三菱电机上海机电电梯有限公司",
    "湖南中联重科",
    "太原锅炉集团",
)
COMPOUND_WORDS = (
    "锦绣",
    "金色",
    "阳光",
    "湘江",
    "芙蓉",
    "橘洲",
    "梅溪",
    "星城",
    "岳麓",
    "浏阳河",
    "望月",
    "枫林",
)
COMPOUND_TAILS = ("花园", "家园", "华庭", "小区", "新城", "公馆")


def _staff() -> User | None:
    return User.objects.filter(username="dengji", is_active=True).first()


def _compounds(rng: random.Random, per_district: int, districts: dict[str, Any]) -> list[Compound]:
    existing = {(c.district_code, c.name) for c in Compound.objects.all()}
    made = []
    with audited(actor=DEMO_ACTOR) as audit:
        for code, unit in districts.items():
            names: set[str] = set()
            while len(names) < per_district:
                names.add(
                    f"{rng.choice(COMPOUND_WORDS)}{rng.choice(COMPOUND_TAILS)}{rng.randint(1, 9)}期"
                )
            for name in sorted(names):
                if (code, name) in existing:
                    continue
                made.append(
                    Compound(name=name, district_code=code, unit=unit, address=f"{name}（演示）")
                )
        Compound.objects.bulk_create(made, batch_size=500)
        audit.record_many(
            action="create",
            object_type="equipment.compound",
            entries=((str(c.pk), c.name, f"登记住宅小区：{c.name}", {}) for c in made),
        )
    return list(Compound.objects.all())


def _item(
    rng: random.Random,
    i: int,
    category: str,
    owner: Entity,
    maintainer: Entity | None,
    compound: Compound | None,
    months: int,
    today: dt.date,
) -> Equipment:
    # Spread the last inspection over the interval and a little beyond it: about one item in
    # twelve is past its date, one in twelve due within 30 days.
    span = months * 30 + months * 3
    last = today - dt.timedelta(days=rng.randint(1, span))
    due = services.add_months(last, months)
    prefix = REGISTRATION_PREFIX[Category(category)]
    year = 10 + (i // 100_000)
    registered = last - dt.timedelta(days=rng.randint(30, 900))
    return Equipment(
        tag_code=new_tag_code(),
        category=category,
        kind=rng.choice(KINDS[Category(category)]),
        registration_number=f"{prefix}{int(category) // 1000:02d}湘A{i % 100_000:05d}({year})",
        using_entity=owner,
        maintenance_entity=maintainer,
        unit_id=owner.unit_id,
        district_code=owner.district_code,
        compound=compound,
        address=f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元" if compound else "生产车间",
        make=rng.choice(MAKES),
        model_name=f"M{rng.randint(100, 999)}",
        made_year=max(2000, registered.year - rng.randint(0, 2)),
        status=Equipment.Status.IN_USE if rng.random() > 0.02 else Equipment.Status.STOPPED,
        first_used_on=registered,
        registered_on=registered,
        last_inspected_on=last,
        last_result=Equipment.Result.PASSED,
        next_due_on=due,
        last_maintained_on=today - dt.timedelta(days=rng.randint(0, 16))
        if category == Category.LIFT
        else None,
    )


def seed(*, entities: int, log: Callable[[str], None]) -> int:
    rules_ensure()
    if Equipment.objects.exists():
        log("特种设备演示数据已存在，跳过")
        return 0
    rng = random.Random(23)
    today = clock.today()
    total = max(MIN_ITEMS, entities // ITEMS_PER_ENTITY)
    owners = list(
        Entity.objects.filter(kind="enterprise")
        .select_related("unit")
        .order_by("pk")[: max(60, total // 6)]
    )
    if len(owners) < 10:
        log("登记库中企业不足，跳过特种设备演示数据（先载入市场主体）")
        return 0
    maintainers = owners[:8]
    districts = {o.district_code: o.unit for o in owners}
    compounds = _compounds(rng, max(6, total // 600), districts)
    by_district: dict[str, list[Compound]] = {}
    for c in compounds:
        by_district.setdefault(c.district_code, []).append(c)
    months = {r.category: r.months for r in IntervalRule.objects.order_by("effective_from")}
    categories = [c for c, _ in SHARES]
    weights = [w for _, w in SHARES]
    items = []
    for i in range(total):
        category = rng.choices(categories, weights)[0]
        owner = owners[rng.randrange(len(owners))]
        compound = (
            rng.choice(by_district[owner.district_code]) if category == Category.LIFT else None
        )
        maintainer = rng.choice(maintainers) if category == Category.LIFT else None
        items.append(_item(rng, i, category, owner, maintainer, compound, months[category], today))
    services.equipment_bulk_register(actor=DEMO_ACTOR, items=items)
    log(f"演示特种设备 {total} 台（{len(compounds)} 个小区）")
    _unregistered(rng, owners, today)
    staff = _staff()
    if staff is None:
        log("没有演示市局业务科室账号（dengji），跳过现场检查和专项整治")
        return total
    _maintenance(staff, today)
    _key_units(staff, owners)
    _checks(rng, staff, owners, today)
    _campaign(rng, staff, by_district, today)
    return total


def _unregistered(rng: random.Random, owners: list[Entity], today: dt.date) -> None:
    for n in range(5):
        services.equipment_register(
            actor=DEMO_ACTOR,
            category=Category.LIFT,
            kind="曳引驱动乘客电梯",
            using_entity=owners[n],
            compound_name="",
            address="新建商业综合体",
            first_used_on=today - dt.timedelta(days=5 + 8 * n),
        )


def _maintenance(staff: User, today: dt.date) -> None:
    lifts = Equipment.objects.filter(
        category=Category.LIFT, status=Equipment.Status.IN_USE
    ).order_by("id")[:20]
    for k, lift in enumerate(lifts):
        gaps = (14, 15, 13, 21 if k % 4 == 0 else 12)
        day = today - dt.timedelta(days=sum(gaps) + 1)
        for gap in gaps:
            day += dt.timedelta(days=gap)
            services.maintenance_record(actor=staff, equipment=lift, done_on=min(day, today))


def _key_units(staff: User, owners: list[Entity]) -> None:
    reasons = (
        ["school"],
        ["hospital"],
        ["mall"],
        ["accident"],
        ["station", "complaints"],
        ["park"],
    )
    for owner, why in zip(owners[10:16], reasons, strict=False):
        services.key_unit_set(actor=staff, entity=owner, reasons=why)


def _checks(rng: random.Random, staff: User, owners: list[Entity], today: dt.date) -> None:
    """Field checks of units with equipment: a third find nothing, the rest a hazard and an
    order; some orders are reported and re-checked, one stop order is lifted."""
    for n, owner in enumerate(owners[:24]):
        fleet = list(
            Equipment.objects.filter(using_entity=owner, status=Equipment.Status.IN_USE)[:3]
        )
        if not fleet:
            continue
        day = today - dt.timedelta(days=40 - n)
        kind = "routine" if n % 3 else "special"
        with clock.held_at(clock.now() - dt.timedelta(days=40 - n)):
            if KeyUnit.objects.filter(entity=owner).exists() or n % 3 == 0:
                services.check_record(
                    actor=staff,
                    entity=owner,
                    kind=kind,
                    checked_on=day,
                    inspectors="张志强、刘思远",
                    items=[{"name": "定期检验及检验标志", "ok": True}],
                    findings="未发现问题。",
                    equipment=fleet,
                )
                continue
            stop = n % 5 == 1
            services.check_record(
                actor=staff,
                entity=owner,
                kind=kind,
                checked_on=day,
                inspectors="张志强、刘思远",
                items=[
                    {"name": "定期检验及检验标志", "ok": True},
                    {"name": "安全附件和安全保护装置", "ok": False, "note": "安全保护装置失效"},
                ],
                findings="现场检查发现安全保护装置失效。",
                equipment=fleet,
                hazards=[
                    {
                        "description": "层门门锁电气安全装置失效"
                        if fleet[0].category == Category.LIFT
                        else "安全阀超期未校验",
                        "level": "major" if stop else "ordinary",
                        "removal_days": 15,
                        "equipment": fleet[0],
                    }
                ],
                order={
                    "kind": Order.Kind.STOP if stop else Order.Kind.RECTIFY,
                    "requirement": "立即停止使用，整改合格后申请复查"
                    if stop
                    else "十五日内完成整改并报告",
                    "rectify_days": 15,
                },
            )
        order = Order.objects.filter(entity=owner).order_by("-id").first()
        if order is None or n % 4 == 0:
            continue
        with clock.held_at(clock.now() - dt.timedelta(days=30 - n)):
            services.order_report(actor=staff, order=order, note="单位提交整改报告")
        if n % 2 == 0:
            with clock.held_at(clock.now() - dt.timedelta(days=28 - n)):
                services.order_recheck(actor=staff, order=order, passed=True, note="现场复查合格")
            if order.kind == Order.Kind.STOP:
                services.order_lift(actor=staff, order=order, note="复查合格，解除停用")


def _campaign(
    rng: random.Random, staff: User, by_district: dict[str, list[Compound]], today: dt.date
) -> None:
    chosen = [c for code in CENTRAL for c in by_district.get(code, [])[:6]]
    if not chosen:
        return
    with clock.held_at(clock.now() - dt.timedelta(days=20)):
        campaign = services.campaign_create(
            actor=staff,
            name="中心城区住宅小区电梯安全专项整治",
            scope="芙蓉区、天心区、开福区住宅小区在用电梯",
            category=Category.LIFT,
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=70),
            compounds=chosen,
        )
    for n, compound in enumerate(chosen[: len(chosen) // 2]):
        lifts = list(
            Equipment.objects.filter(
                compound=compound, category=Category.LIFT, status=Equipment.Status.IN_USE
            )
        )
        by_owner: dict[int, list[Equipment]] = {}
        for lift in lifts:
            by_owner.setdefault(lift.using_entity_id, []).append(lift)
        for fleet in by_owner.values():
            owner = fleet[0].using_entity
            found = n % 3 == 0
            with clock.held_at(clock.now() - dt.timedelta(days=15 - n % 10)):
                services.check_record(
                    actor=staff,
                    entity=owner,
                    kind="special",
                    checked_on=today - dt.timedelta(days=15 - n % 10),
                    inspectors="张志强、刘思远",
                    items=[{"name": "维护保养记录", "ok": not found}],
                    findings="专项整治现场检查。",
                    equipment=fleet,
                    campaign=campaign,
                    compound=compound,
                    hazards=[
                        {
                            "description": "轿厢应急照明不亮",
                            "level": "ordinary",
                            "removal_days": 10,
                            "equipment": fleet[0],
                        }
                    ]
                    if found
                    else [],
                    order={
                        "kind": "rectify",
                        "requirement": "十日内修复应急照明",
                        "rectify_days": 10,
                    }
                    if found
                    else None,
                )
