"""The three duties of 等保 2.0, held apart: the system administrator (units, staff accounts,
configuration, the catalogue), the security administrator (roles and grants, lockouts, tokens,
security settings) and the security auditor (the operation log and its chain check, nothing
else). Each sees only its own; none may edit the log; nobody grants themselves a role."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from regulus.core import clock, permissions, services, tokens
from regulus.core.models import AuditLog, DataScope, OrgUnit, Role, User
from regulus.core.navigation import page_permission
from regulus.core.plugins import nav_entries

pytestmark = pytest.mark.django_db

OWN = {
    Role.Code.ADMIN: {
        "core.staff_view",
        "core.staff_manage",
        "core.unit_manage",
        "core.metrics_view",
        "core.calendar_view",
        "core.calendar_manage",
        "core.clock_rule_view",
        "core.clock_rule_manage",
        "core.token_issue",
        "licensing.catalogue_view",
        "licensing.catalogue_manage",
        "complaints.routing_view",
        "complaints.routing_manage",
        "complaints.odr_view",
        "complaints.odr_manage",
    },
    Role.Code.SECURITY_ADMIN: {
        "core.staff_view",
        "core.roles_manage",
        "core.security_manage",
        "core.token_manage",
        "core.token_issue",
    },
    Role.Code.AUDITOR: {"core.audit_view", "core.audit_verify"},
}


@pytest.mark.parametrize("code", list(OWN), ids=list(OWN))
def test_each_duty_holds_only_its_own_permissions(code):
    assert {p.code for p in permissions.for_role(code)} == OWN[code]


def test_the_log_is_the_auditors_alone():
    for code in ("core.audit_view", "core.audit_verify"):
        assert permissions.get(code).roles == (Role.Code.AUDITOR,)


@pytest.fixture
def duties(city_admin, security_admin, auditor):
    return {
        Role.Code.ADMIN: city_admin,
        Role.Code.SECURITY_ADMIN: security_admin,
        Role.Code.AUDITOR: auditor,
    }


@pytest.mark.parametrize("code", list(OWN), ids=list(OWN))
def test_each_duty_sees_only_its_own_pages_and_menu(client, duties, code):
    user = duties[code]
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200
    shown = {entry["item"].url_name for entries in home.context["nav_sections"].values()
             for entry in entries}  # fmt: skip
    for item in nav_entries():
        permission = item.permission or page_permission(reverse(item.url_name))
        if not permission:
            continue
        allowed = permission in OWN[code]
        assert (item.url_name in shown) == allowed, item.url_name
        if item.url_name.startswith("api:"):
            continue  # the API's documentation is public (no data); its menu entry is not
        assert (client.get(reverse(item.url_name)).status_code == 200) == allowed, item.url_name


def test_the_auditor_reads_no_registry_application_or_upload_and_exports_nothing(
    client, auditor, handler
):
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "芙蓉区审计员看不到的主体")
    client.force_login(auditor)
    for url in (
        "/registry/entities/",
        f"/registry/entities/{entity.uscc}/",
        "/registry/entities/export.xlsx",
        "/licensing/applications/",
        "/licensing/materials/1/",
        "/licensing/stats.xlsx",
        "/staff/",
    ):
        assert client.get(url).status_code == 403, url
    for url in ("/api/v1/entities", f"/api/v1/entities/{entity.uscc}", "/api/v1/staff"):
        assert client.get(url).status_code == 403, url
    home = client.get("/").content.decode()
    assert entity.name not in home and "市场主体（本范围）" not in home
    assert client.get("/audit/").status_code == 200


def test_the_system_administrator_cannot_edit_or_delete_the_log(client, city_admin, handler):
    row = AuditLog.objects.create(
        at=clock.now(), action=AuditLog.Action.CREATE, prev_hash="0" * 64, hash="x" * 64
    )
    client.force_login(city_admin)
    assert client.get("/audit/").status_code == 403
    superuser = User.objects.create_superuser("root", password="Regulus@2026")
    client.force_login(superuser)
    base = f"/django-admin/core/auditlog/{row.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # read-only for everyone
    assert client.post(f"{base}/change/", {"summary": "改写"}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/django-admin/core/auditlog/add/").status_code == 403
    assert AuditLog.objects.filter(pk=row.pk, summary="").exists()


def test_the_system_administrator_grants_nothing_not_even_to_himself(city_admin, bureau):
    auditor_role = bureau["roles"]["安全审计员"]
    with pytest.raises(PermissionDenied, match="仅限安全管理员"):
        services.staff_roles_set(actor=city_admin, staff=city_admin, roles=[auditor_role])
    assert list(city_admin.roles.values_list("code", flat=True)) == [Role.Code.ADMIN]


def test_nobody_grants_themselves_a_role(security_admin, bureau):
    with pytest.raises(PermissionDenied, match="不能为自己"):
        services.staff_roles_set(
            actor=security_admin, staff=security_admin, roles=[bureau["roles"]["安全审计员"]]
        )


@pytest.mark.parametrize(
    "names",
    [
        ("系统管理员", "安全审计员"),
        ("安全管理员", "系统管理员"),
        ("安全审计员", "县区局业务承办人"),
    ],
)
def test_a_duty_is_held_alone(security_admin, handler, bureau, names):
    roles = [bureau["roles"][n] for n in names]
    with pytest.raises(ValidationError) as caught:
        services.staff_roles_set(actor=security_admin, staff=handler, roles=roles)
    assert "三员" in caught.value.message_dict["roles"][0]
    assert [r.name for r in handler.roles.all()] == ["县区局业务承办人"]


def test_the_security_administrator_grants_and_the_log_says_so(
    client, security_admin, handler, bureau
):
    client.force_login(security_admin)
    leader = bureau["roles"]["县区局领导"]
    response = client.post(f"/staff/{handler.pk}/roles/", {"roles": [leader.pk]})
    assert response.status_code == 302
    assert [r.name for r in handler.roles.all()] == ["县区局领导"]
    row = AuditLog.objects.filter(object_type="core.user", object_id=str(handler.pk)).latest("id")
    assert row.actor_name == security_admin.display_name
    assert "授予县区局领导" in row.summary and "撤销县区局业务承办人" in row.summary


def test_the_security_administrator_defines_roles(client, security_admin, bureau):
    client.force_login(security_admin)
    response = client.post(
        "/roles/new/",
        {"name": "芙蓉区法制审核员", "code": "legal_reviewer", "data_scope": "custom",
         "custom_units": [bureau["district_a"].pk], "description": "芙蓉区案件审核"},
    )  # fmt: skip
    assert response.status_code == 302
    role = Role.objects.get(name="芙蓉区法制审核员")
    assert role.data_scope == DataScope.CUSTOM and list(role.custom_units.all()) == [
        bureau["district_a"]
    ]
    page = client.get("/roles/").content.decode()
    assert "芙蓉区法制审核员" in page and "法制审核员" in page
    response = client.post(
        f"/roles/{role.pk}/", {"name": role.name, "code": "admin", "data_scope": "all"}
    )
    role.refresh_from_db()
    assert role.code == "legal_reviewer" and role.data_scope == DataScope.ALL  # kind kept
    assert AuditLog.objects.filter(object_type="core.role", object_id=str(role.pk)).count() == 2


def test_custom_scope_needs_its_units(security_admin):
    with pytest.raises(ValidationError) as caught:
        services.role_create(
            actor=security_admin, name="空范围", code="handler", data_scope="custom"
        )
    assert "custom_units" in caught.value.message_dict


def test_the_security_administrator_lifts_a_lockout(client, security_admin, handler, settings):
    AccessAttempt.objects.create(
        username=handler.username, ip_address="10.0.0.9", user_agent="test", http_accept="*/*",
        path_info="/login/", get_data="", post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )  # fmt: skip
    client.force_login(security_admin)
    page = client.get("/security/").content.decode()
    assert handler.username in page and "10.0.0.9" in page and "登录失败锁定" in page
    client.post("/security/", {"username": handler.username})
    assert not AccessAttempt.objects.filter(username=handler.username).exists()
    row = AuditLog.objects.filter(object_type="core.user", object_id=handler.username).get()
    assert "解除" in row.summary and row.actor_name == security_admin.display_name


def test_the_security_administrator_revokes_anyones_token(client, security_admin, handler):
    token, _plain = tokens.token_issue(user=handler, name="对接")
    client.force_login(security_admin)
    assert handler.display_name in client.get("/security/tokens/").content.decode()
    client.post("/security/tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_business_user_revokes_only_their_own_tokens(handler, colleague):
    token, _plain = tokens.token_issue(user=colleague)
    with pytest.raises(PermissionDenied, match="仅限安全管理员"):
        tokens.token_revoke(token=token, actor=handler)


def test_the_auditor_is_issued_no_token(auditor):
    with pytest.raises(PermissionDenied):
        tokens.token_issue(user=auditor)


def test_a_new_duty_account_starts_without_roles(city_admin, bureau):
    staff = services.staff_create(
        actor=city_admin, username="new_auditor", full_name="新审计员", unit=bureau["city"],
        password="Shenji2026!",
    )  # fmt: skip
    assert not staff.roles.exists()
    assert not permissions.allows(staff, "core.audit_view")


def test_the_system_administrator_adds_a_unit(client, city_admin, bureau):
    client.force_login(city_admin)
    response = client.post(
        "/units/new/",
        {"name": "芙蓉区新区市场监管所", "kind": "station", "parent": bureau["district_a"].pk,
         "division_code": "430102", "sort_order": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    unit = OrgUnit.objects.get(name="芙蓉区新区市场监管所")
    assert unit.parent == bureau["district_a"] and unit.path.startswith(bureau["district_a"].path)
    assert AuditLog.objects.filter(object_type="core.orgunit", object_id=str(unit.pk)).exists()
