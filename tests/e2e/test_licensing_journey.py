"""开办超市 in one sitting: the applicant applies on the portal on the commitment path, a
handler issues the multi-permit certificate the same day, and its QR link verifies it."""

from __future__ import annotations

import re

import pytest

from regulus.core.demo import DEMO_PASSWORD
from regulus.licensing.catalogue import catalogue_ensure
from regulus.licensing.models import Application, Certificate
from tests.e2e.conftest import login, screenshot
from tests.licensing.conftest import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def calendar_2026(transactional_db):
    from regulus.core import calendar
    from regulus.core.models import CalendarYear

    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)


def test_open_a_supermarket_from_portal_form_to_verified_certificate(
    browser, live_server, handler, settings, tmp_path, calendar_2026
):
    settings.PORTAL_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    catalogue_ensure()
    errors: list[str] = []

    # The applicant, no login.
    public = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = public.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/portal/")
    screenshot(page, "portal-home")
    page.click("[data-testid=apply-open-supermarket]")
    page.fill("#f-name", "长沙市芙蓉区邻里鲜超市有限公司")
    page.select_option("#f-kind", "enterprise")
    page.select_option("#f-district", "430102")
    page.fill("#f-address", "长沙市芙蓉区五一大道100号")
    page.fill("#f-contact", "张三")
    page.fill("#f-idno", "11010519491231002X")
    page.fill("#f-phone", "13812345678")
    for field in page.query_selector_all("input[type=file]"):
        key = field.get_attribute("name").removeprefix("material_")
        field.set_input_files({"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.check("[data-testid=path-commitment]")
    page.check("[data-testid=commitment-signed]")
    page.select_option("#f-delivery", "mail")
    page.fill("#f-daddr", "长沙市芙蓉区五一大道100号")
    page.click("[data-testid=submit-application]")
    number = page.inner_text("[data-testid=application-number]").strip()
    assert re.fullmatch(r"YJS\d{8}\d{5}", number)
    assert page.is_visible("[data-testid=receipt]")

    # The handler, in a staff browser context, issues the certificate on the spot.
    staff = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    desk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    desk.on("dialog", lambda d: d.accept())
    login(desk, live_server, handler.username, DEMO_PASSWORD)
    desk.wait_for_selector("[data-testid=user-name]")
    desk.goto(f"{live_server.url}/licensing/applications/{number}/")
    assert desk.inner_text("[data-testid=state]") == "待受理"
    desk.click("[data-testid=act-fast-track]")
    desk.wait_for_selector("[data-testid=certificate-link]")
    assert desk.inner_text("[data-testid=state]") == "已发证"
    desk.click("[data-testid=certificate-link]")
    desk.wait_for_selector("[data-testid=certificate]")
    screenshot(desk, "licensing-certificate")
    cert_number = desk.inner_text("[data-testid=certificate-number]").strip()
    body = desk.inner_text("[data-testid=certificate]")
    for item in ("营业执照", "食品经营许可", "第二类医疗器械经营"):
        assert item in body
    assert (
        desk.locator("[data-testid=qr-link] img")
        .get_attribute("src")
        .startswith("data:image/svg+xml")
    )
    qr_url = desk.get_attribute("[data-testid=qr-link]", "href")
    assert qr_url == f"{live_server.url}/portal/certificates/{cert_number}/"

    # Anyone follows the QR link: the certificate is valid.
    page.goto(qr_url)
    assert "有效" in page.inner_text("[data-testid=verify-state]")
    assert page.inner_text("[data-testid=holder]") == "长沙市芙蓉区邻里鲜超市有限公司"
    # The applicant's progress page shows the issued state.
    page.goto(f"{live_server.url}/portal/applications/{number}/")
    assert page.inner_text("[data-testid=state]") == "已发证"

    app = Application.objects.get(number=number)
    assert app.same_day and app.path == "commitment" and app.visits == 0
    assert Certificate.objects.get(number=cert_number).entity is not None
    assert errors == []
    public.close()
    staff.close()
