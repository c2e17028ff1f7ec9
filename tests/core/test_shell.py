"""The staff shell: login page, navigation, list and detail pages, Chinese throughout."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import CalendarDay, User

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client, bureau):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_home_shows_unit_roles_and_navigation(client, handler):
    client.force_login(handler)
    html = client.get("/").content.decode()
    assert "芙蓉区市场监督管理局" in html and "县区局业务承办人" in html
    assert "单位与人员" in html and "工作日历" in html


def test_navigation_hides_audit_log_from_all_but_the_auditor(client, handler, city_admin, auditor):
    for user in (handler, city_admin):
        client.force_login(user)
        assert "操作日志" not in client.get("/").content.decode()
        assert client.get("/audit/").status_code == 403
    client.force_login(auditor)
    assert "操作日志" in client.get("/").content.decode()
    assert client.get("/audit/").status_code == 200


def test_audit_log_page_shows_each_change_whole_under_its_fields_name(client, city_admin, auditor):
    """A change is "old → new" under the field's Chinese name; a plain fact a row carries (a
    transition's note, a created object's values, a list of roles) is shown as it is, not
    split into its first two characters or items."""
    from regulus.core.audit import audit_record
    from regulus.core.models import AuditLog

    audit_record(
        actor=city_admin,
        action=AuditLog.Action.TRANSITION,
        object_type="core.user",
        object_id=str(city_admin.pk),
        object_repr="系统管理员",
        summary="测试流转",
        changes={
            "full_name": ["旧名称", "新名称"],
            "note": "免费送达",
            "roles": ["甲", "乙", "丙"],
        },
    )
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "旧名称 → 新名称" in page and "免费送达" in page and "甲、乙、丙" in page
    assert "免 → 费" not in page and "甲 → 乙" not in page
    assert '<span class="text-muted">姓名</span>' in page  # User.full_name's label
    assert '<span class="text-muted">角色</span>' in page


def test_admin_creates_the_account_and_the_security_admin_grants_its_role(
    client, city_admin, security_admin, bureau
):
    client.force_login(city_admin)
    role = bureau["roles"]["执法检查人员"]
    response = client.post(
        "/staff/new/",
        {
            "username": "new_inspector",
            "full_name": "新检查员",
            "unit": bureau["station_a"].pk,
            "password": "Jiancha2026!",
            "phone": "0731-84512345",
        },
    )
    assert response.status_code == 302
    assert "新检查员" in client.get("/staff/?q=新检查员").content.decode()
    staff = User.objects.get(username="new_inspector")
    assert not staff.roles.exists()
    assert client.post(f"/staff/{staff.pk}/roles/", {"roles": [role.pk]}).status_code == 403
    client.force_login(security_admin)
    assert client.post(f"/staff/{staff.pk}/roles/", {"roles": [role.pk]}).status_code == 302
    assert list(staff.roles.all()) == [role]


def test_staff_form_rejects_weak_password_naming_the_rule(client, city_admin, bureau):
    client.force_login(city_admin)
    response = client.post(
        "/staff/new/",
        {
            "username": "weak",
            "full_name": "弱密码",
            "unit": bureau["station_a"].pk,
            "password": "abcdefgh",
        },
    )
    assert response.status_code == 200
    assert "至少3类" in response.content.decode()


def test_calendar_page_lists_national_day_and_computes_deadline(client, handler):
    client.force_login(handler)
    html = client.get("/calendar/?year=2026&start=2026-09-30&n=1").content.decode()
    assert "国庆节" in html and "2026-10-08" in html


def test_admin_adds_a_holiday_from_the_calendar_page(client, city_admin):
    client.force_login(city_admin)
    client.post("/calendar/?year=2027", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert CalendarDay.objects.get(date="2027-01-01").name == "元旦"


def test_admin_deletes_a_day_from_the_calendar_page_and_returns_to_its_year(client, city_admin):
    """The service deletes the row by its date, its primary key: the page must take the year
    before (it read the deleted instance's date and answered 500)."""
    client.force_login(city_admin)
    client.post("/calendar/?year=2027", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    response = client.post("/calendar/2027-01-01/delete/")
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    assert not CalendarDay.objects.filter(date="2027-01-01").exists()


def test_calendar_page_computes_calendar_days_with_their_trace_and_refuses_year_9999(
    client, handler
):
    client.force_login(handler)
    html = client.get("/calendar/?year=2026&start=2026-09-16&n=15&unit=calendar").content.decode()
    assert "15 个自然日（不含当日）届满：<strong>2026-10-08</strong>" in html
    assert "第 15 日 2026-10-01 为休息日，顺延至 2026-10-08。" in html
    html = client.get("/calendar/?start=9999-12-31&n=5").content.decode()
    assert "起算日应在 2020-01-01 至" in html


def test_handler_cannot_edit_the_calendar(client, handler):
    client.force_login(handler)
    response = client.post("/calendar/", {"date": "2027-01-01", "kind": "holiday"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date="2027-01-01").exists()


def test_seed_demo_bureau_is_idempotent(db):
    from regulus.core.models import OrgUnit, User

    call_command("seed_demo", "--entities", "0")
    units, users = OrgUnit.objects.count(), User.objects.count()
    call_command("seed_demo", "--entities", "0")
    assert (OrgUnit.objects.count(), User.objects.count()) == (units, users)
    assert users >= 150 and OrgUnit.objects.filter(kind="district").count() == 12


def test_home_shows_the_previous_login_with_its_address_not_the_current_one(client, handler):
    def login_at(when, address):
        with time_machine.travel(when, tick=False):
            browser = client.__class__()
            data = {"username": handler.username, "password": DEMO_PASSWORD}
            assert browser.post("/login/", data, REMOTE_ADDR=address).status_code == 302
            return browser.get("/").content.decode()

    first = login_at(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), "10.0.0.1")
    assert "本次为首次登录" in first
    second = login_at(dt.datetime(2026, 3, 3, 6, 30, tzinfo=dt.UTC), "10.0.0.2")
    assert "2026-03-02 09:00，地址 10.0.0.1" in second  # the first login, in Changsha time
    assert "2026-03-03 14:30" not in second  # not this one
    third = login_at(dt.datetime(2026, 3, 4, 0, 15, tzinfo=dt.UTC), "10.0.0.3")
    assert "2026-03-03 14:30，地址 10.0.0.2" in third
