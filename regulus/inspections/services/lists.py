"""The item list and the inspector directory (一单、执法检查人员名录库)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock, permissions
from regulus.core.audit import audited, diff, snapshot
from regulus.core.models import AuditLog, OrgUnit, User
from regulus.core.scope import unit_is_visible
from regulus.core.tabular import Column, SavedRow, TableImport, import_rows, write_template
from regulus.core.text import clean_text
from regulus.inspections.models import CheckItem, Conflict, Domain, Inspector
from regulus.registry.models import Entity


def _domains(values: list[str]) -> list[str]:
    bad = [v for v in values if v not in Domain.values]
    if bad or not values:
        raise ValidationError({"domains": "执法领域须从列表中选择至少一项"})
    return sorted(set(values))


def item_create(
    *,
    actor: Any,
    code: str,
    name: str,
    department: str,
    legal_basis: str,
    kind: str,
    domain: str,
) -> CheckItem:
    permissions.require(actor, "inspections.lists_manage")
    errors = {}
    code = clean_text(code, label="事项编码", field="code")
    if not code or len(code) > 20:
        errors["code"] = "事项编码须为1至20个字符"
    elif CheckItem.objects.filter(code=code).exists():
        errors["code"] = "该事项编码已存在"
    if kind not in CheckItem.Kind.values:
        errors["kind"] = "事项类别须为一般检查事项或重点检查事项"
    if domain not in Domain.values:
        errors["domain"] = "业务领域须从列表中选择"
    for key, value, label in (
        ("name", name, "检查事项"),
        ("department", department, "实施部门"),
        ("legal_basis", legal_basis, "法律依据"),
    ):
        if not value.strip():
            errors[key] = f"请填写{label}"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        item = CheckItem.objects.create(
            code=code,
            name=name.strip()[:200],
            department=department.strip()[:100],
            legal_basis=legal_basis.strip(),
            kind=kind,
            domain=domain,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=item,
            summary=f"新增抽查事项：{item.name}",
            changes=snapshot(item, ["code", "name", "department", "kind", "domain"]),
        )
    return item


def inspector_enrol(
    *,
    actor: Any,
    user: User,
    number: str,
    certificate_expires: dt.date | None,
    domains: list[str],
    available: bool = True,
) -> Inspector:
    """Enter a staff member in the inspector directory, or update their entry."""
    permissions.require(actor, "inspections.lists_manage")
    number, domains = _enrol_checked(actor, user, number, certificate_expires, domains)
    assert certificate_expires is not None
    with audited(actor=actor) as audit:
        entry, created, changes = _enrol_write(
            user, number, certificate_expires, domains, available
        )
        audit.record(
            action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
            obj=entry,
            summary=f"{'登记' if created else '修改'}执法检查人员：{user.display_name}",
            changes=changes,
        )
    return entry


def _enrol_checked(
    actor: Any, user: User, number: str, expires: dt.date | None, domains: list[str]
) -> tuple[str, list[str]]:
    """The entry's rules (ValidationError naming each field): the certificate number, not
    another's; its expiry; the domains; a staff member of the actor's units."""
    unit = user.unit
    if unit is None or not unit_is_visible(actor, unit):
        raise ValidationError({"user": "只能登记本单位及下级单位的工作人员"})
    errors = {}
    number = clean_text(number, label="执法证号", field="number").upper()
    if not number or len(number) > 30 or not number.replace("-", "").isalnum():
        errors["number"] = "执法证号须为1至30位字母、数字或连字符"
    elif Inspector.objects.filter(number=number).exclude(user=user).exists():
        errors["number"] = "该执法证号已登记给其他人员"
    if expires is None:
        errors["certificate_expires"] = "请填写执法证有效期"
    try:
        domains = _domains(domains)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return number, domains


ENROL_FIELDS = ["number", "certificate_expires", "domains", "available", "unit"]


def _enrol_write(
    user: User, number: str, expires: dt.date, domains: list[str], available: bool
) -> tuple[Inspector, bool, dict[str, Any]]:
    """Create or update the entry (inside the caller's audited block): (entry, created,
    the audit row's changes)."""
    unit = user.unit
    assert unit is not None  # _enrol_checked refused a staff member without a unit
    existing = Inspector.objects.filter(user=user).first()
    if existing is None:
        entry = Inspector.objects.create(
            user=user,
            number=number,
            certificate_expires=expires,
            unit=unit,
            domains=domains,
            available=available,
        )
        return entry, True, snapshot(entry, ENROL_FIELDS)
    before = snapshot(existing, ENROL_FIELDS)
    existing.number, existing.certificate_expires = number, expires
    existing.domains, existing.available, existing.unit = domains, available, unit
    existing.save()
    return existing, False, diff(before, snapshot(existing, ENROL_FIELDS))


# -- importing the inspector directory from a table (core.tabular) ---------------------------


def _expiry(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-").replace(".", "-"))
    except ValueError:
        raise ValueError("须为“年-月-日”格式的日期，如2028-12-31") from None


def _domain_codes(text: str) -> list[str]:
    by_label = {label: code for code, label in Domain.choices}
    parts = [p.strip() for p in text.replace("，", "、").replace(",", "、").split("、")]
    codes: list[str] = []
    unknown: list[str] = []
    for part in filter(None, parts):
        code = by_label.get(part) or (part if part in Domain.values else None)
        if code:
            codes.append(code)
        else:
            unknown.append(part)
    if unknown:
        raise ValueError(
            f"“{'、'.join(unknown)}”不是执法领域；可选：{'、'.join(by_label)}（以顿号分隔）"
        )
    return codes


def _yes_no(text: str) -> bool:
    if text in ("", "是", "Y", "y", "1"):
        return True
    if text in ("否", "N", "n", "0"):
        return False
    raise ValueError("须填“是”或“否”")


INSPECTOR_COLUMNS = (
    Column("username", "工作人员账号", headers=("工作人员账号", "账号", "用户名"), required=True,
           note="系统登录账号，须为本单位及下级单位的工作人员"),
    Column("name", "姓名", required=True, note="须与该账号登记的姓名一致"),
    Column("number", "执法证号", headers=("执法证号", "证号"), required=True,
           note="1至30位字母、数字或连字符"),
    Column("expires", "执法证有效期至", headers=("执法证有效期至", "有效期至"), required=True,
           parse=_expiry, note="年-月-日，如2028-12-31"),
    Column("unit", "所在单位", headers=("所在单位", "单位"), required=True,
           note="须与该账号所在单位的名称一致"),
    Column("domains", "执法领域", required=True, parse=_domain_codes,
           note="以顿号分隔：" + "、".join(label for _c, label in Domain.choices)),
    Column("available", "可参加抽查", parse=_yes_no, note="是或否，空白为是"),
)  # fmt: skip
INSPECTOR_EXAMPLE = ("zhangwei", "张伟", "43010200001", "2028-12-31", "岳麓区市场监督管理局",
                     "食品、广告", "是")  # fmt: skip


def inspectors_template() -> bytes:
    """The import template of the inspector directory (.xlsx)."""
    out = io.BytesIO()
    write_template(INSPECTOR_COLUMNS, out, title="执法检查人员", example=INSPECTOR_EXAMPLE)
    return out.getvalue()


def inspectors_import(
    *, actor: Any, path: str | Path, name: str, mode: str = "all-or-nothing"
) -> TableImport:
    """Import the inspector directory from a .xlsx or .csv (core.tabular): each row enrols or
    updates a staff member by the rules of inspector_enrol; a row's errors name its line and
    field. All-or-nothing by default: one bad row and nothing is written."""
    permissions.require(actor, "inspections.lists_manage")

    def save(line: int, values: dict[str, Any]) -> SavedRow:
        user = User.objects.visible_to(actor).filter(username=values["username"]).first()
        if user is None:
            raise ValidationError({"username": "没有该账号，或不在您的数据范围内"})
        if user.display_name != values["name"]:
            raise ValidationError({"name": f"与该账号登记的姓名“{user.display_name}”不一致"})
        if user.unit is None or user.unit.name != values["unit"]:
            raise ValidationError(
                {"unit": f"与该账号所在单位“{getattr(user.unit, 'name', '—')}”不一致"}
            )
        available = values["available"] if values["available"] != "" else True
        number, domains = _enrol_checked(
            actor, user, values["number"], values["expires"], values["domains"]
        )
        entry, created, changes = _enrol_write(user, number, values["expires"], domains, available)
        verb = "导入登记" if created else "导入修改"
        return (str(entry.pk), str(entry), f"{verb}执法检查人员：{user.display_name}", changes)

    def run(dry_run: bool) -> TableImport:
        return import_rows(
            actor=actor,
            path=path,
            name=name,
            columns=INSPECTOR_COLUMNS,
            save=save,
            object_type="inspections.inspector",
            mode=mode,
            what="执法检查人员",
            dry_run=dry_run,
        )

    if mode == "all-or-nothing":
        # A rehearsal first: the kernel stops at the cells' errors, and the rows' own rules
        # (an unknown account, a number given twice) would show only on the next try.
        rehearsal = run(dry_run=True)
        if rehearsal.file_error or rehearsal.errors:
            rehearsal.written = 0
            return rehearsal
    return run(dry_run=False)


def conflict_declare(*, actor: Any, inspector: Inspector, uscc: str, reason: str) -> Conflict:
    """Record an inspector's declared conflict of interest with an entity."""
    permissions.require(actor, "inspections.lists_manage")
    if not unit_is_visible(actor, inspector.unit):
        raise ValidationError({"inspector": "只能为本单位及下级单位的检查人员申报"})
    entity = Entity.objects.filter(uscc=uscc.strip().upper()).first()
    errors = {}
    if entity is None:
        errors["uscc"] = "统一社会信用代码未在主体名录中找到"
    if not reason.strip():
        errors["reason"] = "请填写利害关系"
    if not errors and Conflict.objects.filter(inspector=inspector, entity=entity).exists():
        errors["uscc"] = "该检查人员已申报与该主体的利害关系"
    if errors:
        raise ValidationError(errors)
    assert entity is not None
    with audited(actor=actor) as audit:
        conflict = Conflict.objects.create(
            inspector=inspector,
            entity=entity,
            reason=reason.strip()[:200],
            declared_on=clock.today(),
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=conflict,
            summary=f"申报利害关系：{inspector.user.display_name}与{entity.name}",
            changes={"reason": conflict.reason},
        )
    return conflict


def unit_district_codes() -> dict[int, str]:
    """Each unit's district code: its district bureau's (itself or an ancestor), else its own
    division code (the city's units)."""
    units = list(OrgUnit.objects.values_list("id", "path", "kind", "division_code"))
    by_id = {u[0]: u for u in units}
    codes: dict[int, str] = {}
    for uid, path, _kind, division in units:
        code = division
        for part in path.strip("/").split("/"):
            ancestor = by_id.get(int(part)) if part.isdigit() else None
            if ancestor and ancestor[2] == OrgUnit.Kind.DISTRICT_BUREAU:
                code = ancestor[3]
        codes[uid] = code
    return codes
