"""The name-search index of market entities: application-made bigram tokens.

Why not the databases' own substring indexes (perf-notes traps 2–4): SQLite's FTS5 trigram
tokenizer finds nothing for a two-character fragment ("超市"), and PostgreSQL's pg_trgm cannot
use its index under three characters. So the application cuts every name (and former name)
into overlapping two-character windows and stores them as tokens:

- SQLite: an FTS5 table ``registry_entity_fts`` (rowid = MINUS the entity id, with
  positions: FTS5 walks rowids upwards cheaply, so "newest first" is rowid ascending);
- PostgreSQL: a table ``registry_entity_search(entity_id, tokens text[])`` with a GIN index.

On SQLite the document keeps the bigrams in order (FTS5 with positions), and a fragment is
matched as the PHRASE of its consecutive bigrams, which is exactly "the name contains the
fragment": the index alone gives the rows and the count. On PostgreSQL the document is a set
(text[] + GIN): a two-character fragment is one element (exact), a longer one is the AND of
its bigrams, verified with a substring check on the candidates. The same document also
carries one token per filter value (district, kind, status, risk class, industry,
supervising unit) and the legal representative's full name, so that a fragment search with
filters and the data scope, and its count, are answered by the index.

Tokens are ASCII (hex code points), so neither FTS5's tokenizer nor PostgreSQL sees anything
but opaque words. Latin letters are folded to lower case (like SQLite's LIKE), other characters
are kept as they are. The services that write entities keep the index in step, in their own
transaction (no signals).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db import connection

from regulus.core.replica import read_connection

FTS_TABLE = "registry_entity_fts"
PG_TABLE = "registry_entity_search"
PG_GIN_INDEX = "registry_entity_search_tokens_gin"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def fold(text: str) -> str:
    """Fold ASCII letters to lower case; everything else stays (Chinese has no case)."""
    # translate() of a Chinese name costs ~1 µs; most names have no capital to fold.
    return text.translate(_ASCII_LOWER) if _HAS_ASCII_UPPER(text) else text


_HAS_ASCII_UPPER = re.compile("[A-Z]").search
_HEX: dict[str, str] = {}


def _hex(char: str) -> str:
    code = _HEX.get(char)
    if code is None:
        code = _HEX[char] = format(ord(char), "x")
    return code


# Two-character window → token. An import tokenises a million names, whose bigrams repeat;
# bounded so that a long-running process does not grow without end.
_BIGRAMS: dict[str, str] = {}
_BIGRAMS_MAX = 500_000


def bigram_sequence(text: str) -> list[str]:
    """Every overlapping two-character window of the folded text, in order, as ASCII tokens."""
    text = fold(text)
    get = _BIGRAMS.get
    tokens = []
    for i in range(len(text) - 1):
        pair = text[i : i + 2]
        token = get(pair)
        if token is None:
            token = _hex(pair[0]) + "x" + _hex(pair[1])
            if len(_BIGRAMS) < _BIGRAMS_MAX:
                _BIGRAMS[pair] = token
        tokens.append(token)
    return tokens


def bigram_tokens(text: str) -> set[str]:
    return set(bigram_sequence(text))


# Between two names in one document, so that no phrase runs from one name into the next.
SEPARATOR = "zzz"


def _tag(prefix: str, value: str) -> str:
    return "z" + prefix + _NOT_ALNUM.sub("", fold(value))


def person_token(name: str) -> str:
    get = _HEX.get
    return "zp" + "y".join([get(c) or _hex(c) for c in fold(name.strip())])


def unit_token(unit_id: int) -> str:
    return f"zu{unit_id}"


FILTER_PREFIXES = {
    "district": "d",
    "kind": "k",
    "status": "s",
    "risk": "r",
    "industry": "i",
}


_FILTER_TOKENS: dict[tuple[str, str], str] = {}


def filter_token(key: str, value: str) -> str:
    token = _FILTER_TOKENS.get((key, value))
    if token is None:
        token = _FILTER_TOKENS[(key, value)] = _tag(FILTER_PREFIXES[key], value)
    return token


def document_tokens(
    *,
    name: str,
    former_names: Iterable[str] = (),
    legal_rep_name: str = "",
    district_code: str = "",
    kind: str = "",
    status: str = "",
    risk_class: str = "",
    industry_section: str = "",
    industry_code: str = "",
    unit_id: int | None = None,
) -> list[str]:
    """The document of one entity: the bigrams of its name and former names IN ORDER (SQLite
    matches a fragment as a phrase of consecutive bigrams, which is exactly "contains"), then
    the person and filter tokens."""
    tokens = bigram_sequence(name)
    for former in former_names:
        tokens.append(SEPARATOR)
        tokens += bigram_sequence(former)
    tokens.append(SEPARATOR)
    if legal_rep_name.strip():
        tokens.append(person_token(legal_rep_name))
    tokens += _filter_tokens(
        (district_code, kind, status, risk_class, industry_section, industry_code, unit_id)
    )
    return tokens


# The entity's columns its filter tokens are made of, in the order document_tokens passes
# them to _filter_tokens.
FILTER_COLUMNS = (
    "district_code",
    "kind",
    "status",
    "risk_class",
    "industry_section",
    "industry_code",
    "unit_id",
)
# The filter values of an entity given as a dict of its (cleaned) column values, as
# _filter_tokens takes them: one C call (an import makes a million).
filter_key: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*FILTER_COLUMNS)


def pg_row_document(name: str, legal_rep_name: str, key: tuple[Any, ...]) -> str:
    """pg_document(document_tokens(...)) of an entity without former names, made directly
    (an import makes a million: no list of tokens in order, which only SQLite needs)."""
    tokens = set(bigram_sequence(name))
    if legal_rep_name.strip():
        tokens.add(person_token(legal_rep_name))
    tokens.update(_filter_tokens(key))
    return "{" + ",".join(tokens) + "}"


def _filter_tokens(key: tuple[Any, ...]) -> list[str]:
    tail = _FILTER_TAILS.get(key)
    return _filter_tail(key) if tail is None else tail


# The filter tokens of each combination of filter values (a few thousand in a city): an
# import tokenises a million rows, and these tokens repeat.
_FILTER_TAILS: dict[tuple[Any, ...], list[str]] = {}


def _filter_tail(key: tuple[Any, ...]) -> list[str]:
    *values, unit_id = key
    keys = ("district", "kind", "status", "risk", "industry", "industry")
    tail = [filter_token(k, v) for k, v in zip(keys, values, strict=True) if v]
    if unit_id is not None:
        tail.append(unit_token(unit_id))
    if len(_FILTER_TAILS) < 50_000:
        _FILTER_TAILS[key] = tail
    return tail


def pg_document(tokens: Iterable[str]) -> str:
    """A document as PostgreSQL's text[] literal (tokens are plain ASCII words, which COPY
    parses faster than psycopg would dump a list). A set: no order and no name separator,
    which only SQLite's phrase matching needs (on PostgreSQL it would be one more GIN entry
    in every row)."""
    return "{" + ",".join({t for t in tokens if t != SEPARATOR}) + "}"


# The entity's columns its document is made of (with its former names).
DOCUMENT_COLUMNS = ("name", "legal_rep_name", *FILTER_COLUMNS)


def tokens_for_row(row: dict[str, Any], former_names: Iterable[str] = ()) -> list[str]:
    """Tokens of an entity given as a dict of its column values (attnames)."""
    return document_tokens(
        name=row["name"],
        former_names=former_names,
        legal_rep_name=row.get("legal_rep_name") or "",
        district_code=row.get("district_code") or "",
        kind=row.get("kind") or "",
        status=row.get("status") or "",
        risk_class=row.get("risk_class") or "",
        industry_section=row.get("industry_section") or "",
        industry_code=row.get("industry_code") or "",
        unit_id=row.get("unit_id"),
    )


# --------------------------------------------------------------------------------------------
# Schema (called from migration 0003)
# --------------------------------------------------------------------------------------------


def create_index_schema(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "tokens, tokenize='unicode61', columnsize=0)"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {PG_TABLE} ("
            "entity_id bigint PRIMARY KEY, tokens text[] NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_tokens_gin ON {PG_TABLE} "
            "USING gin (tokens) WITH (fastupdate = off)"
        )
    else:  # pragma: no cover - only the two supported engines
        raise NotImplementedError(vendor)


def clear_orphans(**kwargs: Any) -> None:
    """After a flush (tests) the entity table is empty but the index, which is no Django model
    (and has no foreign key, so that the flush's TRUNCATE works), is not: empty it too.
    Connected to post_migrate, which a flush sends; costs one indexed probe otherwise."""
    from django.db import connections

    conn = connections[kwargs.get("using") or "default"]
    table = PG_TABLE if conn.vendor == "postgresql" else FTS_TABLE
    with conn.cursor() as cursor:
        if table not in conn.introspection.table_names(cursor):
            return
        cursor.execute("SELECT 1 FROM registry_entity LIMIT 1")
        if cursor.fetchone() is None:
            cursor.execute(f"DELETE FROM {table}")


def drop_index_schema(schema_editor: Any) -> None:
    table = FTS_TABLE if schema_editor.connection.vendor == "sqlite" else PG_TABLE
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


# --------------------------------------------------------------------------------------------
# Writing the index (inside the caller's transaction)
# --------------------------------------------------------------------------------------------


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def index_write(rows: Sequence[tuple[int, list[str]]], *, replace: bool = True) -> None:
    """Write (entity_id, tokens) documents; ``replace`` removes old documents first."""
    if not rows:
        return
    if not _is_pg():
        fts_write([(pk, " ".join(tokens)) for pk, tokens in rows], replace=replace)
        return
    with connection.cursor() as cursor:
        if replace:
            cursor.execute(
                f"DELETE FROM {PG_TABLE} WHERE entity_id = ANY(%s)", [[r[0] for r in rows]]
            )
        cursor.executemany(
            f"INSERT INTO {PG_TABLE} (entity_id, tokens) VALUES (%s, %s::text[])",
            [(pk, pg_document(tokens)) for pk, tokens in rows],
        )


def fts_write(documents: Sequence[tuple[int, str]], *, replace: bool = True) -> None:
    """SQLite: write (entity_id, text) documents to the FTS5 table (rowid: minus the id);
    ``replace`` removes old documents first."""
    with connection.cursor() as cursor:
        if replace:
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(-pk,) for pk, _text in documents]
            )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (%s, %s)",
            # Ascending rowid: FTS5 flushes its pending data whenever a rowid goes down.
            sorted((-pk, text) for pk, text in documents),
        )


def index_swap_filter(*, key: str, table: str, old_column: str, new_column: str) -> int:
    """Change one filter token (say the risk class) in the documents of the entities of
    `table` (a temporary table of the caller's transaction: id, the old and the new value),
    by one UPDATE per pair of values, without rebuilding the documents from the entity rows:
    SQLite rewrites the FTS5 row's text, PostgreSQL replaces the array element. Returns the
    documents changed."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {old_column}, {new_column} FROM {table}")
        pairs = [(old or "", new or "") for old, new in cursor.fetchall()]
        changed = 0
        for old, new in pairs:
            old_token = filter_token(key, old) if old else ""
            new_token = filter_token(key, new) if new else ""
            chosen = (
                f"SELECT id FROM {table} WHERE COALESCE({old_column}, '') = %s"
                f" AND COALESCE({new_column}, '') = %s"
            )
            if _is_pg():
                if old_token and new_token:
                    setter, params = "array_replace(tokens, %s, %s)", [old_token, new_token]
                elif new_token:
                    setter, params = "array_append(tokens, %s)", [new_token]
                else:
                    setter, params = "array_remove(tokens, %s)", [old_token]
                cursor.execute(
                    f"UPDATE {PG_TABLE} SET tokens = {setter} WHERE entity_id IN ({chosen})",
                    [*params, old, new],
                )
            else:
                # Tokens are separated by single spaces: pad, swap the whole word, trim.
                if old_token:
                    setter = "trim(replace(' ' || tokens || ' ', %s, %s))"
                    params = [f" {old_token} ", f" {new_token} " if new_token else " "]
                else:
                    setter, params = "tokens || ' ' || %s", [new_token]
                cursor.execute(
                    f"UPDATE {FTS_TABLE} SET tokens = {setter}"
                    f" WHERE rowid IN (SELECT -id FROM ({chosen}) chosen)",
                    [*params, old, new],
                )
            changed += cursor.rowcount
    return changed


def index_entity(entity: Any) -> None:
    """(Re)index one entity from its current state, former names included."""
    former = list(entity.former_names.values_list("name", flat=True)) if entity.pk else []
    row = {column: getattr(entity, column) for column in DOCUMENT_COLUMNS}
    index_write([(entity.pk, tokens_for_row(row, former))])


def index_entities(ids: Sequence[int]) -> None:
    """(Re)index these entities from the database, former names included."""
    from regulus.registry.models import Entity

    if not ids:
        return
    index_write(list(_documents(Entity.objects.filter(id__in=ids), _former_names(ids))))


def index_rebuild(*, batch_size: int = 20_000) -> int:
    """Rebuild the whole index from the entity table (after a restore, or for a bench)."""
    from regulus.registry.models import Entity

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PG_TABLE if _is_pg() else FTS_TABLE}")
    done = 0
    batch: list[tuple[int, list[str]]] = []
    for document in _documents(Entity.objects.order_by("id"), _former_names(), chunk=5000):
        batch.append(document)
        if len(batch) >= batch_size:
            index_write(batch, replace=False)
            done += len(batch)
            batch = []
    index_write(batch, replace=False)
    return done + len(batch)


def _former_names(ids: Sequence[int] | None = None) -> dict[int, list[str]]:
    """The former names of these entities (None: of all), by entity id."""
    from regulus.registry.models import EntityFormerName

    rows = EntityFormerName.objects.all()
    if ids is not None:
        rows = rows.filter(entity_id__in=ids)
    former: dict[int, list[str]] = {}
    for entity_id, name in rows.values_list("entity_id", "name"):
        former.setdefault(entity_id, []).append(name)
    return former


def _documents(
    entities: Any, former: dict[int, list[str]], *, chunk: int = 2000
) -> Iterator[tuple[int, list[str]]]:
    """(id, tokens) of each entity of a queryset, read by DOCUMENT_COLUMNS only."""
    columns = ("id", *DOCUMENT_COLUMNS)
    for values in entities.values_list(*columns).iterator(chunk_size=chunk):
        row = dict(zip(columns, values, strict=True))
        yield row["id"], tokens_for_row(row, former.get(row["id"], ()))


# --------------------------------------------------------------------------------------------
# Querying
# --------------------------------------------------------------------------------------------


@dataclass
class IndexQuery:
    """What the index must match: a name fragment (or a person's name) plus filter tokens."""

    fragment: str
    filters: dict[str, str] = field(default_factory=dict)
    unit_ids: Sequence[int] | None = None  # None = the whole city
    # Names (current and former) only, never a legal representative's name: the public's
    # lookup (a person's name is not public, so nobody may find entities by it there).
    names_only: bool = False
    # Worked out once per query and reused by its page and its count (same request).
    _estimate: int | None = field(default=None, init=False, repr=False, compare=False)
    _person_indexed: bool | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def keywords(self) -> list[str]:
        """The fragment's words: a query of several words, split at white space ("五一 超市"),
        matches the entities each of whose words is in their name or a former name."""
        return self.fragment.split() or [self.fragment]

    @property
    def matches_person(self) -> bool:
        """Whether the query also finds entities by their legal representative's full name
        (a person's name is one word; the public may never search by it)."""
        return not self.names_only and len(self.keywords) == 1

    @property
    def fragment_tokens(self) -> list[str]:
        return sorted(set().union(*(bigram_tokens(word) for word in self.keywords)))

    @property
    def exact(self) -> bool:
        """Whether the index alone answers "contains": always on SQLite (a phrase of
        consecutive bigrams for each word); on PostgreSQL (a set of bigrams) only for words of
        two characters."""
        return connection.vendor == "sqlite" or all(len(word) == 2 for word in self.keywords)

    def filter_tokens(self) -> list[str]:
        return [filter_token(k, v) for k, v in sorted(self.filters.items()) if v]

    def unit_tokens(self) -> list[str]:
        return [unit_token(u) for u in sorted(self.unit_ids or ())]


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_quote(token: str) -> str:
    return f'"{token}"'


def _person_indexed(cursor: Any, query: IndexQuery) -> bool:
    """Whether any document holds the fragment as a legal representative's full name (one
    probe of the index, ~0.01 ms). Usually not: then the MATCH is the bare phrase, which FTS5
    evaluates ~5 % faster than "phrase OR person" (a count reads every matching doclist)."""
    if not query.matches_person:
        return False
    if query._person_indexed is None:
        token = _fts_quote(person_token(query.fragment))
        cursor.execute(f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT 1", [token])
        query._person_indexed = cursor.fetchone() is not None
    return query._person_indexed


def _fts_match(query: IndexQuery, *, person: bool = True) -> str:
    phrases = [_fts_quote(" ".join(bigram_sequence(word))) for word in query.keywords]
    phrase = " AND ".join(phrases)
    if person and query.matches_person:
        text = f"({phrase} OR {_fts_quote(person_token(query.fragment))})"
    else:
        text = phrase if len(phrases) == 1 else f"({phrase})"
    for token in query.filter_tokens():
        text += f" AND {_fts_quote(token)}"
    units = query.unit_tokens()
    if units:
        text += " AND (" + " OR ".join(_fts_quote(t) for t in units) + ")"
    return text


def _verify_sql(alias: str, query: IndexQuery) -> str:
    """Substring check on the candidates (words longer than two characters): each word in
    the name or a former name (or the whole query as the legal representative's name)."""
    person = f" OR {alias}.legal_rep_name = %s" if query.matches_person else ""
    if _is_pg():
        name_like = f"lower({alias}.name) LIKE lower(%s)"
        former_like = "lower(f.name) LIKE lower(%s)"
    else:
        name_like = f"{alias}.name LIKE %s ESCAPE '\\'"
        former_like = "f.name LIKE %s ESCAPE '\\'"
    word = (
        f"({name_like}{person} OR EXISTS (SELECT 1 FROM "
        f"registry_entityformername f WHERE f.entity_id = {alias}.id AND {former_like}))"
    )
    return (
        word if len(query.keywords) == 1 else "(" + " AND ".join([word] * len(query.keywords)) + ")"
    )


def _verify_params(query: IndexQuery) -> list[Any]:
    """The parameters of _verify_sql, in its order."""
    params: list[Any] = []
    for word in query.keywords:
        pattern = _like_pattern(fold(word))
        params += (
            [pattern, query.fragment.strip(), pattern]
            if query.matches_person
            else [pattern, pattern]
        )
    return params


def _verify_and(query: IndexQuery) -> tuple[str, list[Any]]:
    """ " AND <the substring check>" and its parameters, or nothing where the index is exact."""
    if query.exact:
        return "", []
    return " AND " + _verify_sql("e", query), _verify_params(query)


def _pg_where(query: IndexQuery) -> tuple[str, list[Any]]:
    if not query.matches_person:
        conditions = ["s.tokens @> %s::text[]"]
        params: list[Any] = [query.fragment_tokens]
    else:
        conditions = ["(s.tokens @> %s::text[] OR s.tokens @> %s::text[])"]
        params = [query.fragment_tokens, [person_token(query.fragment)]]
    filters = query.filter_tokens()
    if filters:
        conditions.append("s.tokens @> %s::text[]")
        params.append(filters)
    units = query.unit_tokens()
    if units:
        conditions.append("s.tokens && %s::text[]")
        params.append(units)
    return " AND ".join(conditions), params


SORT_SQL = {
    "new": "e.id DESC",
    "name": "e.name ASC, e.id DESC",
    "established": "e.established_on DESC, e.id DESC",
    "capital": "e.registered_capital DESC, e.id DESC",
}


PG_KEY_ORDER_MIN = 10_000


def search_ids(
    query: IndexQuery, *, sort: str = "new", offset: int = 0, limit: int = 20
) -> list[int]:
    """Ids of the matching entities, one page, in the requested order."""
    order = SORT_SQL[sort]
    with read_connection().cursor() as cursor:  # the replica on a page read
        if _is_pg():
            where, params = _pg_where(query)
            if sort == "new":
                # Newest first: walking the primary key backwards finds 20 matches at once when
                # they are common, but reads the whole table when they are rare (the planner's
                # guess for a rare bigram is ~0.1 %, too high to avoid that). So decide here:
                # common → key order; rare → bitmap scan, then sort ("+ 0" hides the order).
                estimate = _pg_upper_estimate(cursor, query)
                order = (
                    "s.entity_id DESC" if estimate >= PG_KEY_ORDER_MIN else "s.entity_id + 0 DESC"
                )
                if order == "s.entity_id DESC" and len(query.keywords) > 1:
                    found = _pg_newest_window(cursor, query, where, params, offset, limit)
                    if found is not None:
                        return found
                    order = "s.entity_id + 0 DESC"
            if query.exact and sort == "new":
                sql = (
                    f"SELECT s.entity_id FROM {PG_TABLE} s WHERE {where} "
                    f"ORDER BY {order} LIMIT %s OFFSET %s"
                )
            elif sort == "new" and order.endswith("+ 0 DESC"):
                # Rare fragment, newest first: sort the candidates of the bitmap scan by id
                # first, then verify them in that order until the page is full (a join first
                # would look up and verify every candidate before sorting).
                params += _verify_params(query)
                sql = (
                    f"SELECT e.id FROM (SELECT s.entity_id, s.entity_id + 0 AS k "
                    f"FROM {PG_TABLE} s WHERE {where} ORDER BY k DESC) c "
                    f"JOIN registry_entity e ON e.id = c.entity_id "
                    f"WHERE {_verify_sql('e', query)} ORDER BY c.k DESC LIMIT %s OFFSET %s"
                )
            else:
                verify, vparams = _verify_and(query)
                params += vparams
                sql = (
                    f"SELECT e.id FROM {PG_TABLE} s JOIN registry_entity e ON e.id = "
                    f"s.entity_id WHERE {where}{verify} ORDER BY {order} LIMIT %s OFFSET %s"
                )
            cursor.execute(sql, [*params, limit, offset])
        else:
            match = _fts_match(query, person=_person_indexed(cursor, query))
            if query.exact and sort == "new":
                sql = (
                    f"SELECT -rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                    "ORDER BY rowid ASC LIMIT %s OFFSET %s"
                )
                cursor.execute(sql, [match, limit, offset])
            else:
                verify, vparams = _verify_and(query)
                order = "x.rowid ASC" if sort == "new" else order
                sql = (
                    f"SELECT e.id FROM {FTS_TABLE} x JOIN registry_entity e ON e.id = -x.rowid "
                    f"WHERE {FTS_TABLE} MATCH %s{verify} ORDER BY {order} LIMIT %s OFFSET %s"
                )
                cursor.execute(sql, [match, *vparams, limit, offset])
        return [row[0] for row in cursor.fetchall()]


# PostgreSQL, several words, newest first: the newest rows of the search table walked for a
# page (see _pg_newest_window).
PG_NEWEST_WINDOW = 100_000


def _pg_newest_window(
    cursor: Any, query: IndexQuery, where: str, params: list[Any], offset: int, limit: int
) -> list[int] | None:
    """A page of a query of several words that the estimate finds common, from the newest
    PG_NEWEST_WINDOW rows of the search table walked backwards; None when they do not fill
    it (the caller then takes the bitmap scan, exact whatever the matches).

    The planner multiplies the frequencies of all the words' bigrams (芙蓉 and 便利, 利超, 超市)
    and, expecting a few hundred matches where there are thousands, fetches and sorts every
    one of them (~170 ms at 1M entities). The LIMIT of the subquery makes it walk the primary
    key instead, as far as the page needs and never further than the window."""
    verify, vparams = _verify_and(query)
    sql = (
        f"SELECT e.id FROM (SELECT entity_id, tokens FROM {PG_TABLE} "
        f"ORDER BY entity_id DESC LIMIT {int(PG_NEWEST_WINDOW)}) s "
        f"JOIN registry_entity e ON e.id = s.entity_id WHERE {where}{verify} "
        "ORDER BY s.entity_id DESC LIMIT %s OFFSET %s"
    )
    cursor.execute(sql, [*params, *vparams, limit, offset])
    ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) == limit else None


# PostgreSQL: above this many estimated matches the exact count (a bitmap heap scan of every
# match, ~160 ms for 165,000 of 1M) is replaced by the planner's estimate, shown as "约…".
PG_EXACT_COUNT_LIMIT = 10_000


def search_count(query: IndexQuery) -> tuple[int, bool]:
    """(number of matches, approximate?). SQLite: always exact, from the FTS index. PostgreSQL:
    exact when the planner expects at most PG_EXACT_COUNT_LIMIT matches, else its estimate
    (several words: a sample's, see _pg_sampled_count)."""
    with read_connection().cursor() as cursor:  # the replica on a page read
        if _is_pg():
            where, params = _pg_where(query)
            estimate = _pg_upper_estimate(cursor, query)
            if estimate > PG_EXACT_COUNT_LIMIT:
                several = len(query.keywords) > 1
                approximate = (
                    _pg_sampled_count(cursor, query, where, params) if several else estimate
                )
                if approximate is not None:
                    return approximate, True
            verify, vparams = _verify_and(query)
            join = "" if query.exact else " JOIN registry_entity e ON e.id = s.entity_id"
            cursor.execute(
                f"SELECT count(*) FROM {PG_TABLE} s{join} WHERE {where}{verify}",
                [*params, *vparams],
            )
        else:
            match = _fts_match(query, person=_person_indexed(cursor, query))
            if query.exact:
                cursor.execute(
                    f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]
                )
            else:
                cursor.execute(
                    f"SELECT count(*) FROM {FTS_TABLE} x JOIN registry_entity e ON e.id = -x.rowid "
                    f"WHERE {FTS_TABLE} MATCH %s AND {_verify_sql('e', query)}",
                    [match, *_verify_params(query)],
                )
        return int(cursor.fetchone()[0]), False


# PostgreSQL, several words: the share of the search table's pages a count samples, and the
# matches the sample must hold to stand for them all (fewer: the matches are few, and counted).
PG_SAMPLE_PERCENT = 0.5
PG_SAMPLE_MIN_MATCHES = 20


def _pg_sampled_count(cursor: Any, query: IndexQuery, where: str, params: list[Any]) -> int | None:
    """The matches of several words, estimated from a fixed sample of the search table's
    pages (TABLESAMPLE SYSTEM, REPEATABLE: the same pages every time), where and params
    being _pg_where(query)'s; None when the sample holds too few of them to tell, or the
    table has no statistics yet.

    The words' own estimates multiplied are the planner's kind of guess and can be several
    times off, both ways: 便利 超市 go together (89,808 names, guessed 14,592), 天心 芙蓉
    hardly (2,841, guessed 16,348). A sample of 0.5 % (~95 pages at 1M entities, ~6 ms) came
    within 3 % of the truth for those over 10,000 (17,873 for 17,238; 90,582 for 89,808)."""
    stats = _pg_token_stats(cursor)
    if stats is None:
        return None
    verify, vparams = _verify_and(query)  # the words checked on the sampled candidates
    join = "" if query.exact else " JOIN registry_entity e ON e.id = s.entity_id"
    cursor.execute(
        f"WITH sample AS MATERIALIZED (SELECT entity_id, tokens FROM {PG_TABLE} "
        f"TABLESAMPLE SYSTEM ({float(PG_SAMPLE_PERCENT)}) REPEATABLE (0)) "
        f"SELECT (SELECT count(*) FROM sample), "
        f"(SELECT count(*) FROM sample s{join} WHERE {where}{verify})",
        [*params, *vparams],
    )
    sampled, matches = cursor.fetchone()
    if not sampled or matches < PG_SAMPLE_MIN_MATCHES:
        return None
    return max(1, round(stats.rows * matches / sampled))


def _pg_upper_estimate(cursor: Any, query: IndexQuery) -> int:
    """The planner's estimate of the matches, kept on the high side: for a word of more than
    two characters, the smallest estimate of its single bigrams (the planner would multiply
    the bigrams' frequencies as if independent, but 便利 and 超市 go together). Several words
    are taken as independent of each other (芙蓉 and 便利超市: a district and a trade), their
    estimates multiplied. Worked out once per query: the page and the count of one request
    share it.

    From the column's statistics when the table has been analysed (no round trip: the same
    arithmetic the planner does, see _stats_rows), else from one EXPLAIN of the bigrams'
    queries joined by UNION ALL (then several words count as their rarest)."""
    if query._estimate is not None:
        return query._estimate
    words = [
        IndexQuery(
            fragment=word, filters=query.filters, unit_ids=query.unit_ids,
            names_only=not query.matches_person,
        )
        for word in query.keywords
    ] if len(query.keywords) > 1 else [query]  # fmt: skip
    stats = _pg_token_stats(cursor)
    estimates = [_pg_word_estimate(cursor, stats, word) for word in words]
    if stats is None or len(estimates) == 1:
        estimate = min(estimates)  # without statistics (a new database): the rarest word's
    else:
        fraction = 1.0
        for rows in estimates:
            fraction *= rows / stats.rows
        estimate = max(1, round(stats.rows * fraction))
    query._estimate = estimate
    return estimate


def _pg_word_estimate(cursor: Any, stats: PgTokenStats | None, query: IndexQuery) -> int:
    """The estimate of a query of one word: its own, or its bigrams' smallest."""
    parts = [query] if query.exact else [
        IndexQuery(
            fragment=pair, filters=query.filters, unit_ids=query.unit_ids,
            names_only=query.names_only,
        )
        for pair in _first_pairs(fold(query.fragment))
    ]  # fmt: skip
    if stats is not None:
        return min(_stats_rows(stats, part) for part in parts)
    return _pg_explain_estimate(cursor, parts)


def _first_pairs(word: str, most: int = 6) -> list[str]:
    """The word itself if it has two characters, else its first two-character windows."""
    return [word[i : i + 2] for i in range(min(len(word) - 1, most))]


def _pg_explain_estimate(cursor: Any, parts: list[IndexQuery]) -> int:
    selects, params = [], []
    for part in parts:
        where, part_params = _pg_where(part)
        selects.append(f"SELECT 1 FROM {PG_TABLE} s WHERE {where}")
        params += part_params
    plan = _pg_plan(cursor, " UNION ALL ".join(selects), params)
    children = plan.get("Plans", []) if plan.get("Node Type") == "Append" else []
    if len(parts) == 1:
        return int(plan.get("Plan Rows", 0))
    if len(children) == len(parts):
        return min(int(child.get("Plan Rows", 0)) for child in children)
    return min(  # pragma: no cover - an unexpected plan shape: one EXPLAIN per bigram
        _pg_estimate(cursor, select, _pg_where(part)[1])
        for select, part in zip(selects, parts, strict=True)
    )


@dataclass
class PgTokenStats:
    """The search table's row count and its token column's most common elements with their
    frequencies (pg_stats, written by ANALYZE)."""

    rows: float
    freqs: dict[str, float]
    minfreq: float
    nullfrac: float


# Read once per process and kept for a few minutes: the statistics change only when the
# table is analysed (autovacuum), and the estimate only chooses a plan and an "约" count.
PG_STATS_SECONDS = 300
_pg_stats_cache: tuple[float, PgTokenStats | None] | None = None


def _pg_token_stats(cursor: Any) -> PgTokenStats | None:
    global _pg_stats_cache
    now = time.monotonic()
    if _pg_stats_cache is not None and now - _pg_stats_cache[0] < PG_STATS_SECONDS:
        return _pg_stats_cache[1]
    cursor.execute(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, s.null_frac, "
        "c.reltuples FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname "
        "AND s.schemaname = current_schema() AND s.attname = 'tokens' "
        "WHERE c.oid = %s::regclass",
        [PG_TABLE],
    )
    row = cursor.fetchone()
    stats = None
    if row and row[0] and row[1] and len(row[1]) == len(row[0]) + 3 and row[3] > 0:
        elems, freqs, nullfrac, reltuples = row
        stats = PgTokenStats(
            rows=float(reltuples),
            freqs=dict(zip(elems, freqs[: len(elems)], strict=True)),
            minfreq=float(freqs[len(elems)]),
            nullfrac=float(nullfrac or 0.0),
        )
    _pg_stats_cache = (now, stats)
    return stats


def forget_pg_token_stats() -> None:
    """Read the statistics again at the next search (after an ANALYZE, in tests)."""
    global _pg_stats_cache
    _pg_stats_cache = None


# PostgreSQL's default selectivity of an array element it has no statistics for.
_PG_DEFAULT_CONTAIN_SEL = 0.005


def _array_selectivity(stats: PgTokenStats, tokens: Iterable[str], *, contains: bool) -> float:
    """As PostgreSQL's mcelem_array_contain_overlap_selec: @> multiplies the elements'
    frequencies, && combines them as "any"; an element outside the most common ones counts
    as half the least common frequency."""
    default = min(_PG_DEFAULT_CONTAIN_SEL, stats.minfreq / 2)
    selectivity = 1.0 if contains else 0.0
    for token in sorted(set(tokens)):
        freq = stats.freqs.get(token, default)
        selectivity = selectivity * freq if contains else selectivity + freq - selectivity * freq
    return min(max(selectivity, 0.0), 1.0) * (1.0 - stats.nullfrac)


def _stats_rows(stats: PgTokenStats, query: IndexQuery) -> int:
    """The planner's row estimate of _pg_where(query): the fragment OR the person, AND the
    filters, AND any of the units (OR: s1 + s2 − s1·s2; AND: the product)."""
    fragment = _array_selectivity(stats, query.fragment_tokens, contains=True)
    if query.matches_person:
        person = _array_selectivity(stats, [person_token(query.fragment)], contains=True)
        selectivity = fragment + person - fragment * person
    else:
        selectivity = fragment
    filters = query.filter_tokens()
    if filters:
        selectivity *= _array_selectivity(stats, filters, contains=True)
    units = query.unit_tokens()
    if units:
        selectivity *= _array_selectivity(stats, units, contains=False)
    return max(1, round(stats.rows * selectivity))


def _pg_plan(cursor: Any, sql: str, params: list[Any]) -> dict[str, Any]:
    import json

    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    raw = cursor.fetchone()[0]
    plan: dict[str, Any] = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return plan


def _pg_estimate(cursor: Any, count_sql: str, params: list[Any]) -> int:
    """The planner's estimate of the rows a count(*) query counts (the rows of the same query
    selecting a constant: the top node's estimate, workers included)."""
    plan = _pg_plan(cursor, count_sql.replace("SELECT count(*)", "SELECT 1", 1), params)
    return int(plan.get("Plan Rows", 0))
