"""`regulus serve`: the application under gunicorn, in production settings, or not at all.

It refuses to start with REGULUS_DEBUG on (a traceback page shows settings and local
variables: personal data) or with migrations not applied (the code would meet tables it does
not know); settings.py has already refused a missing, short or development secret key and
missing field and audit keys. Then it replaces itself with gunicorn (`exec`), so that
systemd's signals reach gunicorn's master directly: SIGTERM finishes the requests under way,
SIGHUP reloads the workers (docs/deploy/regulus.service).

Workers: 2 × the cores this process may run on + 1 (gunicorn's rule for a synchronous
worker that waits on the database), at most REGULUS_WEB_WORKERS_MAX; each with
REGULUS_WEB_THREADS threads. Static files are served by WhiteNoise inside the application
(settings.MIDDLEWARE), so nginx only proxies.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from regulus.core.ops import check_migrations


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    ceiling = int(os.environ.get("REGULUS_WEB_WORKERS_MAX", "16"))
    return max(1, min(2 * available_cores() + 1, ceiling))


def production_problems() -> list[str]:
    """What keeps this instance from serving the public, in Chinese, one line each."""
    problems = []
    if settings.DEBUG:
        problems.append("REGULUS_DEBUG 已开启：调试页面会显示设置和数据，生产环境必须关闭")
    if settings.TESTING:
        problems.append("REGULUS_TESTING 已开启：测试设置不得用于生产")
    migrations = check_migrations()
    if not migrations.ok:
        problems.append(migrations.detail + "：请先执行 regulus migrate")
    if not settings.ALLOWED_HOSTS:
        problems.append("REGULUS_ALLOWED_HOSTS 为空：请填写本系统对外的主机名")
    return problems


class Command(BaseCommand):
    help = "以生产设置启动 Web 服务（gunicorn）；调试模式、默认密钥或未执行迁移时拒绝启动。"
    requires_system_checks = []  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("REGULUS_BIND", "127.0.0.1:8000"),
            help="监听地址（默认 REGULUS_BIND 或 127.0.0.1:8000；前面应有 nginx）",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="工作进程数（默认：2 × 核数 + 1）"
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("REGULUS_WEB_THREADS", "4")),
            help="每个工作进程的线程数（默认 REGULUS_WEB_THREADS 或 4）",
        )
        parser.add_argument(
            "--access-log",
            default=os.environ.get("REGULUS_ACCESS_LOG", "-"),
            help="访问日志文件（默认标准输出，即 journald）",
        )
        parser.add_argument(
            "--check", action="store_true", help="只做启动前检查并显示 gunicorn 命令，不启动"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = production_problems()
        if problems:
            raise CommandError("拒绝启动：\n  " + "\n  ".join(problems))
        workers = options["workers"] or default_workers()
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers 和 --threads 必须至少为 1")
        argv = gunicorn_argv(
            bind=options["bind"],
            workers=workers,
            threads=options["threads"],
            access_log=options["access_log"],
        )
        if options["check"]:
            self.stdout.write("检查通过，将执行：" + " ".join(argv))
            return
        # gunicorn's access log follows the application's log format (core.logsafe).
        os.environ["REGULUS_LOG_FORMAT"] = settings.LOG_FORMAT
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(argv[0], argv)


def gunicorn_argv(*, bind: str, workers: int, threads: int, access_log: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:regulus.gunicorn_conf",
        "regulus.wsgi",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        access_log,
        "--error-logfile",
        "-",
    ]
