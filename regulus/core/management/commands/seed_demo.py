from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from regulus.core.plugins import demo_seeders


class Command(BaseCommand):
    help = "载入演示城市：单位、人员、市场主体及各模块演示数据（可重复运行，已有数据不重复载入）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--entities", type=int, default=200_000, help="市场主体数量")

    def handle(self, *args: Any, entities: int, **options: Any) -> None:
        started = time.monotonic()
        # Every installed app's seeder, each after those it builds on (core.plugins).
        for _label, seeder in demo_seeders():
            seeder.seed(entities=entities, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"演示数据就绪，用时 {time.monotonic() - started:.1f} 秒")
        )
