"""Reads of the registry that views and the API serve, always through the data scope."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Func, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from regulus.core import ids, permissions
from regulus.core.crypto import keyed_hash
from regulus.core.masking import mask_id_number, mask_person_name
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.plugins import Card, CreditFact, Permit, PublicSection, entity_providers
from regulus.core.rawrows import RawColumns
from regulus.core.replica import read_connection
from regulus.core.scope import row_is_visible, scope_unit_ids
from regulus.core.selectors import audit_event, audit_timeline
from regulus.core.text import clean_text, shown, trim
from regulus.registry import search, services
from regulus.registry.models import Entity, EntityKind, EntityStatus, RiskClass
from regulus.registry.rules import INDUSTRY_SECTIONS, industry_section_of

SORTS = {  # whitelisted sort keys → label (search.SORT_SQL holds the SQL)
    "new": "最近录入",  # by id: the newest rows first (not the date of establishment)
    "name": "名称",
    "established": "成立日期（新→旧）",
    "capital": "注册资本（高→低）",
}
ORM_SORTS = {
    "new": ("-id",),
    "name": ("name", "-id"),
    "established": ("-established_on", "-id"),
    "capital": ("-registered_capital", "-id"),
}
# Lists never decrypt the ID number (nor carry the long business scope).
LIST_DEFERRED = ("legal_rep_id_number", "business_scope")
EXPORT_MAX = 300_000
FILTER_KEYS = ("district", "kind", "status", "risk", "industry")
Q_MAX_LENGTH = 100
_USCC_LIKE = re.compile(r"^[0-9A-Z]{18}$")


@dataclass
class EntityFilters:
    q: str = ""
    district: str = ""
    kind: str = ""
    status: str = ""
    risk: str = ""
    industry: str = ""
    sort: str = "new"

    @classmethod
    def from_params(cls, params: Any) -> EntityFilters:
        """From a QueryDict or dict. Raises ValidationError({parameter: 中文}) naming every
        value that is not one of its choices (nothing unknown reaches SQL)."""
        filters, errors = cls.parse(params)
        if errors:
            raise ValidationError(errors)
        return filters

    @classmethod
    def parse(cls, params: Any) -> tuple[EntityFilters, dict[str, str]]:
        """The filters with the refused values left out, and why each was refused."""
        errors: dict[str, str] = {}

        def get(key: str) -> str:
            return trim(str(params.get(key) or ""))

        def choice(key: str, value: str, allowed: Any, label: str) -> str:
            if not value or value in allowed:
                return value
            listed = "、".join(f"{code}（{name}）" for code, name in dict(allowed).items())
            errors[key] = f"{label}“{shown(value)}”不是可选的值，应为{listed}"
            return ""

        try:
            q = clean_text(get("q"), label="查询内容")
        except ValidationError as exc:
            q, errors["q"] = "", exc.messages[0]
        if len(q) > Q_MAX_LENGTH:
            q, errors["q"] = "", f"查询内容不能超过{Q_MAX_LENGTH}个字"
        industry = get("industry").upper()
        if industry and industry not in INDUSTRY_SECTIONS and industry_section_of(industry) is None:
            errors["industry"] = (
                f"行业“{shown(industry)}”应为GB/T 4754的门类字母（A–T）或两位大类代码（如52）"
            )
            industry = ""
        district = choice("district", get("district"), dict(ids.DEMO_DISTRICTS), "区县")
        filters = cls(
            q=q,
            district=district,
            kind=choice("kind", get("kind"), dict(EntityKind.choices), "主体类型"),
            status=choice("status", get("status"), dict(EntityStatus.choices), "登记状态"),
            risk=choice("risk", get("risk"), dict(RiskClass.choices), "风险分类"),
            industry=industry,
            sort=choice("sort", get("sort"), SORTS, "排序") or "new",
        )
        return filters, errors

    def filter_values(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTER_KEYS if getattr(self, k)}


@dataclass
class SearchResult:
    entities: list[Entity]
    count: int
    page: int
    per_page: int
    message: str = ""  # e.g. 至少输入两个字
    mode: str = "list"  # list / uscc / person (ID number) / fragment
    approximate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


# A query of several words (split at white space) finds the names that contain each of them;
# a word of one character would match almost every name.
SHORT_WORD = "用空格分开的每个关键词至少两个字"


def _short_word(q: str) -> bool:
    return any(len(word) < 2 for word in q.split())


def search_refusal(q: str) -> str:
    """Why a staff search of `q` is not run ("" when it is): the list says it instead of
    results, and an export of the same search says it instead of a workbook."""
    if not q or _uscc_query(q):
        return ""
    if len(q) < 2:
        return "至少输入两个字"
    return SHORT_WORD if _short_word(q) else ""


# A query of code characters only, too short for a whole USCC: most likely a code typed in part.
_PARTIAL_CODE = re.compile(r"^(?=.*[0-9])[0-9A-Za-z]{6,17}$")
PARTIAL_CODE = "按统一社会信用代码查询须输入完整的18位代码"


def _with_partial_code_hint(result: SearchResult, q: str) -> SearchResult:
    """A name search that found nothing for what looks like part of a code says why."""
    if result.page == 1 and not result.entities and _PARTIAL_CODE.match(q):
        result.message = PARTIAL_CODE
    return result


def _uscc_query(q: str) -> str | None:
    value = ids.normalise(q)
    return value if _USCC_LIKE.match(value) else None


def _id_number_query(code: str) -> str | None:
    """An 18-character query that is a valid resident ID number and no valid USCC: the search
    is then for the entities whose legal representative holds that number (through the
    number's keyed hash, the number itself being stored encrypted)."""
    if _is_valid(ids.validate_uscc, code):
        return None
    return code if _is_valid(ids.validate_id_number, code) else None


def filters_for_audit(filters: EntityFilters) -> dict[str, str]:
    """The filters of a list as the audit log may keep them: an ID number in the search box
    is masked."""
    values = {k: v for k, v in vars(filters).items() if v}
    uscc = _uscc_query(filters.q) if filters.q else None
    if uscc and _id_number_query(uscc):
        values["q"] = mask_id_number(uscc)
    return values


def filters_text(values: dict[str, Any]) -> str:
    """A list's filters as users chose them ("关键词“超市”，主体类型：个体工商户，排序：名称"),
    for the operation log and an export's summary."""
    parts = [f"关键词“{values['q']}”"] if values.get("q") else []
    named = {
        "district": ("区县", ids.DEMO_DISTRICTS),
        "kind": ("主体类型", EntityKind.choices),
        "status": ("登记状态", EntityStatus.choices),
        "risk": ("信用风险分类", RiskClass.choices),
        "industry": ("行业", [(k, f"{k} {v[0]}") for k, v in INDUSTRY_SECTIONS.items()]),
        "sort": ("排序", list(SORTS.items())),
    }
    for key, (label, choices) in named.items():
        value = values.get(key)
        if value:
            parts.append(f"{label}：{dict(choices).get(value, value)}")
    return "，".join(parts) or "全部"


def _is_valid(validator: Any, code: str) -> bool:
    try:
        validator(code)
    except ValidationError:
        return False
    return True


# SQLite's index of the ID number's keyed hash holds its first hex digits (migration 0007).
# The query must name that expression with the same constants (Substr would send them as
# parameters), and the whole hash's check must hide the column (unary +): else SQLite puts
# the compared constant in place of the column inside the expression as well, which then no
# longer matches the index. PostgreSQL's hash index serves the plain equality.
ID_HASH_KEY_DIGITS = 16


class _IdHashKey(Func):
    template = f"substr(%(expressions)s, 1, {ID_HASH_KEY_DIGITS})"
    output_field = CharField()


class _NotPropagated(Func):
    template = "+%(expressions)s"
    output_field = CharField()


def with_id_hash(qs: QuerySet[Entity], hashed: str) -> QuerySet[Entity]:
    """The entities of a legal representative, by the keyed hash of the ID number."""
    if connection.vendor != "sqlite":
        return qs.filter(legal_rep_id_hash=hashed)
    return qs.alias(
        id_key=_IdHashKey("legal_rep_id_hash"), id_hash=_NotPropagated("legal_rep_id_hash")
    ).filter(id_key=hashed[:ID_HASH_KEY_DIGITS], id_hash=hashed)


def entity_queryset(user: Any, filters: EntityFilters) -> QuerySet[Entity]:
    """The entities of the user's scope under the filters (no name fragment)."""
    qs = Entity.objects.visible_to(user)
    if filters.district:
        qs = qs.filter(district_code=filters.district)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.risk:
        qs = qs.filter(risk_class=filters.risk)
    if filters.industry:
        qs = qs.filter(
            **(
                {"industry_section": filters.industry}
                if len(filters.industry) == 1
                else {"industry_code": filters.industry}
            )
        )
    return qs


def _index_query(user: Any, filters: EntityFilters) -> search.IndexQuery:
    units = scope_unit_ids(user)
    return search.IndexQuery(
        fragment=filters.q,
        filters=filters.filter_values(),
        unit_ids=None if units is None else sorted(units),
    )


def entity_search(
    *,
    user: Any,
    filters: EntityFilters,
    page: int = 1,
    per_page: int = 20,
    with_count: bool = True,
    offset: int | None = None,
) -> SearchResult:
    """One search box: a USCC (exact), a name fragment of two or more characters (former
    names included), a legal representative's full name, or a legal representative's
    resident ID number (exact, through its keyed hash); plus filters and a sort. The rows
    from `offset` (the API's limit/offset: per_page is the limit) or else from `page`."""
    page = max(1, page)
    if offset is None:
        offset = (page - 1) * per_page
    else:
        page = offset // per_page + 1
    q = filters.q
    if not user.is_authenticated:
        return SearchResult([], 0, page, per_page)
    uscc = _uscc_query(q) if q else None
    number = _id_number_query(uscc) if uscc else None
    if number:
        services.record_id_number_search(actor=user, number=number)
        qs = with_id_hash(entity_queryset(user, filters), keyed_hash(number))
        return _list_page(qs, filters, offset, per_page, with_count, mode="person")
    if uscc:
        return _uscc_page(entity_queryset(user, filters), uscc, per_page)
    refusal = search_refusal(q)
    if refusal:
        return SearchResult([], 0, page, per_page, message=refusal, mode="fragment")
    if q:
        query = _index_query(user, filters)
        if query.unit_ids is not None and not query.unit_ids:
            return SearchResult([], 0, page, per_page, mode="fragment")
        found = _fragment_page(query, filters.sort, offset, per_page, with_count)
        return _with_partial_code_hint(found, q)
    return _list_page(entity_queryset(user, filters), filters, offset, per_page, with_count)


def _uscc_page(qs: QuerySet[Entity], uscc: str, per_page: int) -> SearchResult:
    """The one entity of that USCC among qs, if any."""
    rows = list(qs.filter(uscc=uscc).select_related("unit").defer(*LIST_DEFERRED)[:1])
    return SearchResult(rows, len(rows), 1, per_page, mode="uscc")


def _fragment_page(
    query: search.IndexQuery, sort: str, offset: int, per_page: int, with_count: bool
) -> SearchResult:
    """A page of the index's matches, in the order of the search, and how many there are."""
    page = offset // per_page + 1
    pks = search.search_ids(query, sort=sort, offset=offset, limit=per_page)
    by_pk = entities_by_ids(pks)
    rows = [by_pk[pk] for pk in pks if pk in by_pk]
    count, approximate = search.search_count(query) if with_count else (-1, False)
    return SearchResult(rows, count, page, per_page, mode="fragment", approximate=approximate)


# The public lookup (portal) shows at most this many entities: enough to find one by a part
# of its name, too few to copy the register through it.
PUBLIC_RESULTS = 20


def public_entity_search(q: str) -> SearchResult:
    """The public's lookup (企业信息查询): a full USCC, or two or more characters of a name
    (current or former), in the whole city; never a person's name or ID number (who runs
    which business is not for anyone to search). The first PUBLIC_RESULTS, newest first,
    and how many there are."""
    q = (q or "").strip()[:100]
    uscc = _uscc_query(q) if q else None
    if uscc:
        return _uscc_page(Entity.objects.all(), uscc, PUBLIC_RESULTS)
    if len(q) < 2:
        message = "请输入名称中连续的至少两个字，或完整的18位统一社会信用代码" if q else ""
        return SearchResult([], 0, 1, PUBLIC_RESULTS, message=message, mode="fragment")
    if _short_word(q):
        return SearchResult([], 0, 1, PUBLIC_RESULTS, message=SHORT_WORD, mode="fragment")
    query = search.IndexQuery(fragment=q, names_only=True)
    found = _fragment_page(query, "new", 0, PUBLIC_RESULTS, with_count=True)
    return _with_partial_code_hint(found, q)


def public_entity(uscc: str) -> dict[str, Any]:
    """What the public may see of an entity (its registration as published, the legal
    representative's name masked, no ID number, phone or supervising unit), its former names
    and its licences; Http404 for an unknown code."""
    entity = (
        Entity.objects.filter(uscc=ids.normalise(uscc or "")).defer("legal_rep_id_number").first()
    )
    if entity is None:
        raise Http404("未查到该统一社会信用代码的市场主体")
    return {
        "entity": entity,
        "legal_rep": mask_person_name(entity.legal_rep_name),
        "industry": industry_label(entity),
        "former_names": list(entity.former_names.order_by("-used_until", "-id")),
        "permits": entity_permits(entity, None),
        "sections": public_sections(entity),
    }


def public_sections(entity: Entity) -> list[PublicSection]:
    """The sections every installed app publishes about the entity (core.plugins), in their
    declared order: annual reports, spot-check results, penalties, listings …"""
    sections = [
        section
        for slots in entity_providers()
        if slots.public_sections
        for section in slots.public_sections(entity)
    ]
    return sorted(sections, key=lambda s: s.order)


def industry_label(entity: Entity) -> str:
    """ "F 批发和零售业 · 大类 52", as the entity pages show the industry ("" if none)."""
    section = INDUSTRY_SECTIONS.get(entity.industry_section)
    if section is None:
        return ""
    label = f"{entity.industry_section} {section[0]}"
    return f"{label} · 大类 {entity.industry_code}" if entity.industry_code else label


def entities_by_ids(pks: list[int]) -> dict[int, Entity]:
    """``Entity.objects.select_related("unit").defer(*LIST_DEFERRED).in_bulk(pks)`` with a
    statement written once per process (core.rawrows: a search page fetches its 20 rows on
    every keystroke; the ORM spends ~1 ms compiling and building them, this ~0.3 ms)."""
    if not pks:
        return {}
    entity, unit, sql = _entities_by_ids_sql(connection.vendor)
    with read_connection().cursor() as cursor:  # the replica on a page read
        cursor.execute(sql, [list(pks) if connection.vendor == "postgresql" else json.dumps(pks)])
        rows = cursor.fetchall()
    found: dict[int, Entity] = {}
    for row in rows:
        found[row[0]] = _with_unit(entity.instance(row), unit.instance(row))
    return found


def _with_unit(entity: Entity, unit: OrgUnit) -> Entity:
    Entity._meta.get_field("unit").set_cached_value(entity, unit)  # type: ignore[attr-defined]
    return entity


@functools.cache
def _entities_by_ids_sql(vendor: str) -> tuple[RawColumns, RawColumns, str]:
    """The columns of the ORM's own query: every field but LIST_DEFERRED, and the unit's."""
    fields = [f for f in Entity._meta.concrete_fields if f.attname not in LIST_DEFERRED]
    entity = RawColumns(Entity, fields)
    unit = RawColumns(OrgUnit, OrgUnit._meta.concrete_fields, start=entity.end)
    id_match = "= ANY(%s)" if vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"
    sql = (
        f"SELECT {entity.select('e')}, {unit.select('u')} FROM registry_entity e "
        f"JOIN core_orgunit u ON u.id = e.unit_id WHERE e.id {id_match}"
    )
    return entity, unit, sql


def _list_page(
    qs: QuerySet[Entity],
    filters: EntityFilters,
    offset: int,
    per_page: int,
    with_count: bool,
    mode: str = "list",
) -> SearchResult:
    """One page of an ORM-filtered list in the requested order, and its count."""
    page = offset // per_page + 1
    rows = list(
        qs.select_related("unit")
        .defer(*LIST_DEFERRED)
        .order_by(*ORM_SORTS[filters.sort])[offset : offset + per_page]
    )
    count = qs.count() if with_count else -1
    return SearchResult(rows, count, page, per_page, mode=mode)


def entity_export_rows(user: Any, filters: EntityFilters) -> tuple[Any, int]:
    """(iterator of value tuples, count) of every matching entity for an export."""
    columns = EXPORT_COLUMNS
    names = [c for c, _ in columns]
    if filters.q:
        uscc = _uscc_query(filters.q)
        number = _id_number_query(uscc) if uscc else None
        if number:
            qs = with_id_hash(entity_queryset(user, filters), keyed_hash(number))
        elif uscc:
            qs = entity_queryset(user, filters).filter(uscc=uscc)
        elif len(filters.q) < 2:
            qs = Entity.objects.none()
        else:
            query = _index_query(user, filters)
            if query.unit_ids is not None and not query.unit_ids:
                qs = Entity.objects.none()
            else:
                pks = search.search_ids(query, sort=filters.sort, offset=0, limit=EXPORT_MAX)
                count = len(pks)
                return _export_by_pks(pks, names), count
    else:
        qs = entity_queryset(user, filters)
    qs = qs.order_by(*ORM_SORTS[filters.sort])
    return qs.values_list(*names).iterator(chunk_size=5000), qs.count()


def _export_by_pks(pks: list[int], names: list[str]) -> Any:
    for start in range(0, len(pks), 900):
        chunk = pks[start : start + 900]
        rows = {r[0]: r for r in Entity.objects.filter(pk__in=chunk).values_list("pk", *names)}
        for pk in chunk:
            if pk in rows:
                yield rows[pk][1:]


EXPORT_COLUMNS = (
    ("uscc", "统一社会信用代码"),
    ("name", "名称"),
    ("kind", "主体类型"),
    ("sub_kind", "类型细分"),
    ("legal_rep_name", "法定代表人/经营者"),
    ("registered_capital", "注册资本（万元）"),
    ("established_on", "成立日期"),
    ("industry_section", "行业门类"),
    ("industry_code", "行业大类"),
    ("registration_authority", "登记机关"),
    ("district_code", "所属区县代码"),
    # The unit's id, named by the export from a dict of the units: a join here would let
    # SQLite's planner, with sampled statistics, start from the units and sort every entity.
    ("unit_id", "监管单位"),
    ("address", "住所（经营场所）"),
    ("phone", "联系电话"),
    ("status", "登记状态"),
    ("status_changed_on", "状态变更日期"),
    ("risk_class", "信用风险分类"),
)


def entity_named(user: Any, uscc: str) -> Entity:
    """The entity in the user's scope a staff form names by its USCC, or ValidationError on
    the "uscc" field (mistyped, unknown, or another district's)."""
    code = ids.normalise(uscc or "")
    entity = Entity.objects.visible_to(user).filter(uscc=code).first() if code else None
    if entity is None:
        raise ValidationError({"uscc": "统一社会信用代码有误，或该主体不在本单位辖区"})
    return entity


def entity_detail(*, user: Any, uscc: str) -> Entity:
    return Entity.objects.select_related("unit").get_visible_or_404(user, uscc=ids.normalise(uscc))


# The former names (newest first) as a JSON array, fetched in the entity's own query.
_FORMER_NAMES_SQL = {
    "postgresql": (
        "(SELECT COALESCE(json_agg(f.name ORDER BY f.used_until DESC, f.id DESC), '[]')::text "
        'FROM registry_entityformername f WHERE f.entity_id = "registry_entity"."id")'
    ),
    "sqlite": (
        "(SELECT json_group_array(name) FROM (SELECT f.name FROM registry_entityformername f "
        'WHERE f.entity_id = "registry_entity"."id" ORDER BY f.used_until DESC, f.id DESC))'
    ),
}


def entity_detail_with_former_names(*, user: Any, uscc: str) -> tuple[Entity, list[str]]:
    """The entity (404 outside the scope) and its former names, in ONE statement written once
    per process (the API's lookup by USCC: on PostgreSQL every round trip counts, and the ORM
    spends ~1 ms of Python compiling a select_related query; core.rawrows)."""
    entity, unit, sql = _detail_sql(connection.vendor)
    with read_connection().cursor() as cursor:  # the replica on a page read
        cursor.execute(sql, [ids.normalise(uscc)])
        row = cursor.fetchone()
    if row is None or not row_is_visible(user, row[unit.start]):  # the unit's id
        raise Http404("不存在或无权查看")
    former_names = json.loads(row[-1] or "[]")
    return _with_unit(entity.instance(row), unit.instance(row)), former_names


@functools.cache
def _detail_sql(vendor: str) -> tuple[RawColumns, RawColumns, str]:
    entity = RawColumns(Entity, Entity._meta.concrete_fields)
    unit = RawColumns(OrgUnit, OrgUnit._meta.concrete_fields, start=entity.end)
    former_names = _FORMER_NAMES_SQL[vendor].replace('"registry_entity"."id"', "e.id")
    sql = (
        f"SELECT {entity.select('e')}, {unit.select('u')}, {former_names} "
        "FROM registry_entity e JOIN core_orgunit u ON u.id = e.unit_id WHERE e.uscc = %s"
    )
    return entity, unit, sql


def entity_timeline(entity: Entity, user: Any) -> list[dict[str, Any]]:
    """Every app's events about the entity, its own audit rows, its registration facts and
    the import that created it, newest first.

    Several steps can share one moment (a commitment accepted, approved and issued on the
    spot, the entity registered with the issue). So the rows are gathered oldest first (each
    provider gives its own that way), the apps' before the entity's own, whose rows an app's
    step causes; sorted oldest first, a stable sort keeps that order among equal times, and
    reversed: the issue above the approval above the acceptance, the registration on top."""
    rows: list[dict[str, Any]] = []
    for slots in entity_providers():  # every app's events (core.plugins)
        if slots.timeline is not None:
            rows.extend(slots.timeline(entity, user))
    audited = audit_timeline(entity)[::-1]  # newest first as it comes
    rows += import_origin(entity) + registration_facts(entity, {r["action"] for r in audited})
    rows += audited
    rows.sort(key=lambda row: row["at"])
    rows.reverse()
    return rows


def registration_facts(entity: Entity, audited: set[str]) -> list[dict[str, Any]]:
    """Its establishment and its last change of status, as the record states them (dates,
    without a time), where none of its audit rows (`audited`: their actions) tells them
    already: an entity imported or migrated from the provincial register was established,
    and perhaps cancelled, before this system knew it; one registered or changed here has
    the audit row."""
    authority = entity.registration_authority or "登记机关"
    facts = []
    if AuditLog.Action.CREATE not in audited:
        facts.append(_fact(entity.established_on, authority, "设立登记，主体成立"))
    changed = entity.status_changed_on
    if (
        entity.status != EntityStatus.ACTIVE
        and changed
        and AuditLog.Action.TRANSITION not in audited
    ):
        title = f"登记状态变更为“{entity.get_status_display()}”"
        facts.append(_fact(changed, authority, title))
    return facts


def _fact(day: dt.date, authority: str, title: str) -> dict[str, Any]:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return {"at": at, "date_only": True, "actor_name": authority, "unit_name": "", "title": title}


def import_origin(entity: Entity) -> list[dict[str, Any]]:
    """The import that created the entity, as an event: an import writes one audit row for
    all the entities it creates (one a row would halve its speed), with the created_at they
    all carry; it is written as the import ends, within a day of it."""
    rows = AuditLog.objects.filter(
        action=AuditLog.Action.IMPORT,
        object_type=Entity._meta.label_lower,
        at__gte=entity.created_at,
        at__lt=entity.created_at + dt.timedelta(days=1),
    ).order_by("id")
    for row in rows:
        stamp = row.changes.get("created_at") if isinstance(row.changes, dict) else None
        if stamp and dt.datetime.fromisoformat(stamp) == entity.created_at:
            event = audit_event(row)
            event["title"] = f"批量导入新增（{row.object_repr}）"
            event["detail"] = row.summary
            return [event]
    return []


def entity_permits(entity: Entity, user: Any) -> list[Permit]:
    """The licences/permits the entity holds, from every app that grants them (core.plugins),
    in INSTALLED_APPS order. `user` None: the public entity page's."""
    return [
        permit
        for slots in entity_providers()
        if slots.permits is not None
        for permit in slots.permits(entity, user)
    ]


def entity_credit_facts(entity: Entity, user: Any) -> list[CreditFact] | None:
    """The entity's credit facts from every app that keeps some (core.plugins), newest first;
    None when no installed app keeps credit facts, so the page can tell "none recorded" from
    "not kept here"."""
    providers = [slots.credit_facts for slots in entity_providers() if slots.credit_facts]
    if not providers:
        return None
    facts = [fact for provider in providers for fact in provider(entity, user)]
    facts.sort(key=lambda fact: fact.on, reverse=True)
    return facts


def dashboard_cards(user: Any) -> list[Card]:
    """市场主体 in the user's scope: one indexed count (the whole city: the smallest index;
    a district: entity_unit_status_idx), ~10 ms at 1M entities."""
    if not permissions.allows(user, "registry.entity_view"):
        return []
    count = Entity.objects.visible_to(user).count()
    return [Card("entities", "市场主体（本范围）", count, reverse("registry:entity_list"))]
