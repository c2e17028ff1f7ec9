"""Pages, the API and the command: the main path through the pages, the outsider sees nothing,
the public draw page and files, `regulus verify_draw`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from regulus.inspections.models import Draw, Snapshot, Target, Task
from tests.inspections.conftest import LATER


def test_the_main_path_through_the_pages(client, handler, colleague, task, frozen_clock):
    client.force_login(handler)
    url = reverse("inspections:task_detail", args=[task.number])
    page = client.get(url)
    assert page.status_code == 200 and "冻结检查对象和检查人员名录" in page.text
    client.post(url, {"action": "freeze"})
    assert Task.objects.get(pk=task.pk).state == Task.State.FROZEN
    frozen_clock.move_to(LATER)  # a new day: the session of two days ago has expired
    client.force_login(handler)
    client.post(url, {"action": "source", "value": "5 0 2"})
    client.force_login(colleague)
    client.post(url, {"action": "source", "value": "5 0 2"})
    client.force_login(handler)
    page = client.post(url, {"action": "draw"}, follow=True)
    assert "抽中对象及检查人员" in page.text
    assert Target.objects.filter(task=task).exists()


def test_the_outsider_sees_no_task_of_another_district(client, outsider, drawn):
    client.force_login(outsider)
    assert client.get(reverse("inspections:task_detail", args=[drawn.number])).status_code == 404
    assert drawn.number not in client.get(reverse("inspections:task_list")).text
    target = Target.objects.filter(task=drawn).first()
    assert client.get(reverse("inspections:target_result", args=[target.pk])).status_code == 404


def test_the_outsider_cannot_draw_another_districts_task(client, outsider, frozen):
    client.force_login(outsider)
    url = reverse("inspections:task_detail", args=[frozen.number])
    assert client.post(url, {"action": "draw"}).status_code == 404


def test_the_public_draw_page_offers_the_files_and_says_the_draw_reproduces(client, drawn):
    page = client.get(reverse("inspections_public:draw_page", args=[drawn.number]) + "?verify=1")
    assert page.status_code == 200 and "结果一致" in page.text
    snap = drawn.snapshots.get(name=Snapshot.Name.TARGETS)
    assert snap.sm3 in page.text
    data = client.get(
        reverse("inspections_public:draw_file", args=[drawn.number, "targets.tsv"])
    ).content
    assert data == snap.content.encode("utf-8")
    info = json.loads(
        client.get(
            reverse("inspections_public:draw_file", args=[drawn.number, "draw.json"])
        ).content
    )
    assert (
        info["source"] == "3 8 1"
        and len(info["drawn"]) == Target.objects.filter(task=drawn).count()
    )
    assert (
        client.get(
            reverse("inspections_public:draw_file", args=[drawn.number, "secret.txt"])
        ).status_code
        == 404
    )


def test_a_draft_task_is_not_on_the_portal(client, task):
    assert (
        client.get(reverse("inspections_public:draw_page", args=[task.number])).status_code == 404
    )


def test_verify_draw_names_the_first_draw_that_does_not_reproduce(drawn, capsys):
    call_command("verify_draw", drawn.number)
    call_command("verify_draw", "--all")
    assert "抽取均可重现" in capsys.readouterr().out
    Draw.objects.filter(task=drawn).update(seed="0" * 64)
    with pytest.raises(CommandError, match=f"任务 {drawn.number} .*种子"):
        call_command("verify_draw", "--all")


def test_the_api_lists_tasks_in_scope_and_the_public_verification(client, handler, outsider, drawn):
    client.force_login(handler)
    rows = client.get("/api/v1/inspections/tasks").json()
    assert [r["number"] for r in rows] == [drawn.number]
    client.force_login(outsider)
    assert client.get("/api/v1/inspections/tasks").json() == []
    assert client.get(f"/api/v1/inspections/tasks/{drawn.number}").status_code == 404
    client.logout()
    verdict = client.get(f"/api/v1/inspections/public/draws/{drawn.number}/verify").json()
    assert verdict["ok"] is True


def test_counting_page_counts_the_year_in_scope_and_exports(client, handler, outsider, drawn):
    client.force_login(handler)
    page = client.get(reverse("inspections:stats") + "?year=2026")
    drawn_count = Target.objects.filter(task=drawn).count()
    assert f'data-testid="stat-drawn">{drawn_count}<' in page.text
    export = client.get(reverse("inspections:stats_export") + "?year=2026")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    client.force_login(outsider)
    page = client.get(reverse("inspections:stats") + "?year=2026")
    assert 'data-testid="stat-drawn">0<' in page.text
