from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regulus.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份整个实例到一个新目录：数据库（SQLite 在线备份 / pg_dump）、上传文件、审计锚点文件，"
        "附每个文件的 SHA-256 与每张表的行数清单（docs/backup.md）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="备份目录（新建或空目录）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            outcome = backup(options["folder"])
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        rows = sum(outcome.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{outcome.folder}，{len(outcome.tables)} 张表 {rows} 行，"
                f"上传文件 {outcome.files} 个，共 {outcome.bytes / 1048576:.1f} MB，"
                f"用时 {time.monotonic() - started:.1f} 秒"
            )
        )
