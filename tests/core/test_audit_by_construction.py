"""Audit by construction over every app.

Every test that uses the database runs under the watcher of tests/audit_watch.py (installed by
tests/conftest.py): while each app's own service tests run, a service transaction that writes a
domain table (any model of any installed regulus app) without an audit row fails the test. The
tests here show that the watcher sees what it must (so it can fail), and that services have one
way to write: `core.audit.audited`, which refuses to commit a write without its row.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction

from regulus.core.audit import (
    AUDIT_TABLES,
    UnauditedWrite,
    audited,
    domain_tables,
    unaudited,
    verify_chain,
)
from regulus.core.models import AuditLog, OrgUnit
from tests.audit_watch import TransactionWatcher

pytestmark = pytest.mark.django_db


def _service_module(name: str, source: str) -> types.ModuleType:
    """A module standing for an app's services (its name is what marks a service's frames)."""
    module = types.ModuleType(name)
    module.__dict__.update({"transaction": transaction, "OrgUnit": OrgUnit, "audited": audited})
    module.__dict__.update({"AuditLog": AuditLog, "unaudited": unaudited})
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


FORGETFUL = _service_module(
    "regulus.example.services",
    """
def unit_rename(*, unit, name):
    with transaction.atomic():
        OrgUnit.objects.filter(pk=unit.pk).update(name=name)

def unit_rename_audited(*, actor, unit, name):
    with audited(actor=actor) as audit:
        OrgUnit.objects.filter(pk=unit.pk).update(name=name)
        audit.record(action=AuditLog.Action.UPDATE, obj=unit, summary=name)

def unit_rename_then_fail(*, unit, name):
    with transaction.atomic():
        OrgUnit.objects.filter(pk=unit.pk).update(name=name)
        raise ValueError("changed my mind")

def unit_touch(*, unit):
    with transaction.atomic(), unaudited("a test's counter"):
        OrgUnit.objects.filter(pk=unit.pk).update(sort_order=7)

def unit_rename_forgetting_the_row(*, actor, unit, name):
    with audited(actor=actor):
        OrgUnit.objects.filter(pk=unit.pk).update(name=name)
""",
)


def _taken(watcher: TransactionWatcher) -> list[str]:
    """The suite's watcher's violations, taken off it (this test made them on purpose)."""
    found = [str(v) for v in watcher.violations]
    watcher.violations.clear()
    return found


def test_the_suites_watcher_fails_a_service_write_without_an_audit_row(
    audit_by_construction, bureau
):
    FORGETFUL.unit_rename(unit=bureau["station_a"], name="改名不留痕")
    found = _taken(audit_by_construction)
    assert len(found) == 1
    assert "core_orgunit" in found[0] and "regulus.example.services:unit_rename" in found[0]


def test_a_service_write_outside_any_transaction_is_caught_too(audit_by_construction, bureau):
    source = "def f(*, unit):\n    OrgUnit.objects.filter(pk=unit.pk).update(name='x')\n"
    _service_module("regulus.example.views", source).f(unit=bureau["station_a"])
    assert any("core_orgunit" in v for v in _taken(audit_by_construction))


def test_an_audited_write_passes(audit_by_construction, bureau, city_admin):
    FORGETFUL.unit_rename_audited(actor=city_admin, unit=bureau["station_a"], name="新名")
    assert _taken(audit_by_construction) == []
    assert AuditLog.objects.filter(summary="新名").exists()


def test_a_rolled_back_write_is_no_violation(audit_by_construction, bureau):
    with pytest.raises(ValueError):
        FORGETFUL.unit_rename_then_fail(unit=bureau["station_a"], name="未提交")
    assert _taken(audit_by_construction) == []


def test_a_write_declared_unaudited_is_no_violation(audit_by_construction, bureau):
    FORGETFUL.unit_touch(unit=bureau["station_a"])
    assert _taken(audit_by_construction) == []


def test_test_code_writing_its_fixtures_is_not_a_service(audit_by_construction, bureau):
    OrgUnit.objects.filter(pk=bureau["station_a"].pk).update(name="测试数据")
    assert _taken(audit_by_construction) == []


def test_audited_refuses_to_commit_a_write_without_its_row(bureau, city_admin):
    unit = bureau["station_a"]
    with pytest.raises(UnauditedWrite, match="core_orgunit"):
        FORGETFUL.unit_rename_forgetting_the_row(actor=city_admin, unit=unit, name="不留痕")
    unit.refresh_from_db()
    assert unit.name == "芙蓉区东湖市场监管所"  # rolled back


def test_a_nested_blocks_row_covers_the_outer_blocks_write(bureau, city_admin):
    """A service that writes and calls another (a transition) which records the step: one
    transaction, one row for both, as transition_fire's callers do."""
    unit = bureau["station_a"]
    with audited(actor=city_admin):
        OrgUnit.objects.filter(pk=unit.pk).update(sort_order=3)
        FORGETFUL.unit_rename_audited(actor=city_admin, unit=unit, name="一并记录")
    unit.refresh_from_db()
    assert (unit.sort_order, unit.name) == (3, "一并记录")


def test_a_blocks_rows_reach_the_chain_at_its_end_in_the_order_recorded(bureau, city_admin):
    """The rows are appended when the outermost block ends (the chain's head is locked only
    for that last step), in the order the block and the blocks inside it recorded them."""
    unit = bureau["station_a"]
    before = AuditLog.objects.count()
    with audited(actor=city_admin) as audit:
        audit.record(action=AuditLog.Action.UPDATE, obj=unit, summary="第一条")
        FORGETFUL.unit_rename_audited(actor=city_admin, unit=unit, name="第二条")
        audit.record(action=AuditLog.Action.UPDATE, obj=unit, summary="第三条")
        assert AuditLog.objects.count() == before  # not on the chain yet
    summaries = list(AuditLog.objects.order_by("id").values_list("summary", flat=True))
    assert summaries[before:] == ["第一条", "第二条", "第三条"]
    assert verify_chain().ok


def test_a_failed_inner_blocks_rows_are_dropped_and_the_outer_block_goes_on(bureau, city_admin):
    unit = bureau["station_a"]
    with audited(actor=city_admin) as audit:
        with pytest.raises(ValueError), audited(actor=city_admin) as inner:
            inner.record(action=AuditLog.Action.UPDATE, obj=unit, summary="撤销的一步")
            raise ValueError("the inner step fails")
        audit.record(action=AuditLog.Action.UPDATE, obj=unit, summary="继续的一步")
    assert not AuditLog.objects.filter(summary="撤销的一步").exists()
    assert AuditLog.objects.filter(summary="继续的一步").exists()
    assert verify_chain().ok


def test_a_rows_name_given_as_a_function_is_taken_when_the_row_is_appended(bureau, city_admin):
    unit = bureau["station_a"]
    with audited(actor=city_admin) as audit:
        audit.record(action=AuditLog.Action.UPDATE, obj=unit, object_repr=lambda: unit.name)
        unit.name = "编号最后给出"
    assert AuditLog.objects.filter(object_repr="编号最后给出").exists()


def test_every_model_of_every_app_is_watched():
    """Found in the app registry: an app added later is watched without a line of test code.
    Each table, written from a service's frame in a transaction without an audit row, is
    reported."""
    regulus_models = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("regulus.")
        for model in config.get_models(include_auto_created=True)
    ]
    expected = {m._meta.db_table for m in regulus_models} - AUDIT_TABLES
    assert domain_tables() == expected
    assert {"registry_entity", "licensing_application", "core_user_roles"} <= expected
    watcher = TransactionWatcher()
    for table in sorted(expected):
        _service_module(
            "regulus.example.services",
            "def write(watcher, table):\n"
            "    watcher.observe('SAVEPOINT \"s1\"', -1)\n"
            "    watcher.observe(f'UPDATE \"{table}\" SET x = 1', 1)\n"
            "    watcher.observe('RELEASE SAVEPOINT \"s1\"', -1)\n",
        ).write(watcher, table)
    assert sorted({v.table for v in watcher.violations}) == sorted(expected)


# -- one way to write ----------------------------------------------------------------------


def _service_files() -> list[tuple[str, Path]]:
    """Every installed regulus app's services: its services module, or each module of its
    services package."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("regulus."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        found.append((module.__name__, Path(module.__file__ or "")))
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            sub = importlib.import_module(f"{module.__name__}.{info.name}")
            found.append((sub.__name__, Path(sub.__file__ or "")))
    return found


def _hand_written_writes(path: Path) -> list[str]:
    """`transaction.atomic` and hand calls of audit_record / audit_record_many in a file."""
    problems = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "atomic":
            problems.append(f"line {node.lineno}: transaction.atomic")
        if isinstance(node, ast.Name) and node.id in ("audit_record", "audit_record_many"):
            problems.append(f"line {node.lineno}: {node.id}")
    return problems


def test_services_write_only_through_audited():
    """No service opens a transaction or writes an audit row by hand: `audited` does both, so
    the next apps' services are held to it as soon as they exist."""
    files = _service_files()
    assert {"regulus.core.services", "regulus.registry.services"} <= {name for name, _ in files}
    assert "regulus.licensing.services.applications" in {name for name, _ in files}
    problems = {name: _hand_written_writes(path) for name, path in files}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_static_check_finds_a_hand_written_transaction(tmp_path):
    sample = tmp_path / "services.py"
    sample.write_text(
        "from django.db import transaction\n"
        "from regulus.core.audit import audit_record\n"
        "def f():\n    with transaction.atomic():\n        audit_record(actor=None, action='x')\n"
    )
    assert sorted(_hand_written_writes(sample)) == [
        "line 4: transaction.atomic",
        "line 5: audit_record",
    ]
