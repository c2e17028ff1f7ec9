from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from regulus.core.models import User
from regulus.registry.importing import ImportResult, import_entities, write_error_report


class Command(BaseCommand):
    help = "从 .csv / .xlsx 文件导入市场主体（格式见 docs/import-format.md）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="要导入的 .csv 或 .xlsx 文件")
        parser.add_argument(
            "--mode",
            choices=["all-or-nothing", "good-rows"],
            default="all-or-nothing",
            help="all-or-nothing：有任何错误行则全部不导入；good-rows：只导入正确的行",
        )
        parser.add_argument("--check", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", default="", help="记入操作日志的用户名（默认“系统”）")
        parser.add_argument("--errors", default="", help="把错误报告写入此 .xlsx 文件")

    def handle(
        self, *args: Any, file: str, mode: str, check: bool, user: str, errors: str, **options: Any
    ) -> None:
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        actor: Any = "命令行导入"
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户不存在：{user}")
        # disable=None: no bar when stderr is not a terminal (cron, a log file), where its
        # redraws would be a line of garbage.
        bar = tqdm(
            total=100, unit="%", desc="导入", bar_format="{l_bar}{bar}| {postfix}", disable=None
        )

        def progress(rows: int, fraction: float) -> None:
            bar.n = int(fraction * 100)
            bar.set_postfix_str(f"{rows} 行")

        result = import_entities(
            actor=actor, path=path, mode=mode, dry_run=check, progress=progress, limit_size=False
        )
        bar.close()
        if result.file_error:
            raise CommandError(result.file_error)
        for error in result.preview_errors[:50]:
            self.stderr.write(f"第{error.line}行 {error.field_label}：{error.message}")
        if result.error_count > 50:
            self.stderr.write(f"……共 {result.error_count} 个错误（{result.bad_rows} 行）")
        if errors and result.errors:
            write_error_report(result.errors, result.error_count, errors)
            self.stdout.write(f"错误报告：{errors}")
        rate = result.rows / result.seconds if result.seconds else 0
        self.stdout.write(
            f"{_verdict(result, check)}：共 {result.rows} 行，新增 {result.created}，"
            f"更新 {result.updated}（其中内容有变化 {result.changed}），"
            f"错误 {result.bad_rows} 行；用时 {result.seconds:.1f} 秒（{rate:,.0f} 行/秒）"
        )
        if check:
            return
        if not result.committed:
            raise CommandError("导入未执行")
        if not result.good_rows:
            # A script that imports a nightly file must notice a file of which no row could
            # be taken (an empty or wrong file, a changed layout), in either mode.
            raise CommandError("没有正确的行，未导入任何数据")


def _verdict(result: ImportResult, check: bool) -> str:
    if check:
        return "校验完成（未写入）"
    if not result.committed:
        return "有错误行，全部未导入"
    if not result.good_rows:
        return "没有正确的行，未导入任何数据"
    if result.bad_rows:
        return "已导入正确的行，错误行未导入"
    return "已导入"
