"""Data scope: a district-A handler cannot list, open or change district-B objects."""

import pytest

from regulus.core.models import DataScope, Role, User
from regulus.core.scope import scope_unit_ids
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def test_unit_and_below_scope_covers_district_and_its_stations(handler, bureau):
    ids = scope_unit_ids(handler)
    assert ids == {bureau["district_a"].id, bureau["station_a"].id}


def test_city_wide_role_sees_everything(city_admin):
    assert scope_unit_ids(city_admin) is None


def test_superuser_scope_is_whole_city(db):
    su = User.objects.create_superuser("root", password="Xx1!abcdef")
    assert scope_unit_ids(su) is None


def test_own_unit_scope_excludes_the_units_below(bureau):
    user = make_staff("d_own", bureau["district_a"], "市场监管所执法人员")
    assert scope_unit_ids(user) == {bureau["district_a"].id}


def test_custom_units_scope(bureau):
    role = Role.objects.create(
        name="专项检查组", code=Role.Code.INSPECTOR, data_scope=DataScope.CUSTOM
    )
    role.custom_units.set([bureau["station_b"]])
    user = make_staff("custom", bureau["city"], "专项检查组")
    assert scope_unit_ids(user) == {bureau["station_b"].id}


def test_own_records_scope_sees_only_rows_it_owns(bureau):
    user = make_staff("grid", bureau["station_a"], "网格巡查员")
    assert scope_unit_ids(user) == set()


def test_outsider_cannot_list_district_a_staff(client, handler, colleague, outsider):
    client.force_login(outsider)
    page = client.get("/staff/").content.decode()
    assert outsider.username in page
    assert handler.username not in page and colleague.username not in page


def test_outsider_gets_404_opening_district_a_staff(client, handler, outsider):
    client.force_login(outsider)
    assert client.get(f"/staff/{handler.pk}/").status_code == 404
    client.force_login(handler)
    assert client.get(f"/staff/{handler.pk}/").status_code == 200


def test_outsider_gets_404_through_api(client, handler, outsider):
    client.force_login(outsider)
    response = client.get(f"/api/v1/staff/{handler.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    listed = client.get("/api/v1/staff").json()
    assert handler.pk not in [s["id"] for s in listed["items"]]


def test_handler_cannot_change_staff_even_in_own_district(client, handler, colleague):
    client.force_login(handler)
    response = client.post(f"/staff/{colleague.pk}/edit/", {"full_name": "改名"})
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.full_name == "王晓琳"


def test_admin_of_district_b_cannot_move_staff_into_district_a(client, bureau, handler):
    role = Role.objects.create(
        name="县区管理员", code=Role.Code.ADMIN, data_scope=DataScope.UNIT_AND_BELOW
    )
    b_admin = make_staff("b_admin", bureau["district_b"], role.name)
    client.force_login(b_admin)
    assert client.get(f"/staff/{handler.pk}/edit/").status_code == 404
