"""The rules of 一件事一次办: one notice, one set of materials, limits frozen at submission,
bad input refused with nothing changed, the commitment path and its consequences."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from regulus.core.models import AuditLog, TransitionEvent
from regulus.licensing import selectors, services
from regulus.licensing.models import (
    Application,
    ApplicationMaterial,
    Certificate,
    Matter,
    VerificationTask,
)
from tests.licensing.conftest import PDF, all_files, pdf, submit

S = Application.State


def test_materials_union_is_deduplicated_by_shared_key(catalogue):
    bundle = catalogue["open-pharmacy"]
    matters = selectors.bundle_matters(bundle, new_business=True)
    union = selectors.materials_union(matters)
    keys = [m.key for m in union]
    assert len(keys) == len(set(keys))
    premises = next(m for m in union if m.key == "premises")
    assert len(premises.matters) == 4  # one lease serves all four matters
    total_asked = sum(m.matter_materials.count() for m in matters)
    assert len(union) < total_asked


def test_submission_without_materials_lists_every_missing_one(supermarket):
    with pytest.raises(ValidationError) as exc:
        submit(supermarket, files={})
    message = exc.value.message_dict["materials"][0]
    for name in ("设立登记申请书", "经营场所使用证明", "食品安全管理制度", "质量管理制度文件"):
        assert name in message
    assert not Application.objects.exists()


def test_file_whose_content_is_not_its_extension_is_refused(supermarket):
    files = all_files(supermarket)
    files["premises"] = [SimpleUploadedFile("租赁协议.png", PDF)]
    with pytest.raises(ValidationError, match="内容不是PNG图片"):
        submit(supermarket, files=files)
    assert not ApplicationMaterial.objects.exists()


def test_oversize_file_is_refused(supermarket, settings):
    settings.UPLOAD_MAX_MB = 1
    files = all_files(supermarket)
    files["premises"] = [SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1))]
    with pytest.raises(ValidationError, match="超过上限1MB"):
        submit(supermarket, files=files)


def test_applicant_id_failing_its_check_character_is_refused(supermarket):
    with pytest.raises(ValidationError, match="校验位错误"):
        submit(supermarket, contact_id_number="110105194912310021")


def test_bundle_not_applicable_to_the_entity_kind_is_refused(catalogue):
    bundle = catalogue["open-pharmacy"]
    with pytest.raises(ValidationError, match="农民专业合作社不适用以下事项：药品零售许可"):
        submit(bundle, entity_kind="cooperative", files=all_files(bundle))


def test_commitment_path_refused_when_a_matter_does_not_allow_it(catalogue):
    bundle = catalogue["open-device-store"]
    with pytest.raises(ValidationError, match="不实行告知承诺制：第三类医疗器械经营许可"):
        submit(bundle, path="commitment", files=all_files(bundle))


def test_commitment_path_requires_the_signature(supermarket):
    with pytest.raises(ValidationError, match="签署承诺书"):
        submit(supermarket, path="commitment", commitment_signed=False)


def test_limits_in_force_at_submission_are_kept_after_a_rule_change(supermarket, city_admin):
    food = Matter.objects.get(code="SP-XS")
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        before = submit(supermarket)
    services.matter_rule_add(
        actor=city_admin,
        matter=food,
        effective_from=dt.date(2026, 4, 1),
        statutory_days=15,
        promised_days=8,
        verification_days=20,
    )
    with time_machine.travel(dt.datetime(2026, 4, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        after = submit(supermarket)
    item_before = before.items.get(matter=food)
    item_after = after.items.get(matter=food)
    assert (item_before.statutory_days, item_before.promised_days) == (10, 5)
    assert (item_after.statutory_days, item_after.promised_days) == (15, 8)
    assert after.promised_days == 8 and before.promised_days == 5


def test_acceptance_deadline_skips_national_day(supermarket):
    with time_machine.travel(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC), tick=False):
        app = submit(supermarket)
    # 5 working days after 09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert app.deadline == dt.date(2026, 10, 13)


def test_one_correction_notice_lists_every_item_and_only_once(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    items = [
        {"key": "premises", "name": "经营场所使用证明", "problem": "租赁期已满"},
        {"key": "layout", "name": "经营场所平面布局图", "problem": "未标明功能区"},
        {"key": "food-staff", "name": "食品安全管理人员及从业人员健康证明", "problem": ""},
    ]
    services.correction_request(application=app, actor=window_clerk, items=items)
    app.refresh_from_db()
    assert app.state == S.CORRECTION and len(app.correction_notice) == 3
    event = TransitionEvent.objects.get(object_id=str(app.pk), transition="request_correction")
    for text in (
        "1. 经营场所使用证明（租赁期已满）",
        "2. 经营场所平面布局图",
        "3. 食品安全管理人员",
    ):
        assert text in event.note
    assert app.deadline is None  # the applicant's turn: the bureau's clock stops
    services.application_resubmit(
        application=app, actor=window_clerk, files={"premises": [pdf("新租赁协议.pdf")]}
    )
    assert app.state == S.SUBMITTED and app.visits == 2
    with pytest.raises(ValidationError, match="一次性告知"):
        services.correction_request(application=app, actor=window_clerk, items=items)
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED


def test_correction_notice_must_list_items(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    with pytest.raises(ValidationError, match="一次性告知"):
        services.correction_request(application=app, actor=window_clerk, items=[])


def test_bad_upload_later_keeps_the_files_already_accepted(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    count = app.materials.count()
    services.material_add(
        application=app, actor=window_clerk, material_key="layout", upload=pdf("布局图2.pdf")
    )
    with pytest.raises(ValidationError, match="内容不是"):
        services.material_add(
            application=app,
            actor=window_clerk,
            material_key="layout",
            upload=SimpleUploadedFile("布局图3.jpg", b"not a jpeg"),
        )
    assert app.materials.count() == count + 1


def test_acceptance_refused_while_mandatory_materials_are_missing(supermarket, window_clerk):
    keys = list(all_files(supermarket))
    app = submit(supermarket, actor=window_clerk, files={}, paper_materials=keys)
    app.materials.filter(material__key="layout").delete()
    with pytest.raises(ValidationError, match="经营场所平面布局图"):
        services.application_accept(application=app, actor=window_clerk)
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED


def test_commitment_signed_after_issuance_is_refused(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk, files=None)
    services.application_accept(application=app, actor=window_clerk)
    services.commitment_sign(application=app, signer="张三")
    assert app.path == "commitment"
    services.application_fast_track(application=app, actor=handler)
    other = submit(supermarket, actor=window_clerk)
    services.commitment_sign(application=other, signer="张三")
    services.application_fast_track(application=other, actor=handler)
    Application.objects.filter(pk=other.pk).update(commitment_signed_at=None)
    other.refresh_from_db()
    with pytest.raises(ValidationError, match="不能再签署告知承诺书"):
        services.commitment_sign(application=other, signer="张三")
    assert Application.objects.get(pk=other.pk).commitment_signed_at is None


def test_false_commitment_rectify_then_revoke_hands_a_credit_fact_over(
    supermarket, window_clerk, handler
):
    app = submit(supermarket, actor=window_clerk, path="commitment")
    cert = services.application_fast_track(application=app, actor=handler)
    task = VerificationTask.objects.get(application=app)
    services.verification_order_rectification(
        task=task, actor=handler, findings="现场无冷藏设施", order="10日内配置冷藏设施"
    )
    assert task.state == "rectifying"
    handover = services.verification_revoke(task=task, actor=handler, reason="逾期未整改")
    app.refresh_from_db()
    cert.refresh_from_db()
    assert app.state == S.REVOKED and task.state == "revoked"
    assert cert.status == Certificate.Status.REVOKED
    assert (handover.kind, handover.topic) == ("credit", "licensing.false_commitment")
    assert handover.entity_id == app.entity_id and handover.source_number == app.number
    assert handover.data["certificate"] == cert.number and handover.data["adverse"] is True
    assert selectors.certificate_public(cert.number)["state"] == "revoked"
    assert AuditLog.objects.filter(object_type="core.handover").exists()


def test_revocation_only_for_the_commitment_path(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk)
    app.path = "normal"
    with pytest.raises(ValidationError):
        services.application_transition(application=app, name="revoke", actor=handler)


def test_certificate_verification_states(supermarket, window_clerk, handler):
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        cert = services.application_fast_track(application=app, actor=handler)
        assert selectors.certificate_public(cert.number)["state"] == "valid"
    assert cert.valid_until == dt.date(2031, 3, 1)
    with time_machine.travel(dt.datetime(2031, 3, 3, 2, 0, tzinfo=dt.UTC), tick=False):
        assert selectors.certificate_public(cert.number)["state"] == "expired"
    assert selectors.certificate_public("DZ000") is None


def test_new_business_gets_a_valid_uscc_on_issuance(supermarket, window_clerk, handler):
    from regulus.core import ids

    app = submit(supermarket, actor=window_clerk, path="commitment", entity_kind="individual")
    services.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    assert ids.validate_uscc(app.uscc) == app.uscc
    assert app.uscc[:2] == "92" and app.entity.kind == "individual"


def test_new_business_is_registered_by_the_issuing_unit_in_its_bundles_industry(
    supermarket, window_clerk, handler
):
    """The entity a bundle registers names the unit that issued it as its registration
    authority, and carries the bundle's industry (超市: 零售业, 门类 F) and the business scope
    of the application."""
    assert supermarket.industry_code == "52"  # the catalogue's (migration 0005)
    app = submit(
        supermarket,
        actor=window_clerk,
        path="commitment",
        entity_kind="individual",
        business_scope="食品销售；日用百货销售",
    )
    services.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    entity = app.entity
    assert entity.registration_authority == app.unit.name
    assert (entity.industry_section, entity.industry_code) == ("F", "52")
    assert entity.business_scope == "食品销售；日用百货销售"


def test_bundle_industry_must_be_a_gbt4754_division(supermarket):
    supermarket.industry_code = "99"
    with pytest.raises(ValidationError) as err:
        supermarket.full_clean()
    assert "行业大类“99”不是GB/T 4754的两位大类代码" in str(err.value.message_dict["industry_code"])
