"""Tabular imports: .csv (UTF-8, UTF-8 with BOM, GB18030) and .xlsx files read row by row.

Any app's import is built from these pieces (see docs/importing.md):

- `Column(name, label, headers=..., required=..., parse=...)`: one column, declared. Its
  headers are the names the first row may give it (the first is the template's); `parse`
  takes the cell (text, stripped; "" when empty) and returns the value, or raises
  `ValueError("中文规则")`, which becomes the row's error on that field.
- `check_upload(name, fileobj, size)`: the file's kind ("csv"/"xlsx") after checking it at
  upload, before it is stored: size, extension against content, an .xlsx's container
  ([Content_Types].xml and xl/workbook.xml) and its decompressed size
  (settings.UPLOAD_UNZIPPED_MAX_MB), an empty .csv. `check_header(path, kind, columns)`
  also reads the first row and checks the required columns are there.
- `TableSource(path, kind).rows()`: (line, cells) of every row; `map_header(header, columns)`:
  each column's index.
- `read_rows(path, kind, columns)`: every data row as `(line, values)` or `(line, errors)`.
- `write_error_report(errors, total, target)`: the downloadable report (行号, 字段, 错误).
- `import_rows(...)`: the whole path for a small import: parse every row, report the errors,
  then in "all-or-nothing" mode write nothing if any row is bad, in "good-rows" mode write
  the good rows: inside `audited()`, the caller's `save` returning one audit entry a row
  (written with `audit.record_many`) and one row for the import with its counts.

Every message is Chinese and names the file, line, field and rule. A file-level problem
raises `TableError`; a bad row never does.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"
MODES = {"good-rows": "只导入正确的行", "all-or-nothing": "全部正确才导入"}
HEAD_BYTES = 65536


class TableError(Exception):
    """The file as a whole cannot be read (size, format, encoding, missing columns)."""


@dataclass(frozen=True)
class Column:
    """One column of a table: `name` is the field it fills, `label` its Chinese name."""

    name: str
    label: str
    headers: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[str], Any] | None = None
    note: str = ""  # the template's explanation

    @property
    def all_headers(self) -> tuple[str, ...]:
        return self.headers or (self.label,)


@dataclass
class RowError:
    line: int
    field: str
    message: str
    label: str = ""  # the field's Chinese name ("整行" when it names none)

    @property
    def field_label(self) -> str:
        return self.label or self.field or "整行"


# --------------------------------------------------------------------------------------------
# Checking a file at upload
# --------------------------------------------------------------------------------------------


def _limit_mb() -> int:
    return int(settings.UPLOAD_MAX_MB)


def check_kind(name: str, head: bytes, size: int, *, limit_size: bool = True) -> str:
    """The file kind ("csv"/"xlsx") from its name and first bytes, and its size (uploads are
    limited to settings.UPLOAD_MAX_MB; the command line is not)."""
    what = f"文件“{Path(name).name}”" if name else "文件"
    limit = _limit_mb() * 1024 * 1024
    if limit_size and size > limit:
        raise TableError(f"{what}大小{size / 1024 / 1024:.1f} MB，超过上限{_limit_mb()} MB")
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise TableError(
                f"{what}扩展名为.xlsx，但内容不是Excel工作簿（请用Excel/WPS另存为.xlsx）"
            )
        return "xlsx"
    if suffix == ".csv":
        if head.startswith(XLSX_MAGIC):
            raise TableError(
                f"{what}扩展名为.csv，但内容是Excel工作簿（请改扩展名为.xlsx或另存为CSV）"
            )
        if b"\x00" in head:
            raise TableError(f"{what}不是文本格式的CSV（含有二进制内容）")
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise TableError(f"{what}是空的：第1行应为列名（见导入模板）")
        return "csv"
    raise TableError(f"{what}的类型“{suffix or '无扩展名'}”不支持，请上传.xlsx或.csv文件")


def check_ooxml(
    fileobj: Any,
    *,
    main_part: str,
    label: str,
    what: str,
    max_unzipped: int | None = None,
) -> None:
    """core.files.ooxml_problem as a TableError."""
    from regulus.core.files import ooxml_problem

    problem = ooxml_problem(
        fileobj, main_part=main_part, label=label, what=what, max_unzipped=max_unzipped
    )
    if problem:
        raise TableError(problem)


def check_upload(name: str, fileobj: Any, size: int, *, limit_size: bool = True) -> str:
    """The file kind after every check an upload gets before it is stored (see the module's
    docstring). `fileobj` is a binary file (its position is restored) or a path."""
    if isinstance(fileobj, (str, Path)):
        with open(fileobj, "rb") as handle:
            return check_upload(name, handle, size, limit_size=limit_size)
    start = fileobj.tell()
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(start)
    kind = check_kind(name, head, size, limit_size=limit_size)
    if kind == "xlsx":
        what = f"文件“{Path(name).name}”"
        try:
            check_ooxml(
                fileobj,
                main_part="xl/workbook.xml",
                label="Excel工作簿（.xlsx）",
                what=what,
                max_unzipped=None if limit_size else 1 << 62,
            )
        finally:
            fileobj.seek(start)
    return kind


def check_header(path: str | Path, kind: str, columns: Sequence[Column]) -> dict[str, int]:
    """Read the first row and map it (TableError when unreadable, empty or lacking a required
    column): an upload is refused at once rather than in its background job."""
    rows = TableSource(Path(path), kind).rows()
    try:
        try:
            _line, header = next(rows)
        except StopIteration:
            raise TableError("文件是空的：第1行应为列名（见导入模板）") from None
        return map_header(header, columns)
    finally:
        rows.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    """ "utf-8-sig" (a BOM), "utf-8", or "gb18030" when the first bytes are not UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class TableSource:
    """Rows of a file as (line number, list of cell values); progress as a fraction 0..1.
    CSV cells are str; .xlsx cells are str, None, dates or numbers (whole floats as text)."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = Path(path), kind
        self.size = self.path.stat().st_size
        self._raw: Any = None
        self._ws_rows = 0
        self.encoding = ""

    def fraction(self, line: int) -> float:
        if self.kind == "csv" and self._raw is not None and self.size:
            try:
                return min(1.0, self._raw.tell() / self.size)
            except (OSError, ValueError):
                return 0.0
        return min(1.0, line / self._ws_rows) if self._ws_rows else 0.0

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        return self._csv_rows() if self.kind == "csv" else self._xlsx_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        raw = self._raw = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        try:
            self.encoding = detect_encoding(raw.read(HEAD_BYTES))
            raw.seek(0)
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            reader = csv.reader(text)
            line = 0
            try:
                for row in reader:
                    line = reader.line_num
                    yield line, row
            except UnicodeDecodeError as exc:
                raise TableError(
                    f"文件编码无法识别（第{line + 1}行附近）：请另存为UTF-8或GB18030编码的CSV"
                ) from exc
            except csv.Error as exc:
                raise TableError(f"CSV格式错误（第{line + 1}行附近）：{exc}") from exc
        finally:
            raw.close()

    def _xlsx_rows(self) -> Iterator[tuple[int, list[Any]]]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise TableError("Excel文件已损坏或不是.xlsx格式") from exc
        try:
            if not book.worksheets:
                raise TableError("Excel文件中没有工作表")
            sheet = book.worksheets[0]
            self._ws_rows = sheet.max_row or 0
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_cell(v) for v in row]
        finally:
            book.close()


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def header_key(cell: Any) -> str:
    """A header cell as it is matched: no spaces, BOM or the template's "*" of required."""
    return str(cell or "").strip().lstrip("\ufeff").replace(" ", "").replace("*", "")


def map_header(header: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Each column's index (the first cell that names it); TableError naming the required
    columns the header lacks. Columns it does not name are ignored."""
    by_header = {header_key(h): c.name for c in columns for h in c.all_headers}
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = by_header.get(header_key(cell))
        if name and name not in mapping:
            mapping[name] = index
    missing = [c.label for c in columns if c.required and c.name not in mapping]
    if missing:
        raise TableError("缺少必需的列：" + "、".join(missing) + "（第1行应为列名，见导入模板）")
    return mapping


def blank(cells: Sequence[Any]) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def parse_row(
    line: int, cells: Sequence[Any], columns: Sequence[Column], mapping: dict[str, int]
) -> tuple[dict[str, Any], list[RowError]]:
    """One row's values by column name, and its errors (a required cell left empty, or the
    column's parse refusing it)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    width = len(cells)
    for column in columns:
        index = mapping.get(column.name)
        raw = cells[index] if index is not None and index < width else None
        text = "" if raw is None else (raw.isoformat() if hasattr(raw, "isoformat") else str(raw))
        text = text.strip()
        if not text:
            if column.required:
                errors.append(RowError(line, column.name, "必填，不能为空", column.label))
                continue
            if column.parse is None:
                values[column.name] = ""
                continue
        if column.parse is None:
            values[column.name] = text
            continue
        try:
            values[column.name] = column.parse(text)
        except (ValueError, TypeError) as exc:
            errors.append(RowError(line, column.name, str(exc) or "取值无效", column.label))
    return values, errors


def read_rows(
    path: str | Path, kind: str, columns: Sequence[Column]
) -> Iterator[tuple[int, dict[str, Any] | None, list[RowError]]]:
    """Every data row (blank rows skipped) as (line, values, []) or (line, None, errors)."""
    source = TableSource(Path(path), kind)
    rows = source.rows()
    try:
        _line, header = next(rows)
    except StopIteration:
        raise TableError("文件是空的：第1行应为列名（见导入模板）") from None
    mapping = map_header(header, columns)
    for line, cells in rows:
        if blank(cells):
            continue
        values, errors = parse_row(line, cells, columns, mapping)
        yield (line, None, errors) if errors else (line, values, [])


# --------------------------------------------------------------------------------------------
# Reports and templates
# --------------------------------------------------------------------------------------------


def write_error_report(errors: Iterable[RowError], total: int, target: Any) -> None:
    """An .xlsx of the errors (行号, 字段, 错误), to a path or a binary file; a last line when
    `total` is more. Cells are inline text (core.xlsx): a message is never a formula."""
    from regulus.core.xlsx import write_xlsx

    listed = 0

    def lines() -> Iterator[list[Any]]:
        nonlocal listed
        for error in errors:
            listed += 1
            yield [error.line, error.field_label, error.message]
        if total > listed:
            yield ["", "", f"共{total}个错误，本报告列出前{listed}个"]

    sheets = [("错误报告", ["行号", "字段", "错误"], lines())]
    if isinstance(target, (str, Path)):
        with open(target, "wb") as out:
            write_xlsx(out, sheets)
    else:
        write_xlsx(target, sheets)


def write_template(
    columns: Sequence[Column], target: Any, *, title: str, example: Sequence[Any] = ()
) -> None:
    """An import template: the headers (required ones bold red), an optional example row,
    every cell formatted as text, and a sheet "填写说明" with each column's note."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([c.all_headers[0] for c in columns])
    for cell, column in zip(sheet[1], columns, strict=True):
        if column.required:
            cell.font = Font(bold=True, color="C00000")
    if example:
        sheet.append(list(example))
    for col in sheet.columns:
        for cell in col:
            cell.number_format = "@"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明"])
    for column in columns:
        notes.append([column.all_headers[0], "是" if column.required else "", column.note])
    book.save(target)


# --------------------------------------------------------------------------------------------
# The whole path for a small import
# --------------------------------------------------------------------------------------------

# What `save` returns for each row it wrote: (object id, object repr, summary, changes).
SavedRow = tuple[str, str, str, dict[str, Any]]


@dataclass
class TableImport:
    rows: int = 0
    good_rows: int = 0
    bad_rows: int = 0
    written: int = 0
    committed: bool = False
    file_error: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors)


class _Rollback(Exception):
    pass


def import_rows(
    *,
    actor: Any,
    path: str | Path,
    name: str,
    columns: Sequence[Column],
    save: Callable[[int, dict[str, Any]], SavedRow],
    object_type: str,
    mode: str = "all-or-nothing",
    dry_run: bool = False,
    what: str = "数据",
    limit_size: bool = True,
) -> TableImport:
    """Read the whole file (`name` is the uploader's file name), then write its good rows.

    `save(line, values)` writes one row (the caller's services' rules: a ValueError or a
    django ValidationError it raises is that row's error and the row is not written) and
    returns its audit entry. Everything runs in one `audited()` block: one audit row for
    each written row (audit.record_many) and one for the import. "all-or-nothing" writes
    nothing if any row is bad; "good-rows" writes the good ones; `dry_run` (the preview)
    writes nothing but reports exactly what the import would do."""
    from django.core.exceptions import ValidationError

    from regulus.core.audit import audited
    from regulus.core.errors import field_errors
    from regulus.core.models import AuditLog

    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}")
    result = TableImport()
    path = Path(path)
    by_name = {c.name: c.label for c in columns}
    try:
        kind = check_upload(name, path, path.stat().st_size, limit_size=limit_size)
        parsed = list(read_rows(path, kind, columns))
    except TableError as exc:
        result.file_error = str(exc)
        return result
    result.rows = len(parsed)
    for _line, values, errors in parsed:
        if values is None:
            result.bad_rows += 1
            result.errors.extend(errors)
    if result.bad_rows and mode == "all-or-nothing" and not dry_run:
        result.good_rows = result.rows - result.bad_rows
        return result
    entries: list[SavedRow] = []
    try:
        with audited(actor=actor) as audit:
            for line, values, _errors in parsed:
                if values is None:
                    continue
                try:
                    with _savepoint():
                        entries.append(save(line, values))
                except ValidationError as exc:
                    result.bad_rows += 1
                    for key, messages in field_errors(exc).items():
                        label = by_name.get(key, "")
                        key = "" if key == "__all__" else key
                        result.errors.extend(RowError(line, key, m, label) for m in messages)
                except ValueError as exc:
                    result.bad_rows += 1
                    result.errors.append(RowError(line, "", str(exc) or "取值无效"))
            result.good_rows = result.rows - result.bad_rows
            result.written = len(entries)
            if dry_run or (mode == "all-or-nothing" and result.bad_rows):
                raise _Rollback
            audit.record_many(
                action=AuditLog.Action.CREATE, object_type=object_type, entries=iter(entries)
            )
            audit.record(
                action=AuditLog.Action.IMPORT,
                object_type=object_type,
                object_repr=name[:200],
                summary=f"导入{what}（{name}）：共{result.rows}行，写入{result.written}行，"
                f"错误{result.bad_rows}行（{MODES[mode]}）",
                changes={
                    "import_rows": result.rows,
                    "import_written": result.written,
                    "import_bad_rows": result.bad_rows,
                    "import_mode": mode,
                },
            )
            result.committed = True
    except _Rollback:
        pass
    result.errors.sort(key=lambda e: e.line)
    if not result.committed and not dry_run:
        result.written = 0
    return result


def _savepoint() -> Any:
    from django.db import transaction

    return transaction.atomic()
