"""A small demo city for the tests that walk every page or every operation-log row: the demo
seeders' units, staff, entities and applications in every state (through the real services),
plus what the seeders do not make: a portal application with its files, an import checked
with a bad row, an export, a staff change, an API token, an application in review whose review
clock was paused, resumed and extended. Returns the objects a page of each
kind can be opened with. Uploads go to MEDIA_ROOT: point it at a temporary folder first."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from regulus.complaints import demo as complaints_demo
from regulus.complaints import services as complaints_services
from regulus.core import clock, clock_services, ids, services, tokens
from regulus.core.demo import seed_bureau
from regulus.core.models import Clock, User
from regulus.licensing import demo as licensing_demo
from regulus.licensing import services as services_licensing
from regulus.licensing.catalogue import catalogue_ensure
from regulus.licensing.models import (
    Application,
    ApplicationMaterial,
    Bundle,
    Certificate,
    Matter,
    VerificationTask,
)
from regulus.registry import demo as registry_demo
from regulus.registry import exporting, selectors
from regulus.registry import services as registry_services
from regulus.registry.importing import TEMPLATE_HEADERS
from regulus.registry.models import Entity, ImportJob
from tests.licensing.conftest import pdf, submit

PORTAL_PHONE = "13812345678"


LONG_FILE_NAME = "Scan_2026-05-18_经营场所平面布局图_" + "final_v3_" * 20 + "扫描件.pdf"


def seed_demo_city(*, applications: int = 40, entities: int = 60) -> dict[str, Any]:
    quiet = lambda _line: None  # noqa: E731
    seed_bureau(log=quiet)
    registry_demo.seed(entities=entities, log=quiet)
    licensing_demo.seed(entities=0, log=quiet, count=applications)
    complaints_demo.seed(entities=0, log=quiet, count=30)
    complaint, complaint_code = complaints_services.item_register(
        actor=None,
        channel="portal",
        kind="complaint",
        category="food",
        respondent_name="芙蓉区某超市",
        district_code="430102",
        facts="牛奶过期",
        request_text="退货退款",
        person_name="欧阳秀英",
        person_phone=PORTAL_PHONE,
    )
    from regulus.credit import demo as credit_demo
    from regulus.credit.models import AbnormalListing

    credit_demo.seed(log=quiet)
    from regulus.credit import services as credit_services
    from regulus.credit.models import CreditDocument, RepairApplication, SeriousListing

    first_listing = AbnormalListing.objects.order_by("id").first()
    if first_listing is not None:
        credit_services.credit_document_make(
            kind="abnormal_list", obj=first_listing, actor=User.objects.get(username="dengji")
        )
    admin = User.objects.get(username="admin")
    handler = User.objects.get(username="furong_handler")
    registrar = User.objects.get(username="dengji")  # the city's registration department
    job = registry_services.import_job_create(actor=registrar, upload=_import_file())
    exporting.entity_export(
        actor=handler, filters=selectors.EntityFilters.from_params({"kind": "individual"})
    )[0].close()
    services.staff_update(
        actor=admin,
        staff=handler,
        full_name=handler.full_name,
        unit=handler.unit,
        phone="0731-84512345",
    )
    tokens.token_issue(user=handler, name="对接系统")
    bundle = Bundle.objects.get(code="open-supermarket")
    uploaded = _portal_application_with_a_long_file_name(bundle)
    entity = Entity.objects.visible_to(handler).order_by("-id").first()
    clocked = _paused_and_extended(bundle, handler)
    spot = _spot_checks(handler)
    enforcement = _enforcement()
    return {
        **_field_city(),
        **spot,
        **enforcement,
        "admin": admin,
        "handler": handler,
        "entity": entity,
        "import_job": ImportJob.objects.get(pk=job.pk),
        "application": Application.objects.visible_to(handler).order_by("-id").first(),
        "portal_application": uploaded,
        "material": ApplicationMaterial.objects.filter(application=uploaded).first(),
        "issued": Application.objects.filter(certificate__isnull=False).order_by("-id").first(),
        "certificate": Certificate.objects.order_by("-id").first(),
        "verification": VerificationTask.objects.order_by("-id").first(),
        "listing": AbnormalListing.objects.order_by("id").first(),
        "serious": SeriousListing.objects.order_by("id").first(),
        "repair": RepairApplication.objects.order_by("id").first(),
        "credit_document": CreditDocument.objects.order_by("id").first(),
        "matter": Matter.objects.order_by("code").first(),
        "bundle": Bundle.objects.order_by("sort_order").first(),
        "clocked": clocked,
        "complaint": complaint,
        "complaint_code": complaint_code,
    }


def seed_portal_application_with_a_long_file_name() -> Application:
    """Only the demo bureau (its staff log in with the demo password), the catalogue and the
    applicant's application whose upload has a long file name: what the pages that show the
    file need, without the rest of the city."""
    seed_bureau(log=lambda _line: None)
    catalogue_ensure()
    return _portal_application_with_a_long_file_name(Bundle.objects.get(code="open-supermarket"))


def _portal_application_with_a_long_file_name(bundle: Bundle) -> Application:
    uploaded = submit(bundle, contact_phone=PORTAL_PHONE)  # the applicant's, with files
    # A long file name without a space to break at: its pages must wrap it, not scroll.
    services_licensing.material_add(
        application=uploaded, actor=None, material_key="layout", upload=pdf(LONG_FILE_NAME)
    )
    return uploaded


def _field_city() -> dict[str, Any]:
    """The equipment and canteens demos (a register, checks with hazards and orders, a lift
    campaign, canteens) and one object of each for the pages."""
    from regulus.canteens import demo as canteens_demo
    from regulus.canteens.models import Canteen
    from regulus.equipment import demo as equipment_demo
    from regulus.equipment.models import Campaign, Equipment, FieldCheck, Hazard, Order

    quiet = lambda _line: None  # noqa: E731
    equipment_demo.seed(entities=0, log=quiet)
    canteens_demo.seed(entities=0, log=quiet)
    return {
        "lift": Equipment.objects.filter(category="3000").order_by("id").first(),
        "field_check": FieldCheck.objects.filter(hazards__isnull=False).order_by("id").first(),
        "hazard": Hazard.objects.order_by("id").first(),
        "order": Order.objects.order_by("id").first(),
        "campaign": Campaign.objects.order_by("id").first(),
        "canteen": Canteen.objects.order_by("id").first(),
    }


def _spot_checks(handler: User) -> dict[str, Any]:
    """The spot-check demo year (regulus.inspections.demo), and in any case one drawn task
    whose first target was visited with its code shown and whose problems were ordered
    rectified: the pages of a task, a result, an order and the entity's visit page."""
    from regulus.inspections import demo as inspections_demo
    from regulus.inspections import services as inspections
    from regulus.inspections.models import Plan, Rectification, Target

    inspections_demo.seed(entities=0, log=lambda _line: None)
    plan = Plan.objects.order_by("id").first()
    assert plan is not None, "the spot-check demo made no plan"
    order = Rectification.objects.order_by("id").first()
    if order is None:
        items = list(plan.tasks.first().items.all()) if plan.tasks.exists() else []
        task = inspections_demo._drawn_task(
            plan, handler, User.objects.get(username="furong_handler2"),
            items or inspections_demo._items()[:1], "全区主体抽查（测试页面用）",
            "2026-06-01", "2026-06-15", "2026-07-31", "中国福利彩票3D第2026150期开奖号码",
            "2026-06-02", "1 2 3", filters={},
            ratios={"A": "5", "B": "20", "C": "60", "D": "100", "-": "10"},
        )  # fmt: skip
        assert task is not None, "the demo city has too few entities for a spot check"
        target = task.targets.order_by("position").first()
        inspector = target.assignments.filter(active=True).first().inspector.user
        with clock.held_at(dt.datetime(2026, 6, 16, 9, tzinfo=dt.UTC)):
            inspections.visit_code_show(actor=inspector, target=target)
            inspections.result_enter(
                actor=inspector,
                target=target,
                codes={i.pk: "A" for i in task.items.all()},
                checked_on=dt.date(2026, 6, 16),
                disposal="rectify",
                requirement="限期整改并书面报告",
            )
        order = Rectification.objects.get(target=target)
    visited = Target.objects.exclude(visit_code="").order_by("id").first()
    assert visited is not None
    target = order.target
    assignment = target.assignments.filter(active=True).first()
    if target.state != Target.State.PUBLISHED and assignment is not None:
        from regulus.inspections.services.files import result_file_add

        result_file_add(
            actor=assignment.inspector.user, target=target, upload=pdf("现场检查笔录.pdf")
        )
    return {
        "inspection_plan": plan,
        "inspection_task": order.target.task,
        "inspection_target": order.target,
        "rectification": order,
        "visit_code": visited.visit_code,
        "result_file": target.files.order_by("id").first(),
    }


def _enforcement() -> dict[str, Any]:
    """The enforcement demo (four cases a district in their states, 雷霆行动, a hearing): a
    clue, a decided case not yet published, a campaign and a published decision."""
    from regulus.enforcement import demo as enforcement_demo
    from regulus.enforcement.models import Campaign, Case, Clue, Publication

    enforcement_demo.seed(entities=0, log=lambda _line: None)
    return {
        "clue": Clue.objects.order_by("id").first(),
        "case": Case.objects.filter(state="decided").order_by("id").first(),
        "enforcement_campaign": Campaign.objects.order_by("id").first(),
        "publication": Publication.objects.order_by("id").first(),
    }


def _paused_and_extended(bundle: Bundle, handler: User) -> Application:
    """An application accepted three days ago whose review clock was paused for testing today
    and resumed, then extended with the leader's approval: its clocks page shows every part."""
    with clock.held_at(clock.now() - dt.timedelta(days=3)):
        application = submit(bundle, actor=User.objects.get(username="furong_window"))
        services_licensing.application_accept(application=application, actor=handler)
    review = Clock.objects.get(object_id=application.pk, name="review", status="running")
    clock_services.clock_pause(clock=review, actor=handler, reason="testing", note="送省质检院检验")
    clock_services.clock_resume(clock=review, actor=handler, note="检验报告已收到")
    clock_services.clock_extend(
        clock=review,
        actor=handler,
        days=3,
        approver=User.objects.get(username="leader"),
        document="芙市监许延〔2026〕1号",
        reason="需组织专家评审",
    )
    return application


def _import_file() -> SimpleUploadedFile:
    """Two rows: one good, one whose date of establishment lies in the future."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    for body, established in (("D0000001", "2020-05-18"), ("D0000002", "2999-01-01")):
        values = {
            "统一社会信用代码": ids.make_uscc("9", "1", "430102", ids.make_org_code(body)),
            "名称": f"长沙市芙蓉区导入示例{body[-1]}号商贸有限公司",
            "主体类型": "企业",
            "成立日期": established,
            "所属区县代码": "430102",
            "法定代表人/经营者": "张三",
            "法定代表人/经营者身份证号码": ids.make_id_number("430102", dt.date(1980, 1, 2), 15),
        }
        writer.writerow([values.get(h, "") for h in TEMPLATE_HEADERS])
    return SimpleUploadedFile("市场主体导入.csv", out.getvalue().encode("utf-8-sig"))
