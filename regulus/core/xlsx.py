"""A streaming .xlsx writer: rows go straight into the zipped sheet XML.

Why not openpyxl (which still READS the users' files, see registry.importing): even in its
write-only mode it builds a cell object per value, binds its type and style and serialises it
through an XML writer: ~35 µs a cell here, so an export of 100,000 entities (1.7 million
cells) took 35 s. The format of a plain table is small enough to write directly: one sheet
per table, each string inline in its cell, a bold header row, dates as date numbers with a
date format. That is ~1 µs a cell, and memory stays flat (rows are written as they come).

The files open in Excel, WPS and LibreOffice, and openpyxl reads them back (the tests do).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

SheetSpec = tuple[str, Sequence[str], Iterable[Sequence[Any]]]

# Cell styles (indexes into cellXfs of STYLES): plain, bold header, date, date and time.
PLAIN, BOLD, DATE, DATETIME = 0, 1, 2, 3
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# XML 1.0 forbids these control characters even escaped; a cell drops them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_PER_WRITE = 1000

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
{sheets}</Types>"""
SHEET_CONTENT_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
{sheets}<Relationship Id="rIdStyles" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_TAIL = "</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str, ref: str, style: int) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t{space}>{escape(value)}</t></is></c>'


def cell_xml(value: Any, ref: str, style: int = PLAIN) -> str:
    """One <c> element ("" for None: an empty cell is simply left out)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value, ref, style)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        if not math.isfinite(value):  # Excel has no NaN or infinity
            return _text(str(value), ref, style)
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{DATE}"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'
    return _text(str(value), ref, style)


def _sheet_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """The <row> elements: the header (bold), then the rows."""
    letters: list[str] = []  # column letters, as many as the widest row so far

    def row_xml(number: int, values: Sequence[Any], style: int) -> str:
        while len(letters) < len(values):
            letters.append(column_letters(len(letters)))
        cells = [cell_xml(v, f"{c}{number}", style) for c, v in zip(letters, values, strict=False)]
        return f'<row r="{number}">{"".join(cells)}</row>'

    yield row_xml(1, header, BOLD)
    for number, values in enumerate(rows, start=2):
        yield row_xml(number, values, PLAIN)


def write_xlsx(target: IO[bytes], sheets: Iterable[SheetSpec]) -> None:
    """Write sheets (title, header, rows) as an .xlsx into a binary file object. Rows are
    consumed as they come (a generator stays a generator): memory is flat in their number."""
    sheets = list(sheets)
    numbers = range(1, len(sheets) + 1)
    titles: list[str] = []  # unique: Excel refuses a workbook with two sheets of one name
    for n, (title, _header, _rows) in zip(numbers, sheets, strict=True):
        name = _sheet_title(title)
        titles.append(name if name not in titles else f"{name[:27]}({n})")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        # The package's description first, as Office itself writes it (some tools that
        # recognise an .xlsx look for it at the start).
        book.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_CONTENT_TYPE.format(n=n) for n in numbers)),
        )
        book.writestr("_rels/.rels", ROOT_RELS)
        sheet_list = "".join(
            f'<sheet name={quoteattr(t)} sheetId="{n}" r:id="rId{n}"/>'
            for n, t in zip(numbers, titles, strict=True)
        )
        book.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheet_list))
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(sheets="".join(SHEET_REL.format(n=n) for n in numbers)),
        )
        book.writestr("xl/styles.xml", STYLES)
        for n, (_title, header, rows) in zip(numbers, sheets, strict=True):
            with book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                part.write(SHEET_HEAD.encode())
                pending: list[str] = []
                for xml in _sheet_rows(header, rows):
                    pending.append(xml)
                    if len(pending) >= _ROWS_PER_WRITE:
                        part.write("".join(pending).encode())
                        pending = []
                part.write(("".join(pending) + SHEET_TAIL).encode())


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", _ILLEGAL.sub("", title))[:31]
    return cleaned or "Sheet"
