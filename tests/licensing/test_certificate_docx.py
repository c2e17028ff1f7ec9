"""The Word certificate prints as the HTML one: A4, its QR code (the verification address as
an image, not only as text), columns of fixed widths in which no label wraps and the matters
have the wide column, every tag filled."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from regulus.core.documents import qr_png_bytes
from regulus.licensing import services
from regulus.licensing.views.documents import certificate_context
from tests.licensing.conftest import submit

PT_MM = 0.3528  # one point in millimetres
CELL_SIDE_MARGINS_MM = 6


@pytest.fixture
def certificate_docx(client, handler, window_clerk, supermarket):
    app = submit(supermarket, actor=window_clerk, path="commitment")
    services.application_fast_track(application=app, actor=handler)
    client.force_login(handler)
    response = client.get(f"/licensing/applications/{app.number}/certificate.docx")
    assert response.status_code == 200
    return app, Document(io.BytesIO(response.content))


def test_word_certificate_carries_the_qr_code_of_its_verification_address(certificate_docx):
    app, doc = certificate_docx
    url = certificate_context(app.certificate)["verify_url"]
    images = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert images == [qr_png_bytes(url)]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert url not in text  # the HTML certificate shows the code, not the address
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert any(cell.endswith("扫码核验") for cell in cells)
    assert "{{" not in text + "".join(cells) and "{%" not in text + "".join(cells)


def test_word_certificate_is_a4_with_fixed_columns_no_label_wraps_in(certificate_docx):
    app, doc = certificate_docx
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    text_width = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
    holder, items = doc.tables[0], doc.tables[1]
    for table in (holder, items):
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout is not None and layout.get(qn("w:type")) == "fixed"
        widths = [column.width / Mm(1) for column in table.columns]
        assert abs(sum(widths) - text_width) < 1
    for row in [*holder.rows, items.rows[0]]:  # the labels and the items' header
        for cell in row.cells:
            if cell.paragraphs[0].runs and cell.paragraphs[0].runs[0].bold:
                needed = len(cell.text) * 11 * PT_MM + CELL_SIDE_MARGINS_MM
                assert cell.width / Mm(1) >= needed, cell.text
    names = [column.width / Mm(1) for column in items.columns]
    assert names[1] == max(names) and names[1] >= 0.6 * text_width  # 项目
    listed = [row.cells[1].text for row in items.rows[1:]]
    assert listed == [item["item"] for item in app.certificate.items]
