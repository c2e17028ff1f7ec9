"""API tokens: revoked when their user is deactivated (never working again after a
reactivation), and 401 answers that say the API takes bearer tokens."""

from __future__ import annotations

import pytest

from regulus.core import services
from regulus.core.models import ApiToken, AuditLog
from regulus.core.tokens import token_issue

pytestmark = pytest.mark.django_db


def bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


def set_active(actor, staff, active):
    services.staff_update(
        actor=actor, staff=staff, full_name=staff.full_name, unit=staff.unit,
        phone=staff.phone, is_active=active,
    )  # fmt: skip


def test_deactivation_revokes_tokens_and_reactivation_does_not_revive_them(
    client, city_admin, handler
):
    _, first = token_issue(user=handler, name="对接系统")
    _, second = token_issue(user=handler)
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    set_active(city_admin, handler, False)
    assert ApiToken.objects.filter(user=handler, revoked_at=None).count() == 0
    set_active(city_admin, handler, True)
    for plain in (first, second):
        assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401
    rows = AuditLog.objects.filter(action=AuditLog.Action.TOKEN, summary__contains="吊销")
    assert rows.count() == 2 and all("（账号停用）" in r.summary for r in rows)
    assert all(r.actor_id == city_admin.pk for r in rows)
    # A token issued after the reactivation works.
    _, fresh = token_issue(user=handler)
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_an_update_that_keeps_the_account_active_leaves_its_tokens(client, city_admin, handler):
    _, plain = token_issue(user=handler)
    set_active(city_admin, handler, True)
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200


def test_deactivation_on_the_staff_page_revokes_tokens(client, city_admin, handler):
    _, plain = token_issue(user=handler)
    client.force_login(city_admin)
    # The box 在用 unticked: left out of the form.
    form = {"username": handler.username, "full_name": handler.full_name,
            "unit": handler.unit_id, "roles": [r.pk for r in handler.roles.all()],
            "phone": ""}  # fmt: skip
    assert client.post(f"/staff/{handler.pk}/edit/", form).status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    handler.is_active = True
    handler.save(update_fields=["is_active"])
    assert client.__class__().get("/api/v1/me", headers=bearer(plain)).status_code == 401


def test_deactivation_in_the_admin_revokes_tokens(client, handler, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "Root@2026x")
    token_issue(user=handler)
    client.force_login(root)
    page = client.get(f"/django-admin/core/user/{handler.pk}/change/")
    form = {
        key: value for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in ("password", "roles", "groups", "user_permissions")
    }  # fmt: skip
    form |= {"is_active": "", "last_login_0": "", "last_login_1": "",
             "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"}  # fmt: skip
    response = client.post(f"/django-admin/core/user/{handler.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    handler.refresh_from_db()
    assert not handler.is_active
    assert ApiToken.objects.get(user=handler).revoked_at is not None


def test_401_carries_www_authenticate_bearer(client, handler):
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="regulus"'
    wrong = client.get("/api/v1/me", headers=bearer("rg_not-a-token"))
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer realm="regulus", error="invalid_token"'
    assert wrong.json()["code"] == "unauthenticated"  # the error shape stays
