"""Rebuild the packaged 文书 templates (docxtpl) of enforcement: one .docx per kind, A4, the
authority and the title centred, the number on the right, a two-column table of the case's
particulars and the document's own text. Admins replace a template by putting their edited copy
at MEDIA_ROOT/doc_templates/enforcement/<kind>.docx; the tags must stay:

    {{ authority }} {{ title }} {{ number }} {{ party_name }} {{ body }} {{ signed_on }} and the
    table's rows ({%tr for row in rows %} … {{ row.label }} {{ row.value }} … {%tr endfor %}).

    .venv/bin/python regulus/enforcement/doc_templates/make_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

KINDS = {
    "filing": "立案审批表",
    "rectify": "责令改正通知书",
    "notice": "行政处罚告知书",
    "hearing": "听证通知书",
    "decision": "行政处罚决定书",
    "service": "送达回证",
    "closing": "结案审批表",
}


def build(path: Path, title: str) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(22))
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    _para(doc, "{{ authority }}", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, title, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "当事人：{{ party_name }}")
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "{%tr for row in rows %}"
    table.cell(1, 0).text = "{{ row.label }}"
    table.cell(1, 1).text = "{{ row.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Mm(45), Mm(121)
    _para(doc, "{{ body }}")
    _para(doc, "{{ authority }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ signed_on }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.save(str(path))


def _para(doc, text, *, size=12, bold=False, align=None):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if align is not None:
        paragraph.alignment = align
    return paragraph


if __name__ == "__main__":
    here = Path(__file__).parent / "enforcement"
    here.mkdir(exist_ok=True)
    for kind, title in KINDS.items():
        build(here / f"{kind}.docx", title)
