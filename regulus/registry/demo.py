"""The demo city's market entities: realistic names, valid USCCs and ID numbers, about 70 %
个体工商户, spread over the demo districts and their units. Loaded with the same raw bulk
path as the import (importing._Writer), so 200,000 entities take well under two minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from regulus.core import clock, ids
from regulus.core.audit import audited
from regulus.core.models import AuditLog, OrgUnit
from regulus.registry import search
from regulus.registry.importing import TEMPLATE_HEADERS, _Writer
from regulus.registry.models import Entity, EntityKind, EntityStatus

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢彭谭贺龙易"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬辉鹏斌宇浩凯健俊帆湘岳"
BRANDS = (
    "鑫达",
    "顺发",
    "恒泰",
    "金源",
    "华信",
    "宏图",
    "永盛",
    "兴旺",
    "福满",
    "佳美",
    "众诚",
    "盛世",
    "万家",
    "天成",
    "嘉禾",
    "锦程",
    "瑞丰",
    "新时代",
    "长盛",
    "和顺",
    "湘味",
    "星城",
    "麓山",
    "橘洲",
    "芙蓉",
    "楚天",
    "湘江",
    "德润",
    "百川",
    "博远",
    "汇通",
    "鼎盛",
    "明珠",
    "金穗",
    "好又多",
    "乐购",
    "友谊",
    "惠民",
    "美宜",
    "康泰",
    "仁和",
    "益民",
    "同心",
    "启航",
)
ROADS = (
    "五一大道",
    "芙蓉中路",
    "韶山北路",
    "人民中路",
    "劳动西路",
    "解放西路",
    "黄兴南路",
    "麓山南路",
    "桐梓坡路",
    "万家丽路",
    "东二环",
    "雨花亭路",
    "金星中路",
    "星沙大道",
    "枫林三路",
    "岳麓大道",
    "湘江中路",
    "车站北路",
    "曙光中路",
    "远大一路",
)

# (name tail, industry section, industry code, weight) per kind.
INDIVIDUAL_TRADES = (
    ("便利超市", "F", "52", 14),
    ("超市", "F", "52", 10),
    ("米粉店", "H", "62", 10),
    ("餐馆", "H", "62", 10),
    ("副食店", "F", "52", 8),
    ("大药房", "F", "52", 4),
    ("服装店", "F", "52", 6),
    ("五金店", "F", "52", 5),
    ("美容美发店", "O", "80", 6),
    ("汽车维修部", "O", "81", 4),
    ("水果店", "F", "52", 5),
    ("烟酒商行", "F", "52", 5),
    ("手机通讯店", "F", "52", 3),
    ("干洗店", "O", "80", 2),
    ("茶饮店", "H", "62", 6),
    ("快餐店", "H", "62", 6),
    ("蔬菜摊", "F", "52", 3),
    ("家电维修部", "O", "81", 2),
)
ENTERPRISE_TRADES = (
    ("商贸有限公司", "F", "51", 20),
    ("科技有限公司", "I", "65", 14),
    ("餐饮管理有限公司", "H", "62", 8),
    ("建筑工程有限公司", "E", "48", 8),
    ("房地产开发有限公司", "K", "70", 3),
    ("医药连锁有限公司", "F", "52", 3),
    ("物流有限公司", "G", "58", 5),
    ("机械制造有限公司", "C", "34", 5),
    ("食品有限公司", "C", "14", 5),
    ("文化传媒有限公司", "R", "86", 5),
    ("教育咨询有限公司", "P", "83", 3),
    ("超市有限公司", "F", "52", 4),
    ("电子商务有限公司", "F", "52", 6),
    ("环保科技有限公司", "N", "77", 3),
    ("物业管理有限公司", "K", "70", 4),
    ("大药房有限公司", "F", "52", 2),
)
COOPERATIVE_TRADES = (
    ("种植专业合作社", "A", "01", 5),
    ("养殖专业合作社", "A", "03", 3),
    ("果蔬专业合作社", "A", "01", 2),
    ("茶叶专业合作社", "A", "01", 1),
)
# The business scope (经营范围) each trade registers, in the standard wording (经营范围规范表述).
SCOPES = {
    "便利超市": "食品销售（仅销售预包装食品）；日用百货销售；烟草制品零售",
    "超市": "食品销售；日用百货销售；日用杂品销售；文具用品零售",
    "米粉店": "餐饮服务；小餐饮",
    "餐馆": "餐饮服务",
    "副食店": "食品销售（仅销售预包装食品）；日用杂品销售",
    "大药房": "药品零售；第二类医疗器械销售；保健食品（预包装）销售",
    "服装店": "服装服饰零售；鞋帽零售",
    "五金店": "五金产品零售；建筑装饰材料销售",
    "美容美发店": "理发服务；生活美容服务",
    "汽车维修部": "机动车修理和维护；汽车零配件零售",
    "水果店": "新鲜水果零售；食品销售（仅销售预包装食品）",
    "烟酒商行": "烟草制品零售；酒类经营；食品销售（仅销售预包装食品）",
    "手机通讯店": "通讯设备销售；移动终端设备销售；电子产品销售",
    "干洗店": "洗烫服务；洗染服务",
    "茶饮店": "餐饮服务；小餐饮；饮料生产",
    "快餐店": "餐饮服务；食品销售（仅销售预包装食品）",
    "蔬菜摊": "新鲜蔬菜零售；食用农产品零售",
    "家电维修部": "日用电器修理；家用电器销售",
    "商贸有限公司": "日用百货销售；五金产品批发；电子产品销售；食品销售（仅销售预包装食品）",
    "科技有限公司": "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发",
    "餐饮管理有限公司": "餐饮管理；餐饮服务；食品销售",
    "建筑工程有限公司": "建设工程施工；住宅室内装饰装修；建筑材料销售",
    "房地产开发有限公司": "房地产开发经营；物业管理",
    "医药连锁有限公司": "药品零售；药品批发；第二类医疗器械销售；第三类医疗器械经营",
    "物流有限公司": "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理",
    "机械制造有限公司": "通用设备制造（不含特种设备制造）；机械零件、零部件加工",
    "食品有限公司": "食品生产；食品销售",
    "文化传媒有限公司": "组织文化艺术交流活动；广告设计、代理；广告制作",
    "教育咨询有限公司": "教育咨询服务（不含涉许可审批的教育培训活动）",
    "超市有限公司": "食品销售；日用百货销售；烟草制品零售；第二类医疗器械销售",
    "电子商务有限公司": "互联网销售（除销售需要许可的商品）；日用百货销售",
    "环保科技有限公司": "环保咨询服务；污水处理及其再生利用；技术服务、技术开发",
    "物业管理有限公司": "物业管理；停车场服务；家政服务",
    "大药房有限公司": "药品零售；第二类医疗器械销售；保健食品（预包装）销售",
    "种植专业合作社": "谷物种植；蔬菜种植；农产品的生产、销售、加工、运输、贮藏",
    "养殖专业合作社": "牲畜饲养；家禽饲养；水产养殖",
    "果蔬专业合作社": "水果种植；蔬菜种植；食用农产品初加工",
    "茶叶专业合作社": "茶叶种植；茶叶制品生产；食用农产品零售",
}
SUB_KINDS = {
    EntityKind.ENTERPRISE: (
        "有限责任公司（自然人投资或控股）",
        "有限责任公司（自然人独资）",
        "股份有限公司（非上市）",
        "个人独资企业",
        "合伙企业",
    ),
    EntityKind.INDIVIDUAL: ("个体工商户",),
    EntityKind.COOPERATIVE: ("农民专业合作社",),
}

# Recognisable entities for tests and demos: (name, kind, district, legal rep, trade index).
FIXED = (
    ("湖南立白日化有限公司", EntityKind.ENTERPRISE, "430102", "陈凯旋", ("C", "26")),
    ("liby立白洗涤用品长沙经营部", EntityKind.INDIVIDUAL, "430102", "许晓东", ("F", "52")),
    ("长沙市芙蓉区鑫达便利超市", EntityKind.INDIVIDUAL, "430102", "王建军", ("F", "52")),
    ("芙蓉区老百姓大药房五一店", EntityKind.INDIVIDUAL, "430102", "刘丽", ("F", "52")),
    ("岳麓区张记米粉店", EntityKind.INDIVIDUAL, "430104", "张国强", ("H", "62")),
    ("天心区益丰大药房南门口店", EntityKind.INDIVIDUAL, "430103", "李娟", ("F", "52")),
    ("长沙市天心区好又多超市", EntityKind.INDIVIDUAL, "430103", "赵敏", ("F", "52")),
    ("湖南步步高超市连锁有限公司", EntityKind.ENTERPRISE, "430104", "王填", ("F", "52")),
)
KIND_WEIGHTS = (
    (EntityKind.INDIVIDUAL, 70),
    (EntityKind.ENTERPRISE, 28),
    (EntityKind.COOPERATIVE, 2),
)
CATEGORY = {EntityKind.ENTERPRISE: "1", EntityKind.INDIVIDUAL: "2", EntityKind.COOPERATIVE: "3"}
DISTRICT_WEIGHTS = (18, 14, 14, 12, 16, 6, 8, 5, 4, 4, 3, 3)  # follows ids.DEMO_DISTRICTS


def _weighted(options: tuple[tuple[Any, ...], ...]) -> tuple[list[Any], list[int]]:
    return list(options), [o[-1] for o in options]


def units_by_district() -> dict[str, list[int]]:
    """Each demo district's bureau and stations (stations weighted three times)."""
    result: dict[str, list[int]] = {}
    for unit in OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.DISTRICT_BUREAU, OrgUnit.Kind.STATION],
        division_code__in=[c for c, _ in ids.DEMO_DISTRICTS],
        is_active=True,
    ).order_by("path"):
        weight = 3 if unit.kind == OrgUnit.Kind.STATION else 1
        result.setdefault(unit.division_code, []).extend([unit.pk] * weight)
    return result


def demo_rows(
    count: int,
    *,
    seed: int = 2026,
    start: int = 1,
    units: dict[str, list[int]],
    today: dt.date | None = None,
    id_share: float = 1.0,
) -> Iterator[dict[str, Any]]:
    """``count`` valid entity rows (cleaned values, as rules.EntityRules returns them).

    ``start`` numbers the organisation codes, so that two calls with different starts never
    share a USCC. ``id_share``: the share of rows that carry a legal rep ID number.
    """
    rng = random.Random(seed + start)
    today = today or clock.today()
    district_weights = [
        w for (c, _), w in zip(ids.DEMO_DISTRICTS, DISTRICT_WEIGHTS, strict=True) if c in units
    ]
    districts = [c for c, _ in ids.DEMO_DISTRICTS if c in units]
    id_divisions = [c for c, _ in ids.DEMO_DISTRICTS[:9]]
    names = dict(ids.DEMO_DISTRICTS)
    trades = {
        EntityKind.INDIVIDUAL: _weighted(INDIVIDUAL_TRADES),
        EntityKind.ENTERPRISE: _weighted(ENTERPRISE_TRADES),
        EntityKind.COOPERATIVE: _weighted(COOPERATIVE_TRADES),
    }
    kinds: list[EntityKind] = [k for k, _w in KIND_WEIGHTS]
    kind_w: list[int] = [w for _k, w in KIND_WEIGHTS]
    span = (today - dt.date(1995, 1, 1)).days
    for n in range(start, start + count):
        kind = rng.choices(kinds, kind_w)[0]
        district = rng.choices(districts, district_weights)[0]
        dname = names[district]
        options, weights = trades[kind]
        tail, section, code, _w = rng.choices(options, weights)[0]
        surname = rng.choice(SURNAMES)
        person = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        brand = rng.choice(BRANDS)
        established = dt.date(1995, 1, 1) + dt.timedelta(days=int(span * (rng.random() ** 0.6)))
        established = min(established, today - dt.timedelta(days=1))
        if kind == EntityKind.INDIVIDUAL:
            style = rng.random()
            if style < 0.3:
                name = f"长沙市{dname}{brand}{tail}"
            elif style < 0.6:
                name = f"{dname}{brand}{tail}"
            elif style < 0.8:
                name = f"{dname}{surname}记{tail}"
            else:
                name = f"{dname}{brand}{tail}{rng.choice(ROADS)[:2]}店"
        elif kind == EntityKind.ENTERPRISE:
            prefix = rng.choice(("湖南", "长沙", "长沙市", f"长沙市{dname}"))
            name = f"{prefix}{brand}{rng.choice(BRANDS)[:1]}{tail}"
        else:
            name = f"长沙县{brand}{tail}" if district == "430121" else f"{dname}{brand}{tail}"
        name = _name_suffix(rng, name, kind, established)
        roll = rng.random()
        status, changed = EntityStatus.ACTIVE, None
        if roll < 0.15:
            status = (
                EntityStatus.CANCELLED
                if roll < 0.08
                else EntityStatus.REVOKED
                if roll < 0.13
                else EntityStatus.MOVED_OUT
            )
            days = (today - established).days
            changed = established + dt.timedelta(
                days=rng.randint(1, max(1, days)) if days > 1 else 0
            )
            changed = min(changed, today)
        id_number = ""
        if rng.random() < id_share:
            birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randint(0, 17000))
            id_number = ids.make_id_number(rng.choice(id_divisions), birth, rng.randint(0, 999))
        capital = None
        if kind != EntityKind.INDIVIDUAL:
            capital = Decimal(rng.choice((10, 50, 100, 200, 300, 500, 1000, 2000, 5000)))
        elif rng.random() < 0.5:
            capital = Decimal(rng.choice((1, 2, 3, 5, 10, 20)))
        body = f"{n:08d}"
        yield {
            "uscc": ids.make_uscc("9", CATEGORY[kind], district, ids.make_org_code(body)),
            "name": name,
            "kind": kind,
            "sub_kind": rng.choice(SUB_KINDS[kind]),
            "legal_rep_name": person,
            "legal_rep_id_number": id_number,
            "registered_capital": capital,
            "established_on": established,
            "business_scope": SCOPES.get(tail, ""),
            "industry_section": section,
            "industry_code": code,
            "registration_authority": f"{dname}市场监督管理局",
            "district_code": district,
            "unit_id": rng.choice(units[district]),
            "address": f"长沙市{dname}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
            "phone": f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
            "status": status,
            "status_changed_on": changed,
            "risk_class": rng.choices("ABCD", (40, 45, 12, 3))[0],
        }


# Since the registration rules of 2022 a 个体工商户 may mark its form in its name, and most new
# ones do (市场主体登记管理条例实施细则, in force 2022-03-01).
INDIVIDUAL_MARK = "（个体工商户）"
INDIVIDUAL_MARK_FROM = dt.date(2022, 3, 1)


def _name_suffix(rng: random.Random, name: str, kind: str, established: dt.date) -> str:
    """The endings real names have: the form of a new 个体工商户, an enterprise's branch."""
    if kind == EntityKind.INDIVIDUAL and established >= INDIVIDUAL_MARK_FROM:
        return name + INDIVIDUAL_MARK if rng.random() < 0.7 else name
    if kind == EntityKind.ENTERPRISE and rng.random() < 0.08:
        return f"{name}{rng.choice(ROADS)[:2]}分公司"
    return name


def fixed_rows(units: dict[str, list[int]], today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for i, (name, kind, district, person, (section, code)) in enumerate(FIXED, start=1):
        if district not in units:
            continue
        body = f"L{i:07d}"
        rows.append(
            {
                "uscc": ids.make_uscc("9", CATEGORY[kind], district, ids.make_org_code(body)),
                "name": name,
                "kind": kind,
                "sub_kind": SUB_KINDS[kind][0],
                "legal_rep_name": person,
                "legal_rep_id_number": ids.make_id_number(
                    district, dt.date(1975, 3, i), 11 + 2 * i
                ),
                "registered_capital": Decimal(1000 if kind == EntityKind.ENTERPRISE else 5),
                "established_on": dt.date(2012, 6, i),
                "business_scope": "日用化学产品销售；日用百货销售",
                "industry_section": section,
                "industry_code": code,
                "registration_authority": f"{dict(ids.DEMO_DISTRICTS)[district]}市场监督管理局",
                "district_code": district,
                "unit_id": units[district][0],
                "address": f"长沙市{dict(ids.DEMO_DISTRICTS)[district]}五一大道{100 + i}号",
                "phone": "0731-8888" + f"{i:04d}",
                "status": EntityStatus.ACTIVE,
                "status_changed_on": None,
                "risk_class": "A",
            }
        )
    return rows


def bulk_load(
    rows: Iterator[dict[str, Any]], *, batch: int = 20_000, log: Callable[[str], None] | None = None
) -> int:
    """Insert generated (already valid, new) rows with the import's raw path, in the caller's
    transaction. Returns the number of rows."""
    from django.conf import settings

    from regulus.registry.importing import RowPreparer
    from regulus.registry.rules import EntityRules

    writer = _Writer()
    preparer = RowPreparer(
        EntityRules(),
        pg=writer.pg,
        now=clock.now(),
        key=settings.FIELD_ENCRYPTION_KEY,
        ids=writer.ids,
    )
    total = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        writer.insert(preparer.prepare([(0, data) for data in chunk]))

    writer.begin_bulk()
    try:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                flush()
                total += len(chunk)
                chunk = []
                if log and total % 100_000 == 0:
                    log(f"  已载入市场主体 {total} 户")
        if chunk:
            flush()
            total += len(chunk)
        writer.end_bulk()
    finally:
        writer.restore_settings()
    return total


def seed(*, entities: int = 200_000, log: Callable[[str], None] = print) -> int:
    """Load the demo city's entities once; a second run finds them and adds nothing."""
    if Entity.objects.exists():
        log("市场主体已存在，跳过")
        return 0
    units = units_by_district()
    if not units:
        log("没有区县监管单位，先运行 seed_demo 载入单位")
        return 0
    today = clock.today()
    with audited(actor=None) as audit:
        count = bulk_load(iter(fixed_rows(units, today)))
        count += bulk_load(demo_rows(max(0, entities - count), units=units, today=today), log=log)
        audit.record(
            action=AuditLog.Action.IMPORT,
            object_type="registry.entity",
            summary=f"载入演示市场主体{count}户",
            changes={"created": count},
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_entity")
            cursor.execute(f"ANALYZE {search.PG_TABLE}")
    else:
        with connection.cursor() as cursor:
            # One FTS5 segment instead of the many a bulk load leaves (~2 s at 1M).
            cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES('optimize')")
            cursor.execute("ANALYZE")
    log(f"演示市场主体 {count} 户")
    return count


def write_csv(
    path: Path | str,
    count: int,
    *,
    start: int = 50_000_000,
    units: dict[str, list[int]],
    encoding: str = "utf-8",
    id_share: float = 1.0,
) -> Path:
    """A .csv file in the import layout with ``count`` valid new rows (for benches and tests)."""
    path = Path(path)
    kind_label = {k.value: k.label for k in EntityKind}
    status_label = {s.value: s.label for s in EntityStatus}
    unit_names = dict(OrgUnit.objects.values_list("pk", "name"))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_HEADERS)
        for r in demo_rows(count, start=start, units=units, id_share=id_share):
            writer.writerow(
                [
                    r["uscc"],
                    r["name"],
                    kind_label[r["kind"]],
                    r["sub_kind"],
                    r["legal_rep_name"],
                    r["legal_rep_id_number"],
                    r["registered_capital"] if r["registered_capital"] is not None else "",
                    r["established_on"].isoformat(),
                    r["business_scope"],
                    r["industry_section"],
                    r["industry_code"],
                    r["registration_authority"],
                    r["district_code"],
                    unit_names[r["unit_id"]],
                    r["address"],
                    r["phone"],
                    status_label[r["status"]],
                    r["status_changed_on"].isoformat() if r["status_changed_on"] else "",
                    r["risk_class"],
                ]
            )
    return path
