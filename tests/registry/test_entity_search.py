"""Search: index-backed fragment search must equal a brute-force scan."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regulus.core.text import has_name_letter
from regulus.registry import search, services
from regulus.registry.models import Entity
from regulus.registry.selectors import (
    PUBLIC_RESULTS,
    EntityFilters,
    entity_search,
    public_entity_search,
)

from .conftest import make_entity

ALPHABET = "超市立白长沙店abAB1（"
# A name holds a letter (core.text): "11" or "1（" is no entity's name.
NAMES = st.lists(
    st.text(ALPHABET, min_size=2, max_size=8).filter(has_name_letter), min_size=1, max_size=12
)


def _search(user, q, **filters):
    result = entity_search(
        user=user, filters=EntityFilters.from_params({"q": q, **filters}), per_page=1000
    )
    return result


# The property tests' settings: each example makes a few entities in a transaction.
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _entities_named(actor, names):
    """Entities of these names; some legal representatives are named like a query can be
    (the staff's search finds them by it, the public's and a search of several words not)."""
    return [
        make_entity(actor, n, legal_rep_name="超市" if i % 2 else "张三")
        for i, n in enumerate(names)
    ]


def _brute(q, entities, *, names_only=False):
    f = search.fold(q)
    return {
        e.pk
        for e in entities
        if f in search.fold(e.name)
        or any(f in search.fold(n) for n in e.former_names.values_list("name", flat=True))
        or (e.legal_rep_name == q and not names_only)
    }


@PROPERTY
@given(
    names=NAMES,
    query=st.text(ALPHABET, min_size=2, max_size=4),
    pick=st.integers(min_value=0, max_value=100),
)
def test_fragment_search_equals_brute_force_scan(city_handler, names, query, pick):
    with transaction.atomic():
        entities = _entities_named(city_handler, names)
        if pick % 3 == 0:  # also query a real substring of a name
            name = names[pick % len(names)]
            query = name[: 2 + pick % max(1, len(name) - 1)]
        if pick % 4 == 0:
            services.entity_update(actor=city_handler, entity=entities[0], name="更名后的名称")
            entities[0].refresh_from_db()
        result = _search(city_handler, query)
        expected = _brute(query, Entity.objects.all())
        assert {e.pk for e in result.entities} == expected
        assert result.count == len(expected)
        public = public_entity_search(query)
        expected = _brute(query, Entity.objects.all(), names_only=True)
        assert public.count == len(expected)
        assert {e.pk for e in public.entities} <= expected
        assert len(public.entities) == min(len(expected), PUBLIC_RESULTS)
        transaction.set_rollback(True)


def _brute_words(q, entities):
    words = [search.fold(w) for w in q.split()]
    found = set()
    for e in entities:
        names = [search.fold(e.name)]
        names += [search.fold(n) for n in e.former_names.values_list("name", flat=True)]
        if all(any(w in n for n in names) for w in words):
            found.add(e.pk)
    return found


@PROPERTY
@given(
    names=NAMES,
    words=st.lists(st.text(ALPHABET, min_size=2, max_size=4), min_size=2, max_size=3),
    pick=st.integers(min_value=0, max_value=100),
)
def test_words_split_by_spaces_find_names_containing_each_of_them(city_handler, names, words, pick):
    with transaction.atomic():
        entities = _entities_named(city_handler, names)
        if pick % 2 == 0:  # words that are real parts of the names, in either order
            name = names[pick % len(names)]
            other = names[(pick + 1) % len(names)]
            words = [other[-2:], name[:2]] if pick % 4 else [name[:2], name[-2:]]
        if pick % 3 == 0:
            services.entity_update(actor=city_handler, entity=entities[0], name="更名后的名称")
        query = "  ".join(words) if pick % 5 == 0 else " ".join(words)
        expected = _brute_words(query, Entity.objects.all())
        result = _search(city_handler, query)
        assert {e.pk for e in result.entities} == expected
        assert result.count == len(expected)
        public = public_entity_search(query)
        assert public.count == len(expected)
        assert {e.pk for e in public.entities} <= expected
        transaction.set_rollback(True)


def test_words_match_current_and_former_names_and_never_a_person(handler):
    a = make_entity(handler, "长沙市芙蓉区五一便利超市", legal_rep_name="王超")
    b = make_entity(handler, "长沙市芙蓉区好又多超市")
    services.entity_update(actor=handler, entity=a, name="长沙市芙蓉区五一生活超市")
    make_entity(handler, "五一广场餐饮店", legal_rep_name="便利")
    assert {e.pk for e in _search(handler, "五一 便利").entities} == {a.pk}  # former name
    assert {e.pk for e in _search(handler, "超市 长沙").entities} == {a.pk, b.pk}
    assert _search(handler, "五一 便利 好又多").count == 0


@pytest.mark.parametrize("window", [100_000, 4])
def test_common_words_walk_the_newest_rows_and_fall_back_when_they_do_not_fill_a_page(
    handler, monkeypatch, window
):
    # On PostgreSQL, several words the estimate finds common are looked for in the newest rows
    # first (search._pg_newest_window); a window too small for the page falls back to the
    # bitmap scan. Either way: the brute force's entities, newest first.
    monkeypatch.setattr(search, "PG_KEY_ORDER_MIN", 0)
    monkeypatch.setattr(search, "PG_NEWEST_WINDOW", window)
    walked = []
    newest_window = search._pg_newest_window

    def spy(*args):
        found = newest_window(*args)
        walked.append(found is not None)
        return found

    monkeypatch.setattr(search, "_pg_newest_window", spy)
    for i in range(12):
        make_entity(handler, f"长沙市芙蓉区便利超市第{i}分店" if i % 3 else f"芙蓉区米粉店{i}")
        make_entity(handler, f"长沙市天心区便利超市{i}号店")
    query = "芙蓉 便利超市"
    expected = sorted(_brute_words(query, Entity.objects.all()), reverse=True)
    assert len(expected) == 8
    result = entity_search(
        user=handler, filters=EntityFilters.from_params({"q": query}), per_page=5
    )
    assert [e.pk for e in result.entities] == expected[:5] and result.count == 8
    second = entity_search(
        user=handler, filters=EntityFilters.from_params({"q": query}), page=2, per_page=5
    )
    assert [e.pk for e in second.entities] == expected[5:]
    if connection.vendor == "postgresql":  # the first page from the window, unless too small
        assert walked == ([True, False] if window > 100 else [False, False])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sampled counts")
@pytest.mark.parametrize("enough", [True, False])
def test_the_count_of_common_words_is_a_samples_else_exact(handler, monkeypatch, enough):
    # Several words whose estimate passes the exact count's limit are counted from a sample of
    # the search table (here all of it); a sample with too few matches to tell counts them all.
    for i in range(6):
        make_entity(handler, f"长沙市芙蓉区便利超市第{i}分店")
        make_entity(handler, f"长沙市天心区便利超市{i}号店", district="430103")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {search.PG_TABLE}")
    search.forget_pg_token_stats()
    monkeypatch.setattr(search, "PG_EXACT_COUNT_LIMIT", 0)
    monkeypatch.setattr(search, "PG_SAMPLE_PERCENT", 100)
    monkeypatch.setattr(search, "PG_SAMPLE_MIN_MATCHES", 1 if enough else 7)
    result = _search(handler, "芙蓉 便利超市")
    assert result.count == 6 and result.approximate == enough
    assert {e.pk for e in result.entities} == _brute_words("芙蓉 便利超市", Entity.objects.all())


def test_part_of_a_code_that_finds_nothing_asks_for_the_whole_code(handler, entity_a):
    for q in (entity_a.uscc[:8], entity_a.uscc[:17].lower()):
        assert "完整的18位代码" in _search(handler, q).message
        assert "完整的18位代码" in public_entity_search(q).message
    make_entity(handler, "长沙市芙蓉区201888商行")  # digits of a name: found, and no hint
    result = _search(handler, "201888")
    assert result.count == 1 and not result.message


def test_a_word_of_one_character_asks_for_two(handler, entity_a):
    result = _search(handler, "立白 湖")
    assert result.count == 0 and "每个关键词至少两个字" in result.message
    assert "每个关键词至少两个字" in public_entity_search("立白 湖").message


def test_two_character_fragment_finds_names(handler):
    make_entity(handler, "长沙市芙蓉区鑫达便利超市", kind="individual")
    make_entity(handler, "湖南立白日化有限公司")
    result = _search(handler, "超市")
    assert [e.name for e in result.entities] == ["长沙市芙蓉区鑫达便利超市"]
    assert result.count == 1


def test_mixed_latin_and_chinese_fragments(handler):
    make_entity(handler, "liby立白洗涤用品长沙经营部", kind="individual")
    for q in ("liby立白", "LIBY", "y立", "立白洗涤"):
        assert [e.name for e in _search(handler, q).entities] == ["liby立白洗涤用品长沙经营部"], q


def test_former_name_is_found(handler, entity_a):
    services.entity_update(actor=handler, entity=entity_a, name="湖南蓝月亮有限公司")
    assert [e.pk for e in _search(handler, "立白日化").entities] == [entity_a.pk]
    assert [e.pk for e in _search(handler, "蓝月亮").entities] == [entity_a.pk]


def test_one_character_asks_for_two(handler, entity_a):
    result = _search(handler, "立")
    assert result.message == "至少输入两个字" and not result.entities


def test_uscc_is_exact_and_legal_rep_name_is_found(handler, entity_a):
    assert [e.pk for e in _search(handler, entity_a.uscc.lower()).entities] == [entity_a.pk]
    assert [e.pk for e in _search(handler, "陈凯旋").entities] == [entity_a.pk]
    assert _search(handler, entity_a.uscc[:-1] + "0").entities == [] or entity_a.uscc[-1] == "0"


def test_filters_apply_to_fragment_search(handler):
    shop = make_entity(handler, "芙蓉区鑫达便利超市", kind="individual")
    make_entity(handler, "湖南鑫达超市有限公司")
    assert [e.pk for e in _search(handler, "超市", kind="individual").entities] == [shop.pk]
    services.entity_change_status(actor=handler, entity=shop, status="cancelled")
    assert [e.pk for e in _search(handler, "超市", status="cancelled").entities] == [shop.pk]
    assert _search(handler, "超市", status="revoked").count == 0


def test_search_is_scoped_outsider_sees_nothing(handler, outsider, entity_a, entity_b):
    assert [e.pk for e in _search(handler, "立白").entities] == [entity_a.pk]
    assert _search(outsider, "立白").entities == []
    assert _search(outsider, entity_a.uscc).entities == []
    assert _search(outsider, "陈凯旋").count == 0
    assert [e.pk for e in _search(outsider, "").entities] == [entity_b.pk]


def test_sort_key_outside_the_whitelist_is_refused_naming_it(handler, entity_a):
    with pytest.raises(ValidationError) as refused:
        EntityFilters.from_params({"q": "立白", "sort": "name; DROP TABLE x"})
    assert set(refused.value.message_dict) == {"sort"}
    assert "new（最近录入）" in refused.value.message_dict["sort"][0]
    filters, errors = EntityFilters.parse({"q": "立白", "sort": "name; DROP TABLE x"})
    assert filters.sort == "new" and set(errors) == {"sort"}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("district", "zzz"),
        ("kind", "company"),
        ("status", "open"),
        ("risk", "E"),
        ("industry", "99"),
        ("sort", "id"),
        ("q", "立白\u202e"),
        ("q", "立" * 101),
    ],
)
def test_every_search_parameter_is_validated_with_a_message_naming_it(
    client, handler, entity_a, param, value
):
    """Found by the hostile walk: an unknown district, kind, sort… was dropped without a
    word, and the list showed the whole scope as if it were filtered."""
    with pytest.raises(ValidationError) as refused:
        EntityFilters.from_params({param: value})
    assert set(refused.value.message_dict) == {param}
    client.force_login(handler)
    page = client.get("/registry/entities/", {param: value})
    assert page.status_code == 422
    assert refused.value.message_dict[param][0] in page.content.decode()
    assert entity_a.name not in page.content.decode()  # nothing searched
    api = client.get("/api/v1/entities", {param: value})
    assert api.status_code == 422 and set(api.json()["fields"]) == {param}
    export = client.get("/registry/entities/export.xlsx", {param: value})
    assert export.status_code == 422 and "xlsx" not in export.get("Content-Type", "")


def test_index_rebuild_matches_incremental_index(handler, entity_a):
    make_entity(
        handler, "长沙市芙蓉区鑫达便利超市", kind="individual", established_on=dt.date(2019, 5, 5)
    )
    before = _search(handler, "超市").count
    assert search.index_rebuild() == 2
    assert _search(handler, "超市").count == before == 1


def test_large_counts_on_postgresql_are_marked_approximate(client, handler, monkeypatch):
    from django.db import connection

    make_entity(handler, "芙蓉区鑫达便利超市", kind="individual")
    monkeypatch.setattr(search, "PG_EXACT_COUNT_LIMIT", -1)
    result = _search(handler, "超市")
    assert result.approximate == (connection.vendor == "postgresql")
    assert [e.name for e in result.entities] == ["芙蓉区鑫达便利超市"]  # the rows stay exact
    client.force_login(handler)
    page = client.get("/registry/entities/", {"q": "超市"}).content.decode()
    assert ("共 约 " in page) == (connection.vendor == "postgresql")
    body = client.get("/api/v1/entities", {"q": "超市"}).json()
    assert body["count_approximate"] == (connection.vendor == "postgresql")


def test_fragment_that_is_also_a_legal_rep_name_finds_both(handler):
    # The MATCH drops the person term only when no document holds that person token.
    by_name = make_entity(handler, "李四便利店", kind="individual")
    by_person = make_entity(handler, "芙蓉区五金商店", legal_rep_name="李四")
    make_entity(handler, "芙蓉区李五商店")
    result = _search(handler, "李四")
    assert {e.pk for e in result.entities} == {by_name.pk, by_person.pk}
    assert result.count == 2
    assert [e.pk for e in _search(handler, "便利店").entities] == [by_name.pk]
    assert _search(handler, "便利店").count == 1


def test_api_detail_brings_former_names_in_the_entity_query(client, handler, outsider, entity_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.entity_update(actor=handler, entity=entity_a, name="湖南蓝月亮有限公司")
    entity_a.refresh_from_db()
    services.entity_update(actor=handler, entity=entity_a, name="湖南白猫有限公司")
    client.force_login(handler)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(f"/api/v1/entities/{entity_a.uscc}").json()
    assert body["name"] == "湖南白猫有限公司"
    assert body["former_names"] == ["湖南蓝月亮有限公司", "湖南立白日化有限公司"]
    registry_queries = [q["sql"] for q in ctx.captured_queries if "registry_entity" in q["sql"]]
    assert len(registry_queries) == 1  # entity, unit and former names in one round trip
    client.force_login(outsider)
    assert client.get(f"/api/v1/entities/{entity_a.uscc}").status_code == 404
    plain = make_entity(handler, "芙蓉区无曾用名商店")
    client.force_login(handler)
    assert client.get(f"/api/v1/entities/{plain.uscc}").json()["former_names"] == []


def test_page_and_count_of_one_search_share_one_estimate(handler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shop = make_entity(handler, "芙蓉区鑫达便利超市", kind="individual")
    with CaptureQueriesContext(connection) as ctx:
        result = _search(handler, "便利超市")
    assert [e.pk for e in result.entities] == [shop.pk] and result.count == 1
    explains = [q for q in ctx.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert len(explains) == (1 if connection.vendor == "postgresql" else 0)


def test_documents_with_the_same_filters_do_not_share_token_lists():
    common = {"district_code": "430102", "kind": "individual", "status": "active", "unit_id": 7}
    first = search.tokens_for_row({"name": "甲乙便利店", **common})
    second = search.tokens_for_row({"name": "丙丁超市", **common})
    first.append("mutated")
    again = search.tokens_for_row({"name": "丙丁超市", **common})
    assert again == second and "mutated" not in again
    assert again[-4:] == ["zd430102", "zkindividual", "zsactive", "zu7"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_postgresql_estimate_from_statistics_equals_the_planners(bureau):
    """Once the search table is analysed, the estimate comes from pg_stats without a round
    trip; it must be the planner's own number (the plan choice and "约" counts rest on it)."""
    from regulus.registry import demo

    with transaction.atomic():
        units = demo.units_by_district()
        demo.bulk_load(demo.demo_rows(3000, units=units))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {search.PG_TABLE}")
        search.forget_pg_token_stats()
        stats = search._pg_token_stats(cursor)
        assert stats is not None and stats.freqs
        unit = units["430102"][0]
        for fragment, filters, unit_ids, names_only in [
            ("超市", {}, None, False),
            ("便利超市", {}, None, False),
            ("米粉", {"status": "active"}, [unit], False),
            ("立白", {"district": "430102", "kind": "individual"}, None, False),
            ("便利超市", {}, None, True),  # the public's: names only
        ]:
            query = search.IndexQuery(
                fragment=fragment, filters=filters, unit_ids=unit_ids, names_only=names_only
            )
            assert search._pg_upper_estimate(cursor, query) == _planners(query), fragment
        # Several words: each word's estimate as above (no person), taken as independent.
        query = search.IndexQuery(fragment="芙蓉 便利超市", filters={"status": "active"})
        words = [
            search.IndexQuery(fragment=w, filters={"status": "active"}, names_only=True)
            for w in ("芙蓉", "便利超市")
        ]
        expected = stats.rows
        for word in words:
            expected *= _planners(word) / stats.rows
        assert search._pg_upper_estimate(cursor, query) == max(1, round(expected))


def _planners(query):
    """The planner's estimate of a one-word query (the smallest of its bigrams')."""
    value = search.fold(query.fragment)
    parts = [query] if query.exact else [
        search.IndexQuery(
            fragment=value[i : i + 2], filters=query.filters, unit_ids=query.unit_ids,
            names_only=query.names_only,
        )
        for i in range(len(value) - 1)
    ]  # fmt: skip
    with connection.cursor() as cursor:
        return search._pg_explain_estimate(cursor, parts)


def test_a_resident_id_number_finds_the_entities_of_that_legal_representative(
    handler, outsider, city_handler
):
    from regulus.core import ids

    number = ids.make_id_number("430102", dt.date(1980, 6, 1), 21)
    first = make_entity(handler, "芙蓉区甲商店", legal_rep_name="周一", legal_rep_id_number=number)
    second = make_entity(handler, "芙蓉区乙商店", legal_rep_name="周一", legal_rep_id_number=number)
    other = make_entity(
        outsider, "天心区丙商店", district="430103", legal_rep_name="周一",
        legal_rep_id_number=number,
    )  # fmt: skip
    make_entity(
        handler, "芙蓉区丁商店",
        legal_rep_id_number=ids.make_id_number("430102", dt.date(1980, 6, 1), 22),
    )  # fmt: skip
    mine = _search(handler, number.lower())
    assert mine.mode == "person" and {e.pk for e in mine.entities} == {first.pk, second.pk}
    assert mine.count == 2  # the other district's entity stays out of the handler's scope
    assert {e.pk for e in _search(city_handler, number).entities} == {first.pk, second.pk, other.pk}
    # A USCC is still looked up as a USCC.
    assert _search(handler, first.uscc).mode == "uscc"


def test_a_search_by_id_number_is_audited_with_the_number_masked(handler):
    from regulus.core import ids
    from regulus.core.masking import mask_id_number
    from regulus.core.models import AuditLog
    from regulus.registry import exporting

    number = ids.make_id_number("430102", dt.date(1980, 6, 1), 23)
    make_entity(handler, "芙蓉区戊商店", legal_rep_id_number=number)
    _search(handler, number)
    row = AuditLog.objects.get(action=AuditLog.Action.QUERY)
    assert row.actor_id == handler.pk and mask_id_number(number) in row.summary
    _search(handler, "芙蓉区戊商店")  # a name search is no read of personal information
    exporting.entity_export(actor=handler, filters=EntityFilters(q=number))
    export = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert export.changes["filters"]["q"] == mask_id_number(number)
    assert AuditLog.objects.filter(action=AuditLog.Action.QUERY).count() == 1
    for log in AuditLog.objects.all():
        assert number not in f"{log.summary} {log.changes}"


@pytest.mark.django_db
def test_search_by_id_number_has_its_index_on_every_engine(handler):
    """The keyed hash of the ID number is found through entity_rep_id_hash_idx (made by raw
    SQL, so a later table rebuild on SQLite could drop it unseen: it once did; on SQLite an
    index of an expression that the query must name exactly)."""
    from regulus.registry.selectors import with_id_hash

    qs = with_id_hash(Entity.objects.all(), "ab" * 32)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX entity_rep_id_hash_idx" in plan, plan
        else:
            constraints = connection.introspection.get_constraints(cursor, "registry_entity")
            index = constraints.get("entity_rep_id_hash_idx")
            assert index is not None and index["columns"] == ["legal_rep_id_hash"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite compares bytes (BINARY)")
def test_codes_and_search_tokens_compare_bytes_on_postgresql():
    """Migration 0006 gives the ASCII codes and the search tokens the "C" collation (raw SQL:
    Django's model state does not know it, so a later AlterField would silently drop it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_name IN ('registry_entity', 'registry_entity_search') "
            "AND column_name IN ('uscc', 'district_code', 'kind', 'status', 'tokens')"
        )
        collations = {(t, c): name for t, c, name in cursor.fetchall()}
    assert collations == {
        ("registry_entity", "uscc"): "C",
        ("registry_entity", "district_code"): "C",
        ("registry_entity", "kind"): "C",
        ("registry_entity", "status"): "C",
        ("registry_entity_search", "tokens"): "C",
    }


@pytest.mark.django_db
def test_a_search_page_keeps_the_order_of_the_search_for_every_sort(handler):
    """The page's entities are fetched after the search, by id: the order must stay the
    search's, for every sort."""
    from decimal import Decimal

    from regulus.registry import selectors

    for i, capital in enumerate(["5", "50", "0.5", "500", "5000"]):
        make_entity(
            handler, f"芙蓉区排序测试{'甲乙丙丁戊'[i]}商行", registered_capital=Decimal(capital),
            established_on=dt.date(2001 + 3 * i % 7, 1, 1),
        )  # fmt: skip
    for sort in selectors.SORTS:
        filters = selectors.EntityFilters(q="排序", sort=sort)
        result = selectors.entity_search(user=handler, filters=filters, per_page=3, page=2)
        query = selectors._index_query(handler, filters)
        expected = search.search_ids(query, sort=sort, offset=3, limit=3)
        assert [e.pk for e in result.entities] == expected and len(expected) == 2, sort
        assert all(e.unit.name for e in result.entities)
