import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from regulus.core.models import AuditLog
from regulus.registry import services
from regulus.registry.models import Entity
from regulus.registry.selectors import dashboard_cards

from .conftest import make_entity


def _xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_list_page_and_htmx_partial(client, handler, entity_a):
    client.force_login(handler)
    page = client.get("/registry/entities/", {"q": "立白"}).content.decode()
    assert "湖南立白日化有限公司" in page and 'hx-trigger="input changed delay:300ms' in page
    partial = client.get(
        "/registry/entities/", {"q": "立白"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "湖南立白日化有限公司" in partial and "<html" not in partial
    assert "至少输入两个字" in client.get("/registry/entities/", {"q": "立"}).content.decode()


def test_detail_page_shows_facts_former_names_and_timeline(client, handler, entity_a):
    services.entity_update(actor=handler, entity=entity_a, name="湖南立白集团有限公司")
    client.force_login(handler)
    page = client.get(f"/registry/entities/{entity_a.uscc}/").content.decode()
    assert "湖南立白集团有限公司" in page and "湖南立白日化有限公司" in page
    assert entity_a.legal_rep_id_number not in page and "*" in page
    assert "登记市场主体" in page and "原名称" in page  # the timeline


def test_timeline_states_establishment_and_status_of_an_entity_loaded_without_audit(
    client, handler
):
    """An entity loaded from the provincial register (no audit row of its own) shows its
    establishment and its cancellation as the record dates them; one registered here shows
    its audit row instead, not both."""
    loaded = make_entity(handler, "长沙市芙蓉区老字号米粉店", kind="individual")
    Entity.objects.filter(pk=loaded.pk).update(
        status="cancelled",
        status_changed_on=dt.date(2023, 5, 6),
        registration_authority="长沙市芙蓉区市场监督管理局",
    )
    AuditLog.objects.filter(object_type="registry.entity", object_id=str(loaded.pk)).delete()
    client.force_login(handler)
    page = client.get(f"/registry/entities/{loaded.uscc}/").content.decode()
    assert "2020-01-02 · 长沙市芙蓉区市场监督管理局" in page and "设立登记，主体成立" in page
    assert "2023-05-06 · 长沙市芙蓉区市场监督管理局" in page
    assert "登记状态变更为“注销”" in page
    assert page.index("登记状态变更为") < page.index("设立登记，主体成立")  # newest first

    here = make_entity(handler, "长沙市芙蓉区新开米粉店", kind="individual")
    services.entity_change_status(
        actor=handler, entity=here, status="cancelled", on=dt.date(2024, 1, 3)
    )
    page = client.get(f"/registry/entities/{here.uscc}/").content.decode()
    assert "登记市场主体" in page and "登记状态：存续（在业） → 注销" in page
    assert "设立登记，主体成立" not in page and "登记状态变更为" not in page


def test_outsider_gets_404_on_detail_and_nothing_in_list(client, outsider, entity_a):
    client.force_login(outsider)
    assert client.get(f"/registry/entities/{entity_a.uscc}/").status_code == 404
    assert "湖南立白日化有限公司" not in client.get("/registry/entities/").content.decode()


def test_export_is_scoped_and_audited(client, handler, outsider, entity_a, entity_b):
    client.force_login(handler)
    rows = _xlsx_rows(client.get("/registry/entities/export.xlsx"))
    assert rows[0][0] == "统一社会信用代码"
    assert [r[0] for r in rows[1:]] == [entity_a.uscc]
    row = AuditLog.objects.filter(action="export").latest("id")
    assert row.changes["rows"] == 1 and row.actor == handler
    client.force_login(outsider)
    rows = _xlsx_rows(client.get("/registry/entities/export.xlsx", {"q": "立白"}))
    assert rows[1:] == []


def test_export_of_fragment_search(client, handler, entity_a):
    make_entity(handler, "长沙市芙蓉区鑫达便利超市", kind="individual")
    client.force_login(handler)
    rows = _xlsx_rows(client.get("/registry/entities/export.xlsx", {"q": "超市"}))
    assert [r[1] for r in rows[1:]] == ["长沙市芙蓉区鑫达便利超市"]
    assert rows[1][2] == "个体工商户"


def test_dashboard_card_counts_scope(handler, outsider, entity_a):
    assert dashboard_cards(handler)[0].value == 1
    assert dashboard_cards(outsider)[0].value == 0


def test_entity_page_shows_every_apps_permits_timeline_and_credit_facts(
    client, handler, entity_a, plugin_probe
):
    client.force_login(handler)
    page = client.get(f"/registry/entities/{entity_a.uscc}/").content.decode()
    # The probe's permit, with its number and end; its event on the timeline.
    assert f"TZ{entity_a.pk:06d}" in page and "探针备案事项" in page and "2030-12-31" in page
    assert f"探针记录：{entity_a.name}" in page
    # Its credit facts, newest first, each with its category, authority and state.
    facts = page[page.index('data-testid="credit-facts"') :]
    assert facts.index("报送2025年度年度报告") < facts.index("列入：通过登记的住所无法联系")
    assert "芙市监异〔2026〕12号" in facts and "在列" in facts and "至 2026-06-30" in facts


def test_entity_page_says_when_no_installed_app_keeps_credit_facts(
    client, handler, entity_a, settings
):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "regulus.credit"]
    client.force_login(handler)
    page = client.get(f"/registry/entities/{entity_a.uscc}/").content.decode()
    assert 'data-testid="credit-facts-not-kept"' in page and "credit-facts-none" not in page


def test_entity_page_says_when_an_entity_has_no_credit_facts(
    client, handler, entity_a, plugin_probe, monkeypatch
):
    from tests.plugin_probe import extensions as probe

    monkeypatch.setattr(probe, "recorded_facts", lambda entity: [])
    client.force_login(handler)
    page = client.get(f"/registry/entities/{entity_a.uscc}/").content.decode()
    assert 'data-testid="credit-facts-none"' in page and "暂无信用信息" in page


def test_seed_is_idempotent_and_realistic(bureau):
    from regulus.registry import demo
    from regulus.registry.models import Entity

    assert demo.seed(entities=300, log=lambda s: None) == 300
    assert demo.seed(entities=300, log=lambda s: None) == 0
    assert Entity.objects.count() == 300
    individuals = Entity.objects.filter(kind="individual").count()
    assert 150 < individuals < 260
    assert Entity.objects.filter(name="liby立白洗涤用品长沙经营部").exists()
    for e in Entity.objects.select_related("unit")[:50]:
        assert e.unit.division_code == e.district_code
        assert e.business_scope  # every trade registers one
    # Names end as real ones do: no number in brackets; newer 个体工商户 may mark their form.
    assert not Entity.objects.filter(name__regex=r"（[0-9]+）$").exists()
    assert not Entity.objects.filter(
        name__endswith="（个体工商户）", established_on__lt=demo.INDIVIDUAL_MARK_FROM
    ).exists()


@pytest.mark.parametrize("q", ["立", "立白 超"])
def test_export_of_a_refused_search_says_why_instead_of_a_workbook(client, handler, entity_a, q):
    """A search the list refuses (too short a word) has no results to export: the export
    answers with the list and the reason, writes no workbook and no audit row."""
    client.force_login(handler)
    listed = client.get("/registry/entities/", {"q": q}).content.decode()
    assert 'data-testid="search-message"' in listed and "export-link" not in listed
    response = client.get("/registry/entities/export.xlsx", {"q": q}, follow=True)
    assert response.redirect_chain and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    reason = "至少输入两个字" if len(q) == 1 else "用空格分开的每个关键词至少两个字"
    assert f"未导出：{reason}" in page
    assert not AuditLog.objects.filter(action="export").exists()
