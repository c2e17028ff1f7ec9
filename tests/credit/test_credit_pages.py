"""The pages of the serious-violation list, credit repair and the decision documents: the
procedure by its buttons, the documents as real .docx files kept and listed, the portal
application with its bad input, and the public page."""

from __future__ import annotations

import io

import pytest
from docx import Document

from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import services
from regulus.credit.models import CreditDocument, RepairApplication, SeriousListing
from regulus.registry.portal_codes import portal_code_issue
from tests.credit.conftest import send_penalty
from tests.credit.test_annual_reports import at
from tests.credit.test_serious_list import holidays  # noqa: F401


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def candidate(entity_a) -> SeriousListing:
    send_penalty(entity_a)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    return SeriousListing.objects.get()


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_the_procedure_runs_by_its_buttons_and_makes_the_decision_document(
    client, candidate, handler, leader
):
    client.force_login(handler)
    assert "湖南立白日化有限公司" in client.get("/credit/serious/?state=candidate").content.decode()
    with at("2026-03-03"):
        client.post(f"/credit/serious/{candidate.pk}/notify/")
        page = client.get(f"/credit/serious/{candidate.pk}/").content.decode()
    assert "陈述申辩期限 2026-03-10" in page and "作出列入决定" not in page
    client.force_login(leader)
    with at("2026-03-11"):
        client.post(f"/credit/serious/{candidate.pk}/decide/")
    candidate.refresh_from_db()
    assert candidate.state == "listed"
    client.force_login(handler)
    response = client.post(
        "/credit/documents/make/", {"kind": "serious_list", "object": candidate.pk}
    )
    assert response.status_code == 302
    document = CreditDocument.objects.get()
    assert document.number == candidate.decision_number
    text = docx_text(client.get(f"/credit/documents/{document.pk}.docx").getvalue())
    assert "列入严重违法失信名单决定书" in text and candidate.decision_number in text
    assert "陈凯旋" in text and "2029年3月11日" in text
    assert candidate.notice_number in text
    # Made once: asked again, the kept one.
    client.post("/credit/documents/make/", {"kind": "serious_list", "object": candidate.pk})
    assert CreditDocument.objects.count() == 1
    assert document.number in client.get("/credit/documents/").content.decode()


def test_an_abnormal_listing_gets_its_listing_and_removal_documents(client, entity_a, handler):
    listing = services.abnormal_list(
        entity=entity_a, ground="unreachable", evidence="实地核查无法联系", actor=handler
    )
    client.force_login(handler)
    client.post("/credit/documents/make/", {"kind": "abnormal_remove", "object": listing.pk})
    assert not CreditDocument.objects.exists()
    client.post("/credit/documents/make/", {"kind": "abnormal_list", "object": listing.pk})
    document = CreditDocument.objects.get()
    text = docx_text(client.get(f"/credit/documents/{document.pk}.docx").getvalue())
    assert "列入经营异常名录决定书" in text and "实地核查无法联系" in text
    services.abnormal_removal_apply(listing=listing, actor=handler, reason="已在住所正常经营")
    services.abnormal_remove(listing=listing, actor=handler)
    page = client.get(f"/credit/abnormal/{listing.pk}/").content.decode()
    assert "制作移出决定书" in page
    client.post("/credit/documents/make/", {"kind": "abnormal_remove", "object": listing.pk})
    removal = CreditDocument.objects.get(kind="abnormal_remove")
    text = docx_text(client.get(f"/credit/documents/{removal.pk}.docx").getvalue())
    assert "移出经营异常名录决定书" in text and "已在住所正常经营" in text


def test_a_bad_document_request_is_a_404_not_a_500(client, handler):
    client.force_login(handler)
    assert client.post("/credit/documents/make/", {"kind": "x", "object": "1"}).status_code == 404
    response = client.post("/credit/documents/make/", {"kind": "abnormal_list", "object": "abc"})
    assert response.status_code == 404


def test_the_portal_repair_form_names_the_problem_and_keeps_the_input(client, entity_a, handler):
    code = portal_code_issue(entity=entity_a, actor=handler)
    send_penalty(entity_a, serious=False)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    form = {
        "uscc": entity_a.uscc,
        "code": code,
        "target": "penalty",
        "number": "芙市监处罚〔2026〕18号",
        "applicant": "陈凯旋",
        "phone": "13800138000",
        "reason": "罚款已缴清<script>alert(1)</script>",
    }
    with at("2026-09-02"):
        response = client.post("/portal/annual-report/repair/", form)
        assert response.status_code == 400
        assert "须作出信用修复承诺" in response.content.decode()
        assert "<script>alert" not in response.content.decode()
        response = client.post("/portal/annual-report/repair/", {**form, "pledged": "on"})
    assert response.status_code == 200
    app = RepairApplication.objects.get()
    assert app.number in response.content.decode()


def test_staff_take_a_repair_at_the_window_and_decide_it(client, entity_a, handler, window_clerk):
    listing = services.abnormal_list(
        entity=entity_a, ground="unreachable", evidence="实地核查无法联系", actor=handler
    )
    client.force_login(window_clerk)
    url = f"/credit/repair/new/?target=abnormal&subject={listing.pk}"
    assert "经营异常名录" in client.get(url).content.decode()
    response = client.post(
        "/credit/repair/new/",
        {
            "target": "abnormal",
            "subject": listing.pk,
            "applicant": "陈凯旋",
            "phone": "13800138000",
            "reason": "已恢复在住所经营，可以联系",
            "pledged": "on",
        },
    )
    app = RepairApplication.objects.get()
    assert response.status_code == 302
    assert client.post(f"/credit/repair/{app.pk}/approve/").status_code == 403
    client.force_login(handler)
    client.post(f"/credit/repair/{app.pk}/approve/")
    app.refresh_from_db()
    listing.refresh_from_db()
    assert (app.state, listing.state) == ("approved", "removed")
    assert client.get("/credit/repair/new/?target=x&subject=1").status_code == 404


def test_the_listing_forms_list_by_uscc_and_refuse_an_unknown_one_beside_its_field(
    client, entity_a, handler
):
    """经营异常名录 and 严重违法失信名单 proposals by their forms: the entity found by its USCC in
    the user's scope; a wrong USCC or missing evidence answered beside the field, nothing
    listed."""
    from regulus.credit.models import AbnormalListing

    client.force_login(handler)
    bad = client.post(
        "/credit/abnormal/new/", {"uscc": "91430000X", "ground": "false_info", "evidence": "核查"}
    )
    assert bad.status_code == 400 and "统一社会信用代码有误" in bad.content.decode()
    assert client.get("/credit/serious/new/").status_code == 200
    bare = client.post(
        "/credit/serious/new/", {"uscc": entity_a.uscc, "ground": "false_info", "evidence": ""}
    )
    assert bare.status_code == 400 and "须附证据" in bare.content.decode()
    assert not AbnormalListing.objects.exists() and not SeriousListing.objects.exists()
    listed = client.post(
        "/credit/abnormal/new/",
        {"uscc": entity_a.uscc, "ground": "false_info", "evidence": "核查认定年报资产数据虚假"},
    )
    listing = AbnormalListing.objects.get(entity=entity_a)
    assert listed.status_code == 302 and listed["Location"] == f"/credit/abnormal/{listing.pk}/"
    proposed = client.post(
        "/credit/serious/new/",
        {"uscc": entity_a.uscc, "ground": "false_info", "evidence": "核查认定公示信息弄虚作假"},
    )
    candidate = SeriousListing.objects.get(entity=entity_a)
    assert proposed["Location"] == f"/credit/serious/{candidate.pk}/"
