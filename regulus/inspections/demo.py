"""The demo year of 双随机、一公开 (filled in below)."""

from __future__ import annotations

from collections.abc import Callable


def seed(*, entities: int, log: Callable[[str], None]) -> None:
    log("双随机、一公开：演示数据待补充")
