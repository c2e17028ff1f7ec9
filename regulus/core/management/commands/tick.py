from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from regulus.core import clock, tick


class Command(BaseCommand):
    help = (
        "运行一遍全部定时清理任务（由 cron 或 systemd 定时器每分钟调用；可重复运行，"
        "上一次未结束时本次跳过）。任一项失败时以非零状态退出，其余各项照常运行。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", metavar="NAME", default="", help="只运行这一项（见 --list）")
        parser.add_argument("--list", action="store_true", help="列出已登记的清理任务")

    def handle(self, *args: Any, only: str, **options: Any) -> None:
        sweeps = tick.registered()
        if options["list"]:
            width = max((len(s.name) for s in sweeps), default=0)
            for s in sweeps:
                self.stdout.write(f"{s.name:<{width}}  {s.label}")
            return
        if only:
            sweeps = [s for s in sweeps if s.name == only]
            if not sweeps:
                names = "、".join(s.name for s in tick.registered())
                raise CommandError(f"没有名为“{only}”的清理任务（已登记：{names}）")
        verbosity = int(options["verbosity"])
        with tick.tick_lock() as held:
            if not held:
                if verbosity >= 1:
                    self.stdout.write(f"{self._now()} 上一次 tick 仍在运行，本次跳过")
                return
            outcomes = [self._run(s, verbosity) for s in sweeps]
        failed = [o.sweep.name for o in outcomes if o.failed]
        if failed:
            raise CommandError(f"{len(failed)} 项清理任务失败：{'、'.join(failed)}")

    def _run(self, item: tick.Sweep, verbosity: int) -> tick.Outcome:
        outcome = tick.sweep_run(item)
        took = f"（{outcome.seconds:.2f} 秒）"
        if outcome.failed:
            self.stderr.write(f"{self._now()} {item.name}: 失败{took}\n{outcome.error.rstrip()}")
        elif outcome.busy:
            self.stderr.write(
                f"{self._now()} {item.name}: 数据库正被其他写入（如主体导入）占用，本次未处理，"
                f"下次再试{took}"
            )
        elif outcome.result is not None and (verbosity >= 1 or outcome.result.changed):
            self.stdout.write(f"{self._now()} {item.name}: {outcome.result.summary}{took}")
        return outcome

    @staticmethod
    def _now() -> str:
        return f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M:%S}"
