"""The window's application form says what it needs before it is sent, and what happened after:
a field the service requires is marked so, an unchosen district is asked for (not quoted as an
empty code), and the flash after submission names the state the application is in."""

from __future__ import annotations

import re

from django.contrib.messages import get_messages

from regulus.licensing.models import Application
from tests.licensing.conftest import all_files

FORM_URL = "/licensing/applications/new/?bundle=open-supermarket"


def _label_of(page: str, field: str) -> str:
    """The label text of the form control named `field`."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*id="([^"]+)"[^>]*name="{field}"', page)
    assert control, f"没有名为 {field} 的输入项"
    label = re.search(rf'<label[^>]*for="{control.group(1)}"[^>]*>(.*?)</label>', page, re.S)
    assert label, f"{field} 没有标签"
    return label.group(1)


def test_every_field_the_service_requires_of_a_new_business_is_marked_required(
    client, window_clerk, supermarket
):
    """An empty new-business form is refused field by field; each field refused for being
    empty carries the required mark on its label, so the clerk knew before sending it."""
    client.force_login(window_clerk)
    page = client.post(FORM_URL, {"bundle": "open-supermarket", "path": "normal"}).content.decode()
    refused = re.findall(r'name="(\w+)"[^>]*>\s*<div class="invalid-feedback', page)
    refused += re.findall(r'class="form-control is-invalid" id="[^"]+" name="(\w+)"', page)
    refused += re.findall(r'class="form-select is-invalid" id="[^"]+" name="(\w+)"', page)
    assert {"applicant_name", "entity_kind", "district_code", "contact_id_number"} <= set(refused)
    for field in set(refused):
        assert 'class="text-danger">*</span>' in _label_of(page, field), field


def test_window_form_without_a_district_asks_to_choose_one(client, window_clerk, supermarket):
    client.force_login(window_clerk)
    page = client.post(FORM_URL, {"bundle": "open-supermarket"}).content.decode()
    assert "请选择所属区县" in page
    assert "“”" not in page  # no message quotes an empty value
    assert "新设主体须填写申请人身份证号码" in page
    assert "实际为0位" not in page


def test_flash_after_window_submission_names_the_state_the_application_is_in(
    client, window_clerk, supermarket
):
    """Taking an application in is not accepting it (受理 is a decision of its own): the
    flash must not say 已受理 while the application waits for it."""
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
    response = client.post(FORM_URL, data)
    app = Application.objects.get()
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert flashed == [f"已收件，申请编号 {app.number}，当前状态：{app.get_state_display()}"]
    assert app.get_state_display() == "待受理"
    assert not any("已受理" in m for m in flashed)
