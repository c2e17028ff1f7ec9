"""企业信息查询 on the portal: anyone finds an entity by a part of its name or its USCC and
sees its public record (the legal representative's name masked, no ID number or phone);
nobody finds entities by a person's name or ID number; lookups are rate limited."""

from __future__ import annotations

import datetime as dt

import pytest

from regulus.core import ids
from regulus.registry import services
from tests.registry.conftest import make_entity

ID_NUMBER = ids.make_id_number("430102", dt.date(1975, 3, 1), 13)


@pytest.fixture
def shop(handler):
    entity = make_entity(
        handler,
        "长沙市芙蓉区鑫达便利超市",
        kind="individual",
        legal_rep_name="王建军",
        legal_rep_id_number=ID_NUMBER,
        phone="13912345678",
        address="长沙市芙蓉区五一大道1号",
        business_scope="食品销售（仅销售预包装食品）；日用百货销售",
        industry_code="52",
        registration_authority="长沙市芙蓉区市场监督管理局",
    )
    return services.entity_update(actor=handler, entity=entity, name="长沙市芙蓉区鑫达超市")


def test_a_fragment_of_the_name_or_a_former_name_finds_the_entity(client, shop):
    for q in ("鑫达", "鑫达超市", "鑫达便利"):  # current name, and the former one
        page = client.get("/portal/entities/", {"q": q}).content.decode()
        assert "长沙市芙蓉区鑫达超市" in page and shop.uscc in page, q
        assert "共 1 户" in page
    page = client.get("/portal/entities/", {"q": shop.uscc.lower()}).content.decode()
    assert f"/portal/entities/{shop.uscc}/" in page


def test_the_public_record_masks_the_legal_rep_and_shows_no_contact_or_id(client, shop):
    page = client.get(f"/portal/entities/{shop.uscc}/").content.decode()
    assert "王某某" in page and "王建军" not in page
    assert ID_NUMBER not in page and ID_NUMBER[-4:] not in page
    assert "13912345678" not in page and "监管所" not in page
    assert "长沙市芙蓉区五一大道1号" in page and "日用百货销售" in page
    assert "F 批发和零售业 · 大类 52" in page and "长沙市芙蓉区市场监督管理局" in page
    assert "长沙市芙蓉区鑫达便利超市（至" in page  # the former name, with its end


def test_nobody_finds_entities_by_a_persons_name_or_id_number(client, handler, shop):
    for q in ("王建军", ID_NUMBER):
        page = client.get("/portal/entities/", {"q": q}).content.decode()
        assert shop.uscc not in page and "未查到" in page, q
    # Staff do find them by the name (the same index).
    client.force_login(handler)
    assert shop.uscc in client.get("/registry/entities/", {"q": "王建军"}).content.decode()


def test_one_character_asks_for_two_and_an_unknown_code_is_404(client, shop):
    page = client.get("/portal/entities/", {"q": "鑫"}).content.decode()
    assert "至少两个字" in page and shop.uscc not in page
    missing = ids.make_uscc("9", "1", "430102", ids.make_org_code("X0000001"))
    response = client.get(f"/portal/entities/{missing}/")
    assert response.status_code == 404
    # In the portal's own look, with what was not found; not the staff's shell.
    page = response.content.decode()
    assert "政务服务" in page and "未查到该统一社会信用代码的市场主体" in page
    assert "返回工作台" not in page and "退出" not in page
    page = client.get("/portal/no-such-page/").content.decode()
    assert "您访问的页面不存在。" in page and "tried" not in page and "退出" not in page


def test_at_most_twenty_are_listed_with_the_total(client, handler):
    for n in range(23):
        make_entity(handler, f"长沙市芙蓉区连锁便利店第{n}分店", kind="individual")
    page = client.get("/portal/entities/", {"q": "连锁便利"}).content.decode()
    assert "共 23 户" in page and "只显示其中 20 户" in page
    assert page.count('class="list-group-item list-group-item-action"') == 20


def test_lookups_are_limited_per_address(client, shop, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_entity": (2, 60)}
    assert client.get("/portal/entities/", {"q": "鑫达"}).status_code == 200
    assert client.get(f"/portal/entities/{shop.uscc}/").status_code == 200
    refused = client.get("/portal/entities/", {"q": "鑫达"})
    assert refused.status_code == 429 and "企业信息查询次数过多" in refused.content.decode()
    # The empty form is not a lookup.
    assert client.get("/portal/entities/").status_code == 200
