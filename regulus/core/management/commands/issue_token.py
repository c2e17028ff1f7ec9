from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regulus.core.models import User
from regulus.core.tokens import token_issue


class Command(BaseCommand):
    help = "为工作人员签发接口令牌并打印（只显示这一次）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌用途")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在或已停用")
        # The operator at the server's command line issues it: the log names the command.
        _, plain = token_issue(user=user, actor="命令行签发令牌", name=name)
        self.stdout.write(plain)
