"""The app guide followed in a test (issue 17): docs/app-guide.md's files, written into a
temporary copy of the tree, make an app that the kernel finds once it is added to
INSTALLED_APPS (its menu entry, card, page, API route, sweep, demo seeder and login-page
line), and whose own tests pass.

The app runs in subprocesses with a settings module of their own: the URL conf and the API
are built once, at import, so an app cannot join them in this process. The guide's
`regulus.patrols` is found as a part of the `regulus` package (its folder is appended to
`regulus.__path__`), exactly where the guide puts it. The domain apps and the portal are
left out of that installation: their demo data alone takes minutes, and core and the registry
must stand without them anyway.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "app-guide.md"
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"^```(?:python|html)\n(.*?)^```", re.S | re.M)
PATH_LINE = re.compile(r"^(?:# |\{# )(\S+\.(?:py|html))(?: #\})?$")

SETTINGS = """\
import regulus

regulus.__path__.append({package!r})

from regulus.settings import *  # noqa: E402, F403

# The kernel alone: core and the registry, no domain app (whose menu places the guide's app
# might take) and no portal.
KERNEL = ("regulus.core", "regulus.registry")
INSTALLED_APPS = [  # noqa: F405
    app for app in INSTALLED_APPS if not app.startswith("regulus.") or app in KERNEL  # noqa: F405
]
INSTALLED_APPS.append("regulus.patrols")
"""

# What a staff member and the public see, as one JSON document for the assertions below.
LOOK_AROUND = """\
import json

import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

from regulus.core.models import User

setup_test_environment()
client = Client()
seen = {"login": client.get("/login/").content.decode()}
client.force_login(User.objects.get(username="leader"))
page = client.get("/patrols/")
seen.update(
    home=client.get("/").content.decode(),
    page=[page.status_code, page.content.decode()],
    openapi=list(client.get("/api/v1/openapi.json").json()["paths"]),
    api=client.get("/api/v1/patrols", {"limit": 200}).json(),
)
print(json.dumps(seen, ensure_ascii=False))
"""


def guide_files() -> dict[str, str]:
    """The guide's files: each code block whose first line is a comment naming a path."""
    files = {}
    for block in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        first, _, rest = block.partition("\n")
        named = PATH_LINE.match(first)
        if named:
            files[named.group(1)] = rest
    return files


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The guide's files in a temporary tree, and the environment that runs them."""
    tmp = tmp_path_factory.mktemp("guide")
    for relative, text in guide_files().items():
        target = tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp / "guide_settings.py").write_text(SETTINGS.format(package=str(tmp / "regulus")))
    (tmp / "look_around.py").write_text(LOOK_AROUND)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guide_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "DATABASE_URL": f"sqlite:///{tmp / 'guide.sqlite3'}",
        "REGULUS_MEDIA_ROOT": str(tmp / "media"),
        "REGULUS_DEBUG": "1",
    }
    return tmp, env


def run(tree, *args: str) -> str:
    tmp, env = tree
    done = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def regulus(tree, *args: str) -> str:
    return run(tree, str(BIN / "regulus"), *args)


def test_the_guide_gives_every_file_of_the_app():
    files = set(guide_files())
    app = {f"regulus/patrols/{name}.py" for name in (
        "__init__", "apps", "models", "services", "selectors", "views", "urls", "api",
        "sweeps", "demo", "extensions", "permissions",
    )}  # fmt: skip
    assert (
        app
        | {
            "regulus/patrols/templates/patrols/patrol_list.html",
            "tests/patrols/test_patrols.py",
        }
        == files
    )


def test_the_guides_code_passes_the_linters(tree):
    tmp, _ = tree
    code = [str(path) for path in sorted(tmp.rglob("*.py")) if "migrations" not in path.parts]
    code = [path for path in code if not path.endswith(("guide_settings.py", "look_around.py"))]
    # The project's settings, and the temporary tree as a source root too (where the guide's
    # regulus.patrols is), so imports sort as they would in the project.
    config = [
        "--config",
        str(ROOT / "pyproject.toml"),
        "--config",
        f"src = {[str(ROOT), str(tmp)]}",
    ]
    run(tree, str(BIN / "ruff"), "check", *config, *code)
    run(tree, str(BIN / "ruff"), "format", "--check", *config, *code)


def test_an_app_made_from_the_guide_is_found_by_the_kernel(tree):
    tmp, _ = tree
    regulus(tree, "makemigrations", "patrols")
    assert (tmp / "regulus" / "patrols" / "migrations" / "0001_initial.py").exists()
    regulus(tree, "migrate", "-v0")
    regulus(tree, "createcachetable")

    # seed_demo runs the app's seeder after the registry's, as it declares.
    seeded = regulus(tree, "seed_demo", "--entities", "40").splitlines()
    order = [next(i for i, line in enumerate(seeded) if line.startswith(start))
             for start in ("演示单位", "演示市场主体", "演示日常巡查 40 件")]  # fmt: skip
    assert order == sorted(order), seeded

    # regulus tick finds the app's sweep and runs it: the demo's past-due patrols.
    assert "patrols.overdue" in regulus(tree, "tick", "--list")
    ticked = regulus(tree, "tick")
    flagged = re.search(r"patrols\.overdue: 标记逾期巡查 (\d+) 件", ticked)
    assert flagged and int(flagged.group(1)) > 0, ticked

    seen = json.loads(run(tree, sys.executable, "look_around.py"))
    # The menu entry, the home-page card, the page.
    assert re.search(r'href="/patrols/"><i class="bi bi-signpost me-2"></i>日常巡查', seen["home"])
    assert f'data-testid="stat-patrols-overdue">{flagged.group(1)}<' in seen["home"]
    status, page = seen["page"]
    assert status == 200 and page.count("已逾期") >= int(flagged.group(1))
    # The API route in the document and answering; licensing's routes are not installed.
    assert "/api/v1/patrols" in seen["openapi"] and "/api/v1/entities" in seen["openapi"]
    assert not [path for path in seen["openapi"] if path.startswith("/api/v1/licensing")]
    assert seen["api"]["count"] == 40
    # The login page lists exactly the installed modules.
    modules = seen["login"][seen["login"].index('data-testid="login-modules"') :]
    assert "日常巡查" in modules and "市场主体登记" in modules
    assert "一件事一次办" not in modules and "公众服务门户" not in modules


def test_the_apps_own_tests_pass(tree):
    tmp, _ = tree
    (tmp / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    # The guide's tests use the personas of the project's tests/conftest.py.
    (tmp / "conftest.py").write_text('pytest_plugins = ["tests.conftest"]\n')
    summary = run(tree, str(BIN / "pytest"), "-q", "tests/patrols").splitlines()[-1]
    assert summary.startswith("6 passed"), summary
