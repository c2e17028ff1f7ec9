from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regulus.inspections.models import Task
from regulus.inspections.services import verify


class Command(BaseCommand):
    help = (
        "重算双随机抽取：按公布的名录、SM3杂凑值、参数和公共随机源重新抽取，并与记录的抽取结果"
        "和回避重抽逐一比对；不能重现时以非零状态退出并指出第一个不能重现的抽取。"
        "算法见 docs/draw-algorithm.md。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", nargs="?", help="任务编号")
        parser.add_argument("--all", action="store_true", help="校验全部已冻结名录的任务")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["task"]):
            raise CommandError("请给出一个任务编号，或使用 --all")
        tasks = Task.objects.exclude(state=Task.State.DRAFT).order_by("id")
        if options["task"]:
            tasks = tasks.filter(number=options["task"])
            if not tasks.exists():
                raise CommandError(f"没有名录已冻结的任务 {options['task']}")
        count = 0
        for task in tasks.iterator(chunk_size=100):
            verdict = verify(task)
            if not verdict.ok:
                raise CommandError(f"任务 {task.number} 的抽取不能重现：{verdict.problem}")
            count += 1
        self.stdout.write(self.style.SUCCESS(f"抽取均可重现：共校验 {count} 个任务"))
