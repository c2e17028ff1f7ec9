"""The demo city's bureau: its unit tree, roles and about 170 staff, so that login and
navigation are real from the first day. Every demo account has the same password."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction

from regulus.core import ids
from regulus.core.models import DataScope, OrgUnit, Role, User

DEMO_PASSWORD = "Regulus@2026"
CITY_NAME = "长沙市"

DEPARTMENTS = (
    "办公室", "登记注册科", "行政审批科", "信用监督管理科", "食品经营安全监督管理科",
    "药品流通监督管理科", "特种设备安全监察科", "消费者权益保护科", "法规科",
    "执法稽查支队", "信息中心",
)  # fmt: skip
STATION_PLACES = (
    "东湖", "南门", "西城", "北站", "新桥", "高塘", "坪塘", "星沙", "洞阳", "金井", "黄兴",
    "望岳", "枫林", "含浦", "雷锋", "白沙", "丁字", "集里", "淮川", "城郊", "玉潭", "花明",
    "城南", "东山", "梅溪", "麓谷", "桐梓", "洪山", "芙蓉", "砂子", "青竹", "月湖", "红星",
    "圭塘", "韶山", "湘湖",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖"
    + "田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬辉鹏斌宇浩凯健俊帆"

# (role name, permission kind, data scope). The three duties of 等保 2.0 and the kinds of
# core migration 0010 (分派员, 法制审核员, 听证主持人) exist as roles from that migration; the
# names here are the same, so a demo finds them.
DEMO_ROLES = (
    ("系统管理员", Role.Code.ADMIN, DataScope.ALL),
    ("安全管理员", Role.Code.SECURITY_ADMIN, DataScope.ALL),
    ("安全审计员", Role.Code.AUDITOR, DataScope.ALL),
    ("局领导", Role.Code.LEADER, DataScope.ALL),
    ("市局业务科室", Role.Code.HANDLER, DataScope.ALL),
    ("县区局业务承办人", Role.Code.HANDLER, DataScope.UNIT_AND_BELOW),
    ("县区局领导", Role.Code.LEADER, DataScope.UNIT_AND_BELOW),
    ("窗口受理人员", Role.Code.WINDOW_CLERK, DataScope.UNIT_AND_BELOW),
    ("执法检查人员", Role.Code.INSPECTOR, DataScope.UNIT_AND_BELOW),
    ("市场监管所执法人员", Role.Code.INSPECTOR, DataScope.OWN_UNIT),
    ("网格巡查员", Role.Code.INSPECTOR, DataScope.OWN_RECORDS),
    ("分派员", Role.Code.DISPATCHER, DataScope.ALL),
    ("县区局分派员", Role.Code.DISPATCHER, DataScope.UNIT_AND_BELOW),
    ("法制审核员", Role.Code.LEGAL_REVIEWER, DataScope.ALL),
    ("听证主持人", Role.Code.HEARING_OFFICER, DataScope.ALL),
)

# The logins the README lists: (username, full name, unit key, role names).
NAMED_LOGINS = (
    ("admin", "系统管理员", "city", ("系统管理员",)),
    ("security", "安全管理员", "dept:信息中心", ("安全管理员",)),
    ("auditor", "审计员", "city", ("安全审计员",)),
    ("leader", "周平平", "city", ("局领导",)),
    ("dengji", "杨立芳", "dept:登记注册科", ("市局业务科室",)),
    ("shenpi", "陈建华", "dept:行政审批科", ("市局业务科室", "窗口受理人员")),
    ("furong_handler", "刘思远", "district:430102", ("县区局业务承办人",)),
    ("furong_window", "王晓琳", "district:430102", ("窗口受理人员",)),
    ("furong_inspector", "张志强", "district:430102", ("执法检查人员",)),
    ("tianxin_handler", "李婷", "district:430103", ("县区局业务承办人",)),
    ("yuelu_handler", "赵文博", "district:430104", ("县区局业务承办人",)),
    ("fenpai", "孙雅婷", "dept:消费者权益保护科", ("分派员",)),
    ("furong_fenpai", "何俊杰", "district:430102", ("县区局分派员",)),
    ("fazhi", "郑明辉", "dept:法规科", ("法制审核员",)),
    ("tingzheng", "罗文静", "dept:法规科", ("听证主持人",)),
)


def roles_ensure() -> dict[str, Role]:
    roles = {}
    for name, code, scope in DEMO_ROLES:
        role, _ = Role.objects.get_or_create(
            name=name, defaults={"code": code, "data_scope": scope}
        )
        roles[name] = role
    return roles


def _districts() -> list[tuple[str, str]]:
    return [(code, name) for code, name in ids.DEMO_DISTRICTS]


def seed(*, entities: int, log: Callable[[str], None]) -> None:
    """The kernel's part of `regulus seed_demo` (core/extensions.py): the bureau's units and
    staff, which every app's demo data builds on. `entities` is the apps' to use."""
    seed_bureau(log=log)


@transaction.atomic
def seed_bureau(log: Callable[[str], None] = print) -> dict[str, OrgUnit]:
    """Create the demo bureau once; a second run finds it and changes nothing."""
    roles = roles_ensure()
    city = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY_BUREAU, parent=None).first()
    if city is not None:
        log("演示单位已存在，跳过")
        return _unit_keys(city)
    city = OrgUnit.objects.create(
        name=f"{CITY_NAME}市场监督管理局", short_name="市局", kind=OrgUnit.Kind.CITY_BUREAU,
        division_code="430100",
    )  # fmt: skip
    for i, dept in enumerate(DEPARTMENTS):
        OrgUnit.objects.create(
            name=dept,
            kind=OrgUnit.Kind.DEPARTMENT,
            parent=city,
            division_code="430100",
            sort_order=i,
        )
    places = iter(STATION_PLACES)
    for i, (code, name) in enumerate(_districts()):
        district = OrgUnit.objects.create(
            name=f"{name}市场监督管理局", short_name=name, kind=OrgUnit.Kind.DISTRICT_BUREAU,
            parent=city, division_code=code, sort_order=100 + i,
        )  # fmt: skip
        for j in range(3):
            OrgUnit.objects.create(
                name=f"{name}{next(places)}市场监管所", kind=OrgUnit.Kind.STATION,
                parent=district, division_code=code, sort_order=j,
            )  # fmt: skip
    units = _unit_keys(city)
    count = _seed_staff(units, roles)
    log(f"演示单位 {OrgUnit.objects.count()} 个，工作人员 {count} 名")
    return units


def _unit_keys(city: OrgUnit) -> dict[str, OrgUnit]:
    keys: dict[str, OrgUnit] = {"city": city}
    for unit in OrgUnit.objects.filter(path__startswith=city.path):
        if unit.kind == OrgUnit.Kind.DEPARTMENT:
            keys[f"dept:{unit.name}"] = unit
        elif unit.kind == OrgUnit.Kind.DISTRICT_BUREAU:
            keys[f"district:{unit.division_code}"] = unit
        elif unit.kind == OrgUnit.Kind.STATION:
            keys[f"station:{unit.pk}"] = unit
    return keys


def _seed_staff(units: dict[str, OrgUnit], roles: dict[str, Role]) -> int:
    rng = random.Random(2026)
    # One argon2 hash for every demo account: hashing 170 passwords would take a minute.
    probe = User(username="probe")
    probe.set_password(DEMO_PASSWORD)
    hashed = probe.password
    people: list[tuple[User, tuple[str, ...]]] = []

    def person(username: str, full_name: str, unit: OrgUnit, role_names: tuple[str, ...]) -> None:
        user = User(
            username=username,
            full_name=full_name,
            unit=unit,
            password=hashed,
            is_staff=False,
            law_enforcement_cert=f"43{rng.randrange(10**9, 10**10)}",
        )
        people.append((user, role_names))

    for username, full_name, key, role_names in NAMED_LOGINS:
        person(username, full_name, units[key], role_names)
    for key, unit in units.items():
        if key.startswith("dept:"):
            for n in range(2):
                person(f"{_pinyinless(unit)}_{n + 1}", _name(rng), unit, ("市局业务科室",))
        elif key.startswith("district:"):
            code = unit.division_code
            plan = (
                ("县区局领导",),
                ("县区局业务承办人",),
                ("县区局业务承办人",),
                ("窗口受理人员",),
                ("执法检查人员",),
                ("执法检查人员",),
                ("执法检查人员",),
            )
            for n, role_names in enumerate(plan):
                person(f"d{code}_{n + 1}", _name(rng), unit, role_names)
        elif key.startswith("station:"):
            person(f"s{unit.pk}_1", _name(rng), unit, ("市场监管所执法人员",))
            person(f"s{unit.pk}_2", _name(rng), unit, ("网格巡查员",))
    User.objects.bulk_create([u for u, _ in people])
    saved = {
        u.username: u for u in User.objects.filter(username__in=[u.username for u, _ in people])
    }
    through = User.roles.through
    through.objects.bulk_create(
        [through(user_id=saved[u.username].pk, role_id=roles[name].pk)
         for u, names in people for name in names]
    )  # fmt: skip
    admin = saved["admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return len(people)


def _pinyinless(unit: OrgUnit) -> str:
    return f"dept{unit.pk}"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
