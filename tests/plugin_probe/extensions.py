"""A test-only app (tests/conftest.py: `plugin_probe`) that declares what an app adds to the
registry's entity pages, the home page and the login page, with rows derived from the entity
so that a test can tell them apart from any other app's. It has no models and no pages, so
it can be installed in the middle of a test (the URL conf is built once, at import)."""

import datetime as dt

from regulus.core.plugins import (
    AppExtension,
    Card,
    Cards,
    CreditFact,
    EntityProviders,
    Module,
    Permit,
    PublicNavEntry,
    PublicSection,
)


def permits(entity, user):
    return [Permit("探针备案事项", "备案", f"TZ{entity.pk:06d}", "有效", valid_until="2030-12-31")]


def timeline(entity, user):
    title = f"探针记录：{entity.name}"
    return [{"at": entity.created_at, "actor_name": "探针", "unit_name": "", "title": title}]


def credit_facts(entity, user):
    return recorded_facts(entity)


def recorded_facts(entity):
    """The facts the probe keeps for an entity (a test replaces it to keep none)."""
    return [
        CreditFact(
            on=dt.date(2026, 3, 2), category="经营异常名录", title="列入：通过登记的住所无法联系",
            authority="芙蓉区市场监督管理局", adverse=True, status="在列",
            number="芙市监异〔2026〕12号",
        ),
        CreditFact(
            on=dt.date(2026, 5, 20), category="年度报告", title="报送2025年度年度报告",
            authority="芙蓉区市场监督管理局", adverse=False, status="已公示",
            until=dt.date(2026, 6, 30),
        ),
    ]  # fmt: skip


def public_sections(entity):
    # Before the permits' order of other apps would be: the page sorts by the declared order.
    return [
        PublicSection(
            order=350, title="探针公示", columns=("事项", "日期"),
            rows=[(f"探针公示事项{entity.pk}", "2026-03-02")], note="依探针规则公示",
        ),
        PublicSection(order=50, title="探针空栏", columns=("事项",), rows=[], empty="探针暂无"),
    ]  # fmt: skip


def cards(user):
    return [Card("probe", "探针件数", 7, "/")]


extension = AppExtension(
    # Between the registry's cards (100) and licensing's (200), though installed after both.
    cards=Cards(order=150, for_user=cards),
    entity=EntityProviders(
        permits=permits,
        timeline=timeline,
        credit_facts=credit_facts,
        public_sections=public_sections,
    ),
    # Between the portal's progress lookup (200) and certificate check (300).
    public_nav=(PublicNavEntry("探针公开页", "portal:entity_search", order=250),),
    module=Module("探针模块", "只在测试中安装，检验各模块的声明被找到"),
)
