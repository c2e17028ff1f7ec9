"""Apps plug themselves in (core.plugins): each declares in its own extensions.py what it adds,
the kernel finds the declarations of the installed apps, in the order they declare."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from regulus.core import plugins
from regulus.core.plugins import AppExtension, Cards, DemoSeeder, NavEntry, Pages
from tests.registry.conftest import make_entity

WITHOUT_LICENSING = (
    "regulus.licensing",
    "regulus.inspections",
    "regulus.credit",
    "regulus.portal",
    "regulus.complaints",
    "regulus.enforcement",
    "regulus.equipment",
    "regulus.canteens",
)


@pytest.fixture
def licensing_not_installed(settings):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a not in WITHOUT_LICENSING]


def test_each_installed_app_declares_in_its_own_module():
    assert list(plugins.declarations()) == [
        "core", "registry", "licensing", "inspections", "credit", "portal", "complaints",
        "enforcement", "equipment", "canteens",
    ]  # fmt: skip


def test_menu_follows_declared_order_not_installed_order():
    # The registry is installed before licensing, yet its import entry (order 900) comes
    # after licensing's entries (200–240), as declared.
    labels = [(e.section, e.label) for e in plugins.nav_entries()]
    assert labels == [
        ("工作台", "工作台"),
        ("业务", "市场主体"), ("业务", "企业填报码"), ("业务", "一件事一次办"),
        ("业务", "后置核查"),
        ("业务", "事项与套餐"), ("业务", "一件事套餐维护"), ("业务", "办件统计"),
        ("业务", "抽查任务"), ("业务", "我的抽查"), ("业务", "抽查结果公示"), ("业务", "抽查计划"),
        ("业务", "抽查事项清单"), ("业务", "检查人员名录库"), ("业务", "抽查统计"),
        ("业务", "责令整改"), ("业务", "下级报备计划"),
        ("业务", "信用记录"), ("业务", "年度报告"), ("业务", "经营异常名录"),
        ("业务", "信用风险分类"), ("业务", "严重违法失信名单"), ("业务", "信用修复"),
        ("业务", "信用决定文书"),
        ("业务", "投诉举报"), ("业务", "投诉举报分派"), ("业务", "投诉举报统计"),
        ("业务", "投诉举报规则"), ("业务", "投诉举报分派规则"),
        ("业务", "实名举报人告知"), ("业务", "ODR单位"),
        ("业务", "案件线索"), ("业务", "行政处罚案件"), ("业务", "处罚信息公示"),
        ("业务", "专项行动"), ("业务", "执法统计"),
        ("业务", "特种设备台账"), ("业务", "超期预警"), ("业务", "现场检查"),
        ("业务", "隐患与指令"), ("业务", "专项整治"), ("业务", "重点单位"),
        ("业务", "特种设备统计"), ("业务", "检验周期规则"),
        ("业务", "学校食堂"), ("业务", "明厨亮灶覆盖率"),
        ("业务", "数据导入"),
        ("系统", "单位与人员"), ("系统", "角色与授权"), ("系统", "安全管理"), ("系统", "工作日历"),
        ("系统", "计时规则"), ("系统", "操作日志"), ("系统", "接口令牌"), ("系统", "接口文档"),
    ]  # fmt: skip


def test_home_cards_follow_declared_order_not_installed_order(city_handler, plugin_probe):
    from regulus.core.selectors import dashboard_cards

    keys = [card.key for card in dashboard_cards(city_handler)]
    # The probe is installed last but declares order 150: between the registry and licensing.
    assert keys == [
        "staff", "entities", "probe", "licensing-open", "licensing-overdue", "credit-inbox",
        "credit-repairs", "credit-serious", "complaints-overdue", "enforcement-clues",
        "enforcement-overdue", "equipment-overdue", "equipment-due", "equipment-hazards",
    ]  # fmt: skip


def test_home_page_shows_the_cards_of_the_installed_apps(client, handler, plugin_probe):
    client.force_login(handler)
    page = client.get("/").content.decode()
    assert 'data-testid="stat-probe"' in page and "探针件数" in page
    assert 'data-testid="stat-licensing-open"' in page


def test_an_app_not_installed_contributes_nothing(client, handler, licensing_not_installed):
    assert list(plugins.declarations()) == ["core", "registry"]
    assert not [e for e in plugins.nav_entries() if e.url_name.startswith("licensing:")]
    assert [label for label, _ in plugins.demo_seeders()] == ["core", "registry"]
    assert [p.prefix for p in plugins.page_mounts()] == ["", "registry/"]
    assert len(plugins.api_routers()) == 2
    assert plugins.error_page_for("/portal/missing/") is None
    client.force_login(handler)
    home = client.get("/").content.decode()
    assert "一件事一次办" not in home and "stat-licensing-open" not in home


def test_seeders_run_after_the_apps_they_build_on():
    assert [label for label, _ in plugins.demo_seeders()] == [
        "core", "registry", "licensing", "inspections", "credit", "complaints", "enforcement",
        "equipment", "canteens",
    ]  # fmt: skip
    seed = _seed
    # Declared in the wrong order: "b" builds on "a", which builds on the kernel.
    found = {
        "core": AppExtension(seeder=DemoSeeder(seed)),
        "b": AppExtension(seeder=DemoSeeder(seed, after=("a",))),
        "c": AppExtension(),  # no demo data: named in `after`, it orders nothing
        "a": AppExtension(seeder=DemoSeeder(seed, after=("core", "c"))),
    }
    assert [label for label, _ in plugins.seeding_order(found)] == ["core", "a", "b"]


def _seed(*, entities, log):
    return None


@pytest.mark.parametrize(
    "found, message",
    [
        ({"a": AppExtension(seeder=DemoSeeder(_seed, after=("x",)))}, "not an installed app"),
        (
            {
                "a": AppExtension(seeder=DemoSeeder(_seed, after=("b",))),
                "b": AppExtension(seeder=DemoSeeder(_seed, after=("a",))),
            },
            "wait for each other",
        ),
    ],
)
def test_seeders_after_an_unknown_app_or_in_a_circle_are_refused(found, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        plugins.validate(found)


def test_two_declarations_in_one_place_are_refused():
    """The order is declared: two entries in one place would be ordered by import order."""
    entry = NavEntry("甲", "circle", "core:home", order=300)
    twin = NavEntry("乙", "square", "core:home", order=300)
    with pytest.raises(ImproperlyConfigured, match="same place"):
        plugins.validate({"a": AppExtension(nav=(entry,)), "b": AppExtension(nav=(twin,))})
    cards = Cards(order=300, for_user=lambda user: [])
    with pytest.raises(ImproperlyConfigured, match="same place"):
        plugins.validate({"a": AppExtension(cards=cards), "b": AppExtension(cards=cards)})
    pages = Pages("same/", plugins)
    with pytest.raises(ImproperlyConfigured, match="same place"):
        plugins.validate({"a": AppExtension(pages=pages), "b": AppExtension(pages=pages)})
    # The same number in another section is another place.
    other = NavEntry("丙", "circle", "core:home", order=300, section="系统")
    plugins.validate({"a": AppExtension(nav=(entry,)), "b": AppExtension(nav=(other,))})


def test_a_menu_entry_names_a_section_of_the_shell():
    with pytest.raises(ValueError, match="unknown section"):
        NavEntry("甲", "circle", "core:home", order=1, section="其他")


def test_errors_under_an_apps_prefix_show_in_its_own_look():
    from regulus.portal.views import error_page

    assert plugins.error_page_for("/portal/certificates/x/") is error_page
    assert plugins.error_page_for("/registry/entities/x/") is None
    assert plugins.error_page_for("/portalx/") is None  # a prefix, not a fragment


def login_page_modules(client) -> list[str]:
    page = client.get("/login/").content.decode()
    listed = page[page.index('data-testid="login-modules"') : page.index("</dl>")]
    return [re.sub(r"<[^>]+>| →", "", name) for name in re.findall(r"<dt>(.*?)</dt>", listed)]


def test_login_page_lists_exactly_the_installed_modules(client, db):
    assert login_page_modules(client) == [
        "市场主体登记", "一件事一次办", "双随机、一公开", "企业信用", "公众服务门户",
        "12315投诉举报", "行政处罚案件", "特种设备安全监察", "学校食堂（阳光食堂）",
    ]  # fmt: skip
    page = client.get("/login/").content.decode()
    # Modules still to be built are not advertised; the public one is linked.
    for name in ("信用监管", "执法办案"):
        assert name not in page
    assert '<a class="text-decoration-none" href="/portal/">公众服务门户 →</a>' in page


def test_login_page_lists_a_newly_installed_module(client, db, plugin_probe):
    assert login_page_modules(client)[-1] == "探针模块"
    assert "只在测试中安装" in client.get("/login/").content.decode()


def test_login_page_leaves_out_modules_not_installed(client, db, licensing_not_installed):
    assert login_page_modules(client) == ["市场主体登记"]
    assert "/portal/" not in client.get("/login/").content.decode()


def test_public_portal_menu_follows_declared_order(client, db, plugin_probe):
    page = client.get("/portal/").content.decode()
    menu = page[page.index('aria-label="门户导航"') :]
    menu = menu[: menu.index("</nav>")]
    labels = ["一件事一次办", "办理进度", "探针公开页", "证照核验", "企业信息查询"]
    positions = [menu.index(label) for label in labels]
    assert positions == sorted(positions)


def test_entity_public_page_shows_every_apps_sections_in_declared_order(
    client, handler, plugin_probe
):
    entity = make_entity(handler, "长沙市芙蓉区样例商行")
    page = client.get(f"/portal/entities/{entity.uscc}/").content.decode()
    assert f"探针公示事项{entity.pk}" in page and "依探针规则公示" in page
    assert "探针暂无" in page  # a section with no rows says so
    assert page.index("探针空栏") < page.index("探针公示事项")  # order 50 before order 350


def test_two_public_menu_entries_in_one_place_are_refused():
    one = plugins.AppExtension(public_nav=(plugins.PublicNavEntry("甲", "portal:home", 100),))
    two = plugins.AppExtension(public_nav=(plugins.PublicNavEntry("乙", "portal:home", 100),))
    with pytest.raises(ImproperlyConfigured):
        plugins.validate({"one": one, "two": two})


def test_target_exclusions_are_gathered_from_every_app_in_declaration_order(monkeypatch):
    first = plugins.TargetExclusion("立案调查中", lambda on: [1])
    second = plugins.TargetExclusion("停业整顿中", lambda on: [2])
    found = {
        "a": AppExtension(exclusions=(first,)),
        "b": AppExtension(),
        "c": AppExtension(exclusions=(second,)),
    }
    monkeypatch.setattr(plugins, "declarations", lambda: found)
    assert plugins.target_exclusions() == [first, second]
