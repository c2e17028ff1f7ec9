"""Back after leaving an htmx-searched list shows the whole page, styled, with the results:
the fragment htmx fetched for the list is never what the browser shows for its URL (issue 18,
defect 1: search 便利, open an entity, press Back; the browser gave the cached fragment, a bare
unstyled table)."""

import re

import pytest
from playwright.sync_api import expect

from regulus.core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login
from tests.registry.conftest import make_entity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _whole_page_with_results(page) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("[data-testid=user-name]")).to_be_visible()  # the staff shell
    expect(page.locator("[data-testid=entity-q]")).to_have_value("便利")
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 2 户")
    # Styled: Bootstrap's stylesheet is applied to the table.
    assert page.evaluate("document.styleSheets.length") > 0
    border = page.eval_on_selector(
        "[data-testid=entity-table]", "t => getComputedStyle(t).borderCollapse"
    )
    assert border == "collapse"


def test_back_after_opening_a_searched_entity_shows_the_whole_page(page, live_server, handler):
    make_entity(handler, "长沙市芙蓉区鑫达便利超市", kind="individual")
    make_entity(handler, "芙蓉区好又多便利店", kind="individual")
    make_entity(handler, "湖南立白日化有限公司")
    login(page, live_server, handler.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    page.goto(f"{live_server.url}/registry/entities/")
    page.locator("[data-testid=entity-q]").press_sequentially("便利", delay=50)
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 2 户")
    expect(page).to_have_url(re.compile(r"[?&]q="))  # htmx pushed the search's URL

    page.click("text=长沙市芙蓉区鑫达便利超市")
    page.wait_for_selector("[data-testid=entity-name]")
    page.go_back()
    page.wait_for_load_state()
    _whole_page_with_results(page)

    # And once more with the page reloaded from the history (no page in memory to restore):
    # the same URL must still give the whole page.
    page.click("text=长沙市芙蓉区鑫达便利超市")
    page.wait_for_selector("[data-testid=entity-name]")
    page.go_back()
    page.reload()
    _whole_page_with_results(page)
