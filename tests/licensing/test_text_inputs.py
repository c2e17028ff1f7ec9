"""The licensing forms parsed by hand check their text through core.text like every other
edge: a bidi override, a zero-width or control character, or a name without a letter is
refused beside its field, on the window, on the portal and in the actions, and nothing is
stored."""

from __future__ import annotations

import pytest

from regulus.licensing.models import Application
from tests.licensing.conftest import all_files, submit

pytestmark = pytest.mark.django_db


def _form(supermarket, **over):  # type: ignore[no-untyped-def]
    data = {"bundle": "open-supermarket", "applicant_name": "芙蓉区新开超市有限公司",
            "entity_kind": "enterprise", "contact_name": "赵六",
            "contact_id_number": "11010519491231002X", "contact_phone": "13800000001",
            "address": "芙蓉区八一路8号", "district_code": "430102", "path": "normal",
            "delivery_method": "pickup", **over}  # fmt: skip
    for key, files in all_files(supermarket).items():
        data[f"material_{key}"] = files[0]
    return data


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("contact_name", "赵\u202e六", "文字方向控制字符（U+202E）"),
        ("applicant_name", "+1+1", "须含有汉字或拉丁字母"),
        ("address", "八一路\u200b8号", "不可见字符（U+200B）"),
        ("business_scope", "食品\x1b销售", "控制字符（U+001B）"),
    ],
)
def test_window_and_portal_forms_refuse_hostile_text_beside_the_field(
    client, window_clerk, supermarket, field, value, words
):
    client.force_login(window_clerk)
    page = client.post("/licensing/applications/new/?bundle=open-supermarket",
                       _form(supermarket, **{field: value}))  # fmt: skip
    assert page.status_code == 200 and words in page.content.decode()
    client.logout()
    page = client.post("/portal/apply/open-supermarket/", _form(supermarket, **{field: value}))
    assert words in page.content.decode()
    assert not Application.objects.exists()


def test_an_action_note_with_a_bidi_override_is_refused_and_changes_nothing(
    client, window_clerk, supermarket
):
    app = submit(supermarket, actor=window_clerk)
    client.force_login(window_clerk)
    response = client.post(
        f"/licensing/applications/{app.number}/act/not_accept/",
        {"note": "材料\u202e不全"},
        follow=True,
    )
    assert "意见含有不允许的文字方向控制字符" in response.content.decode()
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED


def test_a_correction_notice_lists_only_the_applications_own_materials(
    client, window_clerk, supermarket
):
    """A posted item key that is no material of the application became the item's name."""
    app = submit(supermarket, actor=window_clerk)
    client.force_login(window_clerk)
    response = client.post(
        f"/licensing/applications/{app.number}/correction/",
        {"items": ["premises", "伪造\u202e材料"], "problem_premises": "租赁合同过期"},
        follow=True,
    )
    assert "不在本申请的材料清单中" in response.content.decode()
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and not app.correction_notice


def test_the_portal_commitment_signer_must_be_a_name(client, supermarket):
    from regulus.portal.views import SESSION_KEY

    app = submit(supermarket)
    session = client.session
    session[SESSION_KEY] = [app.number]
    session.save()
    response = client.post(
        f"/portal/applications/{app.number}/commitment/",
        {"agree": "1", "signer": "=1+2"},
        follow=True,
    )
    assert "承诺人姓名“=1+2”须含有汉字或拉丁字母" in response.content.decode()
    app.refresh_from_db()
    assert not app.commitment_signed_at
