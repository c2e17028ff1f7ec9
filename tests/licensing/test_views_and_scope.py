"""Staff pages and API: they render, and the outsider sees nothing (list, detail, API → 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from regulus.licensing import services
from tests.licensing.conftest import all_files, pdf, submit


@pytest.fixture
def issued(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk, path="commitment")
    services.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    return app


def test_handler_pages_render(client: Client, handler, issued):
    client.force_login(handler)
    for url in [
        "/licensing/applications/",
        "/licensing/applications/?overdue=1",
        "/licensing/applications/?open=1",
        f"/licensing/applications/{issued.number}/",
        f"/licensing/applications/{issued.number}/receipt/",
        f"/licensing/applications/{issued.number}/certificate/",
        "/licensing/verifications/",
        "/licensing/catalogue/",
        "/licensing/stats/",
        "/licensing/applications/new/",
        "/licensing/applications/new/?bundle=open-pharmacy",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/licensing/applications/{issued.number}/").content.decode()
    assert "经营范围" not in page  # none given
    issued.business_scope = "食品销售；日用百货销售"
    issued.save(update_fields=["business_scope"])
    page = client.get(f"/licensing/applications/{issued.number}/").content.decode()
    assert "食品销售；日用百货销售" in page
    page = client.get(f"/licensing/applications/{issued.number}/certificate/").content.decode()
    assert (
        "data:image/svg+xml" in page
        and f"/portal/certificates/{issued.certificate.number}/" in page
    )


def test_certificate_docx_and_stats_xlsx_download(client, handler, issued):
    client.force_login(handler)
    docx = client.get(f"/licensing/applications/{issued.number}/certificate.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    xlsx = client.get("/licensing/stats.xlsx?start=2000-01-01&end=2100-01-01")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "区县" and rows[-1][0] == "合计" and rows[-1][1] == 1


def test_outsider_sees_nothing(client, outsider, issued):
    client.force_login(outsider)
    assert issued.number not in client.get("/licensing/applications/").content.decode()
    assert client.get(f"/licensing/applications/{issued.number}/").status_code == 404
    assert client.get(f"/licensing/applications/{issued.number}/certificate/").status_code == 404
    assert (
        client.get(f"/licensing/applications/{issued.number}/certificate.docx").status_code == 404
    )
    material = issued.materials.first()
    assert client.get(f"/licensing/materials/{material.pk}/").status_code == 404
    assert client.get(f"/api/v1/licensing/applications/{issued.number}").status_code == 404
    body = client.get("/api/v1/licensing/applications").json()
    assert body["count"] == 0
    assert client.get(f"/licensing/verifications/{issued.verification.pk}/").status_code == 404
    stats = client.get("/licensing/stats.xlsx?start=2000-01-01&end=2100-01-01")
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(stats.content)).active.values)
    assert rows[-1][1] == 0


def test_material_file_served_to_the_handler_through_the_scoped_view(client, handler, issued):
    client.force_login(handler)
    material = issued.materials.exclude(stored_name="").first()
    response = client.get(f"/licensing/materials/{material.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert material.stored_name not in material.original_name


def test_window_form_posts_an_application(client, window_clerk, supermarket):
    client.force_login(window_clerk)
    data = {
        "bundle": "open-supermarket",
        "applicant_name": "芙蓉区新开超市有限公司",
        "entity_kind": "enterprise",
        "contact_name": "赵六",
        "contact_id_number": "11010519491231002X",
        "contact_phone": "13800000001",
        "address": "芙蓉区八一路8号",
        "district_code": "430102",
        "path": "normal",
        "delivery_method": "pickup",
    }
    for key, files in all_files(supermarket).items():
        data[f"material_{key}"] = files[0]
    response = client.post("/licensing/applications/new/?bundle=open-supermarket", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/licensing/applications/YJS" in response["Location"]


def test_window_form_shows_every_error_and_keeps_the_input(client, window_clerk, supermarket):
    client.force_login(window_clerk)
    data = {
        "bundle": "open-supermarket",
        "applicant_name": "芙蓉区新开超市有限公司",
        "entity_kind": "enterprise",
        "contact_name": "赵六",
        "contact_id_number": "110105194912310021",
        "contact_phone": "13800000001",
        "address": "芙蓉区八一路8号",
        "district_code": "430102",
        "material_premises": pdf("租赁合同.jpg"),
    }
    page = client.post(
        "/licensing/applications/new/?bundle=open-supermarket", data
    ).content.decode()
    assert "校验位错误" in page
    assert "缺少必交材料" in page
    assert "内容不是JPEG图片" in page
    assert "芙蓉区新开超市有限公司" in page


def test_api_create_and_transition(client, window_clerk, handler, supermarket):
    client.force_login(window_clerk)
    keys = [k for k in all_files(supermarket)]
    payload = {
        "bundle": "open-supermarket",
        "applicant_name": "API超市有限公司",
        "entity_kind": "enterprise",
        "contact_name": "钱七",
        "contact_id_number": "11010519491231002X",
        "contact_phone": "13800000002",
        "address": "芙蓉区韶山路1号",
        "district_code": "430102",
        "path": "commitment",
        "commitment_signed": True,
        "paper_materials": keys,
    }
    response = client.post(
        "/api/v1/licensing/applications", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    response = client.post(
        f"/api/v1/licensing/applications/{number}/transitions",
        {"name": "accept"},
        content_type="application/json",
    )
    assert response.json()["state"] == "review"
    again = client.post(
        f"/api/v1/licensing/applications/{number}/transitions",
        {"name": "accept"},
        content_type="application/json",
    )
    assert again.status_code == 422 and "不能执行“受理”" in again.json()["message"]
    client.force_login(handler)
    client.post(
        f"/api/v1/licensing/applications/{number}/transitions",
        {"name": "approve"},
        content_type="application/json",
    )
    done = client.post(
        f"/api/v1/licensing/applications/{number}/transitions",
        {"name": "issue"},
        content_type="application/json",
    ).json()
    assert done["state"] == "issued" and done["certificate_number"]


def test_api_catalogue_and_openapi(client, handler, catalogue):
    client.force_login(handler)
    bundles = client.get("/api/v1/licensing/bundles").json()
    assert len(bundles) >= 6
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/licensing/applications" in schema["paths"]
    assert "/api/v1/portal/certificates/{number}" in schema["paths"]


def test_dashboard_cards_count_open_and_overdue(handler, outsider, supermarket, window_clerk):
    from regulus.licensing.selectors import dashboard_cards

    submit(supermarket, actor=window_clerk)
    cards = {c.key: c.value for c in dashboard_cards(handler)}
    assert cards["licensing-open"] == 1
    assert {c.key: c.value for c in dashboard_cards(outsider)}["licensing-open"] == 0


def test_handler_list_flags_overdue_items(client, handler, supermarket, window_clerk):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        late = submit(supermarket, actor=window_clerk)
    client.force_login(handler)
    page = client.get("/licensing/applications/?open=1").content.decode()
    assert late.number in page and 'data-testid="overdue"' in page
    only = client.get("/licensing/applications/?overdue=1").content.decode()
    assert late.number in only


def test_catalogue_edit_is_for_admins_and_keeps_a_rule_history(
    client, handler, city_admin, catalogue
):
    client.force_login(handler)
    assert client.get("/licensing/catalogue/SP-XS/").status_code == 403
    client.force_login(city_admin)
    response = client.post(
        "/licensing/catalogue/SP-XS/",
        {
            "form": "rule",
            "effective_from": "2027-01-01",
            "statutory_days": "12",
            "promised_days": "15",
            "verification_days": "30",
        },
    )
    assert "承诺时限不能超过法定时限" in response.content.decode()
    response = client.post(
        "/licensing/catalogue/SP-XS/",
        {
            "form": "rule",
            "effective_from": "2027-01-01",
            "statutory_days": "12",
            "promised_days": "6",
            "verification_days": "30",
        },
    )
    assert response.status_code == 302
    from regulus.licensing.models import Matter

    assert Matter.objects.get(code="SP-XS").rules.count() == 3


def test_api_list_with_huge_offset_is_refused_naming_the_field(client, handler):
    # Found by the schemathesis fuzz test: a 20-digit offset overflowed SQLite's integer.
    # Since issue 18 item 3 it is refused (422, the field named), not clamped in silence.
    client.force_login(handler)
    response = client.get("/api/v1/licensing/applications?offset=99999999999999999999&limit=5")
    assert response.status_code == 422
    assert "offset" in response.json()["fields"]


def test_issued_certificate_items_show_on_the_entity_page(client, handler, issued):
    from regulus.licensing.models import Certificate

    cert = Certificate.objects.get(application=issued)
    client.force_login(handler)
    page = client.get(f"/registry/entities/{cert.entity.uscc}/").content.decode()
    assert cert.number in page and cert.items[0]["item"] in page
    assert f"一件事 {issued.number}" in page  # its applications are in the entity's timeline


def test_timelines_of_many_objects_match_each_timeline(issued, supermarket, window_clerk):
    from regulus.core.workflow import timeline, timelines
    from regulus.licensing.workflow import APPLICATION_FLOW

    other = submit(supermarket, actor=window_clerk)
    together = timelines([issued, other], APPLICATION_FLOW)
    assert together[issued.pk] == timeline(issued, APPLICATION_FLOW)
    assert together[other.pk] == timeline(other, APPLICATION_FLOW)


def test_entity_timeline_shows_steps_of_one_moment_newest_first(supermarket, window_clerk, handler):
    # A commitment decided on the spot is accepted, approved and issued in one moment (the
    # demo holds the clock at it): the entity's timeline, newest first, must then still read
    # issue above approval above acceptance, and its registration beside its issue, not
    # below the acceptance as if it came first.
    import datetime as dt

    from django.utils import timezone

    from regulus.core import clock
    from regulus.registry.selectors import entity_timeline

    app = submit(supermarket, actor=window_clerk, path="commitment")
    with clock.held_at(timezone.now() + dt.timedelta(hours=1)):
        services.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    titles = [row["title"] for row in entity_timeline(app.entity, handler)]
    steps = [t for t in titles if t.startswith(f"一件事 {app.number}")]
    assert [s.split("：")[1][:4] for s in steps] == ["制发证照", "准予许可", "受理（待", "提交申请"]
    assert titles[0].startswith("登记市场主体")


def test_entity_page_lists_licensings_permits_and_steps_beside_other_apps(
    client, handler, issued, plugin_probe
):
    from regulus.licensing.models import Certificate

    cert = Certificate.objects.get(entity=issued.entity)
    client.force_login(handler)
    page = client.get(f"/registry/entities/{issued.entity.uscc}/").content.decode()
    permits = page[page.index('data-testid="permits"') :]
    # Each app's permits, in INSTALLED_APPS order: licensing's, then the probe's.
    assert permits.index(cert.number) < permits.index(f"TZ{issued.entity.pk:06d}")
    assert f"一件事 {issued.number}" in page and f"探针记录：{issued.entity.name}" in page
