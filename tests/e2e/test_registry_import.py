"""Import a provincial export (GB18030) in a real browser: upload, preview of every bad row,
import of the good rows after a confirmation, then the new entity found by the search."""

import pytest
from playwright.sync_api import expect

from regulus.core.demo import DEMO_PASSWORD
from regulus.registry.models import Entity, ImportJob
from tests.e2e.conftest import login
from tests.registry.test_entity_import import row, write_csv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_registry_import_previews_bad_rows_then_imports_good_rows(
    page, live_server, handler, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    good = row(名称="长沙市芙蓉区导入测试商行")
    late = row(名称="长沙市芙蓉区未来商行", 成立日期="2999-01-01")
    path = write_csv(tmp_path / "省局导出.csv", [good, late], encoding="gb18030")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    login(page, live_server, handler.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=import-form] button[type=submit]")

    # The check is a dry run: the page names the bad row's line, field and rule, and nothing
    # is written yet.
    expect(page.locator("[data-testid=import-state]")).to_have_text("校验完成，待确认")
    expect(page.locator("[data-testid=good-rows]")).to_have_text("1")
    bad = page.locator("[data-testid=import-errors] tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.first).to_contain_text("3")  # the header is line 1
    expect(bad.first).to_contain_text("成立日期")
    expect(bad.first).to_contain_text("晚于今天")
    assert not Entity.objects.exists()

    # Only the good rows, after the browser's confirmation (data-confirm, no inline script).
    dialogs: list[str] = []

    def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("[data-testid=commit-good]")
    expect(page.locator("[data-testid=import-state]")).to_have_text("已导入")
    expect(page.locator("[data-testid=done-counts]")).to_contain_text("1 / 0")
    assert dialogs and "1 个错误行不导入" in dialogs[0]
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert list(Entity.objects.values_list("name", flat=True)) == ["长沙市芙蓉区导入测试商行"]

    page.goto(f"{live_server.url}/registry/entities/")
    page.locator("[data-testid=entity-q]").press_sequentially("测试商行", delay=30)
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 1 户")
    page.click("text=长沙市芙蓉区导入测试商行")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("批量导入新增（省局导出.csv）")
    assert not [e for e in errors if "Content Security Policy" in e], errors
