"""The API of the serious-violation list and credit repair: the procedure step by step, the
public repair application, the decision, bad input in the one error shape, the outsider."""

from __future__ import annotations

from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import services
from regulus.credit.models import SeriousListing
from regulus.registry.portal_codes import portal_code_issue
from tests.credit.conftest import send_penalty
from tests.credit.test_annual_reports import at
from tests.credit.test_serious_list import holidays  # noqa: F401

JSON = "application/json"


def test_the_serious_procedure_runs_through_the_api(client, entity_a, handler, leader, outsider):
    send_penalty(entity_a)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    listing = SeriousListing.objects.get()
    client.force_login(handler)
    rows = client.get("/api/v1/credit/serious?state=candidate").json()
    assert [r["id"] for r in rows] == [listing.pk]
    with at("2026-03-03"):
        body = client.post(f"/api/v1/credit/serious/{listing.pk}/notify", {}, JSON).json()
    assert body["state"] == "notified" and body["statement_deadline"] == "2026-03-10"
    with at("2026-03-11"):
        client.force_login(handler)  # a week later: a new session
        refused = client.post(f"/api/v1/credit/serious/{listing.pk}/decide", {}, JSON)
        assert refused.status_code == 403
        client.force_login(leader)
        body = client.post(f"/api/v1/credit/serious/{listing.pk}/decide", {}, JSON).json()
        assert body["state"] == "listed" and body["bar_until"] == "2029-03-11"
        bad = client.post(f"/api/v1/credit/serious/{listing.pk}/jump", {}, JSON)
        assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
        client.force_login(outsider)
        gone = client.post(f"/api/v1/credit/serious/{listing.pk}/remove", {}, JSON)
        assert gone.status_code == 404
        assert client.get("/api/v1/credit/serious").json() == []


def test_a_public_repair_application_and_its_decision_through_the_api(client, entity_a, handler):
    code = portal_code_issue(entity=entity_a, actor=handler)
    send_penalty(entity_a, serious=False)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    payload = {
        "uscc": entity_a.uscc,
        "code": code,
        "target": "penalty",
        "decision_number": "芙市监处罚〔2026〕18号",
        "applicant": "陈凯旋",
        "phone": "13800138000",
        "reason": "罚款已缴清",
    }
    with at("2026-09-02"):
        bad = client.post("/api/v1/credit/repairs/portal", payload, JSON)
        assert bad.status_code == 422 and "pledged" in bad.json()["fields"]
        body = client.post(
            "/api/v1/credit/repairs/portal", {**payload, "pledged": True}, JSON
        ).json()
        assert body["state"] == "applied" and body["decision_deadline"] == "2026-09-22"
        client.force_login(handler)
        refused = client.post(
            f"/api/v1/credit/repairs/{body['id']}/decision", {"approve": False}, JSON
        )
        assert refused.status_code == 422
        done = client.post(
            f"/api/v1/credit/repairs/{body['id']}/decision", {"approve": True}, JSON
        ).json()
        assert done["state"] == "approved"
        approved = client.get("/api/v1/credit/repairs?state=approved").json()
    assert [a["number"] for a in approved] == [body["number"]]
