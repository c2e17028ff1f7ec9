from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regulus.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验操作日志的SM3哈希链；链断裂时以非零状态退出并指出第一条问题记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"日志链断裂，首个问题记录编号 {report.broken_id}：{report.reason}")
        self.stdout.write(self.style.SUCCESS(f"日志链完整：共校验 {report.rows_checked} 条记录"))
