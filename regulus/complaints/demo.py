"""投诉举报's demo data: a few hundred items received over the last year, across kinds,
channels, categories and districts, through the services with the clock held at each step's
moment (clock.held_at), so that states, clocks and their histories are real: some wait for
dispatch, some for acceptance, some are in mediation or verification (a few overdue), most
are closed and many rated. Items received before 2026-04-15 run under Order 20, later ones
under Order 121. Among them, a counterfeit-detergent report that became a clue, and a few
businesses in the 12315 ODR with complaints settled, not settled, left by the consumer,
running, and one past its period that `regulus tick` returns to the bureau.
Idempotent: a second run finds items and adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from regulus.complaints import services
from regulus.complaints.models import Item
from regulus.complaints.rules import rules_ensure
from regulus.core import calendar, clock
from regulus.core.models import User
from regulus.registry.rules import DISTRICTS

DEMO_COUNT = 300
K = Item.Kind
CATEGORIES = [c for c in Item.Category.values]
FACTS: dict[str, tuple[str, str]] = {
    K.COMPLAINT: ("购买的{what}存在质量问题，商家拒绝退换。", "要求退货并退还货款{amount}元。"),
    K.REPORT: ("发现该店销售疑似假冒的{what}，包装印刷粗糙，价格明显低于市场价。", ""),
    K.ENQUIRY: ("咨询{what}的三包规定和退换货期限。", ""),
    K.SUGGESTION: ("建议加强对{what}经营者的日常检查。", ""),
}
WHATS = ("洗衣液", "电动车", "预付卡", "奶粉", "保健品", "空调", "手机", "装修服务", "电梯", "药品")
NAMES = ("王丽", "李强", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄娟", "周涛", "吴芳")


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 15)))


def _later(day: dt.date, working_days: int) -> dt.date:
    return calendar.add_working_days(day, working_days)


def seed(*, entities: int = 0, log: Callable[[str], None] = print, count: int = DEMO_COUNT) -> int:
    rules_ensure()
    if Item.objects.exists():
        log("投诉举报演示数据已存在，跳过")
        return 0
    dispatcher = User.objects.filter(username="fenpai").first()
    handler = User.objects.filter(username="leader").first()
    if dispatcher is None or handler is None:
        log("没有演示分派员或局领导账号，跳过投诉举报演示数据（先运行 seed_demo 载入单位）")
        return 0
    from regulus.registry.models import Entity

    respondents = list(Entity.objects.order_by("pk").values_list("uscc", "name")[:400])
    rng = random.Random(12315)
    today = clock.today()
    districts = sorted(DISTRICTS)
    made = 0
    for n in range(count):
        kind = rng.choices(list(K.values), weights=(55, 30, 10, 5))[0]
        age = int((n / count) ** 1.3 * 360)  # more recent items than old ones
        received = _later(today - dt.timedelta(days=age + 1), 0)
        if received > today:
            continue
        what = rng.choice(WHATS)
        facts, request = FACTS[kind]
        amount = rng.choice((59, 128, 399, 1280, 4999))
        uscc, name = rng.choice(respondents) if respondents and rng.random() < 0.7 else ("", "")
        anonymous = kind == K.REPORT and rng.random() < 0.3
        with clock.held_at(_moment(received, 9 + n % 8)):
            item, _ = services.item_register(
                actor=dispatcher,
                channel=rng.choice(
                    (
                        Item.Channel.PHONE,
                        Item.Channel.PHONE,
                        Item.Channel.WINDOW,
                        Item.Channel.LETTER,
                        Item.Channel.PARTNER,
                    )
                ),
                line=rng.choice(("12315", "12315", "12315", "12345", "12331")),
                kind=kind,
                category=rng.choice(CATEGORIES),
                respondent_name=name or f"{rng.choice(('星沙', '五一', '河西'))}{what}经营部",
                respondent_uscc=uscc,
                district_code=rng.choice(districts),
                facts=facts.format(what=what),
                request_text=request.format(amount=amount),
                amount=str(amount) if kind == K.COMPLAINT else "",
                person_name="" if anonymous else rng.choice(NAMES),
                person_phone="" if anonymous else f"13{rng.randrange(100000000, 999999999)}",
                anonymous=anonymous,
            )
        made += 1
        _advance(item, received, today, rng, dispatcher, handler)
    _detergent_report(today, dispatcher, handler)
    made += _odr_items(today, dispatcher, handler, log)
    log(f"演示投诉举报 {Item.objects.count()} 件")
    return made + 1


def _advance(
    item: Item,
    received: dt.date,
    today: dt.date,
    rng: random.Random,
    dispatcher: User,
    handler: User,
) -> None:
    """Move the item as far as its age allows: dispatch after a day, acceptance within the
    limit (sometimes late), a conclusion after some weeks."""
    dispatch_on = _later(received, 1)
    if dispatch_on > today or rng.random() < 0.03:
        return
    with clock.held_at(_moment(dispatch_on, 10)):
        services.item_dispatch(actor=dispatcher, item=item)
    accept_on = _later(dispatch_on, rng.choice((1, 2, 3, 5, 8)))
    if accept_on > today or rng.random() < 0.04:
        return
    with clock.held_at(_moment(accept_on, 11)):
        if item.kind in (K.ENQUIRY, K.SUGGESTION):
            services.item_answer(actor=handler, item=item, note="已电话答复，告知相关规定。")
            return _rate(item, rng)
        if rng.random() < 0.12:
            ground = item.rule_version.refusal_grounds[rng.randrange(3)]["code"]
            services.item_not_accept(
                actor=handler, item=item, ground=ground, note="经审查，依规定不予受理。"
            )
            return _rate(item, rng)
        services.item_accept(actor=handler, item=item)
    end_on = _later(accept_on, rng.choice((5, 10, 20, 30, 50)))
    if end_on > today:
        return
    with clock.held_at(_moment(end_on, 15)):
        if item.kind == K.COMPLAINT:
            outcome = rng.choices(services.MEDIATION_OUTCOMES, weights=(70, 20, 10))[0]
            services.item_conclude(
                actor=handler,
                item=item,
                outcome=outcome,
                note="双方当事人经调解，结果如下。",
                substantiated=rng.random() < 0.6,
                money_recovered=str(rng.choice((0, 59, 128, 399))) if outcome == "mediated" else "",
            )
        else:
            outcome = "to_clue" if rng.random() < 0.4 else "no_case"
            services.item_verify(actor=handler, item=item, outcome=outcome, note="经现场核查。")
    _rate(item, rng)


def _rate(item: Item, rng: random.Random) -> None:
    if item.anonymous or rng.random() < 0.4:
        return
    services.item_rate(item=item, rating=rng.choice((5, 5, 4, 4, 3, 2, 1)))


def _detergent_report(today: dt.date, dispatcher: User, handler: User) -> None:
    """The report that opened a campaign: counterfeit 立白 and 好爸爸 detergent."""
    received = _later(today - dt.timedelta(days=40), 0)
    with clock.held_at(_moment(received, 9)):
        item, _ = services.item_register(
            actor=dispatcher,
            channel=Item.Channel.PHONE,
            kind=K.REPORT,
            category=Item.Category.PRODUCT_QUALITY,
            respondent_name="雨花区某日化批发部",
            district_code="430111" if "430111" in DISTRICTS else sorted(DISTRICTS)[0],
            place="雨花区某批发市场",
            facts="该批发部大量销售疑似假冒的“立白”“好爸爸”洗衣液，"
            "包装与正品不符，售价仅为正品的一半。",
            person_name="匿名群众",
            person_phone="13907310000",
        )
    with clock.held_at(_moment(_later(received, 1), 10)):
        services.item_dispatch(actor=dispatcher, item=item)
    with clock.held_at(_moment(_later(received, 2), 10)):
        services.item_accept(actor=handler, item=item)
    with clock.held_at(_moment(_later(received, 9), 16)):
        services.item_verify(
            actor=handler,
            item=item,
            outcome="to_clue",
            note="现场查获疑似假冒“立白”“好爸爸”洗衣液一批，经权利人鉴定为假冒，移交执法稽查。",
        )


# (working days before today it was received, what became of it, working days to that end)
ODR_SPREAD = (
    (40, "settled", 4),
    (32, "settled", 8),
    (25, "failed", 6),
    (18, "left", 2),
    (3, "running", 0),
    (1, "running", 0),
    (14, "overdue", 0),  # its 10 working days ran out: the next tick sends it to the bureau
)


def _working_days_before(today: dt.date, n: int) -> dt.date:
    day = today
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _odr_items(today: dt.date, dispatcher: User, handler: User, log: Callable[[str], None]) -> int:
    """Three demo businesses join the 12315 ODR, and complaints against them (with the
    consumers' consent) go to them first, with every ending."""
    from regulus.registry.models import Entity

    shops = list(Entity.objects.filter(unit__isnull=False).order_by("pk")[:3])
    if not shops:
        return 0
    with clock.held_at(_moment(_working_days_before(today, 60), 9)):
        for shop in shops:
            services.odr_member_add(
                actor=dispatcher,
                uscc=shop.uscc,
                contact_name="售后负责人",
                contact_phone=f"0731-8{shop.pk % 1000:03d}0000",
                note="自愿加入全国12315平台ODR",
            )
    made = 0
    for n, (ago, end, after) in enumerate(ODR_SPREAD):
        shop = shops[n % len(shops)]
        received = _working_days_before(today, ago)
        with clock.held_at(_moment(received, 10)):
            item, _ = services.item_register(
                actor=dispatcher,
                channel=Item.Channel.PHONE,
                kind=K.COMPLAINT,
                category=Item.Category.CONTRACT,
                respondent_name=shop.name,
                respondent_uscc=shop.uscc,
                facts=f"在{shop.name}购买的商品七日内申请无理由退货，商家拒绝。",
                request_text="要求退货并退还货款。",
                amount="399",
                person_name=NAMES[n % len(NAMES)],
                person_phone=f"139{7310000 + n:08d}",
                odr_consent=True,
            )
        made += 1
        ended = _later(received, after)
        with clock.held_at(_moment(ended, 15)):
            if end == "settled":
                services.odr_answer_business(
                    entity=shop,
                    item=item,
                    settled=True,
                    note="经协商，同意退货并全额退款。",
                    money_recovered="399",
                )
                services.item_rate(item=item, rating=5 if n % 2 else 4)
            elif end == "failed":
                services.odr_answer_business(
                    entity=shop,
                    item=item,
                    settled=False,
                    note="消费者要求三倍赔偿，双方未能达成一致。",
                )
                services.item_dispatch(actor=dispatcher, item=item)
            elif end == "left":
                services.odr_leave(item=item)
    log(f"演示ODR单位 {len(shops)} 家，ODR投诉 {made} 件")
    return made
