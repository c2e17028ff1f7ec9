"""A long uploaded file name (no space to break at) at a phone's width: the application's
staff page and the applicant's portal page wrap it inside its card, keep its extension, and
keep the 删除 button of a removable upload on screen."""

from __future__ import annotations

import pytest

from regulus.core.demo import DEMO_PASSWORD
from tests.demo_city import (
    LONG_FILE_NAME,
    PORTAL_PHONE,
    seed_portal_application_with_a_long_file_name,
)
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS_JS = """(name) => {
  const width = document.documentElement.clientWidth;
  const cells = '[data-testid=material-file] a, [data-testid=material-file] span';
  const link = [...document.querySelectorAll(cells)].find(e => e.textContent.trim() === name);
  if (!link) return ['没有找到文件名'];
  const problems = [];
  if (document.documentElement.scrollWidth > width) problems.push('页面横向滚动');
  const box = link.getBoundingClientRect();
  if (box.right > width + 1 || box.left < -1) problems.push('文件名超出屏幕');
  const row = link.closest('[data-testid=material-file]');
  const button = row.querySelector('button');
  if (button) {
    const b = button.getBoundingClientRect();
    if (b.right > width + 1 || b.width < 20) problems.push('删除按钮不在屏幕内');
  }
  return problems;
}"""


def test_long_file_names_wrap_at_390_px_on_staff_and_portal_pages(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    app = seed_portal_application_with_a_long_file_name()
    shown = app.materials.get(original_name__startswith="Scan_").original_name
    # Over 200 characters: its stem is cut, its extension kept.
    assert len(LONG_FILE_NAME) > 200 and len(shown) == 200 and shown.endswith("….pdf")

    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = staff.new_page()
    login(page, live_server, "shenpi", DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    page.goto(f"{live_server.url}/licensing/applications/{app.number}/")
    assert page.evaluate(FITS_JS, shown) == []
    assert page.locator("[data-testid=material-file] button").count() > 0  # 删除 offered
    staff.close()

    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    portal = public.new_page()
    portal.goto(f"{live_server.url}/portal/progress/")
    portal.fill("[name=number]", app.number)
    portal.fill("[name=phone]", PORTAL_PHONE)
    portal.click("button[type=submit]")
    portal.wait_for_url(f"**/portal/applications/{app.number}/")
    assert portal.evaluate(FITS_JS, shown) == []
    public.close()
