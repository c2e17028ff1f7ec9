"""A wrong upload taken back before review: licensing.material_remove (service, window page,
portal page), with its permission, its audit row, and refused once review has begun."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from regulus.core.models import AuditLog
from regulus.licensing import services
from regulus.licensing.models import ApplicationMaterial
from tests.licensing.conftest import pdf, submit


def _extra(app, actor=None):
    return services.material_add(
        application=app, actor=actor, material_key="layout", upload=pdf("错传的文件.pdf")
    )


def test_applicant_removes_a_wrong_upload_before_review(
    supermarket, django_capture_on_commit_callbacks
):
    app = submit(supermarket)
    row = _extra(app)
    stored = row.stored_name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.material_remove(application=app, actor=None, material=row)
    assert not ApplicationMaterial.objects.filter(pk=row.pk).exists()
    assert not default_storage.exists(stored)  # the file goes with its row
    entry = AuditLog.objects.filter(action=AuditLog.Action.DELETE, object_id=str(app.pk)).get()
    assert "错传的文件.pdf" in entry.summary
    assert entry.changes == {
        "removed_material": "经营场所平面布局图",
        "removed_file": "错传的文件.pdf",
    }


def test_removal_is_refused_once_review_has_begun(supermarket, window_clerk):
    app = submit(supermarket)
    row = _extra(app)
    services.application_accept(application=app, actor=window_clerk)
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="审查已开始，不能再删除材料“经营场所平面布局图”"):
        services.material_remove(application=app, actor=None, material=row)
    assert ApplicationMaterial.objects.filter(pk=row.pk).exists()
    assert default_storage.exists(row.stored_name)


def test_a_staff_member_needs_the_permission(supermarket, window_clerk, auditor):
    app = submit(supermarket)
    row = _extra(app)
    with pytest.raises(PermissionDenied):
        services.material_remove(application=app, actor=auditor, material=row)
    assert ApplicationMaterial.objects.filter(pk=row.pk).exists()
    services.material_remove(application=app, actor=window_clerk, material=row)
    assert not ApplicationMaterial.objects.filter(pk=row.pk).exists()


def test_another_applications_material_is_refused(supermarket):
    app, other = submit(supermarket), submit(supermarket)
    theirs = _extra(other)
    with pytest.raises(ValidationError, match="不属于本申请"):
        services.material_remove(application=app, actor=None, material=theirs)
    assert ApplicationMaterial.objects.filter(pk=theirs.pk).exists()


def test_portal_page_offers_and_performs_the_removal(client, supermarket):
    app = submit(supermarket)
    row = _extra(app)
    url = f"/portal/applications/{app.number}/materials/{row.pk}/remove/"
    assert client.post(url).status_code == 404  # this browser has not looked it up
    client.post("/portal/progress/", {"number": app.number, "phone": "13812345678"})
    page = client.get(f"/portal/applications/{app.number}/").content.decode()
    assert url in page
    response = client.post(url, follow=True)
    assert "已删除文件“错传的文件.pdf”" in response.content.decode()
    assert not ApplicationMaterial.objects.filter(pk=row.pk).exists()


def test_portal_page_hides_removal_once_review_has_begun(client, supermarket, window_clerk):
    app = submit(supermarket)
    row = _extra(app)
    services.application_accept(application=app, actor=window_clerk)
    client.post("/portal/progress/", {"number": app.number, "phone": "13812345678"})
    url = f"/portal/applications/{app.number}/materials/{row.pk}/remove/"
    assert url not in client.get(f"/portal/applications/{app.number}/").content.decode()
    response = client.post(url, follow=True)
    assert "审查已开始" in response.content.decode()
    assert ApplicationMaterial.objects.filter(pk=row.pk).exists()


def test_window_page_offers_and_performs_the_removal(client, supermarket, window_clerk, outsider):
    app = submit(supermarket, actor=window_clerk)
    row = _extra(app, window_clerk)
    url = f"/licensing/applications/{app.number}/materials/{row.pk}/remove/"
    client.force_login(outsider)
    assert client.post(url).status_code in (403, 404)
    assert ApplicationMaterial.objects.filter(pk=row.pk).exists()
    client.force_login(window_clerk)
    assert url in client.get(f"/licensing/applications/{app.number}/").content.decode()
    response = client.post(url, follow=True)
    assert "已删除误传的材料文件" in response.content.decode()
    assert not ApplicationMaterial.objects.filter(pk=row.pk).exists()


def test_a_long_file_name_keeps_its_extension(supermarket):
    app = submit(supermarket)
    row = services.material_add(
        application=app, actor=None, material_key="layout", upload=pdf("长" * 300 + ".pdf")
    )
    assert row.original_name.endswith("….pdf") and len(row.original_name) <= 200
