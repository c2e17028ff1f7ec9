"""Log in, see the shell, log out — in a real browser."""

import pytest

from regulus.core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_sees_shell_and_logs_out(page, live_server, handler):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "login")
    login(page, live_server, handler.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    assert "刘思远" in page.inner_text("[data-testid=user-name]")
    assert "芙蓉区市场监督管理局" in page.inner_text("[data-testid=user-unit]")
    assert page.is_visible("text=单位与人员")
    screenshot(page, "home")
    page.click("text=单位与人员")
    page.wait_for_selector("[data-testid=staff-table]")
    screenshot(page, "staff")
    page.click("[data-testid=logout]")
    page.wait_for_selector("#id_username")
    assert "/login/" in page.url
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_wrong_password_shows_chinese_error(page, live_server, handler):
    login(page, live_server, handler.username, "wrong-password")
    assert "用户名或密码错误" in page.inner_text("[data-testid=login-error]")
