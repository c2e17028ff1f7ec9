"""Similar items against the same respondent, shown to the dispatcher: facts alike by
character bigrams within the window either side, the same respondent only, in scope, never
the person who filed them."""

from __future__ import annotations

import datetime as dt

from regulus.complaints import selectors
from tests.complaints.conftest import REPORTER, file_item

D = dt.date


def test_bigram_similarity_finds_the_same_matter_told_in_other_words():
    a = selectors.bigrams("销售假冒立白洗衣液，包装粗糙")
    b = selectors.bigrams("他们卖的立白洗衣液是假冒的！包装很粗糙。")
    c = selectors.bigrams("奶茶店卫生条件差，有苍蝇")
    assert selectors.similarity(a, b) > 0.4 > 0.1 > selectors.similarity(a, c)
    assert selectors.similarity(a, set()) == 0.0


def test_the_dispatcher_sees_alike_items_of_the_same_respondent_in_the_window(
    rules, dispatcher, outsider, client
):
    first = file_item(on=D(2026, 5, 4), facts="销售假冒立白洗衣液，包装粗糙。")
    alike = file_item(
        on=D(2026, 5, 20),
        facts="他们卖的立白洗衣液是假冒的，包装很粗糙。",
        person_name="张三",
        person_phone="13800138001",
    )
    other_matter = file_item(on=D(2026, 5, 21), facts="店内奶茶过期，卫生条件差。")
    too_late = file_item(on=D(2026, 6, 30), facts="销售假冒立白洗衣液，包装粗糙！")
    elsewhere = file_item(
        on=D(2026, 5, 20), facts="销售假冒立白洗衣液，包装粗糙。", respondent_name="另一家批发部"
    )
    found = selectors.similar_items(dispatcher, [first, alike, other_matter, elsewhere])
    assert [s.item for s in found[first.pk]] == [alike]
    assert [s.item for s in found[alike.pk]] == [first]
    assert other_matter.pk not in found and elsewhere.pk not in found
    assert too_late.pk not in {s.item.pk for s in found[first.pk]}
    assert selectors.similar_items(outsider, [first]) == {}
    client.force_login(dispatcher)
    page = client.get("/complaints/dispatch/").content.decode()
    assert f'data-testid="similar-{first.number}"' in page and alike.number in page
    assert REPORTER not in page and "张三" not in page
    detail = client.get(f"/complaints/items/{first.number}/").content.decode()
    assert 'data-testid="similar"' in detail
