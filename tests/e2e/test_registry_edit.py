"""新增, 变更 and 状态变更 of a market entity — in a real browser, under the CSP."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from regulus.core import ids
from regulus.core.demo import DEMO_PASSWORD
from regulus.registry.models import Entity, EntityStatus
from tests.e2e.conftest import login
from tests.registry.conftest import new_uscc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_registry_create_edit_and_revoke(page, live_server, handler, bureau):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    uscc = new_uscc("430102")

    login(page, live_server, handler.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    page.goto(f"{live_server.url}/registry/entities/")
    page.click("[data-testid=entity-create]")
    page.wait_for_selector("[data-testid=entity-create-form]")

    # A wrong check character first: the page says which rule, beside the field.
    page.fill("#id_uscc", uscc[:17] + ("0" if uscc[-1] != "0" else "1"))
    page.fill("#id_name", "长沙市芙蓉区新开张餐饮有限公司")
    page.select_option("#id_unit", str(bureau["station_a"].pk))
    page.fill("#id_established_on", "2024-03-15")
    page.fill("#id_legal_rep_name", "赵立新")
    page.fill("#id_legal_rep_id_number", ids.make_id_number("430102", dt.date(1980, 5, 6), 21))
    page.click("[data-testid=entity-create-submit]")
    expect(page.locator("[data-testid=error-uscc]")).to_contain_text("校验位")

    page.fill("#id_uscc", uscc)
    page.click("[data-testid=entity-create-submit]")
    expect(page.locator("[data-testid=entity-name]")).to_have_text("长沙市芙蓉区新开张餐饮有限公司")
    expect(page.locator("main")).to_contain_text("已登记")

    # 变更: the panel opens without inline script; the old name is kept.
    page.click("[data-testid=edit-toggle]")
    # Bootstrap adds "show" when the panel has finished opening: a click on its submit button
    # during the opening animation was lost once on a slow machine.
    expect(page.locator("#edit-panel")).to_have_class(re.compile(r"\bshow\b"))
    page.fill("#id_edit-name", "长沙市芙蓉区新开张餐饮管理有限公司")
    page.fill("#id_edit-phone", "不是电话")
    page.click("[data-testid=entity-edit-submit]")
    expect(page.locator("[data-testid=error-phone]")).to_contain_text("联系电话")
    page.fill("#id_edit-phone", "0731-88886666")
    page.click("[data-testid=entity-edit-submit]")
    expect(page.locator("main")).to_contain_text("已保存")
    expect(page.locator("[data-testid=entity-name]")).to_have_text(
        "长沙市芙蓉区新开张餐饮管理有限公司"
    )
    expect(page.locator("[data-testid=former-names]")).to_contain_text(
        "长沙市芙蓉区新开张餐饮有限公司"
    )

    # 状态变更: asks first (data-confirm), then records it.
    page.click("[data-testid=status-toggle]")
    expect(page.locator("#status-panel")).to_have_class(re.compile(r"\bshow\b"))
    page.select_option("#id_status-status", "revoked")
    page.fill("#id_status-reason", "长市监吊字〔2026〕1号")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=entity-status-submit]")
    expect(page.locator("[data-testid=entity-status]")).to_have_text("吊销")
    assert "长市监吊字〔2026〕1号" in page.inner_text("[data-testid=timeline]")

    entity = Entity.objects.get(uscc=uscc)
    assert entity.status == EntityStatus.REVOKED and entity.unit == bureau["station_a"]
    assert not [e for e in errors if "Content Security Policy" in e], errors
