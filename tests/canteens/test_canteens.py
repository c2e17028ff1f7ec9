"""学校食堂: stages in order and dated, 陪餐 and self-checks, coverage equal to a brute-force
count, the public page for parents (no person), scope and the outsider."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.canteens import selectors, services
from regulus.canteens.models import Canteen
from regulus.core import clock
from tests.registry.conftest import make_entity

pytestmark = pytest.mark.django_db


def test_standardisation_goes_creating_accepted_compliant_in_order(handler, canteen):
    day = clock.today() - dt.timedelta(days=100)
    with pytest.raises(ValidationError) as refused:
        services.canteen_standard_set(actor=handler, canteen=canteen, stage="compliant", on=day)
    assert "下一阶段应为“创建中”" in refused.value.message_dict["stage"][0]
    services.canteen_standard_set(actor=handler, canteen=canteen, stage="creating", on=day)
    with pytest.raises(ValidationError) as refused:
        services.canteen_standard_set(
            actor=handler, canteen=canteen, stage="accepted", on=day - dt.timedelta(days=1)
        )
    assert "早于上一阶段日期" in refused.value.message_dict["on"][0]
    services.canteen_standard_set(actor=handler, canteen=canteen, stage="accepted", on=day)
    services.canteen_standard_set(
        actor=handler, canteen=canteen, stage="compliant", on=clock.today()
    )
    assert canteen.standard == Canteen.Standard.COMPLIANT and canteen.compliant_on == clock.today()


def test_a_self_check_in_the_future_or_twice_a_day_is_refused(handler, canteen):
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.self_check_record(actor=handler, canteen=canteen, on=tomorrow, items_checked=20)
    with pytest.raises(ValidationError) as refused:
        services.self_check_record(
            actor=handler, canteen=canteen, on=clock.today(), items_checked=20, items_failed=2
        )
    assert "问题及整改" in refused.value.message_dict["problems"][0]
    services.self_check_record(actor=handler, canteen=canteen, on=clock.today(), items_checked=20)
    with pytest.raises(ValidationError):
        services.self_check_record(
            actor=handler, canteen=canteen, on=clock.today(), items_checked=20
        )


def test_coverage_rates_equal_a_brute_force_count(handler, outsider, targets):
    rng = random.Random(5)
    for n in range(24):
        actor, district = (handler, "430102") if n % 2 else (outsider, "430103")
        entity = make_entity(actor, f"长沙市学校食堂餐饮服务有限公司{n}号", district=district)
        canteen = services.canteen_register(
            actor=actor,
            entity=entity,
            school_name=f"测试学校{n}",
            school_kind="primary",
            pupils=300,
        )
        view = rng.choice(Canteen.KitchenView.values)
        if view != "none":
            services.canteen_kitchen_view_set(
                actor=actor, canteen=canteen, kind=view, on=clock.today()
            )
    from tests.conftest import make_staff

    city = make_staff("city_leader", handler.unit.parent, "市局业务科室")
    data = selectors.coverage(city)
    for row in data["rows"]:
        canteens = [c for c in Canteen.objects.all() if c.district_code == row["district_code"]]
        open_kitchen = [c for c in canteens if c.kitchen_view != "none"]
        assert row["total"] == len(canteens) and row["open_kitchen"] == len(open_kitchen)
        assert row["rate"] == round(100 * len(open_kitchen) / len(canteens), 1)
    every = list(Canteen.objects.all())
    assert data["rate"] == round(100 * sum(c.kitchen_view != "none" for c in every) / len(every), 1)
    own = selectors.coverage(handler)
    assert [r["district_code"] for r in own["rows"]] == ["430102"]


def test_the_public_page_shows_status_and_checks_but_no_person(client, handler, canteen):
    services.meal_record(
        actor=handler,
        canteen=canteen,
        on=clock.today(),
        meal="lunch",
        leader_role="校长",
        opinion="张三校长：饭菜可口",
    )
    services.self_check_record(actor=handler, canteen=canteen, on=clock.today(), items_checked=20)
    services.canteen_kitchen_view_set(
        actor=handler, canteen=canteen, kind="internet", on=clock.today()
    )
    page = client.get(f"/portal/canteens/{canteen.public_code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "互联网+明厨亮灶" in text and "全部20项符合" in text and "近30日陪餐" in text
    assert "张三" not in text and "刘思远" not in text
    missing = client.get("/portal/canteens/NOPE0000/")
    assert missing.status_code == 404 and "未找到该学校食堂" in missing.content.decode()
    found = client.get("/portal/canteens/", {"q": "育才"})
    assert canteen.public_code in found.content.decode()


def test_pages_api_and_the_outsider(client, handler, outsider, auditor, canteen):
    # A recorded meal: the detail page lists the records and offers the meal choices.
    services.meal_record(
        actor=handler, canteen=canteen, on=clock.today(), meal="lunch", leader_role="校长"
    )
    client.force_login(handler)
    for url in (
        "/canteens/",
        "/canteens/coverage/",
        canteen.get_absolute_url(),
        "/canteens/coverage/export/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/canteens").json()["count"] == 1
    assert client.get("/api/v1/canteens/coverage").json()["total"] == 1
    made = client.post(
        f"/api/v1/canteens/{canteen.pk}/self-checks",
        {"on": clock.today().isoformat(), "items_checked": 20},
        content_type="application/json",
    )
    assert made.status_code == 201
    again = client.post(
        f"/api/v1/canteens/{canteen.pk}/self-checks",
        {"on": clock.today().isoformat(), "items_checked": 20},
        content_type="application/json",
    )
    assert again.status_code == 422 and "on" in again.json()["fields"]
    client.force_login(outsider)
    assert client.get(canteen.get_absolute_url()).status_code == 404
    assert client.get("/api/v1/canteens").json()["count"] == 0
    client.force_login(auditor)
    assert client.get("/canteens/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.meal_record(
            actor=auditor, canteen=canteen, on=clock.today(), meal="lunch", leader_role="校长"
        )
