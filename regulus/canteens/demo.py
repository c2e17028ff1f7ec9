"""学校食堂's demo data: school canteens across the districts (one for every 150 entities, at
least 40), their operators taken from the registry's entities; standardisation at every
stage, dated over the last three years; 明厨亮灶 in most kitchens, by window, video or
internet video; the last two weeks' 陪餐 and daily self-checks of the first canteens.
Idempotent: a second run finds canteens and adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from regulus.canteens import services
from regulus.canteens.models import AccompaniedMeal, Canteen
from regulus.canteens.rules import rules_ensure
from regulus.core import clock
from regulus.core.ids import division_name
from regulus.registry.models import Entity

DEMO_ACTOR = "演示数据"
ENTITIES_PER_CANTEEN = 150
MIN_CANTEENS = 40
KINDS = (
    ("primary", "小学", 900),
    ("middle", "中学", 1200),
    ("high", "高级中学", 1800),
    ("kindergarten", "幼儿园", 220),
)
NAMES = ("实验", "第一", "育才", "东方红", "明德", "雅礼", "长郡", "周南", "清水塘", "砂子塘")


def seed(*, entities: int, log: Callable[[str], None]) -> int:
    rules_ensure()
    if Canteen.objects.exists():
        log("学校食堂演示数据已存在，跳过")
        return 0
    rng = random.Random(750)
    count = max(MIN_CANTEENS, entities // ENTITIES_PER_CANTEEN)
    taken = Canteen.objects.values_list("entity_id", flat=True)
    operators = list(Entity.objects.exclude(pk__in=taken).order_by("-pk")[:count])
    today = clock.today()
    made = 0
    for n, entity in enumerate(operators):
        kind, word, pupils = KINDS[n % len(KINDS)]
        place = (
            (division_name(entity.district_code) or "长沙市")
            .replace("区", "")
            .replace("县", "")[:4]
        )
        canteen = services.canteen_register(
            actor=DEMO_ACTOR,
            entity=entity,
            school_name=f"{place}{NAMES[n % len(NAMES)]}{word}{n // len(NAMES) + 1}校区",
            school_kind=kind,
            pupils=pupils + rng.randint(-150, 400),
        )
        made += 1
        stage_roll = rng.random()
        start = today - dt.timedelta(days=rng.randint(200, 1000))
        if stage_roll > 0.2:
            services.canteen_standard_set(
                actor=DEMO_ACTOR, canteen=canteen, stage="creating", on=start
            )
        if stage_roll > 0.45:
            services.canteen_standard_set(
                actor=DEMO_ACTOR,
                canteen=canteen,
                stage="accepted",
                on=start + dt.timedelta(days=90),
            )
        if stage_roll > 0.6:
            services.canteen_standard_set(
                actor=DEMO_ACTOR,
                canteen=canteen,
                stage="compliant",
                on=start + dt.timedelta(days=150),
            )
        view = rng.choices(("none", "window", "video", "internet"), (12, 18, 30, 40))[0]
        if view != "none":
            services.canteen_kitchen_view_set(
                actor=DEMO_ACTOR, canteen=canteen, kind=view, on=start + dt.timedelta(days=30)
            )
        if n < 12:
            for back in range(14):
                day = today - dt.timedelta(days=back)
                if day.weekday() >= 5:
                    continue
                services.self_check_record(
                    actor=DEMO_ACTOR,
                    canteen=canteen,
                    on=day,
                    items_checked=20,
                    items_failed=1 if back == 3 else 0,
                    problems="留样记录缺一餐，已补正" if back == 3 else "",
                )
                services.meal_record(
                    actor=DEMO_ACTOR,
                    canteen=canteen,
                    on=day,
                    meal=AccompaniedMeal.Meal.LUNCH,
                    leader_role="校长" if back % 2 else "副校长",
                    opinion="饭菜温度适宜，分量足",
                )
    log(f"演示学校食堂 {made} 家")
    return made
