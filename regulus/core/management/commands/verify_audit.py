from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regulus.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "校验操作日志链：每条记录的HMAC-SM3签名与前后衔接、链头，以及锚点文件中的每日锚点；"
        "链断裂时以非零状态退出并指出第一条问题记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors",
            type=Path,
            help="锚点文件（默认为 REGULUS_AUDIT_ANCHOR_FILE）：可指定异地保存的副本",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(anchor_file=options["anchors"])
        if not report.ok:
            where = f"，首个问题记录编号 {report.broken_id}" if report.broken_id else ""
            raise CommandError(f"日志链断裂{where}：{report.reason}")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"注意：{warning}"))
        unkeyed = f"，其中启用密钥前的{report.unkeyed_rows}条" if report.unkeyed_rows else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"日志链完整：共校验 {report.rows_checked} 条记录{unkeyed}，"
                f"锚点 {report.anchors_checked} 个"
            )
        )
