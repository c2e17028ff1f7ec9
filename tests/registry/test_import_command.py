"""`regulus import_entities FILE`: what it says and how it exits, for a person at a terminal
and for a nightly script that reads only its exit status."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from regulus.core.models import AuditLog
from regulus.registry.models import Entity

from .test_entity_import import row, write_csv


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_entities", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def mixed_file(tmp_path, bureau):
    return write_csv(
        tmp_path / "省局导出.csv",
        [row(名称="长沙市芙蓉区正确商行"), row(名称="长沙市芙蓉区未来商行", 成立日期="2999-01-01")],
        encoding="gb18030",
    )


def test_command_all_or_nothing_with_a_bad_row_fails_and_loads_nothing(mixed_file):
    with pytest.raises(CommandError, match="导入未执行"):
        run_command(mixed_file)
    assert not Entity.objects.exists()


def test_command_names_each_bad_row_with_its_line_field_and_rule(mixed_file):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_entities", str(mixed_file), stdout=io.StringIO(), stderr=err)
    assert "第3行 成立日期：成立日期2999-01-01晚于今天" in err.getvalue()


def test_command_good_rows_imports_them_and_says_the_bad_ones_were_left(mixed_file):
    out, _err = run_command(mixed_file, "--mode", "good-rows")
    assert out.startswith("已导入正确的行，错误行未导入：共 2 行，新增 1")
    assert list(Entity.objects.values_list("name", flat=True)) == ["长沙市芙蓉区正确商行"]
    audit = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
    assert audit.actor_name == "命令行导入" and "省局导出.csv" in audit.summary


def test_command_good_rows_of_a_file_without_one_good_row_fails(tmp_path, bureau):
    # A nightly script must notice a file of which no row could be taken (a wrong file).
    path = write_csv(
        tmp_path / "错.csv", [row(成立日期="2999-01-01"), row(**{"注册资本（万元）": "-5"})]
    )
    with pytest.raises(CommandError, match="没有正确的行"):
        run_command(path, "--mode", "good-rows")
    assert not Entity.objects.exists()


def test_command_check_writes_nothing_and_exits_cleanly(mixed_file):
    out, _err = run_command(mixed_file, "--check")
    assert out.startswith("校验完成（未写入）：共 2 行，新增 1")
    assert not Entity.objects.exists()
    assert not AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()


def test_command_writes_the_error_report_it_is_asked_for(mixed_file, tmp_path):
    report = tmp_path / "错误报告.xlsx"
    out, _err = run_command(mixed_file, "--check", "--errors", report)
    assert f"错误报告：{report}" in out
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert rows == [("行号", "字段", "错误"), (3, "成立日期", "成立日期2999-01-01晚于今天")]


def test_command_as_a_user_keeps_that_users_data_scope(mixed_file, outsider):
    # The outsider (天心区) may not import entities of 芙蓉区.
    err = io.StringIO()
    with pytest.raises(CommandError, match="没有正确的行"):
        call_command(
            "import_entities", str(mixed_file), "--mode", "good-rows",
            "--user", outsider.username, stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert "第2行 监管单位：监管单位不在您的数据范围内，不能导入" in err.getvalue()
    assert not Entity.objects.exists()


def test_command_refuses_a_missing_file_and_an_unknown_user(tmp_path, mixed_file):
    with pytest.raises(CommandError, match="文件不存在"):
        run_command(tmp_path / "没有.csv")
    with pytest.raises(CommandError, match="用户不存在：nobody"):
        run_command(mixed_file, "--user", "nobody")


def test_command_with_a_file_of_no_rows_fails_in_either_mode(tmp_path, bureau):
    path = write_csv(tmp_path / "空.csv", [])
    for mode in ("all-or-nothing", "good-rows"):
        with pytest.raises(CommandError, match="没有正确的行"):
            run_command(path, "--mode", mode)
