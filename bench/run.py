"""`make bench`: run every benchmark in bench/ (files named *_bench.py), one process a run.

Each benchmark prints its figures beside a reference measured in the same run (raw SQL on the
same data). By default each runs at the scale its issue sets its targets at, on SQLite and on
PostgreSQL (STANDARD_RUNS: the registry at 1,000,000 entities, ~15 minutes in all the first
time, when the databases are loaded; they are kept for the next run). Options:

    .venv/bin/python bench/run.py                  # the issues' figures (make bench)
    .venv/bin/python bench/run.py --quick          # each benchmark once, its own defaults
    .venv/bin/python bench/run.py registry -- --entities 1000000 --db pg
                                                   # named benchmarks, these arguments

Names before `--` choose benchmarks by part of their file name; arguments after `--` are
passed to each chosen benchmark instead of its standard runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The runs that print every figure the issues hold the platform to (benchmarks not named
# here run once with their defaults).
STANDARD_RUNS: dict[str, list[list[str]]] = {
    "registry_bench.py": [
        ["--entities", "1000000", "--db", "sqlite"],
        ["--entities", "1000000", "--db", "pg"],
    ],
    "licensing_bench.py": [["--db", "sqlite"], ["--db", "pg"]],
    "clocks_bench.py": [["--db", "sqlite"], ["--db", "pg"]],
    "inspections_bench.py": [
        ["--entities", "1000000", "--db", "sqlite"],
        ["--entities", "1000000", "--db", "pg"],
    ],
    "complaints_bench.py": [
        ["--items", "1000000", "--db", "sqlite"],
        ["--items", "1000000", "--db", "pg"],
    ],
    "intake_load_bench.py": [
        ["--items", "1000000", "--db", "sqlite", "--seconds", "10"],
        ["--items", "1000000", "--db", "pg", "--seconds", "10"],
    ],
    "backup_bench.py": [
        ["--entities", "200000", "--db", "sqlite"],
        ["--entities", "200000", "--db", "pg"],
    ],
    "load_bench.py": [
        ["--entities", "200000", "--db", "sqlite", "--seconds", "10"],
        ["--entities", "200000", "--db", "pg", "--seconds", "10"],
    ],
    "credit_bench.py": [
        ["--entities", "1000000", "--db", "sqlite"],
        ["--entities", "1000000", "--db", "pg"],
    ],
    "enforcement_bench.py": [
        ["--cases", "100000", "--db", "sqlite"],
        ["--cases", "100000", "--db", "pg"],
    ],
    "equipment_bench.py": [
        ["--items", "300000", "--db", "sqlite"],
        ["--items", "300000", "--db", "pg"],
    ],
}


def runs_of(script: Path, extra: list[str] | None, quick: bool) -> list[list[str]]:
    if extra is not None:
        return [extra]
    if quick:
        return [[]]
    return STANDARD_RUNS.get(script.name, [[]])


def main(argv: list[str]) -> int:
    extra = argv[argv.index("--") + 1 :] if "--" in argv else None
    options = argv[: argv.index("--")] if "--" in argv else argv
    quick = "--quick" in options
    only = [a for a in options if not a.startswith("-")]
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        if only and not any(name in script.name for name in only):
            continue
        for args in runs_of(script, extra, quick):
            print(f"\n##### {script.name} {' '.join(args)} #####", flush=True)
            result = subprocess.run([sys.executable, str(script), *args], check=False)
            failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
