"""Pages and API within the scope, the .docx documents re-opened, publication with masking
(blocked with the place shown), take-down by the sweep, campaign totals, the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from docx import Document as Docx
from hypothesis import given, settings
from hypothesis import strategies as st

from regulus.core.files import file_open
from regulus.core.masking import mask_text, unmasked_places
from regulus.enforcement import selectors, services
from regulus.enforcement.models import Document, Publication
from regulus.enforcement.sweeps import take_down_publications
from tests.enforcement.conftest import MONDAY, file_case, to_notified

pytestmark = pytest.mark.django_db


def at(days: int):
    return time_machine.travel(MONDAY + dt.timedelta(days=days), tick=False)


@pytest.fixture
def served(handler, colleague, leader, reviewer, matter):
    """A case of a natural person (个体), decided and served: ready to publish."""
    with at(0):
        case = file_case(
            handler,
            colleague,
            leader,
            matter,
            party_kind="individual",
            party_name="张小明",
            party_address="长沙市芙蓉区五一大道100号",
            facts="当事人张小明（身份证号11010519491231002X，电话13912345678）销售假冒洗衣液",
        )
    with at(1):
        to_notified(case, handler, reviewer, fine="3000")
    with at(10):
        services.case_decide(
            actor=leader, case=case, outcome="penalty", kinds=["fine"], fine="3000"
        )
        services.case_serve(actor=handler, case=case, served_on="2026-03-12", method="direct")
    return case


def _docx_text(document: Document) -> str:
    with file_open(document.stored_name) as handle:
        doc = Docx(io.BytesIO(handle.read()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_every_generated_document_reopens_with_its_number_and_fields(served):
    documents = {d.kind: d for d in Document.objects.filter(case=served)}
    assert set(documents) == {"filing", "notice", "decision", "service"}
    for document in documents.values():
        text = _docx_text(document)
        assert document.number in text
        assert document.get_kind_display() in text
        assert "芙蓉区市场监督管理局" in text
        assert served.party_name in text and served.matter.name in text
    assert "罚款3,000.00元" in _docx_text(documents["decision"])
    assert documents["decision"].number == "芙市监处罚〔2026〕1号"
    assert "五个工作日" in _docx_text(documents["notice"]) or "2026年" in _docx_text(
        documents["notice"]
    )


def test_the_other_document_kinds_reopen_too(
    served, handler, leader, host, reviewer, matter, colleague
):
    with at(11):
        services.document_rectify(actor=handler, case=served, order="立即停止销售", within_days=7)
        services.payment_record(
            actor=handler, case=served, amount="3000", paid_on="2026-03-13", receipt="R-1"
        )
        services.publication_publish(actor=leader, case=served)
        services.case_close(actor=leader, case=served)
    rectify = Document.objects.get(case=served, kind="rectify")
    closing = Document.objects.get(case=served, kind="closing")
    assert "立即停止销售" in _docx_text(rectify) and "7日" in _docx_text(rectify)
    assert "已缴纳罚没款 3,000.00元" in _docx_text(closing)
    with at(0):
        case = file_case(handler, colleague, leader, matter)
    with at(1):
        to_notified(case, handler, reviewer, fine="150000")
        services.case_step(actor=handler, case=case, name="request_hearing")
        services.case_schedule_hearing(
            actor=host, case=case, hearing_on="2026-03-20", place="听证室", host=host
        )
    hearing = Document.objects.get(case=case, kind="hearing")
    assert "2026年03月20日" in _docx_text(hearing) and hearing.number == "芙市监听通〔2026〕1号"


def test_publication_masks_the_person_and_shows_raw_beside_masked(served, leader):
    texts = services.publication_texts(served)
    assert "11010519491231002X" in texts["raw"] and "张小明" in texts["raw"]
    assert "11010519491231002X" not in texts["masked"] and "张小明" not in texts["masked"]
    assert "五一大道100号" not in texts["masked"]
    with at(11):
        publication = services.publication_publish(actor=leader, case=served)
    assert publication.party_masked == "张某某"
    assert publication.shown_until == dt.date(2026, 6, 13)  # a low fine: 3 months


def test_an_unmasked_id_in_the_edited_text_blocks_publication_with_the_place(served, leader):
    text = services.publication_texts(served)["masked"] + "\n备注：11010519491231002X"
    with at(11), pytest.raises(ValidationError) as refused:
        services.publication_publish(actor=leader, case=served, text_masked=text)
    message = refused.value.message_dict["text_masked"][0]
    assert served.number in message
    assert "身份证号码" in message and "11010519491231002X" in message
    assert not Publication.objects.exists()


def test_the_portal_shows_the_masked_decision_until_the_sweep_takes_it_down(client, served, leader):
    with at(11):
        publication = services.publication_publish(actor=leader, case=served)
    page = client.get(f"/portal/penalties/{publication.pk}/").content.decode()
    assert "张某某" in page and "张小明" not in page and "11010519491231002X" not in page
    assert client.get("/api/v1/enforcement/publications").json()["count"] == 1
    with time_machine.travel(dt.datetime(2026, 6, 14, 9, tzinfo=MONDAY.tzinfo), tick=False):
        assert take_down_publications().changed == 1
        assert take_down_publications().changed == 0
    assert client.get(f"/portal/penalties/{publication.pk}/").status_code == 404


def test_campaign_totals_equal_the_sum_of_their_cases(handler, colleague, leader, matter):
    campaign = services.campaign_create(
        actor=leader, code="lt", name="雷霆行动", starts_on="2026-01-01", ends_on="2026-12-31"
    )
    cases = [file_case(handler, colleague, leader, matter, case_value=str(v)) for v in (100, 250)]
    for case in cases:
        services.case_tag_campaign(actor=handler, case=case, campaign=campaign)
    totals = selectors.campaign_totals(leader, campaign)
    assert totals["cases"] == 2
    assert totals["case_value"] == sum(c.case_value_fen for c in cases) == 35_000
    assert selectors.campaign_ranking(leader, campaign)[0]["cases"] == 2


def test_pages_answer_in_scope_and_404_for_the_outsider(client, served, handler, outsider):
    client.force_login(handler)
    for url in (
        "/enforcement/clues/",
        "/enforcement/cases/",
        "/enforcement/campaigns/",
        f"/enforcement/cases/{served.pk}/",
        f"/enforcement/clues/{served.clue.number}/",
        "/enforcement/stats/",
        "/enforcement/cases/simple/",
        "/enforcement/clues/new/",
    ):
        assert client.get(url).status_code == 200, url
    document = Document.objects.filter(case=served).first()
    assert client.get(f"/enforcement/documents/{document.pk}/").status_code == 200
    assert client.get(f"/api/v1/enforcement/cases/{served.pk}").json()["number"] == served.number
    client.force_login(outsider)
    assert client.get(f"/enforcement/cases/{served.pk}/").status_code == 404
    assert client.get(f"/enforcement/documents/{document.pk}/").status_code == 404
    assert client.get(f"/api/v1/enforcement/cases/{served.pk}").status_code == 404
    assert client.get("/api/v1/enforcement/cases").json()["count"] == 0


def test_the_auditor_may_not_read_cases(client, auditor, served):
    client.force_login(auditor)
    assert client.get("/enforcement/cases/").status_code == 403
    assert client.get("/api/v1/enforcement/cases").status_code == 403


def test_the_export_holds_the_cases_of_the_year(client, served, leader):
    from openpyxl import load_workbook

    client.force_login(leader)
    response = client.get("/enforcement/stats/export/?year=2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 1).value == served.number


NAMES = st.sampled_from(["张小明", "欧阳秀英", "李娜", "王建国"])
IDS = st.sampled_from(["11010519491231002X", "430102198507150011"])
ACCOUNTS = st.sampled_from(["账号6222021234561234", "6222 0212 3456 1234 5"])
FILLER = st.text(alphabet="经营销售假冒洗衣液的行为，罚款元。", max_size=12)


@settings(max_examples=60, deadline=None)
@given(name=NAMES, id_number=IDS, account=ACCOUNTS, before=FILLER, after=FILLER)
def test_masked_free_text_leaves_no_place_unmasked(name, id_number, account, before, after):
    text = f"{before}当事人{name}，身份证{id_number}，住长沙市芙蓉区解放西路12号，{account}{after}"
    assert unmasked_places(text, names=[name])
    masked = mask_text(text, names=[name])
    assert unmasked_places(masked, names=[name]) == []
    assert id_number not in masked and name not in masked


def test_a_batch_of_decisions_is_published_at_once_with_one_audit_row_each(served, leader):
    from regulus.core.models import AuditLog

    with at(11):
        assert services.publications_publish_many(actor=leader, cases=[served]) == 1
        with pytest.raises(ValidationError):
            services.publications_publish_many(actor=leader, cases=[served])
    publication = Publication.objects.get(case=served)
    assert "张小明" not in publication.text_masked
    assert AuditLog.objects.filter(object_type="enforcement.publication").count() == 1


def test_a_revoked_decision_is_withdrawn_from_the_portal(client, served, leader):
    with at(11):
        publication = services.publication_publish(actor=leader, case=served)
        with pytest.raises(ValidationError):
            services.publication_withdraw(actor=leader, case=served, reason="")
        services.publication_withdraw(actor=leader, case=served, reason="行政复议决定撤销")
    publication.refresh_from_db()
    assert publication.state == Publication.State.WITHDRAWN
    assert client.get(f"/portal/penalties/{publication.pk}/").status_code == 404


def test_credit_repair_stops_publication_early_except_for_revocation(served, leader):
    with at(11):
        publication = services.publication_publish(actor=leader, case=served)
        services.publication_stop_early(actor=leader, case=served, reason="已完成信用修复")
    publication.refresh_from_db()
    assert publication.state == Publication.State.STOPPED_EARLY
    served.penalty_kinds = ["fine", "revocation"]
    Publication.objects.filter(pk=publication.pk).update(state=Publication.State.PUBLISHED)
    with at(12), pytest.raises(ValidationError) as refused:
        services.publication_stop_early(actor=leader, case=served, reason="已完成信用修复")
    assert "第十四条" in str(refused.value)
