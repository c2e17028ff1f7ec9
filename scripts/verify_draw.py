#!/usr/bin/env python3
"""Re-run a published spot-check draw (双随机抽取) and say whether it reproduces.

Standard library only (Python 3.8+). Download the four files of a draw from the portal
(targets.tsv, inspectors.tsv, exclusions.tsv, draw.json) into one folder, then:

    python3 verify_draw.py FOLDER

It checks each file against its published SM3 hash and line count, derives the seed from the
hashes, the parameters and the public random source, draws every stratum, assigns the
inspectors, replays each withdrawal, and compares everything with draw.json. Exit status 0:
the draw reproduces; 1: it does not (the first difference is printed); 2: bad usage or files.
The algorithm is specified in docs/draw-algorithm.md ("regulus-draw/1"); this script is an
independent implementation of that text, written for reading rather than speed.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from pathlib import Path

ALGORITHM = "regulus-draw/1"
STRATA = ("A", "B", "C", "D", "-")


# -- SM3 (GB/T 32905-2016), used when this Python's hashlib lacks it ---------------------------


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def _sm3_pure(data: bytes) -> bytes:
    v = [
        0x7380166F,
        0x4914B2B9,
        0x172442D7,
        0xDA8A0600,
        0xA96F30BC,
        0x163138AA,
        0xE38DEE4D,
        0xB0FB0E4E,
    ]
    length = len(data) * 8
    data += b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack(">Q", length)
    for block in range(0, len(data), 64):
        w = list(struct.unpack(">16I", data[block : block + 64]))
        for j in range(16, 68):
            x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
            x ^= _rotl(x, 15) ^ _rotl(x, 23)
            w.append(x ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & 0xFFFFFFFF, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            if j < 16:
                ff, gg = a ^ b ^ c, e ^ f ^ g
            else:
                ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + w1[j]) & 0xFFFFFFFF
            tt2 = (gg + h + ss1 + w[j]) & 0xFFFFFFFF
            d, c, b, a = c, _rotl(b, 9), a, tt1
            h, g, f, e = g, _rotl(f, 19), e, tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)
        v = [x ^ y for x, y in zip(v, [a, b, c, d, e, f, g, h])]  # noqa: B905 (3.8+)
    return struct.pack(">8I", *v)


def sm3(data: bytes) -> bytes:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        return _sm3_pure(data)


# -- the algorithm, section by section of docs/draw-algorithm.md ---------------------------------


class Stream:
    """Section 4: 64-bit numbers from SM3(seed ‖ label ‖ 0x00 ‖ counter), four per block."""

    def __init__(self, seed: bytes, label: str) -> None:
        self.prefix = seed + label.encode("utf-8") + b"\x00"
        self.counter = 0
        self.pending: list[int] = []

    def next64(self) -> int:
        if not self.pending:
            block = sm3(self.prefix + self.counter.to_bytes(8, "big"))
            self.counter += 1
            self.pending = [int.from_bytes(block[i : i + 8], "big") for i in (0, 8, 16, 24)]
        return self.pending.pop(0)

    def below(self, m: int) -> int:
        limit = 2**64 - (2**64 % m)
        while True:
            x = self.next64()
            if x < limit:
                return x % m


def read_lines(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text("utf-8").splitlines()]


class NotReproduced(Exception):
    pass


def verify(folder: Path) -> str:
    info = json.loads((folder / "draw.json").read_text("utf-8"))
    if info.get("algorithm") != ALGORITHM:
        raise NotReproduced(f"unknown algorithm {info.get('algorithm')!r}")
    hashes = {}
    for name in ("targets.tsv", "inspectors.tsv", "exclusions.tsv"):
        raw = (folder / name).read_bytes()
        hashes[name] = sm3(raw).hex()
        published = info["files"][name]
        if hashes[name] != published["sm3"]:
            raise NotReproduced(
                f"{name}: SM3 {hashes[name]} is not the published {published['sm3']}"
            )
        lines = raw.count(b"\n")
        if lines != published["lines"]:
            raise NotReproduced(f"{name}: {lines} lines, published {published['lines']}")
    if "seed" not in info:
        return f"{info['task']}: lists match their published hashes; not drawn yet"
    targets = read_lines(folder / "targets.tsv")
    inspectors = read_lines(folder / "inspectors.tsv")
    exclusions = {(n, u) for n, u in read_lines(folder / "exclusions.tsv")}
    params = dict(part.split("=", 1) for part in info["params"].split(";"))
    per_target = int(params["per_target"])
    check_date = params["check_date"]
    cross = params["cross_district"] == "1"

    # Section 3: the seed.
    text = "\n".join(
        [
            ALGORITHM,
            info["task"],
            hashes["targets.tsv"],
            hashes["inspectors.tsv"],
            hashes["exclusions.tsv"],
            info["params"],
            info["source"],
            "",
        ]
    )
    seed = sm3(text.encode("utf-8"))
    if seed.hex() != info["seed"]:
        raise NotReproduced(f"seed {seed.hex()} is not the published {info['seed']}")

    # Section 5: per stratum, a partial Fisher-Yates shuffle of the stratum's lines.
    drawn: list[int] = []
    for stratum in STRATA:
        pool = [i for i, t in enumerate(targets) if t[1] == stratum]
        count = (len(pool) * int(params[stratum]) + 9999) // 10000
        stream = Stream(seed, "stratum:" + stratum)
        for i in range(count):
            j = i + stream.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        drawn += pool[:count]

    # Section 6: inspectors, least-loaded eligible first.
    def eligible(k: int, t: list[str], taken: list[int]) -> bool:
        number, district, expires = inspectors[k]
        return (
            expires >= check_date
            and (cross or district == t[2])
            and (number, t[0]) not in exclusions
            and k not in taken
        )

    load = [0] * len(inspectors)
    stream = Stream(seed, "assign")
    result = []
    for ti in drawn:
        t = targets[ti]
        taken: list[int] = []
        for _ in range(per_target):
            candidates = [k for k in range(len(inspectors)) if eligible(k, t, taken)]
            if not candidates:
                raise NotReproduced(f"target {t[0]}: too few eligible inspectors")
            least = min(load[k] for k in candidates)
            candidates = [k for k in candidates if load[k] == least]
            k = candidates[stream.below(len(candidates))]
            taken.append(k)
            load[k] += 1
        result.append([t[0], [inspectors[k][0] for k in taken]])
    for n, (mine, theirs) in enumerate(zip(result, info["drawn"]), 1):  # noqa: B905
        if mine != theirs:
            raise NotReproduced(f"drawn target #{n}: recomputed {mine}, published {theirs}")
    if len(result) != len(info["drawn"]):
        raise NotReproduced(f"{len(result)} targets recomputed, {len(info['drawn'])} published")

    # Section 7: withdrawals, in order.
    current = {
        uscc: [next(i for i, r in enumerate(inspectors) if r[0] == n) for n in numbers]
        for uscc, numbers in result
    }
    by_uscc = {t[0]: t for t in targets}
    for w in info.get("withdrawals", []):
        t = by_uscc[w["uscc"]]
        loads = [0] * len(inspectors)
        for assigned in current.values():
            for k in assigned:
                loads[k] += 1
        exclusions.add((w["withdrawn"], w["uscc"]))
        candidates = [k for k in range(len(inspectors)) if eligible(k, t, current[w["uscc"]])]
        if not candidates:
            raise NotReproduced(f"withdrawal {w['seq']}: no eligible inspector")
        least = min(loads[k] for k in candidates)
        candidates = [k for k in candidates if loads[k] == least]
        k = candidates[Stream(seed, f"withdrawal:{w['seq']}").below(len(candidates))]
        if inspectors[k][0] != w["replacement"]:
            raise NotReproduced(
                f"withdrawal {w['seq']}: recomputed {inspectors[k][0]}, "
                f"published {w['replacement']}"
            )
        withdrawn = [i for i, r in enumerate(inspectors) if r[0] == w["withdrawn"]]
        current[w["uscc"]] = [x for x in current[w["uscc"]] if x not in withdrawn] + [k]
    return (
        f"{info['task']}: reproduced ({len(result)} targets, "
        f"{len(info.get('withdrawals', []))} withdrawals)"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0])
        print("usage: python3 verify_draw.py FOLDER")
        return 2
    try:
        print("OK  " + verify(Path(argv[1])))
    except NotReproduced as problem:
        print(f"NOT REPRODUCED  {problem}")
        return 1
    except (OSError, ValueError, KeyError) as problem:
        print(f"cannot read the files: {problem!r}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
