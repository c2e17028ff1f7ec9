"""Search as you type, open an entity, export the list — in a real browser."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from regulus.core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.registry.conftest import make_entity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_registry_search_as_you_type_open_and_export(page, live_server, handler, outsider):
    make_entity(handler, "湖南立白日化有限公司", legal_rep_name="陈凯旋")
    make_entity(handler, "liby立白洗涤用品长沙经营部", kind="individual")
    make_entity(handler, "长沙市芙蓉区鑫达便利超市", kind="individual")
    make_entity(outsider, "天心区立白专卖店", district="430103", kind="individual")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    login(page, live_server, handler.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    page.click("text=市场主体")
    page.wait_for_selector("[data-testid=entity-table]")

    box = page.locator("[data-testid=entity-q]")
    box.press_sequentially("立", delay=50)
    page.wait_for_selector("[data-testid=search-message]")
    assert "至少输入两个字" in page.inner_text("[data-testid=search-message]")
    box.press_sequentially("白", delay=50)
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 2 户")
    table = page.inner_text("[data-testid=entity-table]")
    assert "湖南立白日化有限公司" in table and "liby立白洗涤用品长沙经营部" in table
    assert "天心区立白专卖店" not in table  # outside the handler's scope
    assert "q=%E7%AB%8B%E7%99%BD" in page.url or "q=立白" in page.url  # pushed to the address bar
    screenshot(page, "registry-search")

    with page.expect_download() as download_info:
        page.click("[data-testid=export-link]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    names = sorted(row[1].value for row in sheet.iter_rows(min_row=2))
    assert names == ["liby立白洗涤用品长沙经营部", "湖南立白日化有限公司"]

    page.click("text=湖南立白日化有限公司")
    page.wait_for_selector("[data-testid=entity-name]")
    assert page.inner_text("[data-testid=entity-name]") == "湖南立白日化有限公司"
    assert "登记市场主体" in page.inner_text("[data-testid=timeline]")
    screenshot(page, "registry-entity")
    assert not [e for e in errors if "Content Security Policy" in e], errors
