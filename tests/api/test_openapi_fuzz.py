"""Property test of the whole API against its own OpenAPI document (schemathesis).

Every operation, called with generated parameters by a staff member, must answer without a
server error, and every error must have the one shape of DESIGN.md.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from regulus.api import api
from regulus.core.tokens import token_issue

pytestmark = pytest.mark.django_db(transaction=True)

# The document is built in-process; no server, no network.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()  # type: ignore[attr-defined]


@pytest.fixture
def bearer(handler):
    _, plain = token_issue(user=handler)
    return {"Authorization": f"Bearer {plain}"}


@schema.include(method="GET").parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_get_operation_answers_without_server_error(case, bearer):
    response = case.call(headers=bearer)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, body


@schema.include(method=["POST", "PATCH", "PUT", "DELETE"]).parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_write_operation_rejects_bad_bodies_without_server_error(case, bearer):
    response = case.call(headers=bearer)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, body
