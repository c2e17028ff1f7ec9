"""Rebuild the packaged certificate.docx (a docxtpl template) so that it prints as the HTML
certificate does (templates/licensing/_certificate_body.html): A4, the same tables with fixed
column widths (a matter's name has the wide column), the QR code beside the issuing authority.
Admins replace it by putting their edited copy at MEDIA_ROOT/doc_templates/certificate.docx;
the tags below must stay ({{ qr }} is the QR code's image).

    .venv/bin/python regulus/licensing/doc_templates/make_certificate_template.py

Check the result as it prints, with LibreOffice and poppler:

    libreoffice --headless --convert-to pdf certificate.docx && pdftoppm -png certificate.pdf page
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

PAGE_MARGIN_MM = 18
TEXT_WIDTH_MM = 210 - 2 * PAGE_MARGIN_MM  # 174
BODY_FONT, TITLE_FONT = "宋体", "黑体"
HEADER_FILL = "F3F3F3"
# Column widths (mm) summing to the text width: the labels' columns hold 统一社会信用代码 on
# one line, the items' 项目 column the longest matter name.
HOLDER_COLUMNS = (40, 58, 24, 52)
ITEM_COLUMNS = (10, 112, 18, 34)
FOOT_COLUMNS = (50, 124)


def build(path: Path) -> None:
    doc = Document()
    _page(doc)
    _title(doc)
    _paragraph(
        doc,
        "证书编号：{{ number }}{% if state_note %}（{{ state_note }}）{% endif %}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    _holder_table(doc)
    _paragraph(doc, "许可（备案）项目", bold=True, size=12, before=5)
    _items_table(doc)
    _foot(doc)
    doc.save(str(path))


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(PAGE_MARGIN_MM))
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    style.font.name = BODY_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    style.paragraph_format.space_after = Pt(0)


def _title(doc: DocxDocument) -> None:
    title = _paragraph(doc, "准　营　证", bold=True, size=24, align=WD_ALIGN_PARAGRAPH.CENTER)
    _east_asian_font(title.runs[0], TITLE_FONT)
    sub = _paragraph(doc, "（多证合一）", bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    sub.paragraph_format.space_after = Mm(6)


def _holder_table(doc: DocxDocument) -> None:
    table = _table(doc, rows=3, widths=HOLDER_COLUMNS)
    name, codes, place = table.rows
    _header(name.cells[0], "主体名称")
    name.cells[1].merge(name.cells[3]).text = "{{ holder_name }}"
    _header(codes.cells[0], "统一社会信用代码")
    codes.cells[1].text = "{{ uscc }}"
    _header(codes.cells[2], "发证日期")
    codes.cells[3].text = "{{ issued_on }}"
    _header(place.cells[0], "经营场所")
    place.cells[1].merge(place.cells[3]).text = "{{ address }}"


def _items_table(doc: DocxDocument) -> None:
    table = _table(doc, rows=4, widths=ITEM_COLUMNS)
    for cell, text in zip(table.rows[0].cells, ("#", "项目", "类别", "有效期至"), strict=True):
        _header(cell, text)
    table.rows[1].cells[0].text = "{%tr for i in items %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ loop.index }}", "{{ i.item }}", "{{ i.treatment }}", "{{ i.valid_until or '长期' }}"),
        strict=True,
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _foot(doc: DocxDocument) -> None:
    """The QR code (scan to verify) on the left, the validity and the authority on the right,
    as the HTML certificate's foot; a table without borders keeps them side by side."""
    spacer = _paragraph(doc, "")
    spacer.paragraph_format.space_after = Mm(10)
    table = _table(doc, rows=1, widths=FOOT_COLUMNS, borders=False)
    qr, text = table.rows[0].cells
    qr.paragraphs[0].text = "{{ qr }}"
    qr.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = qr.add_paragraph("扫码核验")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.runs[0].font.size = Pt(9)
    text.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    text.paragraphs[0].text = "有效期至：{{ valid_until }}"
    text.add_paragraph("发证机关：{{ issuing_unit }}（盖章）")
    for paragraph in text.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


# -- helpers -----------------------------------------------------------------------------


def _paragraph(
    doc: DocxDocument,
    text: str,
    *,
    bold: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    before: float = 0,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Mm(before)
    paragraph.paragraph_format.space_after = Mm(2)
    return paragraph


def _table(doc: DocxDocument, *, rows: int, widths: tuple[int, ...], borders: bool = True) -> Table:
    """A table of fixed column widths (Word and LibreOffice keep them instead of fitting the
    columns to their first words)."""
    assert sum(widths) == TEXT_WIDTH_MM
    table = doc.add_table(rows=rows, cols=len(widths))
    if borders:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _cell_margins(cell)
    return table


def _header(cell: _Cell, text: str) -> None:
    cell.text = text
    cell.paragraphs[0].runs[0].bold = True
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), HEADER_FILL)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_margins(cell: _Cell) -> None:
    """2 mm above and below, 3 mm at the sides: the HTML certificate's cell padding."""
    margins = OxmlElement("w:tcMar")
    for side, mm in (("top", 2), ("bottom", 2), ("start", 3), ("end", 3)):
        node = OxmlElement(f"w:{side}")
        node.set(qn("w:w"), str(int(mm * 56.7)))  # twentieths of a point
        node.set(qn("w:type"), "dxa")
        margins.append(node)
    cell._tc.get_or_add_tcPr().append(margins)


def _east_asian_font(run: Run, name: str) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


if __name__ == "__main__":
    build(Path(__file__).with_name("certificate.docx"))
