"""403 for every refused role, on every page and every API operation, generated from the URL
conf and the OpenAPI document; 404 for the outsider in another district on objects out of
scope.

Each page declares its permission with `core.permissions.page` and each API operation with
`core.permissions.operation`; the code stays on the view, where these tests read it. For
every role code that the permission refuses, a city-wide holder of only that role gets a 403
(pages: the 403 page; the API: the error shape), never 422 or 200, whatever it sends: the check
runs before anything is parsed or fetched. Holders are let through (whatever the dummy values
then make of the request, it is not a 403). A page or operation added later is covered as soon
as it is in the URL conf; one that declares nothing fails the completeness tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import RedirectView

from regulus.api import api
from regulus.core import permissions
from regulus.core.models import DataScope, Role, User

# URL namespaces that are not staff pages: the public portal, the API (its operations are
# walked from the OpenAPI document below) and Django's admin (superusers only).
NOT_STAFF_NAMESPACES = {"portal", "api", "admin"}
# The load balancer's probes (core.ops) answer anyone and show nothing of the data.
NOT_STAFF_PAGES = {"core:login", "core:logout", "core:healthz", "core:readyz"}
SAMPLE = {"int": "1", "str": "x1", "slug": "x1", "path": "x1", "uuid": "0" * 32}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), route, entry.callback


def public_namespaces() -> set[str]:
    """The namespaces of the apps' public pages (core.plugins AppExtension.public_pages)."""
    from regulus.core import plugins

    return {
        ext.public_pages.urls.app_name
        for ext in plugins.declarations().values()
        if ext.public_pages is not None
    }


def staff_pages() -> list[tuple[str, str, Any]]:
    public = NOT_STAFF_NAMESPACES | public_namespaces()
    return [
        (name, route, view)
        for name, route, view in _walk(get_resolver().url_patterns)
        if name.split(":")[0] not in public and name not in NOT_STAFF_PAGES
    ]


def sample_path(route: str, values: dict[str, str] | None = None) -> str:
    values = values or {}
    return "/" + CONVERTER.sub(lambda m: values.get(m[2], SAMPLE[m[1] or "str"]), route)


def api_operations() -> list[tuple[str, str, Any]]:
    """(method, path template, operation) of every operation in the OpenAPI document."""
    documented = api.get_openapi_schema()["paths"]
    found = {}
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    found[(method, "/api/v1" + path)] = op
    operations = []
    for path, methods in documented.items():
        for method in methods:
            operations.append((method.upper(), path, found[(method.upper(), path)]))
    return operations


def _declared(view: Any) -> bool:
    return hasattr(view, "permission")


def test_every_staff_page_declares_who_may_open_it():
    undeclared = [
        name
        for name, _route, view in staff_pages()
        if not _declared(view) and getattr(view, "view_class", None) is not RedirectView
    ]
    assert undeclared == []


def test_every_api_operation_declares_who_may_call_it():
    operations = api_operations()
    assert len(operations) >= 15
    undeclared = [
        f"{method} {path}"
        for method, path, op in operations
        if op.auth_callbacks and not _declared(op.view_func)
    ]
    assert undeclared == []


# -- every role, refused where its permission does not reach -------------------------------


@pytest.fixture
def role_holders(bureau) -> dict[str, User]:
    """For each role code, a city-wide holder of only that role (its scope is never the
    reason for an answer)."""
    holders = {}
    for code in Role.Code.values:
        role = Role.objects.create(name=f"测试-{code}", code=code, data_scope=DataScope.ALL)
        user = User.objects.create_user(username=f"role_{code}", unit=bureau["city"])
        user.roles.set([role])
        holders[code] = user
    return holders


def _page_cases() -> list[Any]:
    return [
        pytest.param(name, route, view.permission, id=name)
        for name, route, view in staff_pages()
        if getattr(view, "permission", None)
    ]


@pytest.mark.parametrize(("name", "route", "code"), _page_cases())
def test_refused_roles_get_the_403_page(client, role_holders, name, route, code):
    url = sample_path(route)
    for role_code, user in role_holders.items():
        client.force_login(user)
        refused = not permissions.get(code).allows_role(role_code)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if refused:
                assert response.status_code == 403, (role_code, method, url)
                assert "core/error.html" in [t.name for t in response.templates]
                assert "无权" in response.content.decode()
            elif method == "get":  # a form on the page may need a narrower permission
                assert response.status_code != 403, (role_code, method, url)


def _api_cases() -> list[Any]:
    return [
        pytest.param(method, path, op.view_func.permission, id=f"{method} {path}")
        for method, path, op in api_operations()
        if getattr(op.view_func, "permission", None)
    ]


@pytest.mark.parametrize(("method", "path", "code"), _api_cases())
def test_refused_roles_get_403_with_the_error_shape(client, role_holders, method, path, code):
    url = re.sub(r"\{(\w+)\}", "x1", path)
    for role_code, user in role_holders.items():
        client.force_login(user)
        response = client.generic(method, url, "{}", content_type="application/json")
        if permissions.get(code).allows_role(role_code):
            assert response.status_code != 403, (role_code, method, url)
            continue
        assert response.status_code == 403, (role_code, method, url)
        body = response.json()
        assert body["code"] == "forbidden" and body["fields"] == {}
        assert body["message"].startswith(f"无权{permissions.get(code).label}")


# -- the outsider in another district: 404 -------------------------------------------------


@pytest.fixture
def district_a_objects(bureau, handler, window_clerk, settings, tmp_path):
    """One object of each kind in district A, through the services."""
    import datetime as dt

    from regulus.core import calendar, ids
    from regulus.core.models import CalendarYear
    from regulus.licensing import services as licensing
    from regulus.licensing.catalogue import catalogue_ensure
    from regulus.licensing.models import Bundle, VerificationTask
    from regulus.registry.models import ImportJob
    from tests.credit.conftest import send_credit
    from tests.licensing.conftest import submit
    from tests.registry.conftest import make_entity

    settings.MEDIA_ROOT = tmp_path
    catalogue_ensure()
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    bundle = Bundle.objects.get(code="open-supermarket")
    application = submit(bundle, actor=window_clerk, path="commitment")
    licensing.application_fast_track(application=application, actor=handler)
    from regulus.complaints import services as complaints
    from regulus.complaints.rules import rules_ensure

    rules_ensure()
    complaint, _ = complaints.item_register(
        actor=handler, channel="phone", kind="report", category="food",
        respondent_name="芙蓉区某店", district_code="430102", facts="售卖过期食品", anonymous=True,
    )  # fmt: skip
    # A named report (举报): the reporter's identity is confidential (tests/security).
    reporter_id = ids.make_id_number("430102", dt.date(1981, 7, 9), 27)
    report, _ = complaints.item_register(
        actor=handler, channel="phone", kind="report", category="food",
        respondent_name="芙蓉区某店", district_code="430102", facts="后厨使用过期原料",
        person_name="赵秘举", person_phone="13907310427", person_id_number=reporter_id,
    )  # fmt: skip
    inspection = _inspection_objects(handler)
    legal_rep_id = ids.make_id_number("430102", dt.date(1970, 2, 3), 35)
    entity = make_entity(
        handler, "芙蓉区范围内的主体", legal_rep_name="钱法代", legal_rep_id_number=legal_rep_id
    )
    enforcement = _enforcement_objects(bureau, handler)
    from regulus.complaints.models import OdrMember

    odr_member = OdrMember.objects.create(
        entity=entity, unit=entity.unit, joined_on=dt.date(2026, 3, 2), contact_name="售后",
        contact_phone="0731-84000000", created_by="测试",
    )  # fmt: skip
    return {
        **inspection,
        **_field_objects(handler),
        **enforcement,
        "complaint": complaint.number,
        "report": report.number,
        "odr_member": odr_member.pk,
        "application": application.pk,
        "number": application.number,
        "material": application.materials.exclude(stored_name="").first().pk,
        "task": VerificationTask.objects.get(application=application).pk,
        "uscc": entity.uscc,
        "handover": send_credit(entity).pk,
        **_credit_objects(entity, handler),
        "staff": handler.pk,
        "job": ImportJob.objects.create(created_by=handler, original_name="a.csv").pk,
        # What names district A's objects in an answer: none may reach an outsider.
        "markers": [
            entity.uscc,
            inspection["target_uscc"],
            application.number,
            complaint.number,
            report.number,
            inspection["inspection_task"],
            "芙蓉区范围内的主体",
            "芙蓉区某店",
        ],
        # What no list or export shows anyone: reporters' identities, full ID numbers.
        "confidential": ["赵秘举", "13907310427", reporter_id, legal_rep_id],
    }


def _field_objects(handler: User) -> dict[str, Any]:
    """A lift with a check, a hazard and an order, a campaign and a canteen of district A."""
    from regulus.canteens import services as canteens
    from regulus.core import clock
    from regulus.equipment import services as equipment
    from regulus.equipment.rules import rules_ensure
    from tests.registry.conftest import make_entity

    rules_ensure()
    owner = make_entity(handler, "芙蓉区某物业公司")
    lift = equipment.equipment_register(
        actor=handler, category="3000", using_entity=owner, registration_number="梯11湘A00001(24)",
        compound_name="某小区", last_inspected_on=clock.today(),
    )  # fmt: skip
    check = equipment.check_record(
        actor=handler, entity=owner, kind="special", checked_on=clock.today(), inspectors="检查员",
        equipment=[lift], hazards=[{"description": "隐患", "level": "ordinary", "removal_days": 5}],
        order={"kind": "rectify", "requirement": "整改", "rectify_days": 5},
    )  # fmt: skip
    campaign = equipment.campaign_create(
        actor=handler, name="专项", scope="芙蓉区", category="3000", starts_on=clock.today(),
        ends_on=clock.today(), compounds=[lift.compound],
    )  # fmt: skip
    canteen = canteens.canteen_register(
        actor=handler, entity=make_entity(handler, "芙蓉区某食堂"), school_name="某小学",
        school_kind="primary", pupils=100,
    )  # fmt: skip
    return {
        "lift": lift.pk,
        "field_check": check.number,
        "hazard": check.hazards.get().pk,
        "order": check.orders.get().number,
        "campaign": campaign.pk,
        "canteen": canteen.pk,
    }


def _enforcement_objects(bureau: dict[str, Any], handler: User) -> dict[str, Any]:
    """A clue, a filed case with its 立案审批表 and a clue hand-over waiting, of district A."""
    from regulus.core.audit import audited
    from regulus.core.handover import handover_send
    from regulus.core.models import Handover
    from regulus.enforcement import services as enforcement
    from regulus.enforcement.models import Case, Matter
    from regulus.enforcement.rules import rules_ensure
    from tests.conftest import make_staff

    rules_ensure()
    second = make_staff("officer_a2", bureau["district_a"], "县区局业务承办人", full_name="赵二")
    leader = make_staff("leader_a_x", bureau["district_a"], "县区局领导", full_name="钱领导")
    clue = enforcement.clue_register(
        actor=handler, source="own", party_name="芙蓉区某店", domain="ip", title="假冒"
    )
    enforcement.clue_propose(
        actor=handler, clue=clue, file_case=True, findings="属实",
        matter=Matter.objects.get(code="counterfeit-goods"), officers=[handler, second],
        party_kind="organisation", violation_on="2026-01-02",
    )  # fmt: skip
    enforcement.clue_decide(actor=leader, clue=clue, approve=True)
    case = Case.objects.get(clue=clue)
    with audited(actor="测试") as audit:
        waiting = handover_send(
            audit=audit, kind=Handover.Kind.CLUE, topic="inspections.problem_found",
            topic_label="双随机抽查发现问题", source=case, unit=bureau["district_a"],
            occurred_on=case.filed_on, title="抽查发现问题",
        )  # fmt: skip
    return {
        "clue": clue.number,
        "case": case.pk,
        "document": case.documents.get().pk,
        "clue_handover": waiting.pk,
    }


def _credit_objects(entity: Any, handler: User) -> dict[str, Any]:
    """An abnormal listing with its decision document and a repair application, and a
    proposed serious-violation listing, of district A."""
    from regulus.credit import services as credit

    listing = credit.abnormal_list(
        entity=entity, ground="false_info", evidence="核查认定公示信息虚假", actor=handler
    )
    document = credit.credit_document_make(kind="abnormal_list", obj=listing, actor=handler)
    repair = credit.repair_apply_staff(
        entity=entity, target="abnormal", subject_id=listing.pk, applicant="张三",
        phone="13800138000", reason="已更正公示信息", pledged=True, actor=handler,
    )  # fmt: skip
    serious = credit.serious_propose(
        entity=entity, ground="false_info", evidence="公示信息弄虚作假情节严重", actor=handler
    )
    return {
        "listing": listing.pk,
        "credit_document": document.pk,
        "repair": repair.pk,
        "serious": serious.pk,
    }


def _inspection_objects(handler: User) -> dict[str, Any]:
    """A plan, a task and a drawn target of district A (the target as a row: a draw needs
    more than this walk does)."""
    import datetime as dt

    from regulus.core import clock
    from regulus.inspections import services as inspections
    from regulus.inspections.models import CheckItem, Rectification, ResultFile, Target
    from tests.registry.conftest import make_entity

    item = CheckItem.objects.create(
        code="T-1", name="检查事项", department="科室", legal_basis="依据", kind="general",
        domain="food",
    )  # fmt: skip
    plan = inspections.plan_create(actor=handler, year=clock.today().year, batch=9, title="计划")
    task = inspections.task_create(
        actor=handler, plan=plan, title="任务", department="科室", domain="food", items=[item],
        check_from=dt.date(plan.year, 12, 30), check_to=dt.date(plan.year, 12, 31),
        source_description="随机源", source_available_at=clock.now() + dt.timedelta(days=1),
        ratios={},
    )  # fmt: skip
    entity = make_entity(handler, "抽查对象")
    target = Target.objects.create(task=task, entity=entity, stratum="A", position=1)
    order = Rectification.objects.create(
        target=target, problems="问题", requirement="整改", ordered_by=handler,
        ordered_on=clock.today(),
    )  # fmt: skip
    photo = ResultFile.objects.create(
        target=target, stored_name="inspections/none.jpg", original_name="现场.jpg",
        content_type="image/jpeg", size=1, sha256="0" * 64, uploaded_at=clock.now(),
    )  # fmt: skip
    return {
        "plan": plan.pk,
        "inspection_task": task.number,
        "target": target.pk,
        "rectification": order.pk,
        "result_file": photo.pk,
        "target_uscc": entity.uscc,
    }


# The objects of district A that each page with an object in its address is asked for; None
# for pages whose objects are not scoped by district (the catalogue, the calendar, roles).
OUT_OF_SCOPE = {
    "core:staff_detail": lambda o: {"pk": o["staff"]},
    "core:staff_edit": lambda o: {"pk": o["staff"]},
    "core:staff_roles": lambda o: {"pk": o["staff"]},
    "core:role_edit": None,
    "core:calendar_delete": None,
    "core:object_clocks": lambda o: {
        "object_type": "licensing.application",
        "object_id": o["application"],
    },
    "registry:entity_detail": lambda o: {"uscc": o["uscc"]},
    "registry:entity_edit": lambda o: {"uscc": o["uscc"]},
    "registry:entity_status": lambda o: {"uscc": o["uscc"]},
    "registry:import_job": lambda o: {"pk": o["job"]},
    "registry:import_commit": lambda o: {"pk": o["job"]},
    "registry:import_cancel": lambda o: {"pk": o["job"]},
    "registry:import_errors": lambda o: {"pk": o["job"]},
    "licensing:application_act": lambda o: {"number": o["number"], "name": "approve"},
    "licensing:material_file": lambda o: {"pk": o["material"]},
    "licensing:material_remove": lambda o: {"number": o["number"], "pk": o["material"]},
    "licensing:verification_detail": lambda o: {"pk": o["task"]},
    "licensing:matter_edit": None,
    "licensing:bundle_edit": None,
    "inspections:plan_detail": lambda o: {"pk": o["plan"]},
    "inspections:task_create": lambda o: {"pk": o["plan"]},
    "inspections:task_detail": lambda o: {"number": o["inspection_task"]},
    "inspections:target_result": lambda o: {"pk": o["target"]},
    "inspections:rectification": lambda o: {"pk": o["rectification"]},
    "inspections:result_file": lambda o: {"pk": o["target"], "file_pk": o["result_file"]},
    "complaints:item_detail": lambda o: {"number": o["complaint"]},
    "complaints:item_act": lambda o: {"number": o["complaint"], "action": "accept"},
    "complaints:routing_delete": None,
    "complaints:reporter_notify": lambda o: {"number": o["complaint"]},
    "complaints:odr_member_withdraw": lambda o: {"pk": o["odr_member"]},
    "credit:handover_take": lambda o: {"pk": o["handover"]},
    "enforcement:inbox_take": lambda o: {"pk": o["clue_handover"]},
    "enforcement:clue_detail": lambda o: {"number": o["clue"]},
    "enforcement:clue_act": lambda o: {"number": o["clue"], "action": "approve"},
    "enforcement:case_detail": lambda o: {"pk": o["case"]},
    "enforcement:case_act": lambda o: {"pk": o["case"], "action": "finish_investigation"},
    "enforcement:publication_review": lambda o: {"pk": o["case"]},
    "enforcement:document_file": lambda o: {"pk": o["document"]},
    "enforcement:campaign_detail": None,
    "credit:listing_detail": lambda o: {"pk": o["listing"]},
    "credit:risk_explain": lambda o: {"uscc": o["uscc"]},
    "credit:listing_act": lambda o: {"pk": o["listing"], "action": "remove"},
    "credit:serious_detail": lambda o: {"pk": o["serious"]},
    "credit:serious_act": lambda o: {"pk": o["serious"], "action": "notify"},
    "credit:repair_detail": lambda o: {"pk": o["repair"]},
    "credit:repair_act": lambda o: {"pk": o["repair"], "action": "approve"},
    "credit:document_download": lambda o: {"pk": o["credit_document"]},
    "equipment:equipment_detail": lambda o: {"pk": o["lift"]},
    "equipment:equipment_act": lambda o: {"pk": o["lift"], "action": "stop"},
    "equipment:check_detail": lambda o: {"number": o["field_check"]},
    "equipment:hazard_act": lambda o: {"pk": o["hazard"], "action": "remove"},
    "equipment:order_detail": lambda o: {"number": o["order"]},
    "equipment:order_act": lambda o: {"number": o["order"], "action": "report"},
    "equipment:campaign_detail": lambda o: {"pk": o["campaign"]},
    "canteens:canteen_detail": lambda o: {"pk": o["canteen"]},
    "canteens:canteen_act": lambda o: {"pk": o["canteen"], "action": "meal"},
}
# The same for every API operation with an object in its path (the OpenAPI document's
# template), None for operations public by law (a draw's publication, a certificate check).
API_OUT_OF_SCOPE = {
    "/api/v1/staff/{staff_id}": lambda o: {"staff_id": o["staff"]},
    "/api/v1/clocks/{object_type}/{object_id}": lambda o: {
        "object_type": "licensing.application",
        "object_id": o["application"],
    },
    "/api/v1/entities/{uscc}": lambda o: {"uscc": o["uscc"]},
    "/api/v1/licensing/applications/{number}": lambda o: {"number": o["number"]},
    "/api/v1/licensing/applications/{number}/clocks": lambda o: {"number": o["number"]},
    "/api/v1/licensing/applications/{number}/transitions": lambda o: {"number": o["number"]},
    "/api/v1/inspections/tasks/{number}": lambda o: {"number": o["inspection_task"]},
    "/api/v1/inspections/tasks/{number}/drawn": lambda o: {"number": o["inspection_task"]},
    "/api/v1/inspections/targets/{target_id}/result": lambda o: {"target_id": o["target"]},
    "/api/v1/inspections/public/draws/{number}": None,
    "/api/v1/inspections/public/draws/{number}/verify": None,
    "/api/v1/credit/handovers/{handover_id}/take": lambda o: {"handover_id": o["handover"]},
    "/api/v1/credit/abnormal/{listing_id}/removal-application": lambda o: {
        "listing_id": o["listing"]
    },
    "/api/v1/credit/abnormal/{listing_id}/removal": lambda o: {"listing_id": o["listing"]},
    "/api/v1/credit/risk/{uscc}": lambda o: {"uscc": o["uscc"]},
    "/api/v1/portal/certificates/{number}": None,
    "/api/v1/complaints/items/{number}": lambda o: {"number": o["complaint"]},
    "/api/v1/complaints/items/{number}/transitions": lambda o: {"number": o["complaint"]},
    **{
        f"/api/v1/clocks/{{object_type}}/{{object_id}}/{{name}}/{action}": lambda o: {
            "object_type": "licensing.application",
            "object_id": o["application"],
            "name": "acceptance",
        }
        for action in ("pause", "resume", "extend")
    },
    "/api/v1/credit/serious/{listing_id}/{step}": lambda o: {
        "listing_id": o["serious"],
        "step": "notify",
    },
    "/api/v1/credit/repairs/{repair_id}/decision": lambda o: {"repair_id": o["repair"]},
    "/api/v1/enforcement/cases/{case_id}": lambda o: {"case_id": o["case"]},
    "/api/v1/enforcement/cases/{case_id}/steps": lambda o: {"case_id": o["case"]},
    "/api/v1/enforcement/cases/{case_id}/payment-plan": lambda o: {"case_id": o["case"]},
    "/api/v1/enforcement/cases/{case_id}/payment-plan/decision": lambda o: {"case_id": o["case"]},
    "/api/v1/enforcement/documents/{document_id}": lambda o: {"document_id": o["document"]},
    "/api/v1/equipment/items/{equipment_id}": lambda o: {"equipment_id": o["lift"]},
    "/api/v1/equipment/items/{equipment_id}/inspections": lambda o: {"equipment_id": o["lift"]},
    "/api/v1/equipment/tags/{code}": None,
    "/api/v1/canteens/{canteen_id}/self-checks": lambda o: {"canteen_id": o["canteen"]},
}


def api_out_of_scope_kwargs(path: str, objects: dict[str, Any]) -> dict[str, Any] | None:
    if path not in API_OUT_OF_SCOPE:
        raise AssertionError(
            f"{path}: say which object of district A it is asked for (API_OUT_OF_SCOPE)"
        )
    make = API_OUT_OF_SCOPE[path]
    return None if make is None else make(objects)


APPLICATION_PAGES = re.compile(r"^applications/<str:number>/")


def out_of_scope_kwargs(name: str, route: str, objects: dict[str, Any]) -> dict[str, Any] | None:
    if name in OUT_OF_SCOPE:
        make = OUT_OF_SCOPE[name]
        return None if make is None else make(objects)
    if APPLICATION_PAGES.search(route.removeprefix("licensing/")):
        return {"number": objects["number"]}
    raise AssertionError(f"{name}: say which object of district A it is asked for (OUT_OF_SCOPE)")


def test_the_outsider_gets_404_for_every_object_of_another_district(
    client, outsider, district_a_objects
):
    asked = 0
    client.force_login(outsider)
    for name, route, view in staff_pages():
        code = getattr(view, "permission", None)
        if not CONVERTER.search(route) or (code and not permissions.allows(outsider, code)):
            continue
        kwargs = out_of_scope_kwargs(name, route, district_a_objects)
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 405:  # a form's target: POST only
            response = client.post(url)
        assert response.status_code == 404, (name, url)
        asked += 1
    assert asked >= 20


def test_the_outsider_gets_404_from_the_api_for_objects_of_another_district(
    client, outsider, district_a_objects
):
    o = district_a_objects
    client.force_login(outsider)
    for method, url in (
        ("GET", f"/api/v1/staff/{o['staff']}"),
        ("GET", f"/api/v1/entities/{o['uscc']}"),
        ("PATCH", f"/api/v1/entities/{o['uscc']}"),
        ("GET", f"/api/v1/licensing/applications/{o['number']}"),
        ("GET", f"/api/v1/licensing/applications/{o['number']}/clocks"),
        ("GET", f"/api/v1/clocks/licensing.application/{o['application']}"),
        ("POST", f"/api/v1/licensing/applications/{o['number']}/transitions"),
        ("GET", f"/api/v1/enforcement/cases/{o['case']}"),
        ("POST", f"/api/v1/enforcement/cases/{o['case']}/steps"),
        ("GET", f"/api/v1/enforcement/documents/{o['document']}"),
    ):
        body = '{"name": "approve"}' if method == "POST" else "{}"
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 404, (method, url)
        assert response.json()["code"] == "not_found"


def test_every_object_page_is_asked_for_by_the_outsider_test():
    """A new page with an object in its address must say what the outsider asks it for."""
    keys = ("application", "number", "material", "task", "uscc", "staff", "job", "plan",
            "inspection_task", "target", "rectification", "result_file", "complaint",
            "handover", "listing", "lift", "field_check", "hazard", "order", "campaign",
            "canteen", "clue", "case", "document", "clue_handover", "serious", "repair",
            "credit_document", "odr_member")  # fmt: skip
    objects: dict[str, Any] = {k: 1 for k in keys}
    for _method, path, _op in api_operations():
        if "{" in path:
            api_out_of_scope_kwargs(path, objects)
    for name, route, view in staff_pages():
        code = getattr(view, "permission", None)
        if CONVERTER.search(route) and code:
            out_of_scope_kwargs(name, route, objects)
