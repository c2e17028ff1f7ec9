"""Writes of enforcement: keyword-only functions, one audited transaction each; bad input
raises ValidationError with a Chinese message naming the field and the rule, and changes
nothing.

Hand-overs (core.handover): clues come in as CLUE records (topics inspections.problem_found,
complaints.report_verified, and any other CLUE topic as 其他来源); a decision leaves a CREDIT
record, topic "enforcement.penalty" (label 行政处罚), whose `data` is::

    {"decision_number": str, "decided_on": "YYYY-MM-DD",
     "penalty_kinds": [codes among warning/fine/confiscation/suspension/revocation],
     "fine_fen": int, "confiscated_fen": int,
     "serious": bool  (a heavier penalty, Order 44 Art 2: suspension, revocation, or a fine
                       aggravated under the discretion benchmark),
     "legal_basis": str, "public": bool  (published under Order 45)}
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.urls import reverse

from regulus.core import clock, permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.clock_services import clock_start, clock_stop, open_clocks
from regulus.core.documents import DOCX_CONTENT_TYPE, docx_render, number_retry, series_next
from regulus.core.files import FileInfo, file_store
from regulus.core.handover import handover_send, handover_take
from regulus.core.masking import mask_address, mask_person_name, mask_text, unmasked_places
from regulus.core.models import AuditLog, Handover, OrgUnit, User
from regulus.core.scope import unit_is_visible
from regulus.core.text import clean_text
from regulus.core.workflow import event_record, transition_fire
from regulus.enforcement.models import (
    PENALTY_LABELS,
    Campaign,
    Case,
    Clue,
    Document,
    Domain,
    Matter,
    Payment,
    PaymentPlan,
    ProcedureRule,
    Publication,
    Seizure,
)
from regulus.enforcement.rules import NOT_FILING_GROUNDS, NOT_FILING_LABELS
from regulus.enforcement.workflow import (
    CASE_FLOW,
    CLUE_FLOW,
    SEIZURE_FLOW,
    publication_required,
)

MAX_AMOUNT_FEN = 10_000_000_000_00  # 一百亿元
PENALTY_TOPIC = "enforcement.penalty"
PENALTY_TOPIC_LABEL = "行政处罚"
# The CLUE topics other apps send, and the source each one is.
TOPIC_SOURCES = {
    "inspections.problem_found": Clue.Source.SPOT_CHECK,
    "complaints.report_verified": Clue.Source.REPORT,
    "licensing.false_commitment": Clue.Source.POST_APPROVAL,
}
STAFF_SOURCES = (Clue.Source.OWN, Clue.Source.TRANSFER, Clue.Source.CAMPAIGN)
DOC_DIR = Path(__file__).parent / "doc_templates"
# The word of each 文书 series in its number (芙市监立〔2026〕3号, 芙市监处罚〔2026〕12号).
DOC_WORDS: dict[str, str] = {
    Document.Kind.FILING: "立",
    Document.Kind.RECTIFY: "责改",
    Document.Kind.NOTICE: "罚告",
    Document.Kind.HEARING: "听通",
    Document.Kind.DECISION: "处罚",
    Document.Kind.SERVICE: "送",
    Document.Kind.CLOSING: "结",
}
HEAVY_KINDS = {"suspension", "revocation"}


# -- input -------------------------------------------------------------------------------------


def yuan_to_fen(value: Any, field: str) -> int:
    """'1,234.5' yuan → 123450 fen; '' → 0; ValidationError naming the field otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: "金额应为数字（单位：元，最多两位小数）"}) from None
    if not amount.is_finite() or amount < 0 or amount * 100 > MAX_AMOUNT_FEN:
        raise ValidationError({field: "金额应为0至一百亿元之间的数字（单位：元）"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: "金额最多两位小数（单位：元）"})
    return int(amount * 100)


def fen_text(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}元"


def _date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: f"{label}应为日期（如 2026-03-01）"}) from None


def _free(value: Any, field: str, label: str, *, multiline: bool = False) -> str:
    """Optional text, normalised and checked at the edge (core.text)."""
    return clean_text(str(value or ""), label=label, multiline=multiline, field=field)


def _text(value: Any, field: str, label: str, *, limit: int, multiline: bool = False) -> str:
    text = _free(value, field, label, multiline=multiline)
    if not text:
        raise ValidationError({field: f"请填写{label}"})
    if len(text) > limit:
        raise ValidationError({field: f"{label}不能超过{limit}个字"})
    return text


def _domain(value: str) -> str:
    if value not in Domain.values:
        raise ValidationError({"domain": "请选择领域"})
    return value


def _kinds(values: Any, field: str) -> list[str]:
    kinds = [k for k in PENALTY_LABELS if k in set(values or ())]
    unknown = set(values or ()) - set(PENALTY_LABELS)
    if unknown:
        raise ValidationError({field: "处罚种类应为警告、罚款、没收、责令停产停业、吊销许可证件"})
    return kinds


def _require_officer(actor: Any, case: Case) -> None:
    """Case work is done by the case's officers (Order 2 Art 19); a leader may act too."""
    if isinstance(actor, str):
        return
    if permissions.allows(actor, "enforcement.case_decide"):
        return
    if not case.officers.filter(pk=actor.pk).exists():
        raise PermissionDenied("只有本案的办案人员可以办理此操作")


def _authority(unit: OrgUnit) -> str:
    return unit.name


def _abbreviation(unit: OrgUnit) -> str:
    """The first character of the unit's short name (芙蓉区 → 芙), as 文书 numbers use it."""
    return (unit.short_name or unit.name)[:1]


# -- clues -------------------------------------------------------------------------------------


def _clue_number(received_on: dt.date) -> str:
    prefix = f"XS{received_on:%Y%m%d}"
    last = (
        Clue.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _clue_create(audit: AuditTrail, actor: Any, **values: Any) -> Clue:
    received_on = values["received_on"]

    def create() -> Clue:
        return Clue.objects.create(
            number=_clue_number(received_on),
            state=Clue.State.VERIFYING,
            created_at=clock.now(),
            **values,
        )

    clue = number_retry(create)
    clock_start(obj=clue, name="verification", actor=audit.actor, start=received_on)
    event_record(
        obj=clue,
        workflow=CLUE_FLOW,
        state=clue.state,
        actor=actor,
        actor_name=str(audit.actor),
        label=f"登记线索（{clue.get_source_display()}）",
        note=clue.title,
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=clue,
        summary=f"登记案件线索：{clue.number}（{clue.get_source_display()}）{clue.party_name}",
        changes={"source": clue.source, "party_name": clue.party_name, "domain": clue.domain},
    )
    return clue


def clue_register(
    *,
    actor: Any,
    source: str,
    party_name: str,
    domain: str,
    title: str,
    detail: str = "",
    received_on: dt.date | None = None,
    unit: OrgUnit | None = None,
    entity: Any = None,
    source_agency: str = "",
    source_number: str = "",
    campaign: Campaign | None = None,
) -> Clue:
    """A clue entered by staff: own discovery (执法检查发现), a transfer from another agency
    (移送机关 required) or a campaign's (the campaign required)."""
    permissions.require(actor, "enforcement.clue_handle")
    if source not in STAFF_SOURCES:
        raise ValidationError(
            {"source": "请选择线索来源：执法检查发现、其他机关移送或专项行动（其他来源经移交接收）"}
        )
    party_name = _text(party_name, "party_name", "当事人", limit=200)
    title = _text(title, "title", "线索摘要", limit=200)
    detail = _free(detail, "detail", "线索内容", multiline=True)
    day = received_on or clock.today()
    if day > clock.today():
        raise ValidationError({"received_on": "收到日期不能晚于今天"})
    if source == Clue.Source.TRANSFER:
        source_agency = _text(source_agency, "source_agency", "移送机关", limit=100)
    if source == Clue.Source.CAMPAIGN and campaign is None:
        raise ValidationError({"campaign": "专项行动的线索请选择专项行动"})
    owner = unit or getattr(actor, "unit", None)
    if owner is None or not unit_is_visible(actor, owner):
        raise ValidationError({"unit": "只能登记本单位（数据范围内）的线索"})
    with audited(actor=actor) as audit:
        return _clue_create(
            audit,
            actor,
            source=source,
            party_name=party_name,
            uscc=getattr(entity, "uscc", "") or "",
            entity=entity,
            domain=_domain(domain),
            title=title,
            detail=detail,
            received_on=day,
            unit=owner,
            source_agency=source_agency,
            source_number=_free(source_number, "source_number", "来源编号")[:60],
            campaign=campaign,
        )


def clue_from_handover(
    *, actor: Any, handover: Handover, domain: str = Domain.OTHER, campaign: Campaign | None = None
) -> Clue:
    """Take a CLUE hand-over of another app (a spot check's problem, a verified report) into
    the clue register, linked to its source; its verification clock runs from the day it was
    sent."""
    permissions.require(actor, "enforcement.clue_handle")
    if handover.kind != Handover.Kind.CLUE:
        raise ValidationError("只能接收线索类移交记录")
    if not unit_is_visible(actor, handover.unit):
        raise ValidationError("只能接收本单位（数据范围内）的移交线索")
    if handover.taken_at is not None or Clue.objects.filter(handover=handover).exists():
        raise ValidationError("该移交记录已被接收，请刷新后查看")
    from regulus.registry.models import Entity

    entity = Entity.objects.filter(pk=handover.entity_id).first() if handover.entity_id else None
    with audited(actor=actor) as audit:
        clue = _clue_create(
            audit,
            actor,
            source=TOPIC_SOURCES.get(handover.topic, Clue.Source.OWN),
            handover=handover,
            source_number=handover.source_number,
            source_url=handover.source_url,
            party_name=handover.entity_name or handover.title[:200],
            uscc=handover.uscc,
            entity=entity,
            domain=_domain(domain),
            title=handover.title[:200],
            detail=handover.detail,
            received_on=min(handover.sent_at.astimezone().date(), clock.today()),
            unit=handover.unit,
            campaign=campaign,
        )
        handover_take(audit=audit, handover=handover, taken_as=f"enforcement.clue:{clue.number}")
    return clue


def _limitation_problem(matter: Matter, violation_on: dt.date, day: dt.date) -> str | None:
    """行政处罚法 Art 36: 2 years from the violation (its end), 5 where life, health or
    finance are involved, by the procedure rule in force."""
    rule = ProcedureRule.in_force(day)
    if rule is None:
        return "尚未设定行政处罚程序规则"
    years = rule.limitation_years_grave if matter.grave else rule.limitation_years
    try:
        limit = violation_on.replace(year=violation_on.year + years)
    except ValueError:  # 29 February
        limit = violation_on.replace(year=violation_on.year + years, day=28)
    if day > limit:
        return (
            f"违法行为发生于 {violation_on:%Y-%m-%d}，追责时效{years}年已于 {limit:%Y-%m-%d} 届满，"
            "不得立案处罚（行政处罚法第三十六条）"
        )
    return None


def _filing_proposal(
    *,
    actor: Any,
    clue: Clue,
    matter: Matter | None,
    officers: list[User],
    party_kind: str,
    violation_on: Any,
    case_value: Any,
    facts: str,
    party_address: str,
    party_name: str = "",
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if matter is None or not matter.active:
        errors["matter"] = "请选择违法行为事项"
    distinct = {u.pk: u for u in officers}
    if len(distinct) < 2:
        errors["officers"] = "办案人员不得少于两人（行政处罚法第四十二条）"
    elif any(not unit_is_visible(u, clue.unit) for u in distinct.values()):
        errors["officers"] = "办案人员应为承办单位（数据范围内）的执法人员"
    if party_kind not in Case.PartyKind.values:
        errors["party_kind"] = "请选择当事人类型"
    if errors:
        raise ValidationError(errors)
    assert matter is not None
    day = _date(violation_on, "violation_on", "违法行为发生日")
    if day > clock.today():
        raise ValidationError({"violation_on": "违法行为发生日不能晚于今天"})
    problem = _limitation_problem(matter, day, clock.today())
    if problem:
        raise ValidationError({"violation_on": problem})
    return {
        "matter": matter.code,
        "officers": sorted(distinct),
        "party_kind": party_kind,
        "violation_on": day.isoformat(),
        "case_value_fen": yuan_to_fen(case_value, "case_value"),
        "facts": _text(facts, "facts", "案情摘要", limit=4000, multiline=True),
        "party_address": _free(party_address, "party_address", "住所")[:255],
        # The party as verification established it (a hand-over may name only the shop).
        "party_name": _free(party_name, "party_name", "当事人")[:200] or clue.party_name,
    }


def clue_propose(
    *,
    actor: Any,
    clue: Clue,
    file_case: bool,
    findings: str,
    ground: str = "",
    matter: Matter | None = None,
    officers: list[User] | None = None,
    party_kind: str = "",
    violation_on: Any = None,
    case_value: Any = "",
    facts: str = "",
    party_address: str = "",
    party_name: str = "",
) -> Clue:
    """The verifier's conclusion for the leader: file (with the 立案审批表's particulars: the
    matter, at least two officers, the violation date checked against the limitation period)
    or not file (a ground from the list, with its legal basis)."""
    name = "propose_filing" if file_case else "propose_not_filing"
    CLUE_FLOW.require(name, actor)
    findings = _text(findings, "findings", "核查情况", limit=4000, multiline=True)
    updates: dict[str, Any] = {"findings": findings}
    if file_case:
        proposal = _filing_proposal(
            actor=actor,
            clue=clue,
            matter=matter,
            officers=officers or [],
            party_kind=party_kind,
            violation_on=violation_on,
            case_value=case_value,
            facts=facts or findings,
            party_address=party_address,
            party_name=party_name,
        )
        data = proposal
    else:
        if ground not in NOT_FILING_LABELS:
            raise ValidationError({"ground": "请选择不予立案的情形（附法律依据）"})
        updates["not_filing_ground"] = ground
        data = {"ground": ground}
    with audited(actor=actor):
        transition_fire(obj=clue, name=name, actor=actor, note=findings, data=data, updates=updates)
    return clue


def clue_decide(*, actor: Any, clue: Clue, approve: bool, note: str = "") -> Clue:
    """The leader's decision on a proposal: approve it (filing creates the case, with its
    立案审批表) or send it back for more verification."""
    if not approve:
        CLUE_FLOW.require("send_back", actor)
        with audited(actor=actor):
            transition_fire(obj=clue, name="send_back", actor=actor, note=note)
        return clue
    if clue.state == Clue.State.PROPOSED_NOT_FILING:
        CLUE_FLOW.require("approve_not_filing", actor)
        note = note or NOT_FILING_LABELS.get(clue.not_filing_ground, "")
        with audited(actor=actor):
            transition_fire(
                obj=clue,
                name="approve_not_filing",
                actor=actor,
                note=note,
                updates=_decided(actor),
            )
        return clue
    CLUE_FLOW.require("approve_filing", actor)
    proposal = _latest_proposal(clue)
    matter = Matter.objects.filter(code=proposal.get("matter", "")).first()
    if matter is None:
        raise ValidationError("立案意见缺少违法行为事项，请退回重新提请")
    violation_on = dt.date.fromisoformat(proposal["violation_on"])
    problem = _limitation_problem(matter, violation_on, clock.today())
    if problem:
        raise ValidationError({"violation_on": problem})
    with audited(actor=actor) as audit:
        transition_fire(
            obj=clue, name="approve_filing", actor=actor, note=note, updates=_decided(actor)
        )
        case_file(audit=audit, actor=actor, clue=clue, matter=matter, proposal=proposal)
    return clue


def _decided(actor: Any) -> dict[str, Any]:
    return {
        "decided_by_name": getattr(actor, "display_name", str(actor))[:150],
        "decided_on": clock.today(),
    }


def _latest_proposal(clue: Clue) -> dict[str, Any]:
    from regulus.core.workflow import events_for

    event = events_for(clue).filter(transition="propose_filing").order_by("-at", "-id").first()
    return dict(event.data) if event else {}


def not_filing_grounds() -> tuple[dict[str, str], ...]:
    return NOT_FILING_GROUNDS


# -- documents ---------------------------------------------------------------------------------


def _doc_rows(case: Case, extra: list[tuple[str, str]]) -> list[dict[str, str]]:
    rows = [
        ("案件编号", case.number),
        ("当事人", case.party_name),
        ("当事人类型", case.get_party_kind_display()),
        ("统一社会信用代码", case.uscc or "—"),
        ("住所（经营场所）", case.party_address or "—"),
        ("违法行为", case.matter.name),
        ("违法依据", case.matter.violated_basis),
        ("处罚依据", case.matter.penalty_basis),
        ("案值", fen_text(case.case_value_fen)),
        *extra,
    ]
    return [{"label": label, "value": value} for label, value in rows]


def document_number(unit: OrgUnit, kind: str, day: dt.date) -> tuple[int, str]:
    """The next number of the series "芙市监处罚〔2026〕N号": per authority (its abbreviation, so
    that two units of the same abbreviation never issue the same number), kind and year."""
    prefix = f"{_abbreviation(unit)}市监{DOC_WORDS[kind]}〔{day.year}〕"
    seq = series_next(
        queryset=Document.objects.filter(series=prefix), series=f"enforcement.document:{prefix}"
    )
    return seq, f"{prefix}{seq}号"


def document_issue(
    *,
    audit: AuditTrail,
    case: Case,
    kind: str,
    body: str,
    extra: list[tuple[str, str]] | None = None,
    on: dt.date | None = None,
) -> Document:
    """Number the 文书 in its unit's series of the year and render it from its template (the
    admin's copy under MEDIA_ROOT/doc_templates/enforcement/ first), store it with the case.
    A step inside the caller's audited write."""
    day = on or clock.today()
    unit = case.unit
    title = Document.Kind(kind).label
    info_name = f"{title}-{case.number}.docx"

    def create() -> Document:
        seq, number = document_number(unit, kind, day)
        data = docx_render(
            template=f"enforcement/{kind}.docx",
            package_dir=DOC_DIR,
            context={
                "authority": _authority(unit),
                "title": title,
                "number": number,
                "party_name": case.party_name,
                "rows": _doc_rows(case, extra or []),
                "body": body,
                "signed_on": f"{day:%Y年%m月%d日}",
            },
        )
        info = FileInfo(
            kind="docx",
            extension=".docx",
            content_type=DOCX_CONTENT_TYPE,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            original_name=info_name,
        )
        stored = file_store(ContentFile(data), info=info, folder="enforcement")
        return Document.objects.create(
            case=case,
            kind=kind,
            unit=unit,
            year=day.year,
            series=number[: number.index("〕") + 1],
            seq=seq,
            number=number,
            stored_name=stored,
            original_name=info_name[:200],
            content_type=DOCX_CONTENT_TYPE,
            size=info.size,
            sha256=info.sha256,
            uploaded_at=clock.now(),
            uploaded_by=audit.actor if isinstance(audit.actor, User) else None,
        )

    try:
        document = number_retry(create, attempts=5)
    except IntegrityError:
        raise ValidationError({"number": "文书编号已被使用，请重试"}) from None
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=document,
        summary=f"制作文书：{title} {document.number}（{case.number}）",
        changes={"kind": kind, "number": document.number},
    )
    return document


def document_rectify(*, actor: Any, case: Case, order: str, within_days: int) -> Document:
    """责令改正通知书 (行政处罚法 Art 28): the order and the days given to correct."""
    CASE_FLOW.require("finish_investigation", actor)
    _require_officer(actor, case)
    order = _text(order, "order", "责令改正的内容", limit=1000, multiline=True)
    if (
        isinstance(within_days, bool)
        or not isinstance(within_days, int)
        or not 1 <= within_days <= 90
    ):
        raise ValidationError({"within_days": "改正期限应为1至90日"})
    if case.state in CASE_FLOW.final_states:
        raise ValidationError("案件已终结，不能再制作文书")
    with audited(actor=actor) as audit:
        return document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.RECTIFY,
            body=f"你（单位）的上述行为违反了{case.matter.violated_basis}。依据《中华人民共和国行政"
            f"处罚法》第二十八条，责令你（单位）于收到本通知书之日起{within_days}日内改正：{order}",
            extra=[("改正期限", f"{within_days}日")],
        )


# -- the case ----------------------------------------------------------------------------------


def case_file(
    *, audit: AuditTrail, actor: Any, clue: Clue, matter: Matter, proposal: dict[str, Any]
) -> Case:
    """立案: the case of an approved clue, its decision clock from today, its 立案审批表."""
    today = clock.today()
    rule = ProcedureRule.in_force(today)
    if rule is None:
        raise ValidationError("尚未设定行政处罚程序规则，不能立案")
    officers = list(User.objects.filter(pk__in=proposal["officers"]))
    unit = clue.unit
    # The case takes the number of its 立案审批表 (the document itself is issued below).
    _seq, number = document_number(unit, Document.Kind.FILING, today)
    case = Case.objects.create(
        number=number,
        clue=clue,
        rule=rule,
        matter=matter,
        domain=matter.domain if clue.domain == Domain.OTHER else clue.domain,
        campaign=clue.campaign,
        entity=clue.entity,
        party_name=proposal.get("party_name") or clue.party_name,
        party_kind=proposal["party_kind"],
        uscc=clue.uscc,
        party_address=proposal.get("party_address", ""),
        district_code=unit.division_code,
        unit=unit,
        violation_on=dt.date.fromisoformat(proposal["violation_on"]),
        filed_on=today,
        facts=proposal["facts"],
        case_value_fen=int(proposal.get("case_value_fen") or 0),
        state=Case.State.INVESTIGATING,
        created_at=clock.now(),
    )
    case.officers.set(officers)
    clock_start(obj=case, name="decision", actor=audit.actor, start=today)
    event_record(
        obj=case,
        workflow=CASE_FLOW,
        state=case.state,
        actor=actor,
        actor_name=str(audit.actor),
        label="立案",
        note=f"线索 {clue.number}；办案人员：" + "、".join(u.display_name for u in officers),
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=case,
        summary=f"立案：{case.number} {case.party_name}（{matter.name}）",
        changes={"clue": clue.pk, "matter": matter.pk, "officers": proposal["officers"]},
    )
    document_issue(
        audit=audit,
        case=case,
        kind=Document.Kind.FILING,
        body=f"线索来源：{clue.get_source_display()}（{clue.number}）。核查情况：{clue.findings}"
        f"。经审查，符合立案条件，批准立案。",
        extra=[
            ("违法行为发生日", f"{case.violation_on:%Y-%m-%d}"),
            ("办案人员", "、".join(u.display_name for u in officers)),
            ("批准人", getattr(actor, "display_name", str(actor))),
        ],
    )
    return case


def case_step(*, actor: Any, case: Case, name: str, note: str = "") -> Case:
    """A transition with no more than a note: 调查终结, 提交法制审核, 法制审核通过/退回, 当事人申请
    听证, 举行听证, 集体讨论, 申请法院强制执行, 移送公安, 撤销立案."""
    t = CASE_FLOW.require(name, actor)
    if name in ("finish_investigation", "submit_review", "request_hearing"):
        _require_officer(actor, case)
    investigated_it = not isinstance(actor, str) and case.officers.filter(pk=actor.pk).exists()
    if name == "review_pass" and investigated_it:
        raise PermissionDenied("法制审核人员不得为本案的调查人员")
    note = _free(note, "note", "说明", multiline=True)
    updates: dict[str, Any] = {}
    if name in ("review_pass", "review_return") and not isinstance(actor, str):
        updates = {"reviewer": actor, "review_opinion": note}
    if name in ("transfer_police", "withdraw"):
        updates["closed_on"] = clock.today()
    with audited(actor=actor):
        transition_fire(obj=case, name=t.name, actor=actor, note=note, updates=updates)
    return case


def _fine_ceiling_problem(case: Case, fine_fen: int) -> str | None:
    if fine_fen > case.matter.max_fine_fen:
        return (
            f"罚款 {fen_text(fine_fen)} 超过“{case.matter.name}”的罚款上限 "
            f"{fen_text(case.matter.max_fine_fen)}（{case.matter.penalty_basis}）"
        )
    return None


def case_notify(
    *, actor: Any, case: Case, kinds: list[str], fine: Any, confiscated: Any, note: str = ""
) -> Case:
    """告知: the intended penalty and the party's rights (to state and defend; to a hearing
    above the thresholds, within 5 working days); the 行政处罚告知书."""
    CASE_FLOW.require("notify", actor)
    _require_officer(actor, case)
    kinds = _kinds(kinds, "kinds")
    if not kinds:
        raise ValidationError({"kinds": "请选择拟作出的处罚种类"})
    fine_fen = yuan_to_fen(fine, "fine")
    confiscated_fen = yuan_to_fen(confiscated, "confiscated")
    if ("fine" in kinds) != (fine_fen > 0):
        raise ValidationError({"fine": "选择罚款时须填写罚款金额；未选择罚款时金额应为空"})
    problem = _fine_ceiling_problem(case, fine_fen)
    if problem:
        raise ValidationError({"fine": problem})
    from regulus.enforcement.workflow import hearing_right

    case.intended_kinds, case.intended_fine_fen = kinds, fine_fen
    case.intended_confiscated_fen = confiscated_fen
    rights = "陈述、申辩" + ("和要求听证" if hearing_right(case) else "")
    penalty = "、".join(PENALTY_LABELS[k] for k in kinds)
    with audited(actor=actor) as audit:
        transition_fire(
            obj=case,
            name="notify",
            actor=actor,
            note=note or f"拟{penalty}",
            updates={
                "intended_kinds": kinds,
                "intended_fine_fen": fine_fen,
                "intended_confiscated_fen": confiscated_fen,
                "notified_on": clock.today(),
            },
        )
        window = open_clocks(case).get("hearing_request")
        due = f"{window.due_date:%Y年%m月%d日}" if window and window.due_date else "五个工作日内"
        document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.NOTICE,
            body=f"你（单位）的上述行为违反了{case.matter.violated_basis}，依据{case.matter.penalty_basis}，"
            f"本局拟对你（单位）作出如下行政处罚：{penalty}"
            + (f"，罚款{fen_text(fine_fen)}" if fine_fen else "")
            + (f"，没收违法所得{fen_text(confiscated_fen)}" if confiscated_fen else "")
            + f"。根据《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条，"
            f"你（单位）享有{rights}的权利，请于{due}前向本局提出。",
            extra=[("拟处罚", penalty), ("拟罚款", fen_text(fine_fen))],
        )
    return case


def case_schedule_hearing(
    *, actor: Any, case: Case, hearing_on: Any, place: str, host: User | None
) -> Case:
    """听证通知: at least 7 days before the hearing (行政处罚法 Art 64(2)); the host is a hearing
    officer who did not investigate the case."""
    CASE_FLOW.require("schedule_hearing", actor)
    day = _date(hearing_on, "hearing_on", "听证日期")
    notice_days = case.rule.hearing_notice_days
    if day < clock.today() + dt.timedelta(days=notice_days):
        raise ValidationError(
            {
                "hearing_on": f"应当在举行听证的{notice_days}日前通知当事人：听证日期不得早于 "
                f"{clock.today() + dt.timedelta(days=notice_days):%Y-%m-%d}"
            }
        )
    place = _text(place, "place", "听证地点", limit=200)
    if host is None or not permissions.allows(host, "enforcement.hearing_hold"):
        raise ValidationError({"host": "请选择听证主持人"})
    if case.officers.filter(pk=host.pk).exists():
        raise ValidationError({"host": "听证主持人不得为本案调查人员（行政处罚法第六十四条）"})
    with audited(actor=actor) as audit:
        transition_fire(
            obj=case,
            name="schedule_hearing",
            actor=actor,
            note=f"{day:%Y-%m-%d} 在{place}举行听证，主持人{host.display_name}",
            updates={"hearing_on": day},
        )
        document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.HEARING,
            body=f"根据你（单位）的申请，本局定于{day:%Y年%m月%d日}在{place}举行听证，"
            f"听证主持人{host.display_name}。你（单位）可以亲自参加，也可以委托一至二人代理；"
            "无正当理由拒不出席的，视为放弃听证权利。",
            extra=[("听证日期", f"{day:%Y-%m-%d}"), ("听证地点", place)],
        )
    return case


def case_decide(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    kinds: list[str],
    fine: Any = "",
    confiscated: Any = "",
    aggravated: bool = False,
    note: str = "",
) -> Case:
    """决定: a penalty (no heavier than notified, within the matter's fine ceiling) or none;
    the 行政处罚决定书 numbered 芙市监处罚〔2026〕N号; the CREDIT hand-over; the publication
    clock when Order 45 requires publication."""
    CASE_FLOW.require("decide", actor)
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "请选择处理结果"})
    kinds = _kinds(kinds, "kinds") if outcome == Case.Outcome.PENALTY else []
    fine_fen = yuan_to_fen(fine, "fine") if "fine" in kinds else 0
    confiscated_fen = yuan_to_fen(confiscated, "confiscated") if "confiscation" in kinds else 0
    if outcome == Case.Outcome.PENALTY:
        if not kinds:
            raise ValidationError({"kinds": "请选择处罚种类"})
        if "fine" in kinds and fine_fen == 0:
            raise ValidationError({"fine": "请填写罚款金额"})
        problem = _fine_ceiling_problem(case, fine_fen)
        if problem:
            raise ValidationError({"fine": problem})
        heavier = (
            set(kinds) - set(case.intended_kinds)
            or fine_fen > case.intended_fine_fen
            or confiscated_fen > case.intended_confiscated_fen
        )
        if heavier:
            raise ValidationError(
                {
                    "kinds": "决定不得重于告知的拟处罚（拟"
                    + "、".join(PENALTY_LABELS[k] for k in case.intended_kinds)
                    + "），加重须重新告知"
                }
            )
    serious = bool(set(kinds) & HEAVY_KINDS) or (aggravated and "fine" in kinds)
    case.serious = serious  # read by the guard: a heavier penalty needs collective discussion
    note = _free(note, "note", "说明", multiline=True)
    today = clock.today()
    with audited(actor=actor) as audit:
        seq_doc = None
        updates = {
            "outcome": outcome,
            "penalty_kinds": kinds,
            "fine_fen": fine_fen,
            "confiscated_fen": confiscated_fen,
            "serious": serious,
            "decided_on": today,
        }
        transition_fire(obj=case, name="decide", actor=actor, note=note, updates=updates)
        penalty = "、".join(PENALTY_LABELS[k] for k in kinds) or "不予行政处罚"
        body = (
            f"经查，{case.facts}。你（单位）的上述行为违反了{case.matter.violated_basis}，依据"
            f"{case.matter.penalty_basis}，本局决定：{penalty}"
            + (f"，罚款{fen_text(fine_fen)}" if fine_fen else "")
            + (f"，没收违法所得{fen_text(confiscated_fen)}" if confiscated_fen else "")
            + "。罚没款请于收到本决定书之日起十五日内缴纳；逾期不缴纳的，每日按罚款数额的百分之三"
            "加处罚款。如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者六个月内"
            "依法提起行政诉讼。"
            + ("本决定将依法在国家企业信用信息公示系统公示。" if publication_required(case) else "")
        )
        seq_doc = document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.DECISION,
            body=body,
            extra=[
                ("处罚种类", penalty),
                ("罚款", fen_text(fine_fen)),
                ("没收违法所得", fen_text(confiscated_fen)),
            ],
        )
        Case.objects.filter(pk=case.pk).update(decision_number=seq_doc.number)
        case.decision_number = seq_doc.number
        if publication_required(case):
            clock_start(obj=case, name="publication", actor=audit.actor, start=today)
        if outcome == Case.Outcome.PENALTY:
            _send_penalty(audit, case)
    return case


def _send_penalty(audit: AuditTrail, case: Case) -> None:
    handover_send(
        audit=audit,
        kind=Handover.Kind.CREDIT,
        topic=PENALTY_TOPIC,
        topic_label=PENALTY_TOPIC_LABEL,
        source=case,
        unit=case.unit,
        occurred_on=case.decided_on or clock.today(),
        title=f"行政处罚：{case.party_name}（{case.matter.name}）",
        source_number=case.decision_number,
        source_url=reverse("enforcement:case_detail", args=[case.pk]),
        entity=case.entity,
        detail=f"{case.decision_number}：{case.penalty_labels}",
        data={
            "decision_number": case.decision_number,
            "decided_on": (case.decided_on or clock.today()).isoformat(),
            "penalty_kinds": list(case.penalty_kinds),
            "fine_fen": case.fine_fen,
            "confiscated_fen": case.confiscated_fen,
            "serious": case.serious,
            "legal_basis": case.matter.penalty_basis,
            "public": publication_required(case),
        },
    )


def case_serve(
    *, actor: Any, case: Case, served_on: Any, method: str, consent: bool = False
) -> Case:
    """送达: the decision served (a 送达回证); notice service takes effect 30 days after the
    notice (民事诉讼法 Art 95). The party is told in writing that the decision will be
    published (Order 45 Art 8)."""
    name = "serve" if case.money_due_fen > 0 else "serve_no_payment"
    CASE_FLOW.require(name, actor)
    _require_officer(actor, case)
    if method not in Case.ServiceMethod.values:
        raise ValidationError({"method": "请选择送达方式"})
    if method == Case.ServiceMethod.ELECTRONIC and not consent:
        raise ValidationError(
            {"method": "电子送达须经当事人同意并签订确认书（民事诉讼法第九十条）"}
        )
    day = _date(served_on, "served_on", "送达日期")
    if case.decided_on and day < case.decided_on:
        raise ValidationError({"served_on": f"送达日期不得早于决定日期 {case.decided_on:%Y-%m-%d}"})
    if day > clock.today():
        raise ValidationError({"served_on": "送达日期不能晚于今天"})
    effective = day + dt.timedelta(days=30) if method == Case.ServiceMethod.NOTICE else day
    label = Case.ServiceMethod(method).label
    with audited(actor=actor) as audit:
        transition_fire(
            obj=case,
            name=name,
            actor=actor,
            note=f"{label}，{day:%Y-%m-%d}"
            + (f"（公告送达，{effective:%Y-%m-%d} 视为送达）" if effective != day else ""),
            updates={"served_on": effective, "service_method": method},
        )
        if effective != day and name == "serve":
            # Payment runs from the day service by notice takes effect, not from the notice.
            clock_start(
                obj=case,
                name="payment",
                actor=audit.actor,
                start=effective,
                note="公告送达生效之日起算",
            )
        document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.SERVICE,
            body=f"送达文书：行政处罚决定书 {case.decision_number}。送达方式：{label}。"
            + (
                "该行政处罚决定将依法公示（《市场监督管理行政处罚信息公示规定》第八条）。"
                if publication_required(case)
                else ""
            ),
            extra=[("送达日期", f"{effective:%Y-%m-%d}"), ("送达方式", label)],
        )
    return case


# -- money -------------------------------------------------------------------------------------


def late_charge_fen(case: Case, on: dt.date) -> int:
    """行政处罚法 Art 72: 3 % of the fine a day after the payment deadline (the case's rule
    version), to the day, never more than the fine. Under an approved instalment or deferral
    plan (Art 66) the deadline is the due date of the first instalment missed: nothing runs
    while every instalment due is paid, whatever is not yet due."""
    plan = approved_plan(case)
    if plan is not None:
        start = plan.missed_on(_principal_paid(case, on), on)
    else:
        payment = _payment_clock(case)
        start = payment.due_date if payment is not None else None
    if start is None or on <= start:
        return 0
    days = (on - start).days
    paid_principal = sum(p.principal_fen for p in case.payments.filter(paid_on__lte=on))
    fine_left = max(0, case.fine_fen - max(0, paid_principal - case.confiscated_fen))
    charge = fine_left * case.rule.late_charge_permille * days // 1000
    return min(charge, case.fine_fen)


def _payment_clock(case: Case) -> Any:
    from regulus.core.clock_services import _content_type
    from regulus.core.models import Clock

    return (
        Clock.objects.filter(content_type=_content_type(Case), object_id=case.pk, name="payment")
        .order_by("-id")
        .first()
    )


def owed(case: Case, on: dt.date | None = None) -> dict[str, int]:
    """What remains owed on `on`: principal, late charge (to the day) and their total, in fen."""
    day = on or clock.today()
    principal_left = case.money_due_fen - case.paid_fen
    late_paid = sum(case.payments.values_list("late_charge_fen", flat=True))
    late = max(0, late_charge_fen(case, day) - late_paid) if principal_left > 0 or late_paid else 0
    return {"principal": principal_left, "late_charge": late, "total": principal_left + late}


def payment_record(*, actor: Any, case: Case, amount: Any, paid_on: Any, receipt: str) -> Payment:
    """A payment against the decision: the principal first, then the late charge; never more
    than what is owed on the day."""
    permissions.require(actor, "enforcement.case_handle")
    _require_officer(actor, case)
    if case.state not in (Case.State.SERVED, Case.State.COURT):
        raise ValidationError("决定书送达后方可登记缴款")
    fen = yuan_to_fen(amount, "amount")
    if fen <= 0:
        raise ValidationError({"amount": "缴款金额应大于0"})
    day = _date(paid_on, "paid_on", "缴款日期")
    if day > clock.today() or (case.served_on and day < case.decided_on):  # type: ignore[operator]
        raise ValidationError({"paid_on": "缴款日期应在决定日期之后、不晚于今天"})
    receipt = _text(receipt, "receipt", "缴款凭证号", limit=60)
    due = owed(case, day)
    if fen > due["total"]:
        raise ValidationError(
            {
                "amount": f"缴款 {fen_text(fen)} 超过应缴金额 {fen_text(due['total'])}"
                f"（罚没款 {fen_text(due['principal'])}，加处罚款 {fen_text(due['late_charge'])}）"
            }
        )
    principal = min(fen, due["principal"])
    with audited(actor=actor) as audit:
        payment = Payment.objects.create(
            case=case,
            paid_on=day,
            amount_fen=fen,
            principal_fen=principal,
            late_charge_fen=fen - principal,
            receipt=receipt,
            recorded_by_name=getattr(actor, "display_name", str(actor))[:150],
        )
        Case.objects.filter(pk=case.pk).update(paid_fen=case.paid_fen + principal)
        case.paid_fen += principal
        if case.paid_fen >= case.money_due_fen:
            running = open_clocks(case).get("payment")
            if running is not None:
                clock_stop(clock=running, actor=audit.actor, note="罚没款已缴清")
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=payment,
            summary=f"登记缴款：{case.number} {fen_text(fen)}（凭证 {receipt}）",
            changes={"amount_fen": fen, "principal_fen": principal, "paid_on": day},
        )
    return payment


# -- instalments and deferral (分期、延期缴纳, 行政处罚法 Art 66) ---------------------------------

# Bounds of the input, not legal figures: the law sets no number of instalments; these keep a
# typo (or a script) from storing a schedule no one could read.
MAX_INSTALMENTS = 60
PLAN_OPEN = (PaymentPlan.State.APPLIED, PaymentPlan.State.APPROVED)


def _principal_paid(case: Case, on: dt.date | None = None) -> list[tuple[dt.date, int]]:
    payments = case.payments.all() if on is None else case.payments.filter(paid_on__lte=on)
    return list(payments.order_by("paid_on", "id").values_list("paid_on", "principal_fen"))


def approved_plan(case: Case) -> PaymentPlan | None:
    return case.payment_plans.filter(state=PaymentPlan.State.APPROVED).order_by("-id").first()


def pending_plan(case: Case) -> PaymentPlan | None:
    return case.payment_plans.filter(state=PaymentPlan.State.APPLIED).order_by("-id").first()


def plan_rows(plan: PaymentPlan, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Each instalment with what the payments so far cover of it (in order, the earliest
    instalment first) and its standing on `on`: 已缴清, 未到期 or 逾期未缴清."""
    day = on or clock.today()
    left = sum(fen for _, fen in _principal_paid(plan.case)) - plan.paid_before_fen
    rows = []
    for number, (due_on, amount) in enumerate(plan.instalments, 1):
        covered = max(0, min(amount, left))
        left -= covered
        if covered >= amount:
            standing = "已缴清"
        elif due_on < day:
            standing = "逾期未缴清"
        else:
            standing = "未到期"
        rows.append(
            {
                "number": number,
                "due_on": due_on,
                "amount_fen": amount,
                "covered_fen": covered,
                "standing": standing,
            }
        )
    return rows


def plan_missed_on(plan: PaymentPlan, on: dt.date | None = None) -> dt.date | None:
    """The due date of the instalment missed (the rest due at once from then), or None."""
    day = on or clock.today()
    return plan.missed_on(_principal_paid(plan.case, day), day)


def schedule_from_text(text: str) -> list[dict[str, Any]]:
    """The page's schedule: one instalment a line, "缴纳日期 金额（元）" (2026-05-01 10000)."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(str(text or "").splitlines(), 1):
        parts = line.replace("，", " ").split(maxsplit=1)
        if not parts:
            continue
        if len(parts) != 2 or " " in parts[1].strip():
            raise ValidationError(
                {"schedule": f"缴纳计划第{number}行应为“缴纳日期 金额（元）”，如 2026-05-01 10000"}
            )
        day = _date(parts[0], "schedule", f"缴纳计划第{number}行的缴纳日期")
        try:
            fen = yuan_to_fen(parts[1], "schedule")
        except ValidationError as exc:
            message = exc.message_dict["schedule"][0]
            raise ValidationError({"schedule": f"缴纳计划第{number}行：{message}"}) from None
        rows.append({"due_on": day, "amount_fen": fen})
        if len(rows) > MAX_INSTALMENTS:
            break
    return rows


def _schedule(rows: Any, kind: str, owed_fen: int, today: dt.date) -> list[dict[str, Any]]:
    """The schedule checked: dates after today, ascending, amounts positive and adding up to
    what is owed; one instalment for a deferral, two or more for instalments."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ValidationError({"schedule": "请填写缴纳计划（每期的缴纳日期和金额）"})
    if len(rows) > MAX_INSTALMENTS:
        raise ValidationError({"schedule": f"缴纳计划最多{MAX_INSTALMENTS}期"})
    if kind == PaymentPlan.Kind.DEFERRAL and len(rows) != 1:
        raise ValidationError({"schedule": "延期缴纳只有一期：填写延期后的缴纳日期和全部金额"})
    if kind == PaymentPlan.Kind.INSTALMENTS and len(rows) < 2:
        raise ValidationError({"schedule": "分期缴纳至少两期（只有一期请选延期缴纳）"})
    checked: list[dict[str, Any]] = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValidationError({"schedule": f"缴纳计划第{number}期应有缴纳日期和金额"})
        day = _date(row.get("due_on"), "schedule", f"缴纳计划第{number}期的缴纳日期")
        fen = row.get("amount_fen")
        if isinstance(fen, bool) or not isinstance(fen, int) or not 0 < fen <= MAX_AMOUNT_FEN:
            raise ValidationError({"schedule": f"缴纳计划第{number}期的金额应大于0（单位：分）"})
        if day <= today:
            raise ValidationError({"schedule": f"缴纳计划第{number}期的缴纳日期应在今天之后"})
        if checked and day <= checked[-1]["due_on"]:
            raise ValidationError(
                {"schedule": f"缴纳计划第{number}期的缴纳日期应晚于第{number - 1}期"}
            )
        checked.append({"due_on": day, "amount_fen": fen})
    total = sum(row["amount_fen"] for row in checked)
    if total != owed_fen:
        raise ValidationError(
            {"schedule": f"缴纳计划合计 {fen_text(total)}，应等于尚欠罚没款 {fen_text(owed_fen)}"}
        )
    return [{"due_on": r["due_on"].isoformat(), "amount_fen": r["amount_fen"]} for r in checked]


def payment_plan_apply(
    *, actor: Any, case: Case, kind: str, reason: str, schedule: Any
) -> PaymentPlan:
    """The party's written application for instalments or deferral, recorded by a case officer
    while the payment period runs (the kernel's payment clock not yet run out)."""
    permissions.require(actor, "enforcement.case_handle")
    _require_officer(actor, case)
    if case.state != Case.State.SERVED:
        raise ValidationError("决定书送达后、申请强制执行前方可申请分期或延期缴纳")
    if case.payment_plans.filter(state__in=PLAN_OPEN).exists():
        raise ValidationError("本案已有待批准或已批准的分期（延期）缴纳，不能重复申请")
    owed_fen = case.money_due_fen - case.paid_fen
    if owed_fen <= 0:
        raise ValidationError("罚没款已缴清，无需分期或延期缴纳")
    today = clock.today()
    payment = open_clocks(case).get("payment")
    if payment is None or payment.due_date is None or payment.due_date < today:
        raise ValidationError({"__all__": "分期（延期）缴纳应在缴款期限届满前申请"})
    if kind not in PaymentPlan.Kind.values:
        raise ValidationError({"kind": "请选择分期缴纳或延期缴纳"})
    reason = _text(reason, "reason", "申请理由", limit=300)
    rows = _schedule(schedule, kind, owed_fen, today)
    with audited(actor=actor) as audit:
        plan = PaymentPlan.objects.create(
            case=case,
            kind=kind,
            applied_on=today,
            reason=reason,
            schedule=rows,
            total_fen=owed_fen,
            recorded_by_name=getattr(actor, "display_name", str(actor))[:150],
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=plan,
            summary=f"登记{plan.get_kind_display()}申请：{case.number} {len(rows)}期，"
            f"合计 {fen_text(owed_fen)}",
            changes={"kind": kind, "schedule": rows, "total_fen": owed_fen},
        )
    return plan


def payment_plan_decide(
    *, actor: Any, case: Case, approve: bool, document: str = "", note: str = ""
) -> PaymentPlan:
    """A leader approves the pending application (with the approval's document number: the
    payment clock stops, the schedule replaces it) or refuses it with the reason (the payment
    period and its late charge go on as decided)."""
    permissions.require(actor, "enforcement.case_decide")
    plan = pending_plan(case)
    if plan is None:
        raise ValidationError("本案没有待批准的分期（延期）缴纳申请")
    if case.state != Case.State.SERVED:
        raise ValidationError("案件已不在执行阶段，不能审批分期（延期）缴纳")
    if approve:
        document = _text(document, "document", "批准文书文号", limit=100)
        note = _free(note, "note", "审批意见")[:300]
    else:
        note = _text(note, "note", "不予批准的理由", limit=300)
    with audited(actor=actor) as audit:
        plan.state = PaymentPlan.State.APPROVED if approve else PaymentPlan.State.REFUSED
        plan.decided_on = clock.today()
        plan.approver_name = getattr(actor, "display_name", str(actor))[:150]
        plan.document = document if approve else ""
        plan.decision_note = note
        plan.save(
            update_fields=["state", "decided_on", "approver_name", "document", "decision_note"]
        )
        running = open_clocks(case).get("payment")
        if approve and running is not None:
            clock_stop(
                clock=running,
                actor=audit.actor,
                note=f"批准{plan.get_kind_display()}（{document}），按缴纳计划缴纳",
            )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=plan,
            summary=f"{'批准' if approve else '不予批准'}{plan.get_kind_display()}：{case.number}"
            + (f"（{document}）" if approve else f"：{note}"),
            changes={"state": [PaymentPlan.State.APPLIED, plan.state], "document": plan.document},
        )
    return plan


def case_close(*, actor: Any, case: Case, note: str = "") -> Case:
    """结案 with its 结案审批表."""
    CASE_FLOW.require("close", actor)
    note = _free(note, "note", "说明", multiline=True)
    with audited(actor=actor) as audit:
        transition_fire(
            obj=case, name="close", actor=actor, note=note, updates={"closed_on": clock.today()}
        )
        document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.CLOSING,
            body=f"行政处罚决定 {case.decision_number or '—'} 已执行完毕"
            + ("（已申请人民法院强制执行）" if case.state == Case.State.COURT else "")
            + f"，已缴纳罚没款 {fen_text(case.paid_fen)}。{note}",
            extra=[("处罚种类", case.penalty_labels), ("已缴纳", fen_text(case.paid_fen))],
        )
    return case


def case_simple_penalty(
    *,
    actor: Any,
    party_name: str,
    party_kind: str,
    matter: Matter,
    officers: list[User],
    kinds: list[str],
    fine: Any,
    facts: str,
    entity: Any = None,
    violation_on: Any = None,
) -> Case:
    """简易程序 (当场处罚, 行政处罚法 Art 51): a warning or a fine up to ¥200 (individuals) /
    ¥3,000 (organisations) by the rule in force, decided and served on the spot."""
    permissions.require(actor, "enforcement.case_handle")
    today = clock.today()
    rule = ProcedureRule.in_force(today)
    if rule is None:
        raise ValidationError("尚未设定行政处罚程序规则")
    kinds = _kinds(kinds, "kinds")
    if not kinds or set(kinds) - {"warning", "fine"}:
        raise ValidationError({"kinds": "简易程序只能给予警告或者罚款"})
    if party_kind not in Case.PartyKind.values:
        raise ValidationError({"party_kind": "请选择当事人类型"})
    fine_fen = yuan_to_fen(fine, "fine") if "fine" in kinds else 0
    limit = (
        rule.simple_individual_max_fen
        if party_kind == Case.PartyKind.INDIVIDUAL
        else rule.simple_org_max_fen
    )
    if fine_fen > limit:
        raise ValidationError(
            {
                "fine": f"简易程序罚款不得超过{fen_text(limit)}"
                f"（{Case.PartyKind(party_kind).label}，"
                "行政处罚法第五十一条），请按普通程序立案"
            }
        )
    if "fine" in kinds and fine_fen == 0:
        raise ValidationError({"fine": "请填写罚款金额"})
    distinct = {u.pk: u for u in officers}
    if len(distinct) < 2:
        raise ValidationError({"officers": "当场处罚须两名以上执法人员（行政处罚法第五十二条）"})
    party_name = _text(party_name, "party_name", "当事人", limit=200)
    facts = _text(facts, "facts", "违法事实", limit=2000, multiline=True)
    day = _date(violation_on or today, "violation_on", "违法行为发生日")
    unit = actor.unit
    with audited(actor=actor) as audit:
        clue = _clue_create(
            audit,
            actor,
            source=Clue.Source.OWN,
            party_name=party_name,
            uscc=getattr(entity, "uscc", "") or "",
            entity=entity,
            domain=matter.domain,
            title=f"当场处罚：{matter.name}",
            detail=facts,
            received_on=today,
            unit=unit,
        )
        # The case takes the number of its 当场处罚决定书 (issued below).
        _seq, number = document_number(unit, Document.Kind.DECISION, today)
        case = Case.objects.create(
            number=number,
            clue=None,
            procedure=Case.Procedure.SIMPLE,
            rule=rule,
            matter=matter,
            domain=matter.domain,
            entity=entity,
            party_name=party_name,
            party_kind=party_kind,
            uscc=getattr(entity, "uscc", "") or "",
            district_code=unit.division_code,
            unit=unit,
            violation_on=day,
            filed_on=today,
            facts=facts,
            state=Case.State.SERVED if fine_fen else Case.State.CLOSED,
            outcome=Case.Outcome.PENALTY,
            penalty_kinds=kinds,
            intended_kinds=kinds,
            fine_fen=fine_fen,
            intended_fine_fen=fine_fen,
            decided_on=today,
            notified_on=today,
            served_on=today,
            service_method=Case.ServiceMethod.DIRECT,
            closed_on=None if fine_fen else today,
            created_at=clock.now(),
        )
        case.officers.set(list(distinct.values()))
        # On the spot there is no verification step: the clue is filed at once, by the
        # officers' own decision (行政处罚法 Art 51), and its verification clock stops.
        Clue.objects.filter(pk=clue.pk).update(state=Clue.State.FILED, findings="当场处罚")
        open_clue = open_clocks(clue).get("verification")
        if open_clue is not None:
            clock_stop(clock=open_clue, actor=audit.actor, note="当场处罚")
        if fine_fen:
            clock_start(obj=case, name="payment", actor=audit.actor, start=today)
        event_record(
            obj=case,
            workflow=CASE_FLOW,
            state=case.state,
            actor=actor,
            label="当场作出行政处罚决定（简易程序）",
            note=f"{case.penalty_labels} {fen_text(fine_fen)}",
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=case,
            summary=f"当场处罚：{case.party_name}（{matter.name}）{fen_text(fine_fen)}",
            changes={"penalty_kinds": kinds, "fine_fen": fine_fen},
        )
        decision = document_issue(
            audit=audit,
            case=case,
            kind=Document.Kind.DECISION,
            body=f"当场行政处罚决定：{facts}。依据{matter.penalty_basis}，决定{case.penalty_labels}"
            + (f"，罚款{fen_text(fine_fen)}" if fine_fen else "")
            + "。",
            extra=[("程序", "简易程序（当场处罚）")],
        )
        Case.objects.filter(pk=case.pk).update(decision_number=decision.number)
        case.decision_number = decision.number
        _send_penalty(audit, case)
    return case


# -- seizures ----------------------------------------------------------------------------------


def seizure_record(
    *, actor: Any, case: Case, kind: str, goods: str, quantity: str, value: Any, seized_on: Any
) -> Seizure:
    """查封、扣押 with its 30-day clock (行政强制法 Art 25; +30 approved on the clock page)."""
    permissions.require(actor, "enforcement.case_handle")
    _require_officer(actor, case)
    if case.state in CASE_FLOW.final_states:
        raise ValidationError("案件已终结，不能再采取查封扣押措施")
    if kind not in Seizure.Kind.values:
        raise ValidationError({"kind": "请选择查封或扣押"})
    goods = _text(goods, "goods", "物品名称", limit=200)
    quantity = _text(quantity, "quantity", "数量", limit=50)
    day = _date(seized_on, "seized_on", "实施日期")
    if day > clock.today() or day < case.filed_on - dt.timedelta(days=30):
        raise ValidationError({"seized_on": "实施日期不能晚于今天"})
    with audited(actor=actor) as audit:
        seizure = Seizure.objects.create(
            case=case,
            kind=kind,
            goods=goods,
            quantity=quantity,
            value_fen=yuan_to_fen(value, "value"),
            seized_on=day,
            unit=case.unit,
        )
        clock_start(obj=seizure, name="seizure", actor=audit.actor, start=day)
        event_record(
            obj=case,
            workflow=CASE_FLOW,
            state=case.state,
            actor=actor,
            label=f"{seizure.get_kind_display()}：{goods} {quantity}",
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=seizure,
            summary=f"{seizure.get_kind_display()}：{goods}（{case.number}）",
            changes={"goods": goods, "quantity": quantity, "value_fen": seizure.value_fen},
        )
    return seizure


def seizure_end(*, actor: Any, seizure: Seizure, name: str, note: str) -> Seizure:
    SEIZURE_FLOW.require(name, actor)
    with audited(actor=actor):
        transition_fire(obj=seizure, name=name, actor=actor, note=note)
    return seizure


# -- publication -------------------------------------------------------------------------------


def _person(case: Case) -> bool:
    return case.party_kind == Case.PartyKind.INDIVIDUAL and not case.uscc


def publication_texts(case: Case) -> dict[str, str]:
    """The decision's summary as written (raw) and as the public will read it (masked by
    core.masking: a natural person's name, address, ID, phones, accounts and plates)."""
    party = case.party_name
    raw = (
        f"行政处罚决定书文号：{case.decision_number}\n当事人：{party}\n"
        + (f"统一社会信用代码：{case.uscc}\n" if case.uscc else "")
        + (f"住所：{case.party_address}\n" if case.party_address else "")
        + f"违法行为类型：{case.matter.name}\n主要违法事实：{case.facts}\n"
        f"处罚依据：{case.matter.penalty_basis}\n处罚内容：{case.penalty_labels}"
        + (f"，罚款{fen_text(case.fine_fen)}" if case.fine_fen else "")
        + (f"，没收违法所得{fen_text(case.confiscated_fen)}" if case.confiscated_fen else "")
        + f"\n处罚机关：{case.unit.name}\n处罚决定日期：{case.decided_on:%Y-%m-%d}"
    )
    names = [party] if _person(case) else []
    masked = raw
    if case.party_address and _person(case):
        masked = masked.replace(case.party_address, mask_address(case.party_address))
    masked = mask_text(masked, names=names)
    return {
        "raw": raw,
        "masked": masked,
        "party": mask_person_name(party) if _person(case) else party,
    }


def _publication_days(case: Case) -> tuple[int, str]:
    """Order 45 Art 13: 3 months for 通报批评 or a low fine only, else 3 years."""
    rule = case.rule
    low = set(case.penalty_kinds) <= {"warning", "fine"} and case.fine_fen <= rule.low_fine_max_fen
    if low:
        return rule.publication_short_months, "months"
    return rule.publication_long_years, "years"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _publication_problem(case: Case) -> str | None:
    if not publication_required(case):
        return (
            "本案不属于应当公示的行政处罚决定（普通程序作出、警告以外的处罚，且当事人非未成年人）"
        )
    if case.state not in (Case.State.DECIDED, Case.State.SERVED, Case.State.COURT):
        return "作出处罚决定后方可公示"
    return None


def _checked_text(case: Case, text: str) -> str:
    """The text to publish, refused with the places where personal data is still visible."""
    names = [case.party_name] if _person(case) else []
    values = [("住址", case.party_address)] if case.party_address and _person(case) else []
    places = unmasked_places(text, names=names, values=values)
    if places:
        where = "；".join(f"第{p.position}个字起的{p.kind}“…{p.context}…”" for p in places[:5])
        raise ValidationError(
            {"text_masked": f"{case.number}的公示文本中仍有未脱敏的个人信息，不能公示：{where}"}
        )
    return text


def _publication_row(case: Case, texts: dict[str, str], text: str, today: dt.date) -> Publication:
    amount, unit = _publication_days(case)
    until = _add_months(today, amount if unit == "months" else 12 * amount)
    fine = f"，罚款{fen_text(case.fine_fen)}" if case.fine_fen else ""
    return Publication(
        case=case,
        decision_number=case.decision_number,
        party_masked=texts["party"],
        uscc=case.uscc,
        violation=case.matter.name,
        penalty=(case.penalty_labels + fine)[:300],
        authority=case.unit.name,
        decided_on=case.decided_on or today,
        text_masked=text,
        published_on=today,
        shown_until=until,
        state=Publication.State.PUBLISHED,
        unit=case.unit,
    )


def publications_publish_many(*, actor: Any, cases: list[Case]) -> int:
    """Publish many decided cases at once with the masked texts as proposed (the day's
    batch a reviewer has checked): each text checked for unmasked data, the rows inserted in
    one go, one audit row each, the publication clocks stopped. All or nothing."""
    from regulus.core.clock_services import _content_type
    from regulus.core.models import Clock

    permissions.require(actor, "enforcement.publish")
    today = clock.today()
    rows: list[Publication] = []
    for case in cases:
        problem = _publication_problem(case)
        if problem:
            raise ValidationError(f"{case.number}：{problem}")
        texts = publication_texts(case)
        rows.append(_publication_row(case, texts, _checked_text(case, texts["masked"]), today))
    if Publication.objects.filter(case__in=[c.pk for c in cases]).exists():
        raise ValidationError("其中有已公示的行政处罚决定，请刷新后重试")
    with audited(actor=actor) as audit:
        created = Publication.objects.bulk_create(rows, batch_size=1000)
        audit.record_many(
            action=AuditLog.Action.CREATE,
            object_type="enforcement.publication",
            entries=(
                (
                    str(p.pk),
                    p.decision_number,
                    f"公示行政处罚信息：{p.decision_number}",
                    {"shown_until": p.shown_until, "party_masked": p.party_masked},
                )
                for p in created
            ),
        )
        running = Clock.objects.filter(
            content_type=_content_type(Case),
            object_id__in=[c.pk for c in cases],
            name="publication",
            status__in=("running", "paused"),
        )
        for publication_clock in running:
            clock_stop(clock=publication_clock, actor=audit.actor, note="已公示")
    return len(created)


def publication_publish(*, actor: Any, case: Case, text_masked: str | None = None) -> Publication:
    """Publish the masked decision on the portal. The text (the reviewer may have edited the
    proposed masked text) is checked again: an unmasked ID, phone, account, plate, address or the
    natural person's name blocks publication, with the place shown."""
    permissions.require(actor, "enforcement.publish")
    problem = _publication_problem(case)
    if problem:
        raise ValidationError(problem)
    if Publication.objects.filter(case=case).exists():
        raise ValidationError("该行政处罚决定已公示")
    texts = publication_texts(case)
    text = texts["masked"] if text_masked is None else text_masked
    text = _checked_text(case, _free(text, "text_masked", "公示文本", multiline=True))
    today = clock.today()
    with audited(actor=actor) as audit:
        publication = _publication_row(case, texts, text, today)
        publication.save()
        until = publication.shown_until
        running = open_clocks(case).get("publication")
        if running is not None:
            clock_stop(clock=running, actor=audit.actor, note="已公示")
        event_record(
            obj=case,
            workflow=CASE_FLOW,
            state=case.state,
            actor=actor,
            label="公示行政处罚信息",
            note=f"公示至 {until:%Y-%m-%d}",
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=publication,
            summary=f"公示行政处罚信息：{publication.decision_number}（至 {until:%Y-%m-%d}）",
            changes={"shown_until": until, "party_masked": publication.party_masked},
        )
    return publication


def _published(case: Case, refusal: str) -> Publication:
    """The case's publication while it is on the portal; `refusal` otherwise."""
    publication = Publication.objects.filter(case=case).first()
    if publication is None or publication.state != Publication.State.PUBLISHED:
        raise ValidationError(refusal)
    return publication


def _take_off(
    *,
    actor: Any,
    case: Case,
    publication: Publication,
    state: str,
    label: str,
    note: str,
    summary: str,
) -> Publication:
    """Take a publication off the portal today (only while it is published: a conditional
    UPDATE), with the case's event and the audit row."""
    with audited(actor=actor) as audit:
        Publication.objects.filter(pk=publication.pk, state=Publication.State.PUBLISHED).update(
            state=state, taken_down_on=clock.today()
        )
        publication.refresh_from_db()
        event_record(
            obj=case, workflow=CASE_FLOW, state=case.state, actor=actor, label=label, note=note
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=publication,
            summary=summary,
            changes={"state": [str(Publication.State.PUBLISHED), str(state)]},
        )
    return publication


def publication_withdraw(*, actor: Any, case: Case, reason: str) -> Publication:
    """撤回: a decision revoked (by review, a court or the authority itself) is taken off the
    portal at once (Order 45 Art 11 allows 3 working days; this does it the day it is told)."""
    permissions.require(actor, "enforcement.publish")
    reason = _text(reason, "reason", "撤回理由", limit=300, multiline=True)
    publication = _published(case, "该行政处罚决定不在公示中，无需撤回")
    return _take_off(
        actor=actor,
        case=case,
        publication=publication,
        state=Publication.State.WITHDRAWN,
        label="撤回行政处罚信息公示",
        note=reason,
        summary=f"撤回公示：{publication.decision_number}（{reason}）",
    )


# Order 45 Art 14: no early stop for these (stop-production orders, licence revocation).
NO_EARLY_STOP = {"suspension", "revocation"}


def publication_stop_early(*, actor: Any, case: Case, reason: str) -> Publication:
    """提前停止公示 after a credit repair (国市监信规〔2021〕3号), except for the penalties Order 45
    Art 14 excludes."""
    permissions.require(actor, "enforcement.publish")
    reason = _text(reason, "reason", "信用修复情况", limit=300, multiline=True)
    publication = _published(case, "该行政处罚决定不在公示中")
    if set(case.penalty_kinds) & NO_EARLY_STOP:
        raise ValidationError(
            "责令停产停业、吊销许可证件的行政处罚信息不得提前停止公示"
            "（《市场监督管理行政处罚信息公示规定》第十四条）"
        )
    return _take_off(
        actor=actor,
        case=case,
        publication=publication,
        state=Publication.State.STOPPED_EARLY,
        label="信用修复，提前停止公示",
        note=reason,
        summary=f"提前停止公示：{publication.decision_number}（信用修复）",
    )


def publications_take_down(*, actor: Any) -> int:
    """Take down the publications whose period has ended (Order 45 Art 13), each by a
    conditional UPDATE with its audit row: a second run takes down nothing again."""
    today = clock.today()
    due = Publication.objects.filter(state=Publication.State.PUBLISHED, shown_until__lt=today)
    taken = 0
    with audited(actor=actor) as audit:
        for publication in due:
            changed = Publication.objects.filter(
                pk=publication.pk, state=Publication.State.PUBLISHED
            ).update(state=Publication.State.TAKEN_DOWN, taken_down_on=today)
            if changed:
                audit.record(
                    action=AuditLog.Action.UPDATE,
                    obj=publication,
                    summary=f"公示期满撤下：{publication.decision_number}",
                    changes={"state": ["published", "taken_down"]},
                )
                taken += 1
    return taken


# -- campaigns ---------------------------------------------------------------------------------


def campaign_create(
    *,
    actor: Any,
    code: str,
    name: str,
    starts_on: Any,
    ends_on: Any,
    scope: str = "",
    domain: str = "",
) -> Campaign:
    permissions.require(actor, "enforcement.campaign_manage")
    code = _text(code, "code", "编码", limit=30)
    name = _text(name, "name", "名称", limit=100)
    start = _date(starts_on, "starts_on", "开始日期")
    end = _date(ends_on, "ends_on", "结束日期")
    if end < start:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    if domain and domain not in Domain.values:
        raise ValidationError({"domain": "请选择领域"})
    if Campaign.objects.filter(code=code).exists():
        raise ValidationError({"code": "该编码已被其他专项行动使用"})
    unit = actor.unit if not isinstance(actor, str) else OrgUnit.objects.order_by("path").first()
    if unit is None:
        raise ValidationError("设立专项行动须有组织单位")
    with audited(actor=actor) as audit:
        campaign = Campaign.objects.create(
            code=code,
            name=name,
            starts_on=start,
            ends_on=end,
            scope=_free(scope, "scope", "范围与重点", multiline=True),
            domain=domain,
            unit=unit,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=campaign,
            summary=f"设立专项行动：{name}",
            changes={"code": code, "starts_on": start, "ends_on": end},
        )
    return campaign


def case_tag_campaign(*, actor: Any, case: Case, campaign: Campaign | None) -> Case:
    """Tag a case (and so its seizures) to a campaign, or untag it."""
    permissions.require(actor, "enforcement.case_handle")
    _require_officer(actor, case)
    with audited(actor=actor) as audit:
        before = case.campaign_id
        Case.objects.filter(pk=case.pk).update(campaign=campaign)
        case.campaign = campaign
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=case,
            summary=f"案件{'纳入专项行动：' + campaign.name if campaign else '移出专项行动'}",
            changes={"campaign": [before, getattr(campaign, "pk", None)]},
        )
    return case


EXPORT_HEADER = (
    "案件编号",
    "程序",
    "当事人",
    "统一社会信用代码",
    "领域",
    "违法行为",
    "区县",
    "专项行动",
    "立案日期",
    "状态",
    "案值（元）",
    "罚款（元）",
    "没收（元）",
    "已缴（元）",
    "决定书文号",
    "决定日期",
    "结案日期",
)


def stats_export(*, actor: Any, year: int) -> bytes:
    """The .xlsx of the cases filed in the year in the actor's scope; the export is logged."""
    from regulus.core.documents import xlsx_bytes
    from regulus.enforcement.workflow import CASE_FLOW
    from regulus.registry.rules import DISTRICTS

    permissions.require(actor, "enforcement.stats_view")
    cases = (
        Case.objects.visible_to(actor)
        .filter(filed_on__year=year)
        .select_related("matter", "campaign")
        .order_by("filed_on", "id")
    )
    rows = [
        (
            c.number,
            c.get_procedure_display(),
            c.party_name,
            c.uscc,
            c.get_domain_display(),
            c.matter.name,
            DISTRICTS.get(c.district_code, c.district_code),
            c.campaign.name if c.campaign else "",
            c.filed_on,
            CASE_FLOW.state_label(c.state),
            c.case_value_fen / 100,
            c.fine_fen / 100,
            c.confiscated_fen / 100,
            c.paid_fen / 100,
            c.decision_number,
            c.decided_on,
            c.closed_on,
        )
        for c in cases.iterator(chunk_size=2000)
    ]
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="enforcement.case",
            summary=f"导出{year}年行政处罚案件 {len(rows)} 件",
        )
    return xlsx_bytes([(f"{year}年行政处罚案件", EXPORT_HEADER, rows)])
