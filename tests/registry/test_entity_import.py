"""Import: preview every bad row, then all good rows or nothing; never a partial load."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from openpyxl import Workbook, load_workbook

from regulus.core import ids
from regulus.core.models import AuditLog
from regulus.registry.importing import TEMPLATE_HEADERS, import_entities
from regulus.registry.models import Entity, EntityFormerName, ImportJob

from .conftest import make_entity, new_uscc


def row(**over):
    values = {
        "统一社会信用代码": new_uscc(),
        "名称": "长沙市芙蓉区示例商贸有限公司",
        "主体类型": "企业",
        "成立日期": "2020-05-18",
        "所属区县代码": "430102",
        "注册资本（万元）": "100",
        "法定代表人/经营者": "张三",
        "法定代表人/经营者身份证号码": ids.make_id_number("430102", dt.date(1980, 1, 2), 15),
    }
    values.update(over)
    return values


def write_csv(path, rows, encoding="utf-8", headers=TEMPLATE_HEADERS):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for r in rows:
            writer.writerow([r.get(h, "") for h in headers])
    return path


def run(actor, path, mode="all-or-nothing", dry_run=False):
    return import_entities(actor=actor, path=path, mode=mode, dry_run=dry_run)


def test_all_or_nothing_loads_nothing_when_one_row_is_bad(tmp_path, handler):
    path = write_csv(
        tmp_path / "a.csv", [row(), row(名称="长沙市坏行公司", 成立日期="2999-01-01"), row()]
    )
    result = run(handler, path)
    assert not result.committed and result.bad_rows == 1 and Entity.objects.count() == 0
    assert result.errors[0].line == 3 and result.errors[0].field == "established_on"
    assert "晚于今天" in result.errors[0].message


def test_good_rows_mode_loads_good_rows_and_reports_bad(tmp_path, handler):
    path = write_csv(tmp_path / "a.csv", [row(), row(**{"注册资本（万元）": "-5"}), row()])
    result = run(handler, path, mode="good-rows")
    assert result.committed and result.created == 2 and result.bad_rows == 1
    assert Entity.objects.count() == 2
    assert result.errors[0].field_label == "注册资本（万元）" and "负数" in result.errors[0].message
    entity = Entity.objects.first()
    assert entity.legal_rep_id_number and entity.legal_rep_id_hash
    assert str(Entity.objects.first().unit.division_code) == "430102"


def test_import_is_one_audit_row_with_counts(tmp_path, handler):
    path = write_csv(tmp_path / "a.csv", [row() for _ in range(5)])
    before = AuditLog.objects.count()
    result = run(handler, path)
    assert result.created == 5
    rows = AuditLog.objects.order_by("-id")[: AuditLog.objects.count() - before]
    assert len(rows) == 1 and rows[0].action == "import" and rows[0].changes["created"] == 5


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_csv_encodings_are_read(tmp_path, handler, encoding):
    path = write_csv(
        tmp_path / "a.csv",
        [
            row(
                名称="长沙市芙蓉区鑫达便利超市",
                主体类型="个体工商户",
                统一社会信用代码=new_uscc(kind="individual"),
            )
        ],
        encoding=encoding,
    )
    result = run(handler, path)
    assert result.committed, result.file_error or result.errors
    assert Entity.objects.get().name == "长沙市芙蓉区鑫达便利超市"


def test_xlsx_is_read(tmp_path, handler):
    book = Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_HEADERS)
    r = row()
    sheet.append([r.get(h, "") for h in TEMPLATE_HEADERS])
    sheet.cell(row=2, column=8).value = dt.datetime(2020, 5, 18)  # a real date cell
    book.save(tmp_path / "a.xlsx")
    result = run(handler, tmp_path / "a.xlsx")
    assert result.committed and Entity.objects.get().established_on == dt.date(2020, 5, 18)


def test_undecodable_bytes_are_a_file_error(tmp_path, handler):
    path = tmp_path / "a.csv"
    path.write_bytes(",".join(TEMPLATE_HEADERS).encode() + b"\n\x81\xff\xfe\x80\x81\n")
    result = run(handler, path)
    assert result.file_error and not result.committed and Entity.objects.count() == 0


def test_missing_columns_are_a_file_error(tmp_path, handler):
    path = write_csv(tmp_path / "a.csv", [row()], headers=["统一社会信用代码", "名称"])
    result = run(handler, path)
    assert "缺少必需的列" in result.file_error and "成立日期" in result.file_error


def test_duplicate_usccs_within_file_are_reported(tmp_path, handler):
    uscc = new_uscc()
    rows = [row(统一社会信用代码=uscc), row(), row(统一社会信用代码=uscc)]
    result = run(handler, write_csv(tmp_path / "a.csv", rows), mode="good-rows")
    assert result.created == 2 and result.bad_rows == 1
    assert result.errors[0].line == 4 and "重复" in result.errors[0].message


def test_duplicate_across_batches_is_reported(tmp_path, handler, monkeypatch):
    from regulus.registry import importing

    monkeypatch.setattr(importing, "BATCH", 2)
    uscc = new_uscc()
    rows = [row(统一社会信用代码=uscc), row(), row(), row(统一社会信用代码=uscc)]
    result = run(handler, write_csv(tmp_path / "a.csv", rows), mode="good-rows")
    assert result.created == 3 and result.bad_rows == 1 and result.errors[0].line == 5


def test_bad_check_characters_are_reported_with_line_and_rule(tmp_path, handler):
    uscc = new_uscc()
    bad_uscc = uscc[:-1] + ("1" if uscc[-1] != "1" else "2")
    number = ids.make_id_number("430102", dt.date(1980, 1, 2), 15)
    bad_id = number[:-1] + ("1" if number[-1] != "1" else "2")
    result = run(
        handler,
        write_csv(
            tmp_path / "a.csv",
            [row(统一社会信用代码=bad_uscc), row(**{"法定代表人/经营者身份证号码": bad_id})],
        ),
    )
    assert [(e.line, e.field) for e in result.errors] == [(2, "uscc"), (3, "legal_rep_id_number")]
    assert all("校验位" in e.message for e in result.errors)


def test_existing_uscc_updates_entity_and_keeps_former_name(tmp_path, handler, entity_a):
    result = run(
        handler,
        write_csv(
            tmp_path / "a.csv", [row(统一社会信用代码=entity_a.uscc, 名称="湖南立白集团有限公司")]
        ),
    )
    assert result.updated == 1 and result.created == 0
    entity_a.refresh_from_db()
    assert entity_a.name == "湖南立白集团有限公司"
    assert EntityFormerName.objects.filter(entity=entity_a, name="湖南立白日化有限公司").exists()
    from regulus.registry.selectors import EntityFilters, entity_search

    found = entity_search(user=handler, filters=EntityFilters(q="立白日化")).entities
    assert [e.pk for e in found] == [entity_a.pk]


def test_many_garbage_rows_are_all_counted_and_nothing_loaded(tmp_path, handler):
    path = tmp_path / "garbage.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(TEMPLATE_HEADERS) + "\n")
        for i in range(3000):
            handle.write(f"x{i},y,z,,,,abc,notadate,,,,,999999\n")
    result = run(handler, path)
    assert result.rows == 3000 and result.bad_rows == 3000 and result.error_count >= 3000 * 4
    assert len(result.preview_errors) == 200 and Entity.objects.count() == 0


def test_dry_run_reports_but_writes_nothing(tmp_path, handler):
    result = run(handler, write_csv(tmp_path / "a.csv", [row(), row()]), dry_run=True)
    assert result.created == 2 and not result.committed and Entity.objects.count() == 0


def test_extension_must_match_content(tmp_path, handler):
    fake = tmp_path / "a.xlsx"
    fake.write_text("统一社会信用代码\n")
    assert "不是Excel" in run(handler, fake).file_error
    zipped = tmp_path / "b.csv"
    zipped.write_bytes(b"PK\x03\x04rest")
    assert "Excel" in run(handler, zipped).file_error
    other = tmp_path / "c.txt"
    other.write_text("x")
    assert "不支持" in run(handler, other).file_error


# ---- the web flow: upload → check (background task) → choose → import ----------------------


def _upload(client, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/registry/import/", {"file": SimpleUploadedFile(name, content)})


def _csv_bytes(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    for r in rows:
        writer.writerow([r.get(h, "") for h in TEMPLATE_HEADERS])
    return buffer.getvalue().encode("utf-8-sig")


def test_web_import_previews_then_imports_good_rows(client, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(handler)
    response = _upload(client, "主体.csv", _csv_bytes([row(), row(成立日期="2999-01-01")]))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == "checked" and job.good_rows == 1 and job.error_rows == 1
    assert Entity.objects.count() == 0
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    assert "晚于今天" in page and "成立日期" in page
    report = client.get(f"/registry/import/{job.pk}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == [3, "成立日期"]
    client.post(f"/registry/import/{job.pk}/commit/", {"mode": "good-rows"})
    job.refresh_from_db()
    assert job.state == "done" and job.created_count == 1 and Entity.objects.count() == 1
    # The upload (personal data) is on record from the moment it is stored, then who
    # confirmed the import and how, then the import.
    actions = AuditLog.objects.filter(actor=handler).order_by("id").values_list("action", flat=True)
    assert list(actions)[-3:] == [
        AuditLog.Action.CREATE,
        AuditLog.Action.UPDATE,
        AuditLog.Action.IMPORT,
    ]


def test_web_import_cancel_loads_nothing(client, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(handler)
    _upload(client, "主体.csv", _csv_bytes([row()]))
    job = ImportJob.objects.get()
    client.post(f"/registry/import/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.state == "cancelled" and Entity.objects.count() == 0
    response = client.post(f"/registry/import/{job.pk}/commit/", {"mode": "good-rows"})
    assert Entity.objects.count() == 0 and response.status_code == 302


def test_web_upload_rejects_oversize_and_mismatched_files(client, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_MB = 0
    client.force_login(handler)
    response = _upload(client, "a.csv", b"x" * 10)
    assert response.status_code == 422 and "超过上限" in response.content.decode()
    settings.UPLOAD_MAX_MB = 5
    response = _upload(client, "a.xlsx", b"not a zip")
    assert response.status_code == 422 and ImportJob.objects.count() == 0


def test_outsider_cannot_see_someone_elses_import(client, handler, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(handler)
    _upload(client, "主体.csv", _csv_bytes([row()]))
    job = ImportJob.objects.get()
    client.force_login(outsider)
    assert client.get(f"/registry/import/{job.pk}/").status_code == 404
    assert client.get(f"/registry/import/{job.pk}/errors.xlsx").status_code == 404


def test_template_download_has_all_columns(client, handler):
    client.force_login(handler)
    response = client.get("/registry/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADERS


def test_parallel_preparation_gives_the_same_result(tmp_path, handler, monkeypatch):
    from regulus.registry import importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importing, "BATCH", 3)
    uscc = new_uscc()
    rows = [
        row(),
        row(统一社会信用代码=uscc),
        row(成立日期="2999-01-01"),
        row(),
        row(统一社会信用代码=uscc),
    ]
    result = run(handler, write_csv(tmp_path / "a.csv", rows), mode="good-rows")
    assert (result.rows, result.created, result.bad_rows) == (5, 3, 2)
    assert sorted(e.line for e in result.errors) == [4, 6]
    assert Entity.objects.count() == 3


@pytest.mark.django_db
def test_batches_start_small_and_double_up_to_the_batch_size(tmp_path, monkeypatch):
    # The writer waits for the first batch before it can start: a small one comes sooner.
    from regulus.core import clock
    from regulus.registry import importing
    from regulus.registry.rules import EntityRules

    monkeypatch.setattr(importing, "FIRST_BATCH", 2)
    monkeypatch.setattr(importing, "BATCH", 8)
    path = write_csv(tmp_path / "a.csv", [row() for _ in range(30)])
    preparer = importing.RowPreparer(EntityRules(), pg=False, now=clock.now(), key="")
    messages = preparer.messages(importing.RowSource(path, "csv"))
    assert [payload[2] for _kind, payload in messages] == [2, 4, 8, 8, 8, 0]


def test_batches_shrink_to_half_the_rows_left_near_the_end_of_the_file():
    # The preparer's core idles while the writer finishes the last batch: keep it small.
    from regulus.registry.importing import BATCH, FIRST_BATCH, next_batch_size

    assert next_batch_size(BATCH, line=10_000, fraction=0.5) == BATCH  # 10,000 rows left
    assert next_batch_size(BATCH, line=18_000, fraction=0.9) == 1000  # 2,000 left
    assert next_batch_size(1000, line=19_500, fraction=0.975) == 250  # 500 left
    assert next_batch_size(FIRST_BATCH, line=19_900, fraction=0.995) == FIRST_BATCH
    assert next_batch_size(FIRST_BATCH, line=250, fraction=1.0) == 2 * FIRST_BATCH  # unknown


def test_parallel_preparation_reports_file_errors(tmp_path, handler, monkeypatch):
    from regulus.registry import importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    path = write_csv(tmp_path / "a.csv", [row()], headers=["统一社会信用代码", "名称"])
    assert "缺少必需的列" in run(handler, path).file_error


def test_import_respects_the_data_scope(tmp_path, handler, outsider, entity_a):
    rows = [row(), row(所属区县代码="430103", 统一社会信用代码=new_uscc("430103"))]
    result = run(handler, write_csv(tmp_path / "a.csv", rows), mode="good-rows")
    assert result.created == 1 and result.bad_rows == 1
    assert result.errors[0].line == 3 and "数据范围" in result.errors[0].message
    # the outsider may not update district A's entity by its USCC
    result = run(
        outsider,
        write_csv(tmp_path / "b.csv", [row(统一社会信用代码=entity_a.uscc, 所属区县代码="430103")]),
    )
    assert result.bad_rows == 1 and "数据范围" in result.errors[0].message
    entity_a.refresh_from_db()
    assert entity_a.district_code == "430102"


def test_a_preparing_process_that_dies_fails_the_import_and_writes_nothing(
    tmp_path, handler, monkeypatch
):
    import os

    import pytest

    from regulus.registry import importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importing, "BATCH", 2)

    def die(self, rows):  # runs in the forked child only
        if len(rows) == 2:
            os._exit(3)
        return []

    monkeypatch.setattr(importing.RowPreparer, "prepare", die)
    before = Entity.objects.count()
    path = write_csv(tmp_path / "a.csv", [row(), row(), row()])
    with pytest.raises(RuntimeError, match="预处理进程"):
        run(handler, path, mode="good-rows")
    assert Entity.objects.count() == before


def test_values_with_copy_special_characters_load_exactly(tmp_path, handler):
    """PostgreSQL loads rows by COPY: a backslash, tab, newline or a literal \\N inside a
    value must come back as it was."""
    scope = "日用百货销售\n（依法须经批准的项目）\t五金\\交电"
    address = "长沙市芙蓉区\\N号"
    path = write_csv(tmp_path / "a.csv", [row(经营范围=scope, **{"住所（经营场所）": address})])
    result = run(handler, path)
    assert result.committed and result.created == 1, result.errors
    entity = Entity.objects.get()
    assert (entity.business_scope, entity.address) == (scope, address)
    assert entity.registered_capital == 100 and entity.status_changed_on is None


def test_an_update_takes_every_value_of_its_row_exactly(tmp_path, handler, entity_a):
    """On PostgreSQL an update's values go through COPY (into a temporary table): special
    characters, an empty capital (NULL) and the unit must come back as they were."""
    scope = "五金\\交电\t日用品\n（\\N）"
    path = write_csv(
        tmp_path / "a.csv",
        [row(统一社会信用代码=entity_a.uscc, 经营范围=scope, **{"注册资本（万元）": ""})],
    )
    result = run(handler, path)
    assert result.committed and result.updated == 1, result.errors
    entity_a.refresh_from_db()
    assert entity_a.business_scope == scope and entity_a.registered_capital is None
    assert str(entity_a.unit.division_code) == "430102" and entity_a.status_changed_on is None
    assert (entity_a.legal_rep_name, entity_a.established_on) == ("张三", dt.date(2020, 5, 18))


def test_rows_of_one_batch_that_change_different_columns_each_take_their_own(tmp_path, handler):
    # SQLite sets only the columns that change somewhere in the batch: a row that changes
    # its address must keep its status, and one that changes its status its address.
    address = "住所（经营场所）"
    first, second = row(**{address: "芙蓉路1号"}), row(**{address: "芙蓉路2号"}, 登记状态="存续")
    assert run(handler, write_csv(tmp_path / "a.csv", [first, second])).created == 2
    number = ids.make_id_number("430102", dt.date(1990, 3, 4), 27)
    first[address] = "芙蓉路1号附1号"
    second.update(登记状态="注销", 状态变更日期="2024-01-02")
    second["法定代表人/经营者身份证号码"] = number
    again = run(handler, write_csv(tmp_path / "b.csv", [first, second]))
    assert again.committed and again.changed == 2, again.errors
    a = Entity.objects.get(uscc=first["统一社会信用代码"])
    b = Entity.objects.get(uscc=second["统一社会信用代码"])
    assert (a.address, a.status, a.status_changed_on) == ("芙蓉路1号附1号", "active", None)
    assert (b.address, b.status, b.status_changed_on) == (
        "芙蓉路2号",
        "cancelled",
        dt.date(2024, 1, 2),
    )
    assert b.legal_rep_id_number == number and a.legal_rep_id_number != number


def test_a_file_imported_again_unchanged_writes_nothing(tmp_path, handler):
    path = write_csv(tmp_path / "a.csv", [row(), row(名称="长沙市芙蓉区第二商贸有限公司")])
    assert run(handler, path).created == 2
    before = {e.pk: (e.updated_at, e.legal_rep_id_number) for e in Entity.objects.all()}
    again = run(handler, path)
    assert again.committed and again.updated == 2 and again.created == 0 and again.changed == 0
    after = {e.pk: (e.updated_at, e.legal_rep_id_number) for e in Entity.objects.all()}
    assert after == before  # not even the ID number re-encrypted


def test_each_entity_an_import_changes_gets_its_own_audit_row(tmp_path, handler, entity_a):
    """As a change through the services: the changed fields, old and new; the ID number only
    as changed; nothing for a row that changes nothing; the chain holds."""
    from regulus.core.audit import verify_chain
    from regulus.registry.selectors import entity_timeline

    same = make_entity(handler, "长沙市芙蓉区旺旺便利店")
    changed = row(
        统一社会信用代码=entity_a.uscc,
        名称=entity_a.name,
        **{"住所（经营场所）": "长沙市芙蓉区五一大道2号", "注册资本（万元）": "250"},
    )
    unchanged = row(
        统一社会信用代码=same.uscc,
        名称=same.name,
        主体类型="企业",
        成立日期="2020-01-02",
        **{"注册资本（万元）": "", "法定代表人/经营者": "", "法定代表人/经营者身份证号码": ""},
    )
    before = AuditLog.objects.count()
    result = run(handler, write_csv(tmp_path / "a.csv", [changed, unchanged]))
    assert result.committed and result.updated == 2 and result.changed == 1, result.errors
    rows = list(AuditLog.objects.filter(pk__gt=AuditLog.objects.order_by("id")[before - 1].pk))
    assert len(rows) == 2  # the import's own row and entity_a's; none for the unchanged one
    entity_row = next(r for r in rows if r.object_id == str(entity_a.pk))
    assert entity_row.object_type == "registry.entity" and entity_row.action == "update"
    assert entity_row.summary.startswith("导入变更市场主体：湖南立白日化有限公司")
    assert entity_row.changes["address"][1] == "长沙市芙蓉区五一大道2号"
    assert entity_row.changes["legal_rep_id_number"] == ["（已变更）", "（已变更）"]
    assert entity_row.changes["registered_capital"][1] in ("250.00", 250)
    assert "uscc" not in entity_row.changes and "name" not in entity_row.changes
    assert "address" in str(entity_row.changes) and entity_a.legal_rep_id_number not in str(
        entity_row.changes
    )
    titles = [e["title"] for e in entity_timeline(entity_a, handler)]
    assert any(t.startswith("导入变更市场主体") for t in titles)
    assert verify_chain().ok


def test_an_entity_an_import_created_shows_that_import_on_its_page(tmp_path, handler):
    from regulus.registry.selectors import entity_timeline

    first = run(handler, write_csv(tmp_path / "first.csv", [row(名称="长沙市芙蓉区甲商行")]))
    second = run(handler, write_csv(tmp_path / "second.csv", [row(名称="长沙市芙蓉区乙商行")]))
    assert first.created == second.created == 1
    for name, file in (("长沙市芙蓉区甲商行", "first.csv"), ("长沙市芙蓉区乙商行", "second.csv")):
        events = entity_timeline(Entity.objects.get(name=name), handler)
        # The import that brought it in (today), then its establishment as the file dates it.
        assert [e["title"] for e in events] == [f"批量导入新增（{file}）", "设立登记，主体成立"]
        assert events[0]["actor_name"] == handler.display_name
        assert "新增1" in events[0]["detail"]


def test_an_update_reindexes_changed_filters_and_keeps_former_names_searchable(
    tmp_path, handler, entity_a
):
    """A renamed entity is found by both names; a later import that changes only its
    filters (risk class, status) keeps the former name in its document."""
    from regulus.registry.selectors import EntityFilters, entity_search

    def found(**filters):
        return [
            e.pk for e in entity_search(user=handler, filters=EntityFilters(**filters)).entities
        ]

    renamed = row(统一社会信用代码=entity_a.uscc, 名称="湖南立白集团有限公司")
    assert run(handler, write_csv(tmp_path / "a.csv", [renamed])).updated == 1
    changed = {**renamed, "信用风险分类": "D", "登记状态": "吊销", "状态变更日期": "2024-01-02"}
    assert run(handler, write_csv(tmp_path / "b.csv", [changed])).updated == 1
    assert found(q="立白日化", risk="D", status="revoked") == [entity_a.pk]
    assert found(q="立白集团", risk="D") == [entity_a.pk]
    assert found(q="立白", status="active") == []
    other = make_entity(handler, "长沙市芙蓉区旺旺便利店")
    moved = row(统一社会信用代码=other.uscc, 名称=other.name, 信用风险分类="C")
    assert run(handler, write_csv(tmp_path / "c.csv", [moved])).updated == 1
    assert found(q="旺旺", risk="C") == [other.pk] and found(q="旺旺", risk="A") == []


def parse_copy_line(line: bytes) -> tuple[str | None, ...]:
    """The values of a line of COPY text, as PostgreSQL reads them (all text, NULL None)."""
    unescape = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    return tuple(
        None if cell == "\\N" else re.sub(r"\\(.)", lambda m: unescape[m[1]], cell)
        for cell in line.decode().rstrip("\n").split("\t")
    )


def test_copy_lines_read_back_to_the_values_they_were_made_of():
    from regulus.registry.importing import _NULL, copy_line

    text_n = "".join(["\\", "N"])  # a value that reads \N, not the NULL marker
    cells = ("42", "a\\b", text_n, _NULL, "x\ty\nz\r", "7", "平常的值", "")
    assert parse_copy_line(copy_line(cells, nulls=1)) == (
        "42", "a\\b", "\\N", None, "x\ty\nz\r", "7", "平常的值", "",
    )  # fmt: skip
    assert copy_line(("42", "平常", _NULL), nulls=1) == "42\t平常\t\\N\n".encode()
    assert parse_copy_line(copy_line(("42", text_n), nulls=0)) == ("42", "\\N")


def test_an_imports_search_document_is_the_one_the_entity_would_get():
    from regulus.registry import search

    common = {
        "district_code": "430102", "kind": "enterprise", "status": "active", "risk_class": "B",
        "industry_section": "F", "industry_code": "52", "unit_id": 7,
    }  # fmt: skip
    for name, person in [("长沙市Liby立白超市", "张三"), ("一二", ""), ("ab", " 李四 ")]:
        row = {"name": name, "legal_rep_name": person, **common}
        made = search.pg_row_document(name, person, search.filter_key(row))
        expected = search.pg_document(search.tokens_for_row(row))
        assert sorted(made[1:-1].split(",")) == sorted(expected[1:-1].split(","))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's checkpoint")
def test_sqlite_checkpoint_runs_after_the_commit_not_inside_it(tmp_path, handler, monkeypatch):
    """The import turns SQLite's autocheckpoint off for its commit and starts a checkpoint
    thread once committed (not after a rollback); the connection's setting comes back."""
    from regulus.registry import importing

    started = []
    monkeypatch.setattr(connection, "is_in_memory_db", lambda: False)
    monkeypatch.setattr(importing, "checkpoint_in_background", started.append)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 777")
    seen = []
    real_load = importing.EntityImporter._load

    def load(self, source):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            seen.append(cursor.fetchone()[0])
        real_load(self, source)

    monkeypatch.setattr(importing.EntityImporter, "_load", load)
    assert run(handler, write_csv(tmp_path / "a.csv", [row()])).committed
    assert run(handler, write_csv(tmp_path / "b.csv", [row()]), dry_run=True).created == 1
    assert seen == [0, 0] and started == [connection.settings_dict["NAME"]]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 777


def test_background_checkpoint_copies_the_wal_into_the_database(tmp_path):
    import sqlite3

    from regulus.registry.importing import checkpoint_in_background

    path = tmp_path / "db.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [("x" * 100,) for _i in range(10_000)])
    before = path.stat().st_size  # the rows are in the WAL only
    checkpoint_in_background(str(path)).join(timeout=10)
    assert before < 100_000 < path.stat().st_size
    db.close()


# ---- PostgreSQL: the search index's pending list during an import -----------------------------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")


def _other_connection():
    import psycopg

    from regulus.registry.importing import connection_params

    return psycopg.connect(**connection_params(), autocommit=True)


def _entries_pending_after(merger_runs: bool) -> int:
    """Pages of pending-list entries a forced merge finds after documents were added in this
    transaction, with the merger running in between or not."""
    from regulus.registry import search
    from regulus.registry.importing import PendingListMerger, connection_params

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        search.index_write([(-n, ["4e00x4e01", "zd430102"]) for n in range(1, 2001)])
    if merger_runs:
        merger = PendingListMerger(connection_params(), search.PG_GIN_INDEX)
        merger.start()
        assert merger.wait_for_merges(1, timeout=30)
        merger.stop()
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [search.PG_GIN_INDEX])
        return cursor.fetchone()[0]


@pg_only
@pytest.mark.django_db
def test_new_documents_go_to_the_pending_list_and_the_merger_merges_them():
    assert _entries_pending_after(merger_runs=False) > 0
    assert _entries_pending_after(merger_runs=True) == 0


@pg_only
@pytest.mark.django_db
def test_a_hurried_merger_merges_at_once_not_after_its_interval(monkeypatch):
    from regulus.registry import importing, search

    monkeypatch.setattr(importing, "MERGE_INTERVAL", 3600)
    merger = importing.PendingListMerger(importing.connection_params(), search.PG_GIN_INDEX)
    merger.start()
    try:
        assert not merger.wait_for_merges(1, timeout=0.5)
        merger.hurry()
        assert merger.wait_for_merges(2, timeout=30)
    finally:
        merger.stop()


@pg_only
@pytest.mark.django_db
def test_the_applications_connections_keep_the_pending_list_small():
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == "64kB"


@pg_only
@pytest.mark.parametrize("big_file", [False, True], ids=["in-process", "child-and-merger"])
def test_searches_and_saves_go_on_during_an_import(tmp_path, handler, monkeypatch, big_file):
    """An import holds no lock that makes a search or another connection's save wait:
    both run, with a lock timeout, while the import's transaction is open."""
    from regulus.registry import importing, search

    monkeypatch.setattr(importing, "BATCH", 5)
    if big_file:
        monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    seen: list[int] = []

    def meanwhile(rows: int, fraction: float) -> None:
        if seen:
            return
        with _other_connection() as other:
            other.execute("SET lock_timeout = '2s'")
            seen.append(
                other.execute(
                    f"SELECT count(*) FROM {search.PG_TABLE} WHERE tokens @> '{{zd430102}}'"
                ).fetchone()[0]
            )
            with other.transaction(force_rollback=True):
                other.execute(
                    f"INSERT INTO {search.PG_TABLE} (entity_id, tokens) VALUES (-1, '{{x}}')"
                )

    path = write_csv(tmp_path / "a.csv", [row() for _ in range(12)])
    result = import_entities(actor=handler, path=path, progress=meanwhile)
    assert result.committed and result.created == 12 and seen == [0]


@pg_only
@pytest.mark.django_db
def test_an_import_checks_each_rows_unit_as_it_writes_it_not_at_the_commit():
    from django.db import IntegrityError, transaction

    from regulus.registry.importing import _Writer

    writer = _Writer()
    writer.begin_bulk()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.create(
            uscc=new_uscc(),
            name="长沙市无单位公司",
            kind="enterprise",
            established_on=dt.date(2020, 1, 2),
            district_code="430102",
            unit_id=987_654_321,
        )
    writer.restore_settings()


def test_web_import_preview_of_a_file_without_a_good_row_offers_no_import(
    client, handler, settings, tmp_path
):
    """A preview never offers to import zero rows ("只导入正确的 0 行"): it says there is
    nothing to import and offers only to give the file up."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(handler)
    _upload(client, "主体.csv", _csv_bytes([row(成立日期="2999-01-01"), row(名称="")]))
    job = ImportJob.objects.get()
    assert job.state == "checked" and job.good_rows == 0 and job.error_rows == 2
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    assert "没有正确的行可以导入" in page
    assert "commit-good" not in page and "commit-all" not in page
    assert not re.search(r"导入[^<]{0,20}\b0 行", page)
    assert 'data-testid="cancel"' in page


def _zip(members):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("主体.csv", b"", "是空的"),
        ("主体.csv", b"\xef\xbb\xbf\r\n  \r\n", "是空的"),
        ("主体.xlsx", _zip({"xl/readme.txt": b"x"}), "缺少Excel工作簿（.xlsx）应有的结构"),
        ("主体.xlsx", _zip({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<bad"}), ""),
        ("主体.csv", "名称,地址\n甲,乙\n".encode(), "缺少必需的列"),
    ],
)
def test_a_bad_import_file_is_refused_at_upload_not_in_the_job(
    client, handler, settings, tmp_path, name, content, rule
):
    """An empty .csv, an .xlsx that is no workbook, a header without the required columns:
    refused when uploaded (422, the file named), no job created, nothing stored."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(handler)
    response = _upload(client, name, content)
    page = response.content.decode()
    assert response.status_code == 422 and rule in page
    assert ImportJob.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_an_xlsx_over_the_decompressed_ceiling_is_refused_at_upload(
    client, handler, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_UNZIPPED_MAX_MB = 1
    client.force_login(handler)
    book = _zip({
        "[Content_Types].xml": b"<T/>",
        "xl/workbook.xml": b"<w/>",
        "xl/sharedStrings.xml": b"0" * (3 * 1024 * 1024),
    })  # fmt: skip
    response = _upload(client, "主体.xlsx", book)
    assert response.status_code == 422 and "解压后" in response.content.decode()
    assert ImportJob.objects.count() == 0
