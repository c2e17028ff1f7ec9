"""The stand-alone verifier (scripts/verify_draw.py, standard library only) reproduces a draw
from the files the portal publishes, and names what does not reproduce."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from regulus.inspections import services
from regulus.inspections.models import Assignment

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"


def write(task, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, data in services.published_files(task).items():
        (folder / name).write_bytes(data)
    return folder


def run(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(folder)], capture_output=True, text=True
    )


def test_the_script_reproduces_a_draw_with_a_withdrawal(drawn, handler, tmp_path):
    assignment = Assignment.objects.filter(target__task=drawn, active=True).first()
    services.withdrawal_draw(actor=handler, assignment=assignment, reason="曾在该企业任职")
    services.withdrawal_draw(
        actor=handler,
        assignment=assignment.target.assignments.filter(active=True).first(),
        reason="与法定代表人系同学",
    )
    done = run(write(drawn, tmp_path / "files"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced" in done.stdout and "2 withdrawals" in done.stdout


@pytest.mark.parametrize(
    "change",
    ["targets.tsv", "inspectors.tsv", "exclusions.tsv", "source", "seed", "drawn", "withdrawal"],
)
def test_the_script_refuses_any_change_and_names_it(drawn, handler, tmp_path, change):
    assignment = Assignment.objects.filter(target__task=drawn, active=True).first()
    services.withdrawal_draw(actor=handler, assignment=assignment, reason="曾在该企业任职")
    folder = write(drawn, tmp_path / "files")
    info = json.loads((folder / "draw.json").read_text("utf-8"))
    if change.endswith(".tsv"):
        data = (folder / change).read_bytes()
        (folder / change).write_bytes(data + b"X\tA\n")
    elif change == "source":
        info["source"] = "3 8 2"
    elif change == "seed":
        info["seed"] = "0" * 64
    elif change == "drawn":
        info["drawn"][0][1].reverse()
    else:
        info["withdrawals"][0]["replacement"] = info["drawn"][0][1][0]
    (folder / "draw.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
    done = run(folder)
    assert done.returncode == 1, done.stdout
    expected = {
        "source": "seed",
        "seed": "seed",
        "drawn": "drawn target #1",
        "withdrawal": "withdrawal",
    }.get(change, change)
    assert expected in done.stdout


def test_the_script_and_the_platform_agree_without_hashlib_sm3(drawn, tmp_path, monkeypatch):
    """A citizen's Python may lack SM3 in hashlib: the script's own SM3 gives the same."""
    spec = importlib.util.spec_from_file_location("verify_draw_copy", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "sm3", module._sm3_pure)
    assert "reproduced" in module.verify(write(drawn, tmp_path / "files"))
