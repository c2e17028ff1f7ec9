"""Enforcement's demo data: a year of cases in every state, lived day by day through the
services with the clock held at each step (clock.held_at): clues from the spot checks and
reports waiting in the inbox, clues entered by staff, cases filed, investigated, reviewed,
notified, heard, decided, served, paid (some late), published, closed, transferred and
withdrawn; extensions of the decision clock; one hearing; simple-procedure penalties; and the
counterfeit-detergent campaign 雷霆行动 with its cases in several districts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from regulus.core import calendar, clock
from regulus.core.clock_services import clock_extend, open_clocks
from regulus.core.models import CalendarYear, OrgUnit, Role, User
from regulus.enforcement import services
from regulus.enforcement.models import Campaign, Case, Clue, Matter
from regulus.enforcement.rules import rules_ensure

DEMO_ACTOR = "演示数据"
SEED = 20260601
# How many cases per district bureau a full year holds (scaled down for small demo cities).
CASES_PER_DISTRICT = 24
# Where each case stops: the share of cases left in each state (the rest run to closing).
STOPS = (
    ("verifying", 1),
    ("proposed", 1),
    ("investigating", 2),
    ("investigated", 1),
    ("reviewing", 1),
    ("notified", 1),
    ("hearing", 1),
    ("decided", 1),
    ("served", 2),
    ("court", 1),
    ("transferred", 1),
    ("withdrawn", 1),
    ("not_filed", 2),
    ("closed", 10),
)
DETERGENT_FIRMS = ("洁亮日化店", "美家日用品商行", "惠民百货", "万家福超市", "鑫源批发部")
OTHER_MATTERS = ("expired-food", "substandard-product", "price-unmarked", "false-advertising")


def seed(*, entities: int, log: Callable[[str], None]) -> int:
    if Case.objects.exists():
        log("行政处罚演示数据已存在，跳过")
        return 0
    rules_ensure()
    today = clock.today()
    for year in (today.year - 1, today.year):
        if not CalendarYear.objects.filter(year=year).exists():
            try:
                calendar.load_year_from_package(year)
            except Exception:
                log(f"{year}年节假日未载入，期限为暂定")
    districts = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU, is_active=True).order_by("path")
    )
    if not districts:
        log("没有县区局，跳过行政处罚演示数据")
        return 0
    staff = _staff(districts)
    rng = random.Random(SEED)
    start = today - dt.timedelta(days=365)
    with clock.held_at(_at(start)):
        campaign = services.campaign_create(
            actor=DEMO_ACTOR,
            code="leiting-2026",
            name="雷霆行动：打击假冒洗涤用品专项行动",
            starts_on=start + dt.timedelta(days=60),
            ends_on=start + dt.timedelta(days=240),
            scope="重点检查商超、批发市场销售的假冒注册商标洗衣液、洗洁精",
            domain="ip",
        )
    per_district = max(4, min(CASES_PER_DISTRICT, entities // 200))
    plan = [stop for stop, weight in STOPS for _ in range(weight)]
    made = 0
    for d, unit in enumerate(districts):
        people = staff.get(unit.pk)
        if people is None:
            continue
        for i in range(per_district):
            stop = plan[(i + d) % len(plan)]
            in_campaign = i % 4 == 0
            # Cases that go far along began early enough for every step to fit in the year.
            early = stop in (
                "verifying",
                "proposed",
                "investigating",
                "investigated",
                "not_filed",
                "reviewing",
                "transferred",
                "withdrawn",
            )
            if stop in ("verifying", "proposed"):  # a clue still within its 15 working days
                began = today - dt.timedelta(days=rng.randrange(1, 12))
            began = start + dt.timedelta(days=rng.randrange(0, 330 if early else 250))
            _one_case(rng, unit, people, stop, began, campaign if in_campaign else None, i)
            made += 1
        with clock.held_at(_at(today - dt.timedelta(days=rng.randrange(2, 20)))):
            _simple(unit, people, rng)
    _hearing_case(districts[0], staff[districts[0].pk], start)
    log(
        f"演示行政处罚案件 {Case.objects.count()} 件"
        f"（专项行动“雷霆行动”{campaign.cases.count()} 件）"
    )
    return made


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.now().tzinfo)


def _staff(districts: list[OrgUnit]) -> dict[int, dict[str, Any]]:
    """Two officers and a leader per district (made for the demo when missing); the city's
    legal reviewer and hearing officer."""
    reviewer = _user("demo_fzsh", "郑法审", districts[0].parent or districts[0], "法制审核员")
    host = _user("demo_tzzc", "吴听证", districts[0].parent or districts[0], "听证主持人")
    found: dict[int, dict[str, Any]] = {}
    for unit in districts:
        code = unit.division_code
        found[unit.pk] = {
            "officers": [
                _user(
                    f"demo_zf{code}_1",
                    f"{(unit.short_name or unit.name)[:2]}执法甲",
                    unit,
                    "县区局业务承办人",
                ),
                _user(
                    f"demo_zf{code}_2",
                    f"{(unit.short_name or unit.name)[:2]}执法乙",
                    unit,
                    "县区局业务承办人",
                ),
            ],
            "leader": _user(
                f"demo_ld{code}", f"{(unit.short_name or unit.name)[:2]}局长", unit, "县区局领导"
            ),
            "reviewer": reviewer,
            "host": host,
        }
    return found


def _user(username: str, name: str, unit: OrgUnit, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, unit=unit, full_name=name)
        user.roles.set(Role.objects.filter(name=role))
    return user


def _entity(unit: OrgUnit, rng: random.Random) -> Any:
    from regulus.registry.models import Entity

    rows = Entity.objects.filter(unit__path__startswith=unit.path).order_by("pk")
    count = rows.count()
    return rows[rng.randrange(count)] if count else None


def _one_case(
    rng: random.Random,
    unit: OrgUnit,
    people: dict[str, Any],
    stop: str,
    began: dt.date,
    campaign: Campaign | None,
    i: int,
) -> None:
    officers, leader = people["officers"], people["leader"]
    entity = _entity(unit, rng)
    heavy = campaign is not None or stop == "hearing"
    matter = Matter.objects.get(
        code="counterfeit-goods" if heavy else OTHER_MATTERS[i % len(OTHER_MATTERS)]
    )
    party = (
        f"{unit.short_name or ''}{DETERGENT_FIRMS[i % len(DETERGENT_FIRMS)]}"
        if campaign or entity is None
        else entity.name
    )
    day = began
    with clock.held_at(_at(day)):
        clue = services.clue_register(
            actor=officers[0],
            source=Clue.Source.CAMPAIGN if campaign else Clue.Source.OWN,
            party_name=party,
            domain=matter.domain,
            title=f"{matter.name}：{party}",
            detail="日常巡查发现" if not campaign else "专项行动检查发现疑似假冒洗涤用品",
            entity=None if campaign else entity,
            campaign=campaign,
        )
    if stop == "verifying":
        return
    day = _next(day, 5)
    with clock.held_at(_at(day)):
        if stop == "not_filed":
            services.clue_propose(
                actor=officers[0],
                clue=clue,
                file_case=False,
                findings="当事人已当场改正，危害后果轻微",
                ground="first_slight",
            )
            services.clue_decide(actor=leader, clue=clue, approve=True)
            return
        value = rng.randrange(2_000, 80_000)
        services.clue_propose(
            actor=officers[0],
            clue=clue,
            file_case=True,
            findings="核查属实，涉嫌违法",
            matter=matter,
            officers=officers,
            party_kind="organisation",
            violation_on=day - dt.timedelta(days=10),
            case_value=str(value),
            facts=f"当事人{matter.name}，货值{value}元",
            party_address=f"{unit.name[:5]}人民路{rng.randrange(1, 300)}号",
        )
        if stop == "proposed":
            return
        services.clue_decide(actor=leader, clue=clue, approve=True)
    case = Case.objects.get(clue=clue)
    if campaign is not None:
        with clock.held_at(_at(day)):
            services.seizure_record(
                actor=officers[0],
                case=case,
                kind="seize",
                goods="疑似假冒洗衣液",
                quantity=f"{rng.randrange(20, 400)}瓶",
                value=str(value),
                seized_on=day,
            )
    if stop == "investigating":
        if i % 3 == 0:
            with clock.held_at(_at(_next(day, 20))):
                _extend(case, leader)
        return
    if stop in ("transferred", "withdrawn"):
        with clock.held_at(_at(_next(day, 15))):
            name = "transfer_police" if stop == "transferred" else "withdraw"
            services.case_step(
                actor=leader,
                case=case,
                name=name,
                note="涉嫌犯罪，移送公安机关" if stop == "transferred" else "违法事实不能成立",
            )
        return
    day = _next(day, 20)
    with clock.held_at(_at(day)):
        services.case_step(
            actor=officers[0], case=case, name="finish_investigation", note="事实已查清"
        )
        if stop == "investigated":
            return
        services.case_step(actor=officers[0], case=case, name="submit_review")
    if stop == "reviewing":
        return
    day = _next(day, 5)
    fine = min(matter.max_fine_fen // 100, max(1_000, value * 2))
    if stop == "hearing":  # above the hearing threshold for an organisation (¥100,000)
        fine = max(fine, 150_000)
    with clock.held_at(_at(day)):
        services.case_step(
            actor=people["reviewer"],
            case=case,
            name="review_pass",
            note="事实清楚，证据确实充分，适用依据正确",
        )
        services.case_notify(
            actor=officers[0],
            case=case,
            kinds=["fine", "confiscation"],
            fine=str(fine),
            confiscated=str(value // 10),
        )
    if stop == "hearing":
        with clock.held_at(_at(_next(day, 2))):
            services.case_step(actor=officers[0], case=case, name="request_hearing")
    if stop in ("notified", "hearing"):
        return
    window = open_clocks(case)["hearing_request"].due_date
    day = _next(window or day, 1)  # the day after the hearing window (5 working days) closes
    with clock.held_at(_at(day)):
        services.case_decide(
            actor=leader,
            case=case,
            outcome="penalty",
            kinds=["fine", "confiscation"],
            fine=str(fine),
            confiscated=str(value // 10),
            note="经负责人审批",
        )
    if stop == "decided":
        return
    day = _next(day, 2)
    with clock.held_at(_at(day)):
        services.case_serve(actor=officers[0], case=case, served_on=day, method="direct")
        if stop != "served" or i % 2:
            services.publication_publish(actor=leader, case=case)
    if stop == "served":
        if i % 2 == 0:  # the unpublished half (above): a kept or broken instalment plan
            _instalments(case, officers[0], leader, _next(day, 1))
        return
    if stop == "court":
        with clock.held_at(_at(_next(day, 40))):
            services.case_step(
                actor=leader,
                case=case,
                name="apply_court",
                note="逾期不缴纳罚款，申请人民法院强制执行",
            )
        return
    late = i % 5 == 0
    day = day + dt.timedelta(days=25 if late else 10)
    with clock.held_at(_at(day)):
        owed = services.owed(case, day)
        services.payment_record(
            actor=officers[0],
            case=case,
            amount=str(owed["total"] / 100),
            paid_on=day,
            receipt=f"FS{case.pk:08d}",
        )
        if not hasattr(case, "publication"):
            services.publication_publish(actor=leader, case=case)
        services.case_close(actor=leader, case=case, note="罚没款已缴清")


def _instalments(case: Case, officer: User, leader: User, day: dt.date) -> None:
    """An approved plan of three monthly instalments (the last takes the odd fen)."""
    payment = open_clocks(case).get("payment")
    if payment is None or payment.due_date is None or payment.due_date < day:
        return
    owed_fen = case.money_due_fen - case.paid_fen
    part = owed_fen // 3
    amounts = [part, part, owed_fen - 2 * part]
    schedule = [
        {"due_on": day + dt.timedelta(days=30 * (n + 1)), "amount_fen": amount}
        for n, amount in enumerate(amounts)
    ]
    with clock.held_at(_at(day)):
        services.payment_plan_apply(
            actor=officer,
            case=case,
            kind="instalments",
            reason="当事人经营困难，书面申请分三期缴纳",
            schedule=schedule,
        )
        services.payment_plan_decide(
            actor=leader,
            case=case,
            approve=True,
            document=f"分期缴纳审批表〔{day.year}〕{case.pk}号",
        )


def _next(day: dt.date, days: int) -> dt.date:
    return min(day + dt.timedelta(days=days), clock.today())


def _extend(case: Case, leader: User) -> None:
    decision = open_clocks(case).get("decision")
    if decision is not None and decision.due_date and decision.due_date >= clock.today():
        clock_extend(
            clock=decision,
            actor=leader,
            days=30,
            approver=leader,
            document=f"延期审批表〔{clock.today().year}〕{case.pk}号",
            reason="案情复杂，涉案商品须鉴定",
        )


def _simple(unit: OrgUnit, people: dict[str, Any], rng: random.Random) -> None:
    services.case_simple_penalty(
        actor=people["officers"][0],
        party_name=f"{unit.short_name or ''}个体摊主",
        party_kind="individual",
        matter=Matter.objects.get(code="price-unmarked"),
        officers=people["officers"],
        kinds=["fine"],
        fine=str(rng.choice((50, 100, 200))),
        facts="农贸市场摊位未明码标价",
    )


def _hearing_case(unit: OrgUnit, people: dict[str, Any], start: dt.date) -> None:
    """A case whose party asked for a hearing, heard, discussed and decided."""
    officers, leader = people["officers"], people["leader"]
    matter = Matter.objects.get(code="counterfeit-goods")
    day = clock.today() - dt.timedelta(days=80)
    with clock.held_at(_at(day)):
        clue = services.clue_register(
            actor=officers[0],
            source=Clue.Source.OWN,
            party_name=f"{unit.short_name or ''}洁净日化批发有限公司",
            domain="ip",
            title="批发假冒洗衣液",
        )
        services.clue_propose(
            actor=officers[0],
            clue=clue,
            file_case=True,
            findings="属实",
            matter=matter,
            officers=officers,
            party_kind="organisation",
            violation_on=day - dt.timedelta(days=20),
            case_value="260000",
            facts="当事人批发假冒注册商标的洗衣液3200瓶，货值26万元",
        )
        services.clue_decide(actor=leader, clue=clue, approve=True)
    case = Case.objects.get(clue=clue)
    day += dt.timedelta(days=10)
    with clock.held_at(_at(day)):
        services.case_step(actor=officers[0], case=case, name="finish_investigation", note="终结")
        services.case_step(actor=officers[0], case=case, name="submit_review")
        services.case_step(actor=people["reviewer"], case=case, name="review_pass", note="同意")
        services.case_notify(
            actor=officers[0],
            case=case,
            kinds=["fine", "confiscation"],
            fine="520000",
            confiscated="40000",
        )
    day += dt.timedelta(days=2)
    with clock.held_at(_at(day)):
        services.case_step(actor=officers[0], case=case, name="request_hearing")
        services.case_schedule_hearing(
            actor=people["host"],
            case=case,
            hearing_on=day + dt.timedelta(days=10),
            place="听证室",
            host=people["host"],
        )
    day += dt.timedelta(days=10)
    with clock.held_at(_at(day)):
        services.case_step(
            actor=people["host"],
            case=case,
            name="hold_hearing",
            note="当事人到场陈述申辩，对货值有异议",
        )
        services.case_step(actor=leader, case=case, name="discuss", note="局务会集体讨论")
        services.case_decide(
            actor=leader,
            case=case,
            outcome="penalty",
            kinds=["fine", "confiscation"],
            fine="480000",
            confiscated="40000",
            aggravated=True,
        )
