"""Anchors of the audit chain outside the database: an append-only text file (settings.
AUDIT_ANCHOR_FILE) to which `regulus tick` adds one line a day with the chain's head (sweep
`core.audit_anchor`), and which `regulus verify_audit` holds the rows against.

A line is `date rows last_id head_hash key_id mac`: on that day the chain had `rows` rows, the
last one numbered `last_id` with hash `head_hash`. `mac` is HMAC-SM3, under the chain's key
that `key_id` names, of the line's fields and of the previous line's mac, so that a line can be
neither forged nor changed without the key, nor removed from the middle of the file unnoticed.
Rows rewritten or deleted before an anchored position then no longer match the anchor, even if
whoever did it could rebuild the chain's hashes (with the key); a tail cut off the database
falls short of the last anchor. docs/audit-chain.md sets out what this does and does not stop.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from regulus.core.crypto import MacKey

HEADER = (
    "# Regulus 操作日志链锚点：日期 记录数 末条编号 链头哈希 密钥标识 签名（每日追加，请勿编辑）\n"
)
NO_MAC = "-"  # the previous mac of the first line


@dataclass(frozen=True)
class Anchor:
    line: int  # its line number in the file, for messages
    date: dt.date
    rows: int
    last_id: int
    head: str
    key_id: str
    mac: str


def anchor_mac(key: MacKey, *, previous_mac: str, date: dt.date, rows: int, last_id: int,
               head: str) -> str:  # fmt: skip
    return key.sign(f"{previous_mac}|{date.isoformat()}|{rows}|{last_id}|{head}|{key.id}".encode())


def anchors_read(path: Path, keys: Mapping[str, MacKey]) -> tuple[list[Anchor], str]:
    """The file's anchors, each checked against its mac and the line before it, and the first
    problem found in Chinese ("" when none): a line that does not parse, is signed by a key
    not configured, does not match its mac, or goes back in time or in rows."""
    if not path.exists():
        return [], ""
    anchors: list[Anchor] = []
    previous: Anchor | None = None
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip() or text.startswith("#"):
                continue
            anchor = _parse(number, text)
            where = f"锚点文件{path}第{number}行"
            if anchor is None:
                return anchors, f"{where}格式不符（被改动或损坏）"
            key = keys.get(anchor.key_id)
            if key is None:
                return anchors, (
                    f"{where}的签名密钥（标识{anchor.key_id}）未配置：请在 REGULUS_AUDIT_KEY "
                    "或 REGULUS_AUDIT_PREVIOUS_KEYS 中提供"
                )
            expected = anchor_mac(
                key, previous_mac=previous.mac if previous else NO_MAC, date=anchor.date,
                rows=anchor.rows, last_id=anchor.last_id, head=anchor.head,
            )  # fmt: skip
            if anchor.mac != expected:
                return anchors, f"{where}的签名不符（该行或其前的行被改动、删除）"
            if previous and (anchor.date < previous.date or anchor.rows < previous.rows
                             or anchor.last_id < previous.last_id):  # fmt: skip
                return anchors, f"{where}的日期、记录数或末条编号小于上一行"
            anchors.append(anchor)
            previous = anchor
    return anchors, ""


def _parse(number: int, text: str) -> Anchor | None:
    parts = text.split()
    if len(parts) != 6:
        return None
    date, rows, last_id, head, key_id, mac = parts
    try:
        return Anchor(number, dt.date.fromisoformat(date), int(rows), int(last_id), head,
                      key_id, mac)  # fmt: skip
    except ValueError:
        return None


def last_anchor_date(path: Path) -> dt.date | None:
    """The date of the file's last line, read from its end (a sweep asks every minute)."""
    last = _last_line(path)
    if last is None:
        return None
    anchor = _parse(0, last)
    return anchor.date if anchor else None


def anchor_append(path: Path, *, key: MacKey, date: dt.date, rows: int, last_id: int,
                  head: str) -> str:  # fmt: skip
    """Append the line of `date` and return it; flushed to the disk before returning, so a
    line the sweep reported is there after a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    last = _last_line(path)
    previous = _parse(0, last) if last else None
    mac = anchor_mac(
        key, previous_mac=previous.mac if previous else NO_MAC, date=date, rows=rows,
        last_id=last_id, head=head,
    )  # fmt: skip
    line = f"{date.isoformat()} {rows} {last_id} {head} {key.id} {mac}\n"
    with path.open("a", encoding="utf-8") as handle:
        if handle.tell() == 0:
            handle.write(HEADER)
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return line.strip()


def _last_line(path: Path) -> str | None:
    """The last anchor line of the file (None if it has none), reading at most its last 4 kB:
    a line is under 200 bytes."""
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line for line in tail.splitlines() if line.strip() and not line.startswith("#")]
    return lines[-1] if lines else None
