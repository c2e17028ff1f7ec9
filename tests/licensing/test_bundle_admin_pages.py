"""一件事套餐 maintenance in the staff UI: the system administrator (the role that edits the
matter catalogue) lists, creates and edits bundles; every change is audited; a change never
reaches applications already submitted; an inactive bundle leaves the portal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.audit import verify_chain
from regulus.core.models import AuditLog
from regulus.licensing import services
from regulus.licensing.forms import error_dict
from regulus.licensing.models import Bundle, BundleMatter, Matter
from tests.licensing.conftest import submit

NEW_BUNDLE = {
    "code": "open-bakery",
    "name": "开办烘焙店",
    "description": "营业执照与食品经营许可一次申请",
    "icon": "cake2",
    "is_active": "1",
    "sort_order": "20",
}


def matter_codes(bundle: Bundle) -> list[str]:
    return list(
        BundleMatter.objects.filter(bundle=bundle)
        .order_by("sort_order", "id")
        .values_list("matter__code", flat=True)
    )


def test_staff_can_create_bundle_with_matters(client, city_admin, catalogue):
    client.force_login(city_admin)
    assert client.get("/licensing/bundles/new/").status_code == 200
    response = client.post(
        "/licensing/bundles/new/",
        {
            **NEW_BUNDLE,
            "matter": ["REG-SL", "SP-XS", "SP-CY"],
            "order_SP-XS": "2",
            "order_SP-CY": "3",
            "order_REG-SL": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/licensing/bundles/open-bakery/edit/"
    bundle = Bundle.objects.get(code="open-bakery")
    assert (bundle.name, bundle.icon, bundle.is_active, bundle.sort_order) == (
        "开办烘焙店",
        "cake2",
        True,
        20,
    )
    assert matter_codes(bundle) == ["REG-SL", "SP-XS", "SP-CY"]
    listing = client.get("/licensing/bundles/").content.decode()
    assert "开办烘焙店" in listing and 'data-testid="bundle-open-bakery"' in listing
    edit = client.get(response["Location"]).content.decode()
    assert "食品销售" in edit or "SP-XS" in edit
    # The new bundle is on the portal and takes applications.
    assert "开办烘焙店" in client.get("/portal/").content.decode()
    app = submit(bundle)
    assert sorted(app.items.values_list("matter__code", flat=True)) == [
        "REG-SL",
        "SP-CY",
        "SP-XS",
    ]


def test_bundle_list_shows_every_bundle_its_matters_and_application_count(
    client, city_admin, supermarket, catalogue
):
    submit(supermarket)
    services.bundle_update(actor=city_admin, bundle=catalogue["open-pharmacy"], is_active=False)
    client.force_login(city_admin)
    page = client.get("/licensing/bundles/").content.decode()
    assert 'data-testid="count-open-supermarket">1<' in page
    assert 'data-testid="count-open-restaurant">0<' in page
    pharmacy = page.split('data-testid="bundle-open-pharmacy"')[1].split("</tr>")[0]
    assert "停用" in pharmacy and "药品零售" in pharmacy


def test_bundle_code_must_be_unique_with_field_message(client, city_admin, catalogue):
    client.force_login(city_admin)
    before = Bundle.objects.count()
    page = client.post(
        "/licensing/bundles/new/",
        {**NEW_BUNDLE, "code": "open-supermarket", "matter": ["SP-XS"]},
    ).content.decode()
    assert 'data-testid="error-code"' in page
    assert "编码“open-supermarket”已被一件事“开办超市”使用，编码不能重复" in page
    assert 'value="开办烘焙店"' in page  # what was typed is kept
    with pytest.raises(ValidationError) as caught:
        services.bundle_create(
            actor=city_admin, code="Open Bakery", name="开办烘焙店", matter_codes=["SP-XS"]
        )
    assert "小写英文字母" in error_dict(caught.value)["code"]
    assert Bundle.objects.count() == before
    assert Bundle.objects.get(code="open-supermarket").name == "开办超市"


def test_bundle_needs_at_least_one_matter(client, city_admin, supermarket):
    client.force_login(city_admin)
    page = client.post("/licensing/bundles/new/", {**NEW_BUNDLE}).content.decode()
    assert "一件事至少要包含一个事项" in page
    assert not Bundle.objects.filter(code="open-bakery").exists()
    before = matter_codes(supermarket)
    audits = AuditLog.objects.count()
    response = client.post(
        "/licensing/bundles/open-supermarket/edit/",
        {"form": "matters", "matter": before, "remove": before},
    )
    assert "一件事至少要包含一个事项" in response.content.decode()
    assert matter_codes(supermarket) == before
    assert AuditLog.objects.count() == audits


def test_inactive_matter_cannot_be_added(client, city_admin, supermarket):
    restaurant = Matter.objects.get(code="SP-CY")
    services.matter_update(actor=city_admin, matter=restaurant, is_active=False)
    before = matter_codes(supermarket)
    with pytest.raises(ValidationError) as caught:
        services.bundle_set_matters(
            actor=city_admin, bundle=supermarket, matter_codes=[*before, "SP-CY"]
        )
    message = error_dict(caught.value)["matters"]
    assert restaurant.name in message and "已停用，只能加入启用的事项" in message
    with pytest.raises(ValidationError, match="已停用"):
        services.bundle_create(
            actor=city_admin, code="open-bakery", name="开办烘焙店", matter_codes=["SP-CY"]
        )
    assert matter_codes(supermarket) == before
    # The add list offers active matters only.
    client.force_login(city_admin)
    page = client.get("/licensing/bundles/open-supermarket/edit/").content.decode()
    assert 'option value="SP-CY"' not in page and 'option value="SP-BA"' in page
    # A matter deactivated while in the bundle may stay there (and be reordered).
    food = Matter.objects.get(code="SP-XS")
    services.matter_update(actor=city_admin, matter=food, is_active=False)
    services.bundle_set_matters(
        actor=city_admin, bundle=supermarket, matter_codes=list(reversed(before))
    )
    assert matter_codes(supermarket) == list(reversed(before))


def test_a_matter_appears_at_most_once_in_a_bundle(client, city_admin, supermarket):
    before = matter_codes(supermarket)
    with pytest.raises(ValidationError) as caught:
        services.bundle_set_matters(
            actor=city_admin, bundle=supermarket, matter_codes=[*before, "SP-XS"]
        )
    assert "重复出现，同一事项在一件事中只能出现一次" in error_dict(caught.value)["matters"]
    client.force_login(city_admin)
    page = client.post(
        "/licensing/bundles/open-supermarket/edit/",
        {"form": "matters", "matter": before, "add": "SP-XS"},
    ).content.decode()
    assert "只能出现一次" in page
    assert matter_codes(supermarket) == before


def test_matters_are_added_removed_and_reordered_on_the_edit_page(client, city_admin, supermarket):
    client.force_login(city_admin)
    url = "/licensing/bundles/open-supermarket/edit/"
    assert matter_codes(supermarket) == ["REG-SL", "SP-XS", "YLQX-2BA"]
    client.post(
        url,
        {
            "form": "matters",
            "matter": ["REG-SL", "SP-XS", "YLQX-2BA"],
            "order_REG-SL": "1",
            "order_SP-XS": "3",
            "order_YLQX-2BA": "2",
            "remove": ["YLQX-2BA"],
            "add": "SP-BA",
        },
    )
    assert matter_codes(supermarket) == ["REG-SL", "SP-XS", "SP-BA"]
    client.post(
        url, {"form": "matters", "matter": ["REG-SL", "SP-XS", "SP-BA"], "move": "up:SP-BA"}
    )
    assert matter_codes(supermarket) == ["REG-SL", "SP-BA", "SP-XS"]
    page = client.get(url).content.decode()
    assert page.index('data-testid="row-SP-BA"') < page.index('data-testid="row-SP-XS"')
    # Typing 1 for the last one puts it first (a changed number wins the tie).
    client.post(
        url,
        {
            "form": "matters",
            "matter": ["REG-SL", "SP-BA", "SP-XS"],
            "order_REG-SL": "1",
            "order_SP-BA": "2",
            "order_SP-XS": "1",
        },
    )
    assert matter_codes(supermarket) == ["SP-XS", "REG-SL", "SP-BA"]


def test_removing_a_matter_keeps_submitted_applications_unchanged(
    client, city_admin, handler, window_clerk, supermarket
):
    app = submit(supermarket, actor=window_clerk)
    items_before = list(
        app.items.order_by("id").values_list(
            "matter__code", "rule_effective_from", "statutory_days", "promised_days"
        )
    )
    limits_before = (app.statutory_days, app.promised_days, app.onsite_check_required)
    services.bundle_set_matters(
        actor=city_admin, bundle=supermarket, matter_codes=["REG-SL", "YLQX-2BA"]
    )
    app.refresh_from_db()
    items_after = list(
        app.items.order_by("id").values_list(
            "matter__code", "rule_effective_from", "statutory_days", "promised_days"
        )
    )
    assert items_after == items_before and "SP-XS" in [i[0] for i in items_after]
    assert (app.statutory_days, app.promised_days, app.onsite_check_required) == limits_before
    client.force_login(handler)
    page = client.get(f"/licensing/applications/{app.number}/").content.decode()
    assert Matter.objects.get(code="SP-XS").name in page
    # Only new applications follow the bundle's new matters.
    later = submit(supermarket)
    assert sorted(later.items.values_list("matter__code", flat=True)) == ["REG-SL", "YLQX-2BA"]


def test_deactivated_bundle_keeps_its_submitted_applications_going(
    city_admin, handler, window_clerk, supermarket
):
    app = submit(supermarket, actor=window_clerk)
    services.bundle_update(actor=city_admin, bundle=supermarket, is_active=False)
    services.application_accept(application=app, actor=handler, note="")
    app.refresh_from_db()
    assert app.state == "review" and app.items.count() == 3
    with pytest.raises(ValidationError, match="已停止办理"):
        submit(supermarket)


def test_inactive_bundle_is_hidden_from_the_portal(client, city_admin, window_clerk, supermarket):
    assert "开办超市" in client.get("/portal/").content.decode()
    staff = client.__class__()
    staff.force_login(city_admin)
    response = staff.post(
        "/licensing/bundles/open-supermarket/edit/",
        {
            "form": "bundle",
            "name": "开办超市",
            "description": supermarket.description,
            "icon": "cart3",
            "sort_order": "0",
        },  # "is_active" unticked
    )
    assert response.status_code == 302
    supermarket.refresh_from_db()
    assert not supermarket.is_active
    home = client.get("/portal/").content.decode()
    assert "开办超市" not in home and "开办药店" in home
    assert client.get("/portal/apply/open-supermarket/").status_code == 404
    staff.force_login(window_clerk)
    api = staff.get("/api/v1/licensing/bundles")
    codes = [b["code"] for b in api.json()]
    assert api.status_code == 200 and "open-pharmacy" in codes and "open-supermarket" not in codes
    assert staff.get("/licensing/applications/new/?bundle=open-supermarket").status_code == 404
    # The staff list still shows it, as inactive, to be switched on again.
    staff.force_login(city_admin)
    assert "开办超市" in staff.get("/licensing/bundles/").content.decode()


def test_bundle_change_is_audited(client, city_admin, supermarket):
    client.force_login(city_admin)
    client.post(
        "/licensing/bundles/open-supermarket/edit/",
        {
            "form": "matters",
            "matter": ["REG-SL", "SP-XS", "YLQX-2BA"],
            "remove": ["YLQX-2BA"],
            "add": "SP-BA",
        },
    )
    row = AuditLog.objects.filter(object_type="licensing.bundle").latest("id")
    assert row.action == AuditLog.Action.UPDATE and row.actor == city_admin
    assert row.changes == {
        "matters": [["REG-SL", "SP-XS", "YLQX-2BA"], ["REG-SL", "SP-XS", "SP-BA"]]
    }
    assert "加入" in row.summary and "移除" in row.summary
    services.bundle_update(actor=city_admin, bundle=supermarket, name="开办超市（便民）")
    row = AuditLog.objects.filter(object_type="licensing.bundle").latest("id")
    assert row.changes == {"name": ["开办超市", "开办超市（便民）"]}
    bundle = services.bundle_create(
        actor=city_admin,
        code="open-bakery",
        name="开办烘焙店",
        icon="cake2",
        matter_codes=["REG-SL", "SP-XS"],
    )
    row = AuditLog.objects.filter(object_type="licensing.bundle").latest("id")
    assert row.action == AuditLog.Action.CREATE and row.object_id == str(bundle.pk)
    assert row.changes["matters"] == [None, ["REG-SL", "SP-XS"]]
    assert row.changes["code"] == [None, "open-bakery"]
    # Saving without a change writes nothing.
    count = AuditLog.objects.count()
    services.bundle_update(actor=city_admin, bundle=bundle, name="开办烘焙店")
    services.bundle_set_matters(actor=city_admin, bundle=bundle, matter_codes=["REG-SL", "SP-XS"])
    assert AuditLog.objects.count() == count
    assert verify_chain().ok


def test_bundle_fields_are_checked_by_name(client, city_admin, supermarket):
    client.force_login(city_admin)
    page = client.post(
        "/licensing/bundles/open-supermarket/edit/",
        {"form": "bundle", "name": "", "icon": "rocket", "sort_order": "0", "is_active": "1"},
    ).content.decode()
    assert "请填写名称" in page and "请从列出的图标中选择一个" in page
    page = client.post(
        "/licensing/bundles/open-supermarket/edit/",
        {"form": "bundle", "name": "开办超市", "icon": "cart3", "sort_order": "第一"},
    ).content.decode()
    assert "排序应为不小于0的整数" in page
    supermarket.refresh_from_db()
    assert (supermarket.name, supermarket.icon, supermarket.is_active) == (
        "开办超市",
        "cart3",
        True,
    )


def test_bundle_industry_is_edited_on_its_page_and_checked(client, city_admin, supermarket):
    """The industry a bundle's new businesses are registered in: a GB/T 4754 大类 code,
    refused with the field's message otherwise (and nothing changes)."""
    client.force_login(city_admin)
    form = {"form": "bundle", "name": "开办超市", "icon": "cart3", "sort_order": "0"}
    page = client.post(
        "/licensing/bundles/open-supermarket/edit/", {**form, "industry_code": "99"}
    ).content.decode()
    assert "行业大类“99”不是GB/T 4754的两位大类代码（如零售业52）" in page
    supermarket.refresh_from_db()
    assert supermarket.industry_code == "52"
    client.post("/licensing/bundles/open-supermarket/edit/", {**form, "industry_code": "51"})
    supermarket.refresh_from_db()
    assert supermarket.industry_code == "51"
    row = AuditLog.objects.filter(object_id=str(supermarket.pk)).latest("id")
    assert row.changes["industry_code"] == ["52", "51"]


def test_role_without_permission_cannot_edit_bundles(
    client, handler, outsider, city_admin, catalogue
):
    for user in (handler, outsider):
        client.force_login(user)
        assert client.get("/licensing/bundles/").status_code == 403
        assert client.get("/licensing/bundles/new/").status_code == 403
        assert client.get("/licensing/bundles/open-supermarket/edit/").status_code == 403
        response = client.post(
            "/licensing/bundles/open-supermarket/edit/",
            {"form": "bundle", "name": "改名", "icon": "shop", "sort_order": "0"},
        )
        assert response.status_code == 403
        assert (
            client.post("/licensing/bundles/new/", {**NEW_BUNDLE, "matter": "SP-XS"}).status_code
            == 403
        )
        assert "一件事套餐维护" not in client.get("/").content.decode()
    assert Bundle.objects.get(code="open-supermarket").name == "开办超市"
    assert not Bundle.objects.filter(code="open-bakery").exists()
    # A refusal is PermissionDenied (403), not a ValidationError (422), naming who may.
    with pytest.raises(PermissionDenied, match="仅限系统管理员"):
        services.bundle_update(actor=handler, bundle=catalogue["open-supermarket"], name="改名")
    with pytest.raises(PermissionDenied, match="仅限系统管理员"):
        services.bundle_set_matters(
            actor=handler, bundle=catalogue["open-supermarket"], matter_codes=["SP-XS"]
        )
    client.force_login(city_admin)
    home = client.get("/").content.decode()
    assert "一件事套餐维护" in home and "/licensing/bundles/" in home
    assert client.get("/licensing/bundles/no-such-bundle/edit/").status_code == 404
