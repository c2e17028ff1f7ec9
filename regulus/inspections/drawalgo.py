"""The draw, version "regulus-draw/1", as docs/draw-algorithm.md specifies it: pure functions of
the published files and the public random source, no database, no clock.

The service (services/draws.py) runs `draw_main` and `draw_withdrawal` on the snapshots it
froze; `regulus verify_draw` runs them again on what is stored and compares; the stand-alone
scripts/verify_draw.py is a second, independent implementation of the same text.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

ALGORITHM = "regulus-draw/1"
STRATA = ("A", "B", "C", "D", "-")
_TWO64 = 1 << 64


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


class TargetLine(NamedTuple):
    uscc: str
    stratum: str
    district: str


USCC, STRATUM, DISTRICT = 0, 1, 2


class InspectorLine(NamedTuple):
    number: str
    district: str
    expires: str  # YYYY-MM-DD


def targets_text(rows: Sequence[TargetLine]) -> str:
    return "".join(["\t".join(r) + "\n" for r in sorted(rows)])


def inspectors_text(rows: Sequence[InspectorLine]) -> str:
    ordered = sorted(rows, key=lambda r: r.number)
    return "".join(f"{r.number}\t{r.district}\t{r.expires}\n" for r in ordered)


def exclusions_text(pairs: set[tuple[str, str]]) -> str:
    return "".join(f"{number}\t{uscc}\n" for number, uscc in sorted(pairs))


def parse_targets(text: str) -> list[TargetLine]:
    """The lines as plain lists (USCC, stratum, district): a million of them are read at every
    draw and verification, and a named tuple a line costs twice the time. The algorithm reads
    them by position (USCC 0, STRATUM 1, DISTRICT 2)."""
    return [line.split("\t") for line in text.splitlines()]  # type: ignore[misc]


def parse_inspectors(text: str) -> list[InspectorLine]:
    make = InspectorLine._make
    return [make(line.split("\t")) for line in text.splitlines()]


def parse_exclusions(text: str) -> set[tuple[str, str]]:
    return {tuple(line.split("\t")) for line in text.splitlines()}  # type: ignore[misc]


def params_line(
    *, per_target: int, check_date: str, cross_district: bool, ratios: dict[str, int]
) -> str:
    """The draw's parameters as one canonical line (section 3 of the document)."""
    parts = [f"per_target={per_target}", f"check_date={check_date}"]
    parts.append(f"cross_district={1 if cross_district else 0}")
    parts += [f"{s}={ratios.get(s, 0)}" for s in STRATA]
    return ";".join(parts)


def seed_of(
    *,
    task: str,
    targets_sm3: str,
    inspectors_sm3: str,
    exclusions_sm3: str,
    params: str,
    source: str,
) -> str:
    text = "\n".join(
        [ALGORITHM, task, targets_sm3, inspectors_sm3, exclusions_sm3, params, source, ""]
    )
    return sm3(text.encode("utf-8"))


class Stream:
    """Uniform integers from SM3 in counter mode under one label (section 4)."""

    def __init__(self, seed_hex: str, label: str) -> None:
        self.prefix = bytes.fromhex(seed_hex) + label.encode("utf-8") + b"\x00"
        self.counter = 0
        self.buffer: list[int] = []

    def _next64(self) -> int:
        if not self.buffer:
            digest = hashlib.new("sm3", self.prefix + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            self.buffer = [int.from_bytes(digest[i : i + 8], "big") for i in (24, 16, 8, 0)]
        return self.buffer.pop()

    def below(self, m: int) -> int:
        """A uniform integer in [0, m), m ≥ 1, by rejection."""
        limit = _TWO64 - _TWO64 % m
        while True:
            value = self._next64()
            if value < limit:
                return value % m


def stratum_count(population: int, ratio_bp: int) -> int:
    """ceil(population × ratio_bp / 10000), in integers."""
    return (population * ratio_bp + 9999) // 10000


class DrawFailure(Exception):
    """The lists do not allow the draw; `message` says where and why (in Chinese)."""


@dataclass
class DrawResult:
    """The drawn targets in draw order, each with its inspectors (snapshot indices)."""

    targets: list[int] = field(default_factory=list)  # indices into the target snapshot
    inspectors: list[list[int]] = field(default_factory=list)  # per target, in pick order
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # stratum: (N, n)


def select(targets: Sequence[TargetLine], seed: str, ratios: dict[str, int]) -> DrawResult:
    result = DrawResult()
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(targets):
        by_stratum[row[STRATUM]].append(index)
    for stratum in STRATA:
        pool = by_stratum.get(stratum, [])
        size = len(pool)
        count = stratum_count(size, ratios.get(stratum, 0))
        stream = Stream(seed, f"stratum:{stratum}")
        for i in range(count):
            j = i + stream.below(size - i)
            pool[i], pool[j] = pool[j], pool[i]
        result.targets.extend(pool[:count])
        result.counts[stratum] = (size, count)
    return result


class _Pool:
    """The inspectors one target may draw from, kept by load: `levels[load]` the snapshot
    indices at that load, ascending, so that "the r-th eligible inspector of least load, in
    snapshot order" costs a bisection, not a scan."""

    def __init__(self, members: list[int]) -> None:
        self.levels: dict[int, list[int]] = {0: sorted(members)} if members else {}
        self.load: dict[int, int] = dict.fromkeys(members, 0)

    def pick(self, stream: Stream, blocked: set[int]) -> int | None:
        for level in sorted(self.levels):
            bucket = self.levels[level]
            positions = sorted(
                bisect.bisect_left(bucket, b) for b in blocked if self.load.get(b) == level
            )
            free = len(bucket) - len(positions)
            if free <= 0:
                continue
            r = stream.below(free)
            for p in positions:
                if p <= r:
                    r += 1
            chosen = bucket.pop(r)
            if not bucket:
                del self.levels[level]
            self.load[chosen] = level + 1
            bisect.insort(self.levels.setdefault(level + 1, []), chosen)
            return chosen
        return None


@dataclass
class Lists:
    """The parsed snapshots of a task, with the lookups a draw needs."""

    targets: list[TargetLine]
    inspectors: list[InspectorLine]
    exclusions: set[tuple[str, str]]
    check_date: str
    cross_district: bool

    def valid(self) -> list[int]:
        return [i for i, r in enumerate(self.inspectors) if r.expires >= self.check_date]

    def excluded_by_target(self) -> dict[str, set[int]]:
        index = {r.number: i for i, r in enumerate(self.inspectors)}
        found: dict[str, set[int]] = defaultdict(set)
        for number, uscc in self.exclusions:
            if number in index:
                found[uscc].add(index[number])
        return found

    def pool_key(self, target: TargetLine) -> str:
        return "*" if self.cross_district else target[DISTRICT]


def _pools(lists: Lists) -> dict[str, _Pool]:
    members: dict[str, list[int]] = defaultdict(list)
    for i in lists.valid():
        members["*" if lists.cross_district else lists.inspectors[i].district].append(i)
    return {key: _Pool(m) for key, m in members.items()}


def shortage(lists: Lists, target: TargetLine, per_target: int) -> str:
    """Why a target has fewer eligible inspectors than it needs, in numbers (Chinese)."""
    key = lists.pool_key(target)
    same = [
        i for i, r in enumerate(lists.inspectors) if key == "*" or r.district == target[DISTRICT]
    ]
    expired = sum(1 for i in same if lists.inspectors[i].expires < lists.check_date)
    numbers = {lists.inspectors[i].number for i in same}
    excluded = sum(1 for n, u in lists.exclusions if u == target[USCC] and n in numbers)
    eligible = len(same) - expired - excluded
    missing = per_target - max(eligible, 0)
    where = "全市" if key == "*" else f"区划{target[DISTRICT]}"
    return (
        f"检查对象{target[USCC]}需要{per_target}名检查人员，还差{missing}名：{where}名录库中"
        f"共{len(same)}名，其中执法证在检查日已过期{expired}名、利害关系回避或曾检查过该对象"
        f"{excluded}名"
    )


def draw_main(lists: Lists, *, seed: str, ratios: dict[str, int], per_target: int) -> DrawResult:
    """Select per stratum, then assign `per_target` inspectors to each drawn target in draw
    order (section 5 and 6 of the document)."""
    result = select(lists.targets, seed, ratios)
    pools = _pools(lists)
    excluded = lists.excluded_by_target()
    stream = Stream(seed, "assign")
    for index in result.targets:
        target = lists.targets[index]
        pool = pools.get(lists.pool_key(target))
        chosen: list[int] = []
        blocked = set(excluded.get(target[USCC], ()))
        for _ in range(per_target):
            picked = pool.pick(stream, blocked) if pool else None
            if picked is None:
                raise DrawFailure(shortage(lists, target, per_target))
            chosen.append(picked)
            blocked.add(picked)
        result.inspectors.append(chosen)
    return result


@dataclass(frozen=True)
class Withdrawal:
    seq: int
    uscc: str
    withdrawn: str  # the inspector's number


def draw_withdrawal(
    lists: Lists,
    *,
    seed: str,
    current: dict[str, list[int]],
    withdrawal: Withdrawal,
    extra_exclusions: set[tuple[str, str]],
) -> int:
    """The replacement of a withdrawn inspector (section 7): among the eligible inspectors of
    the target's pool not assigned to it, those of least current load, the r-th in snapshot
    order. `current`: each drawn target's active inspectors (USCC: indices) before this
    withdrawal; `extra_exclusions`: earlier withdrawals' pairs."""
    targets = {r[USCC]: r for r in lists.targets}
    target = targets[withdrawal.uscc]
    key = lists.pool_key(target)
    load: dict[int, int] = defaultdict(int)
    for assigned in current.values():
        for i in assigned:
            load[i] += 1
    excluded = lists.exclusions | extra_exclusions | {(withdrawal.withdrawn, withdrawal.uscc)}
    numbers_out = {n for n, u in excluded if u == withdrawal.uscc}
    eligible = [
        i
        for i in lists.valid()
        if (key == "*" or lists.inspectors[i].district == target[DISTRICT])
        and lists.inspectors[i].number not in numbers_out
        and i not in current.get(withdrawal.uscc, [])
    ]
    if not eligible:
        raise DrawFailure(
            f"检查对象{withdrawal.uscc}已无可替换的检查人员：名录库中符合条件的人员均已分派、"
            "回避或执法证已过期"
        )
    least = min(load[i] for i in eligible)
    candidates = [i for i in eligible if load[i] == least]
    stream = Stream(seed, f"withdrawal:{withdrawal.seq}")
    return candidates[stream.below(len(candidates))]


def load_spread(lists: Lists, inspectors: list[list[int]]) -> dict[str, tuple[int, int]]:
    """(least, most) targets per inspector in each pool (valid inspectors only)."""
    load: dict[int, int] = dict.fromkeys(lists.valid(), 0)
    for chosen in inspectors:
        for i in chosen:
            load[i] += 1
    spread: dict[str, list[int]] = defaultdict(list)
    for i, n in load.items():
        spread["*" if lists.cross_district else lists.inspectors[i].district].append(n)
    return {key: (min(v), max(v)) for key, v in spread.items()}
