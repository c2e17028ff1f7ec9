"""A spot-check draw from freezing to the portal: the handler freezes the lists, two staff enter
the public source, the handler draws and sees the assignment, an inspector enters the result
on a phone-sized page (showing the visit's code, which the entity opens on the portal; the
problem found ordered rectified and closed on re-check; the entity rating the visit with the
code shown after the check), the result is published on the entity's public page, and the draw's
files downloaded from the portal reproduce in the stand-alone verifier. Every page on the way
fits a phone and a desk."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from regulus.core import clock
from regulus.core.demo import DEMO_PASSWORD
from regulus.inspections import services
from regulus.inspections.models import Domain, Target
from tests.e2e.conftest import login
from tests.e2e.test_every_page_fits import DESK, PHONE, _check
from tests.inspections.conftest import enrol, entities

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"


def _context(browser, size):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=size, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def test_draw_assign_check_publish_and_verify_from_the_portal(
    browser, live_server, bureau, handler, colleague, tmp_path, time_machine
):
    from regulus.core import calendar
    from regulus.core.models import CalendarYear
    from regulus.inspections.models import CheckItem

    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    entities(bureau["station_a"], 40)
    inspectors = [
        enrol(bureau["station_a"], n, f"4301029{i}")
        for i, n in enumerate(["张伟", "王芳", "李娜", "刘洋"])
    ]
    item = CheckItem.objects.create(
        code="SP-01",
        name="食品经营条件检查",
        department="食品经营监管科",
        legal_basis="《食品安全法》第一百一十条",
        kind="key",
        domain=Domain.FOOD,
    )
    today = clock.today()
    plan = services.plan_create(actor=handler, year=today.year, batch=1, title="年度抽查计划")
    available = clock.now() + dt.timedelta(seconds=12)
    task = services.task_create(
        actor=handler,
        plan=plan,
        title="食品经营者抽查",
        department="食品经营监管科",
        domain=Domain.FOOD,
        items=[item],
        check_from=today,
        check_to=today + dt.timedelta(days=20),
        source_description="中国福利彩票3D开奖号码",
        source_available_at=available,
        ratios={"A": "5", "B": "20", "C": "30", "D": "100", "-": "10"},
    )
    problems: list[str] = []
    desk_ctx, desk = _context(browser, DESK)
    login(desk, live_server, handler.username, DEMO_PASSWORD)
    task_url = f"{live_server.url}/inspections/tasks/{task.number}/"
    desk.goto(task_url)
    desk.click("[data-testid=freeze]")
    desk.wait_for_selector("[data-testid=snapshot-table]")
    # The public source is out: the clock (the live server's thread's too) moves on to it
    # rather than the test sleeping until then.
    if clock.now() < available:
        time_machine.move_to(available + dt.timedelta(seconds=0.5), tick=True)
    desk.fill("[data-testid=source-value]", "7 2 4")
    desk.click("[data-testid=source-enter]")
    second_ctx, second = _context(browser, PHONE)
    login(second, live_server, colleague.username, DEMO_PASSWORD)
    second.goto(task_url)
    second.fill("[data-testid=source-value]", "7 2 4")
    second.click("[data-testid=source-enter]")
    desk.goto(task_url)
    desk.click("[data-testid=draw]")
    table = desk.inner_text("[data-testid=target-table]")
    assert "张伟" in table or "王芳" in table or "李娜" in table or "刘洋" in table

    # The inspector of the first drawn target, on a phone.
    target = Target.objects.filter(task=task).order_by("position").first()
    inspector = target.assignments.filter(active=True).first().inspector.user
    assert inspector in [i.user for i in inspectors]
    phone_ctx, phone = _context(browser, PHONE)
    login(phone, live_server, inspector.username, DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/inspections/mine/")
    phone.click(f"[data-testid=my-target] >> text={target.entity.name}")
    result_url = phone.url
    # 亮码检查: the code on the inspector's phone opens the entity's page of the visit.
    phone.click("[data-testid=show-code]")
    code = phone.inner_text("[data-testid=visit-code]").strip()
    assert phone.locator("[data-testid=visit-qr] svg").count() == 1
    _check(phone, result_url, PHONE["width"], problems)
    shop_ctx, shop = _context(browser, PHONE)
    shop.goto(f"{live_server.url}/portal/checks/visit/")
    shop.fill("[data-testid=visit-code-input]", code.lower())
    shop.click("button[type=submit]")
    assert inspector.inspector_entry.number in shop.inner_text("[data-testid=visit-inspectors]")
    assert "食品经营条件检查" in shop.inner_text("[data-testid=visit-items]")
    _check(shop, shop.url, PHONE["width"], problems)

    # A problem found: the inspector orders it rectified, on the phone.
    phone.goto(result_url)
    phone.select_option("[data-testid=code-1]", "A")
    phone.fill("[data-testid=requirement]", "十五个工作日内完善进货查验记录")
    phone.click("[data-testid=result-save]")
    assert "已检查" in phone.inner_text("[data-testid=target-state]")
    rating_code = phone.inner_text("[data-testid=rating-code]").strip()
    _check(phone, phone.url, PHONE["width"], problems)
    _check(phone, f"{live_server.url}/inspections/mine/", PHONE["width"], problems)
    phone.goto(result_url)
    phone.click("[data-testid=rectification-open]")
    assert "整改中" in phone.inner_text("[data-testid=rectification-state]")
    _check(phone, phone.url, PHONE["width"], problems)
    phone.fill("[data-testid=recheck-notes]", "进货查验记录已补齐")
    phone.click("[data-testid=recheck-pass]")
    assert "复查合格" in phone.inner_text("[data-testid=rectification-state]")

    # The entity rates the visit with the code the inspector's screen showed.
    shop.goto(f"{live_server.url}/portal/checks/visit/{code}/")
    shop.check("[data-testid=score-5]")
    shop.fill("[data-testid=rating-code-input]", rating_code)
    shop.click("[data-testid=rate-submit]")
    shop.wait_for_selector("[data-testid=visit-rated]")
    shop_ctx.close()

    # Published, and on the entity's public page.
    desk.goto(f"{live_server.url}/inspections/publication/")
    desk.click("[data-testid=publication-table] button[type=submit]")
    desk.goto(f"{live_server.url}/portal/entities/{target.entity.uscc}/")
    assert "发现问题经责令已改正" in desk.content()

    # The draw's files from the portal reproduce in the stand-alone verifier.
    desk.goto(f"{live_server.url}/portal/checks/{task.number}/")
    desk.click("[data-testid=verify]")
    assert "结果一致" in desk.inner_text("[data-testid=verdict]")
    folder = tmp_path / "draw"
    folder.mkdir()
    for n in range(1, 5):
        with desk.expect_download() as download:
            desk.click(f"[data-testid=file-{n}]")
        download.value.save_as(folder / download.value.suggested_filename)
    done = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr

    for path in (
        "/inspections/tasks/",
        task_url.removeprefix(live_server.url),
        "/inspections/plans/",
        f"/inspections/plans/{plan.pk}/",
        f"/inspections/plans/{plan.pk}/tasks/new/",
        "/inspections/items/",
        "/inspections/inspectors/",
        "/inspections/publication/",
        "/inspections/rectifications/",
        "/inspections/stats/",
        "/portal/checks/",
        f"/portal/checks/{task.number}/",
    ):
        for size in (DESK, PHONE):
            desk.set_viewport_size(size)
            _check(desk, live_server.url + path, size["width"], problems)
    assert problems == []
    for context in (desk_ctx, second_ctx, phone_ctx):
        context.close()
