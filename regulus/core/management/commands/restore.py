from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regulus.core.audit import verify_chain
from regulus.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "把 `regulus backup` 的备份恢复到新建的空实例：先核对全部校验值，恢复后逐表核对行数"
        "并校验操作日志链；任一不符即以非零状态退出（docs/backup.md）。"
    )
    requires_system_checks = []  # type: ignore[assignment]
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="备份目录")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            restored = restore(options["folder"])
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        if restored.mismatches:
            raise CommandError("恢复后行数与备份清单不符：\n  " + "\n  ".join(restored.mismatches))
        self.stdout.write(
            f"已恢复 {restored.tables} 张表 {restored.rows} 行（与清单一致），"
            f"上传文件 {restored.files} 个，用时 {time.monotonic() - started:.1f} 秒"
        )
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"恢复后操作日志链校验失败：{report.reason}")
        self.stdout.write(
            self.style.SUCCESS(f"操作日志链完整：{report.rows_checked} 条记录，恢复成功")
        )
