"""Photos and files of a result: core.files checks every upload; only an assigned inspector
adds or removes them, never after publication; the outsider cannot open them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from regulus.inspections import services
from regulus.inspections.models import ResultFile, Target
from regulus.inspections.services.files import result_file_add, result_file_remove

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _assigned(drawn):
    target = Target.objects.filter(task=drawn).order_by("position").first()
    return target, target.assignments.filter(active=True).first().inspector.user


def test_the_inspector_adds_a_photo_and_removes_it(drawn):
    target, inspector = _assigned(drawn)
    row = result_file_add(
        actor=inspector, target=target, upload=SimpleUploadedFile("现场.jpg", JPEG)
    )
    assert row.content_type == "image/jpeg" and row.size == len(JPEG)
    result_file_remove(actor=inspector, row=row)
    assert not ResultFile.objects.exists()


def test_a_file_whose_content_is_not_its_extension_is_refused(drawn):
    target, inspector = _assigned(drawn)
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 not a picture")
    with pytest.raises(ValidationError, match="内容不是JPEG图片"):
        result_file_add(actor=inspector, target=target, upload=fake)
    with pytest.raises(ValidationError, match="类型不允许"):
        result_file_add(actor=inspector, target=target, upload=SimpleUploadedFile("a.exe", b"MZ"))
    assert not ResultFile.objects.exists()


def test_only_an_assigned_inspector_uploads_and_never_after_publication(
    drawn, handler, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    with pytest.raises(ValidationError, match="抽中检查该对象的检查人员"):
        result_file_add(actor=handler, target=target, upload=SimpleUploadedFile("a.jpg", JPEG))
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    services.result_enter(
        actor=inspector,
        target=target,
        codes={i.pk: "1" for i in target.task.items.all()},
        checked_on=dt.date(2026, 3, 16),
    )
    services.result_publish(actor=handler, target=target)
    target.refresh_from_db()
    with pytest.raises(ValidationError, match="已公示"):
        result_file_add(actor=inspector, target=target, upload=SimpleUploadedFile("a.jpg", JPEG))
    assert not ResultFile.objects.exists()


def test_the_page_uploads_and_serves_it_and_the_outsider_gets_404(client, drawn, outsider):
    target, inspector = _assigned(drawn)
    client.force_login(inspector)
    url = reverse("inspections:target_result", args=[target.pk])
    client.post(url, {"action": "file_add", "file": SimpleUploadedFile("现场.jpg", JPEG)})
    row = ResultFile.objects.get(target=target)
    file_url = reverse("inspections:result_file", args=[target.pk, row.pk])
    assert b"".join(client.get(file_url).streaming_content) == JPEG
    client.force_login(outsider)
    assert client.get(file_url).status_code == 404
