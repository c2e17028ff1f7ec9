"""Rebuild the packaged certificate.docx (a docxtpl template). Admins replace it by putting
their edited copy at MEDIA_ROOT/doc_templates/certificate.docx; the tags below must stay.

    .venv/bin/python regulus/licensing/doc_templates/make_certificate_template.py
"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


def build(path: Path) -> None:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("准 营 证（多证合一）")
    run.bold = True
    run.font.size = Pt(22)
    doc.add_paragraph(
        "证书编号：{{ number }}    状态：{{ state }}"
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, (label, tag) in zip(
        table.rows,
        (
            ("主体名称", "{{ holder_name }}"),
            ("统一社会信用代码", "{{ uscc }}"),
            ("经营场所", "{{ address }}"),
        ),
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = label, tag
    doc.add_paragraph("许可（备案）项目：")
    items = doc.add_table(rows=4, cols=3)
    items.style = "Table Grid"
    items.rows[0].cells[0].text = "项目"
    items.rows[0].cells[1].text = "类别"
    items.rows[0].cells[2].text = "有效期至"
    items.rows[1].cells[0].text = "{%tr for i in items %}"
    items.rows[2].cells[0].text = "{{ i.item }}"
    items.rows[2].cells[1].text = "{{ i.treatment }}"
    items.rows[2].cells[2].text = "{{ i.valid_until or '长期' }}"
    items.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("发证日期：{{ issued_on }}    有效期至：{{ valid_until }}")
    doc.add_paragraph("发证机关：{{ issuing_unit }}（盖章）").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph("核验网址：{{ verify_url }}")
    doc.save(str(path))


if __name__ == "__main__":
    build(Path(__file__).with_name("certificate.docx"))
