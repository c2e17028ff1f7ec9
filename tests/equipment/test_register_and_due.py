"""The register: registration numbers, next due dates by category and rule version, the
use-registration clock, the overdue sweep, lift maintenance gaps and the import."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from regulus.core import clock
from regulus.core.models import Clock
from regulus.equipment import selectors, services
from regulus.equipment.models import Equipment, IntervalRule, OverdueWarning
from regulus.equipment.sweeps import maintenance_overdue, overdue_equipment
from tests.equipment.conftest import make_lift

pytestmark = pytest.mark.django_db


def test_a_lift_is_due_a_year_after_its_inspection(lift):
    assert lift.next_due_on == services.add_months(lift.last_inspected_on, 12)


@pytest.mark.parametrize(
    ("category", "months"), [("3000", 12), ("1000", 12), ("2000", 12), ("4000", 24), ("8000", 36)]
)
def test_next_due_follows_the_category_interval(rules, category, months):
    day = dt.date(2025, 3, 31)
    due, rule = services.next_due(category, day)
    assert rule.months == months
    assert due == services.add_months(day, months)


def test_a_later_interval_version_applies_from_its_date_only(rules, handler, lift):
    IntervalRule.objects.create(
        category="3000", months=24, effective_from=clock.today(), legal_basis="试点：自行检测"
    )
    before, _ = services.next_due("3000", clock.today() - dt.timedelta(days=1))
    after, rule = services.next_due("3000", clock.today())
    assert (before - (clock.today() - dt.timedelta(days=1))).days in (365, 366)
    assert rule.months == 24 and after == services.add_months(clock.today(), 24)
    inspection = services.inspection_record(
        actor=handler, equipment=lift, inspected_on=clock.today(), result="passed"
    )
    assert inspection.next_due_on == after and inspection.interval_rule == rule


def test_month_arithmetic_keeps_to_the_last_day_of_a_short_month():
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert services.add_months(dt.date(2023, 12, 31), 12) == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("梯11湘A0012(23)", "应为"),
        ("锅11湘A00012(23)", "首字应为“梯”"),
        ("T11湘A00012(23)", "应为"),
    ],
)
def test_a_registration_number_in_the_wrong_format_is_refused(handler, using_unit, number, message):
    with pytest.raises(ValidationError) as refused:
        make_lift(handler, using_unit, number=number)
    assert message in refused.value.message_dict["registration_number"][0]
    assert not Equipment.objects.exists()


def test_full_width_brackets_are_accepted(handler, using_unit):
    item = make_lift(handler, using_unit, number="梯11湘A00013（24）")
    assert item.registration_number == "梯11湘A00013(24)"


def test_an_inspection_in_the_future_or_due_before_it_is_refused(handler, lift):
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.inspection_record(
            actor=handler, equipment=lift, inspected_on=tomorrow, result="passed"
        )
    assert "不能晚于今天" in refused.value.message_dict["inspected_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.inspection_record(
            actor=handler,
            equipment=lift,
            inspected_on=clock.today(),
            result="passed",
            next_due_on=clock.today() - dt.timedelta(days=3),
        )
    assert "应晚于检验日期" in refused.value.message_dict["next_due_on"][0]
    assert lift.inspections.count() == 0


def test_registering_a_next_due_before_the_last_inspection_is_refused(handler, using_unit):
    with pytest.raises(ValidationError) as refused:
        make_lift(handler, using_unit, next_due_on=clock.today() - dt.timedelta(days=300))
    assert "应晚于上次检验日期" in refused.value.message_dict["next_due_on"][0]


def test_an_unregistered_item_in_use_runs_the_30_day_registration_clock(handler, using_unit):
    first_use = clock.today() - dt.timedelta(days=5)
    item = make_lift(handler, using_unit, number="", registered_on=None, first_used_on=first_use)
    run = Clock.objects.get(name="registration", object_id=item.pk)
    assert run.days == 30 and run.unit == "calendar"
    assert item.registration_deadline == run.due_date
    assert list(selectors.registration_pending(handler)) == [item]
    services.equipment_register_use(
        actor=handler,
        equipment=item,
        registration_number="梯11湘A00099(26)",
        registered_on=clock.today(),
    )
    run.refresh_from_db()
    assert run.status == Clock.Status.STOPPED
    assert item.registration_deadline is None


def test_the_overdue_sweep_run_twice_changes_once(handler, using_unit):
    make_lift(handler, using_unit, last_inspected_on=clock.today() - dt.timedelta(days=400))
    make_lift(handler, using_unit, number="梯11湘A00020(23)")
    first, second = overdue_equipment(), overdue_equipment()
    assert (first.changed, second.changed) == (1, 0)
    assert OverdueWarning.objects.filter(resolved_on__isnull=True).count() == 1
    assert Equipment.objects.filter(overdue=True).count() == 1


def test_an_inspection_clears_the_overdue_flag_and_resolves_the_warning(handler, using_unit):
    item = make_lift(handler, using_unit, last_inspected_on=clock.today() - dt.timedelta(days=400))
    overdue_equipment()
    services.inspection_record(
        actor=handler, equipment=item, inspected_on=clock.today(), result="passed"
    )
    item.refresh_from_db()
    assert not item.overdue
    assert OverdueWarning.objects.get().resolved_on == clock.today()


def test_a_stopped_item_is_not_flagged_overdue(handler, using_unit):
    item = make_lift(handler, using_unit, last_inspected_on=clock.today() - dt.timedelta(days=400))
    services.equipment_transition(actor=handler, equipment=item, name="stop")
    assert overdue_equipment().changed == 0


def test_due_and_overdue_lists_hold_the_right_items_and_the_outsider_sees_none(
    handler, outsider, using_unit
):
    overdue = make_lift(
        handler, using_unit, last_inspected_on=clock.today() - dt.timedelta(days=370)
    )
    due = make_lift(
        handler,
        using_unit,
        number="梯11湘A00021(23)",
        last_inspected_on=clock.today() - dt.timedelta(days=350),
    )
    make_lift(handler, using_unit, number="梯11湘A00022(23)")
    assert list(selectors.equipment_list(user=handler, when="overdue")) == [overdue]
    assert list(selectors.equipment_list(user=handler, when="due", district="430102")) == [due]
    assert not selectors.equipment_list(user=outsider).exists()
    by_compound = selectors.grouped_counts(user=handler, when="overdue", by="compound")
    assert by_compound == [{"key": overdue.compound_id, "label": "锦绣华庭", "n": 1}]


def test_lift_maintenance_gaps_over_15_days_are_flagged(handler, lift):
    day = clock.today() - dt.timedelta(days=40)
    first = services.maintenance_record(actor=handler, equipment=lift, done_on=day)
    on_time = services.maintenance_record(
        actor=handler, equipment=lift, done_on=day + dt.timedelta(days=15)
    )
    late = services.maintenance_record(
        actor=handler, equipment=lift, done_on=day + dt.timedelta(days=31)
    )
    assert (first.late, on_time.late, late.late) == (False, False, True)
    assert late.gap_days == 16
    with time_machine.travel(clock.now() + dt.timedelta(days=7), tick=False):
        assert (maintenance_overdue().changed, maintenance_overdue().changed) == (1, 0)


def test_the_auditor_may_not_register_equipment(auditor, using_unit):
    with pytest.raises(PermissionDenied):
        make_lift(auditor, using_unit)


def _workbook(tmp_path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["设备类别", "使用登记证编号", "使用单位统一社会信用代码", "所在小区", "上次检验日期"]
    )
    for row in rows:
        sheet.append(row)
    path = tmp_path / "台账.xlsx"
    book.save(path)
    return path


def test_an_import_with_a_duplicate_row_loads_nothing_and_names_the_line(
    handler, using_unit, tmp_path
):
    path = _workbook(
        tmp_path,
        [
            ["电梯", "梯11湘A00031(24)", using_unit.uscc, "锦绣华庭", "2026-01-05"],
            ["电梯", "梯11湘A00031(24)", using_unit.uscc, "锦绣华庭", "2026-01-05"],
            ["锅炉", "锅11湘A00032(24)", using_unit.uscc, "", "2026-13-01"],
        ],
    )
    result = services.equipment_import(actor=handler, path=path, name="台账.xlsx")
    assert not result.committed and not Equipment.objects.exists()
    messages = {(e.line, e.message) for e in result.errors}
    assert any(line == 3 and "与第2行重复" in m for line, m in messages)
    assert any(line == 4 and "日期格式" in m for line, m in messages)


def test_a_clean_import_loads_every_row(handler, using_unit, tmp_path):
    path = _workbook(
        tmp_path,
        [
            ["电梯", "梯11湘A00031(24)", using_unit.uscc, "锦绣华庭", "2026-01-05"],
            ["1000", "锅11湘A00032(24)", using_unit.uscc, "", "2025-12-01"],
        ],
    )
    result = services.equipment_import(actor=handler, path=path, name="台账.xlsx")
    assert result.committed and result.written == 2
    assert Equipment.objects.get(category="1000").next_due_on == dt.date(2026, 12, 1)


def test_the_import_template_reads_back_with_its_own_columns(client, handler, rules, tmp_path):
    client.force_login(handler)
    answer = client.get("/equipment/import/template/")
    path = tmp_path / "模板.xlsx"
    path.write_bytes(answer.content)
    result = services.equipment_import(actor=handler, path=path, name="模板.xlsx")
    assert result.file_error == "" and result.rows == 0
