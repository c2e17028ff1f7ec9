"""`make bench`: run every benchmark in bench/ (files named *_bench.py), one process each.

Each benchmark prints its figures beside a reference measured in the same run (raw SQL on the
same data). Arguments after `--` are passed to every benchmark, e.g.
`.venv/bin/python bench/run.py -- --entities 1000000`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    only = [a for a in argv[: argv.index("--")] if not a.startswith("-")] if "--" in argv else argv
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        if only and not any(name in script.name for name in only):
            continue
        print(f"\n##### {script.name} #####", flush=True)
        result = subprocess.run([sys.executable, str(script), *extra], check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
