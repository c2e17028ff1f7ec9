"""The API has one error shape for every error: {"code", "message", "fields"}."""

import pytest

from regulus.core.tokens import token_issue, token_revoke

pytestmark = pytest.mark.django_db


def _shape(body):
    assert set(body) == {"code", "message", "fields"}
    return body


def test_unauthenticated_call_answers_401_in_error_shape(client, bureau):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert _shape(response.json())["code"] == "unauthenticated"


def test_bad_query_type_answers_422_naming_the_field(client, handler):
    client.force_login(handler)
    response = client.get("/api/v1/calendar/deadline?start=2026-13-40&working_days=x")
    assert response.status_code == 422
    body = _shape(response.json())
    assert "start" in body["fields"] and "working_days" in body["fields"]


def test_unknown_object_answers_404_in_error_shape(client, handler):
    client.force_login(handler)
    response = client.get("/api/v1/staff/999999")
    assert response.status_code == 404 and _shape(response.json())["code"] == "not_found"


def test_deadline_endpoint_counts_working_days(client, handler):
    client.force_login(handler)
    body = client.get("/api/v1/calendar/deadline?start=2026-09-30&working_days=1").json()
    assert {k: body[k] for k in ("start", "working_days", "deadline", "provisional")} == {
        "start": "2026-09-30",
        "working_days": 1,
        "deadline": "2026-10-08",
        "provisional": False,
    }


def test_bearer_token_acts_with_its_users_scope(client, handler):
    _, plain = token_issue(user=handler)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.json()["username"] == handler.username


def test_revoked_token_is_refused(client, handler):
    token, plain = token_issue(user=handler)
    token_revoke(token=token, actor=handler)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_token_user_is_the_orm_user_and_use_is_stamped(handler):
    """token_authenticate writes its own SQL: the user it gives must be the ORM's (aware
    datetimes, booleans), and the first use stamps last_used_at (later ones within a minute
    do not write)."""
    from regulus.core.models import ApiToken, User
    from regulus.core.scope import role_grants
    from regulus.core.tokens import token_authenticate

    token, plain = token_issue(user=handler)
    user = token_authenticate(plain)
    expected = User.objects.get(pk=handler.pk)
    for f in User._meta.concrete_fields:
        assert getattr(user, f.attname) == getattr(expected, f.attname), f.attname
    assert role_grants(user) == role_grants(expected)
    stamped = ApiToken.objects.get(pk=token.pk).last_used_at
    assert stamped is not None and stamped.tzinfo is not None
    token_authenticate(plain)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == stamped


def test_token_of_inactive_user_is_refused(handler):
    from regulus.core.tokens import token_authenticate

    _token, plain = token_issue(user=handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert token_authenticate(plain) is None
    assert token_authenticate("rg_not-a-token") is None


def test_token_is_stored_only_as_hash(handler):
    token, plain = token_issue(user=handler)
    assert plain not in token.token_hash and len(token.token_hash) == 64


def test_openapi_document_is_served(client, bureau):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.") and "/api/v1/me" in doc["paths"]


def test_api_docs_page_loads_only_local_assets(client, bureau):
    import re

    html = client.get("/api/v1/docs").content.decode()
    # Every script and stylesheet comes from this server (the page also carries a random CSRF
    # token, so a bare "cdn" substring test would fail now and then).
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "/static/ninja/" in html


def test_nul_character_in_a_parameter_is_refused_naming_it(client, handler):
    # Found by the schemathesis fuzz test on PostgreSQL, which cannot store NUL.
    client.force_login(handler)
    response = client.get("/api/v1/staff", {"q": "a\x00b"})
    assert response.status_code == 422
    assert "q" in response.json()["fields"] and "NUL" in response.json()["message"]
    page = client.get("/staff/", {"q": "a\x00b"})
    assert page.status_code == 400 and "q" in page.content.decode()
