"""The public portal: apply without login, look up progress with number + phone, verify a
certificate by number; nothing staff-only leaks."""

from __future__ import annotations

import pytest

from regulus.licensing import services
from regulus.licensing.models import Application
from tests.licensing.conftest import all_files, submit


def form_data(bundle, **extra):
    data = {
        "bundle": bundle.code,
        "applicant_name": "长沙市芙蓉区门户超市有限公司",
        "entity_kind": "enterprise",
        "contact_name": "孙八",
        "contact_id_number": "11010519491231002X",
        "contact_phone": "13911112222",
        "address": "芙蓉区人民路9号",
        "district_code": "430102",
        "path": "commitment",
        "commitment_signed": "1",
        "delivery_method": "mail",
        "delivery_address": "芙蓉区人民路9号",
    }
    for key, files in all_files(bundle).items():
        data[f"material_{key}"] = files[0]
    data.update(extra)
    return data


def test_portal_home_lists_bundles_without_login(client, catalogue):
    page = client.get("/portal/").content.decode()
    assert "长沙市市场监督管理局 政务服务" in page
    assert "开办超市" in page and "开办药店" in page
    assert "退出" not in page  # no staff shell


def test_portal_application_receipt_and_progress(client, supermarket):
    response = client.post("/portal/apply/open-supermarket/", form_data(supermarket))
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.channel == "portal" and app.visits == 0 and app.path == "commitment"
    assert client.get(response["Location"]).status_code == 200
    other = client.__class__()
    assert other.get(f"/portal/applications/{app.number}/").status_code == 404
    bad = other.post("/portal/progress/", {"number": app.number, "phone": "13900000000"})
    assert "未找到该申请" in bad.content.decode()
    good = other.post("/portal/progress/", {"number": app.number, "phone": "13911112222"})
    assert good.status_code == 302
    page = other.get(good["Location"]).content.decode()
    assert "待受理" in page


def test_portal_form_errors_are_chinese_and_keep_input(client, supermarket):
    page = client.post(
        "/portal/apply/open-supermarket/",
        form_data(supermarket, contact_id_number="110105194912310021", contact_phone="123"),
    ).content.decode()
    assert "校验位错误" in page and "11位手机号码" in page
    assert "长沙市芙蓉区门户超市有限公司" in page
    assert not Application.objects.exists()


def test_certificate_verification_page_and_api(client, supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk, path="commitment")
    cert = services.application_fast_track(application=app, actor=handler)
    page = client.get(f"/portal/certificates/{cert.number}/").content.decode()
    assert "有效" in page and app.applicant_name in page
    # The holder's public record is a click away; it lists this certificate.
    app.refresh_from_db()
    assert f'href="/portal/entities/{app.uscc}/"' in page
    record = client.get(f"/portal/entities/{app.uscc}/").content.decode()
    assert cert.number in record and app.applicant_name in record
    api = client.get(f"/api/v1/portal/certificates/{cert.number}")
    assert api.status_code == 200 and api.json()["state"] == "valid"
    assert client.get("/portal/certificates/DZ404/").status_code == 404
    assert client.get("/api/v1/portal/certificates/DZ404").status_code == 404


def test_portal_progress_api_needs_the_phone(client, supermarket):
    app = submit(supermarket)
    ok = client.post(
        "/api/v1/portal/progress",
        {"number": app.number, "phone": "13812345678"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "submitted"
    no = client.post(
        "/api/v1/portal/progress",
        {"number": app.number, "phone": "13800000000"},
        content_type="application/json",
    )
    assert no.status_code == 404


def test_portal_correction_upload_and_resubmit(client, supermarket, window_clerk):
    app = submit(supermarket)
    services.correction_request(
        application=app,
        actor=window_clerk,
        items=[{"key": "layout", "name": "经营场所平面布局图", "problem": "不清晰"}],
    )
    client.post("/portal/progress/", {"number": app.number, "phone": "13812345678"})
    from tests.licensing.conftest import pdf

    client.post(
        f"/portal/applications/{app.number}/upload/", {"key": "layout", "file": pdf("布局图.pdf")}
    )
    client.post(f"/portal/applications/{app.number}/resubmit/")
    app.refresh_from_db()
    assert app.state == "submitted" and app.materials.filter(material__key="layout").count() == 2


def test_portal_home_leaves_out_a_switched_off_matter_of_a_bundle(client, supermarket):
    # A matter switched off stays in its bundles but new applications leave it out, so the
    # portal must not offer it either.
    matter = supermarket.bundle_matters.first().matter
    assert matter.name in client.get("/portal/").content.decode()
    matter.is_active = False
    matter.save(update_fields=["is_active"])
    assert matter.name not in client.get("/portal/").content.decode()


def test_portal_applicant_sees_and_downloads_only_their_own_materials(client, supermarket):
    app = submit(supermarket)
    given = app.materials.exclude(stored_name="").first()
    assert given is not None
    url = f"/portal/applications/{app.number}/materials/{given.pk}/"
    assert client.get(url).status_code == 404  # this browser has not looked it up
    client.post("/portal/progress/", {"number": app.number, "phone": "13812345678"})
    page = client.get(f"/portal/applications/{app.number}/").content.decode()
    assert given.original_name in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == given.content_type
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Another application's file is not reachable through this one's number.
    other = submit(supermarket)
    theirs = other.materials.exclude(stored_name="").first()
    assert (
        client.get(f"/portal/applications/{app.number}/materials/{theirs.pk}/").status_code == 404
    )
    assert (
        client.get(f"/portal/applications/{other.number}/materials/{theirs.pk}/").status_code == 404
    )


@pytest.mark.parametrize("number", ["a/b", "<b>DZ1</b>", "../../etc/passwd", "DZ\u202e1"])
def test_a_certificate_number_that_is_no_number_is_said_so(client, db, number):
    """/portal/certificates/?number=a/b was a 500: the number went into the verification URL."""
    page = client.get("/portal/certificates/", {"number": number})
    assert page.status_code == 422
    assert "证书编号只含字母和数字" in page.content.decode()
