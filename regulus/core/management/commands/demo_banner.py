from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from regulus.core.demo import DEMO_PASSWORD, NAMED_LOGINS
from regulus.core.selectors import installed_modules


class Command(BaseCommand):
    help = "打印演示系统的地址和演示账号。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        line = "=" * 64
        self.stdout.write(line)
        self.stdout.write(f"  市场监管一体化平台（演示城市：长沙市）  {url}")
        for module in installed_modules():
            if module["url"]:
                self.stdout.write(f"  {module['name']}：{url.rstrip('/')}{module['url']}")
        self.stdout.write(f"  演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, _unit_key, roles in NAMED_LOGINS:
            self.stdout.write(f"    {username:<18} {full_name:<6} {'、'.join(roles)}")
        self.stdout.write(line)
