"""The demo catalogue: matters, their materials and time limits, and the bundles (一件事).

Plain data, loaded by the data migration 0002 (so fresh databases and tests have it) and by
`catalogue_ensure()` (idempotent: a catalogue that exists is left alone, admins' edits win).
Limits marked "待确认" in a rule's note are the values domain.md lists as unconfirmed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

E, IND, C = "enterprise", "individual", "cooperative"

# key, name, form, description
MATERIALS: tuple[tuple[str, str, str, str], ...] = (
    ("applicant-id", "申请人（经办人）身份证明", "copy", "居民身份证复印件或电子证照"),
    ("premises", "经营场所使用证明", "copy", "房产证明或租赁协议；一份材料供所有事项共用"),
    ("registration-form", "设立登记申请书", "original", "经营者签署"),
    ("articles", "公司章程", "original", "企业设立时提交"),
    ("rep-appointment", "法定代表人任职文件", "original", "企业设立时提交"),
    ("layout", "经营场所平面布局图", "copy", "标明功能区域、设施设备位置"),
    ("food-safety-rules", "食品安全管理制度", "copy", "进货查验、贮存、清洗消毒等制度"),
    ("food-staff", "食品安全管理人员及从业人员健康证明", "copy", ""),
    ("equipment-list", "主要设施设备清单", "copy", ""),
    ("pharmacist", "执业药师注册证明", "copy", "药品零售企业配备的执业药师"),
    ("quality-rules", "质量管理制度文件", "copy", "药品、医疗器械经营质量管理制度"),
    ("quality-lead", "质量负责人身份、学历或职称证明", "copy", ""),
    ("catering-process", "餐饮加工制作流程说明", "copy", "含专间、专用操作区设置"),
)

# code, name, department, treatment, permit_item, commitment, onsite, validity years, kinds,
# creates_entity, legal basis, rules [(from, statutory, promised, verification, note)],
# materials [(key, mandatory, condition)]
MATTERS: tuple[dict[str, Any], ...] = (
    {
        "code": "REG-SL",
        "name": "设立登记",
        "department": "登记注册科",
        "treatment": "registration",
        "permit_item": "营业执照（五证合一、一照一码）",
        "commitment": False,
        "onsite": False,
        "validity": None,
        "kinds": [E, IND, C],
        "creates_entity": True,
        "basis": "《市场主体登记管理条例》第十九条；五证合一、一照一码（2016-10-01起）",
        "rules": [("2020-01-01", 3, 1, 30, "")],
        "materials": [
            ("registration-form", True, ""),
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("articles", False, "企业设立时提交"),
            ("rep-appointment", False, "企业设立时提交"),
        ],
    },
    {
        "code": "SP-XS",
        "name": "食品经营许可（食品销售）",
        "department": "食品经营安全监督管理科",
        "treatment": "permit",
        "permit_item": "食品经营许可：食品销售（含散装食品、特殊食品）",
        "commitment": True,
        "onsite": True,
        "validity": 5,
        "kinds": [E, IND, C],
        "creates_entity": False,
        "basis": "《食品经营许可和备案管理办法》（市场监管总局令第78号，2023-12-01施行）",
        "rules": [
            ("2020-01-01", 20, 10, 30, "原《食品经营许可管理办法》"),
            ("2023-12-01", 10, 5, 30, "第78号令时限待确认，按10个工作日配置"),
        ],
        "materials": [
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("layout", True, ""),
            ("food-safety-rules", True, ""),
            ("food-staff", True, ""),
        ],
    },
    {
        "code": "SP-CY",
        "name": "食品经营许可（餐饮服务）",
        "department": "食品经营安全监督管理科",
        "treatment": "permit",
        "permit_item": "食品经营许可：餐饮服务（热食类、冷食类食品制售）",
        "commitment": True,
        "onsite": True,
        "validity": 5,
        "kinds": [E, IND],
        "creates_entity": False,
        "basis": "《食品经营许可和备案管理办法》（市场监管总局令第78号）",
        "rules": [
            ("2020-01-01", 20, 10, 30, ""),
            ("2023-12-01", 10, 5, 30, "第78号令时限待确认，按10个工作日配置"),
        ],
        "materials": [
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("layout", True, ""),
            ("food-safety-rules", True, ""),
            ("food-staff", True, ""),
            ("equipment-list", True, ""),
            ("catering-process", True, ""),
        ],
    },
    {
        "code": "SP-BA",
        "name": "仅销售预包装食品备案",
        "department": "食品经营安全监督管理科",
        "treatment": "filing",
        "permit_item": "仅销售预包装食品（备案）",
        "commitment": False,
        "onsite": False,
        "validity": None,
        "kinds": [E, IND, C],
        "creates_entity": False,
        "basis": "《食品经营许可和备案管理办法》第三十三条：仅销售预包装食品实行备案",
        "rules": [("2023-12-01", 1, 0, 30, "当场备案")],
        "materials": [("applicant-id", True, ""), ("premises", True, "")],
    },
    {
        "code": "XCY-DJ",
        "name": "小餐饮经营登记",
        "department": "食品经营安全监督管理科",
        "treatment": "filing",
        "permit_item": "小餐饮经营登记",
        "commitment": False,
        "onsite": False,
        "validity": 3,
        "kinds": [IND],
        "creates_entity": False,
        "basis": "《湖南省食品生产加工小作坊小餐饮和食品摊贩管理条例》",
        "rules": [("2020-01-01", 10, 3, 30, "")],
        "materials": [("applicant-id", True, ""), ("premises", True, ""), ("food-staff", True, "")],
    },
    {
        "code": "YP-LS",
        "name": "药品零售许可",
        "department": "药品流通监督管理科",
        "treatment": "permit",
        "permit_item": "药品经营许可（零售：处方药、甲类非处方药、乙类非处方药）",
        "commitment": True,
        "onsite": True,
        "validity": 5,
        "kinds": [E, IND],
        "creates_entity": False,
        "basis": (
            "《药品管理法》第五十一条；《药品经营和使用质量监督管理办法》"
            "（第84号令，告知承诺规则待确认）"
        ),
        "rules": [("2020-01-01", 20, 5, 30, "")],
        "materials": [
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("layout", True, ""),
            ("pharmacist", True, ""),
            ("quality-rules", True, ""),
            ("quality-lead", True, ""),
            ("equipment-list", True, ""),
        ],
    },
    {
        "code": "YLQX-2BA",
        "name": "第二类医疗器械经营备案",
        "department": "药品流通监督管理科",
        "treatment": "filing",
        "permit_item": "第二类医疗器械经营（备案）",
        "commitment": False,
        "onsite": False,
        "validity": None,
        "kinds": [E, IND],
        "creates_entity": False,
        "basis": "《医疗器械监督管理条例》第四十一条",
        "rules": [("2020-01-01", 1, 0, 30, "当场备案")],
        "materials": [
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("quality-rules", True, ""),
            ("quality-lead", True, ""),
        ],
    },
    {
        "code": "YLQX-3XK",
        "name": "第三类医疗器械经营许可",
        "department": "药品流通监督管理科",
        "treatment": "permit",
        "permit_item": "第三类医疗器械经营许可",
        "commitment": False,
        "onsite": True,
        "validity": 5,
        "kinds": [E],
        "creates_entity": False,
        "basis": "《医疗器械监督管理条例》第四十二条：20个工作日内作出决定",
        "rules": [("2020-01-01", 20, 10, 30, "")],
        "materials": [
            ("applicant-id", True, ""),
            ("premises", True, ""),
            ("layout", True, ""),
            ("quality-rules", True, ""),
            ("quality-lead", True, ""),
            ("equipment-list", True, ""),
        ],
    },
)

# code, name, icon, description, matter codes
BUNDLES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "open-supermarket",
        "开办超市",
        "cart3",
        "营业执照、食品经营许可、第二类医疗器械经营备案一次申请、一次核查、一证准营",
        ("REG-SL", "SP-XS", "YLQX-2BA"),
    ),
    (
        "open-pharmacy",
        "开办药店",
        "capsule",
        "药品零售、食品销售、第二类医疗器械多证合一，告知承诺当天发证",
        ("REG-SL", "YP-LS", "SP-XS", "YLQX-2BA"),
    ),
    (
        "open-convenience-store",
        "开办便利店",
        "shop",
        "营业执照与预包装食品备案一次办结",
        ("REG-SL", "SP-BA"),
    ),
    (
        "open-restaurant",
        "开办餐饮店",
        "cup-hot",
        "营业执照与餐饮服务食品经营许可一次申请",
        ("REG-SL", "SP-CY"),
    ),
    (
        "open-snack-bar",
        "开办小餐饮",
        "egg-fried",
        "个体工商户登记与小餐饮经营登记一次办结",
        ("REG-SL", "XCY-DJ"),
    ),
    (
        "open-device-store",
        "开办医疗器械店",
        "heart-pulse",
        "第二类医疗器械备案与第三类医疗器械经营许可一次申请",
        ("REG-SL", "YLQX-2BA", "YLQX-3XK"),
    ),
    (
        "pharmacy-permits",
        "药店准营（已有执照）",
        "prescription2",
        "已领取营业执照的药店：药品零售、食品销售、第二类医疗器械多证合一",
        ("YP-LS", "SP-XS", "YLQX-2BA"),
    ),
)

# The GB/T 4754 大类 a new business of each bundle is registered in (零售业 52, 餐饮业 62);
# a bundle for an entity that exists already has none. Set by migration 0005 on databases
# whose catalogue migration 0002 loaded, and by catalogue_ensure on bundles it creates.
BUNDLE_INDUSTRIES = {
    "open-supermarket": "52",
    "open-pharmacy": "52",
    "open-convenience-store": "52",
    "open-restaurant": "62",
    "open-snack-bar": "62",
    "open-device-store": "52",
}


def bundle_industries_set(Bundle: Any) -> None:
    """The industries of the catalogue's bundles that have none yet (an edit stays)."""
    for code, industry in BUNDLE_INDUSTRIES.items():
        Bundle.objects.filter(code=code, industry_code="").update(industry_code=industry)


def catalogue_load(
    *,
    MaterialType: Any,
    Matter: Any,
    MatterRule: Any,
    MatterMaterial: Any,
    Bundle: Any,
    BundleMatter: Any,
) -> int:
    """Create whatever of the demo catalogue is missing. Returns the rows created."""
    created = 0
    materials = {}
    for key, name, form, description in MATERIALS:
        obj, new = MaterialType.objects.get_or_create(
            key=key, defaults={"name": name, "form": form, "description": description}
        )
        materials[key] = obj
        created += new
    matters = {}
    for order, m in enumerate(MATTERS):
        matter, new = Matter.objects.get_or_create(
            code=m["code"],
            defaults={
                "name": m["name"],
                "department": m["department"],
                "treatment": m["treatment"],
                "permit_item": m["permit_item"],
                "commitment_allowed": m["commitment"],
                "onsite_check_required": m["onsite"],
                "validity_years": m["validity"],
                "entity_kinds": m["kinds"],
                "creates_entity": m["creates_entity"],
                "legal_basis": m["basis"],
                "sort_order": order,
                "commitment_conditions": (
                    "申请人已知晓许可条件并承诺：经营场所、设施设备、人员和管理制度符合要求；"
                    "提交的材料真实有效；承诺不实的，依法撤销许可并记入信用记录。"
                    if m["commitment"]
                    else ""
                ),
            },
        )
        matters[m["code"]] = matter
        created += new
        if new:
            for frm, statutory, promised, verification, note in m["rules"]:
                MatterRule.objects.create(
                    matter=matter,
                    effective_from=dt.date.fromisoformat(frm),
                    statutory_days=statutory,
                    promised_days=promised,
                    verification_days=verification,
                    note=note,
                )
            for i, (key, mandatory, condition) in enumerate(m["materials"]):
                MatterMaterial.objects.create(
                    matter=matter,
                    material=materials[key],
                    mandatory=mandatory,
                    condition=condition,
                    sort_order=i,
                )
    for order, (code, name, icon, description, codes) in enumerate(BUNDLES):
        bundle, new = Bundle.objects.get_or_create(
            code=code,
            defaults={"name": name, "icon": icon, "description": description, "sort_order": order},
        )
        created += new
        if new:
            for i, matter_code in enumerate(codes):
                BundleMatter.objects.create(
                    bundle=bundle, matter=matters[matter_code], sort_order=i
                )
    return created


# The clocks' rules (core.ClockRule): unit, legal basis, longest extension and the grounds on
# which a clock may be paused. Their periods are the application's own (copied from the matter
# rules at submission), so `days` is left empty. Loaded by migration 0006 and catalogue_ensure.
CLOCK_RULES: tuple[dict[str, Any], ...] = (
    {
        "code": "licensing.acceptance",
        "name": "受理期限",
        "effective_from": "2004-07-01",
        "unit": "working",
        "legal_basis": "《行政许可法》第三十二条（申请材料不齐全的，当场或者五日内一次告知）",
    },
    {
        "code": "licensing.review",
        "name": "审查期限",
        "effective_from": "2004-07-01",
        "unit": "working",
        "legal_basis": "《行政许可法》第四十二条（二十日内作出决定，经本行政机关负责人批准可延长"
        "十日）、第四十五条（听证、检验、检测、检疫、鉴定和专家评审所需时间不计入）",
        "max_extension_days": 10,
        "pause_reasons": ["testing", "appraisal", "expert_review", "hearing"],
    },
    {
        "code": "licensing.issue",
        "name": "制证期限",
        "effective_from": "2004-07-01",
        "unit": "working",
        "legal_basis": "《行政许可法》第四十四条（自作出决定之日起十日内颁发、送达）；本局服务承诺",
    },
    {
        "code": "licensing.delivery",
        "name": "送达期限",
        "effective_from": "2004-07-01",
        "unit": "working",
        "legal_basis": "《行政许可法》第四十四条（自作出决定之日起十日内颁发、送达）；本局服务承诺",
    },
    {
        "code": "licensing.verification",
        "name": "后置核查期限",
        "effective_from": "2021-07-01",
        "unit": "working",
        "legal_basis": "国发〔2021〕7号（实行告知承诺的，加强事中事后核查）；核查期限按事项规则",
    },
    {
        "code": "licensing.rectification",
        "name": "整改期限",
        "effective_from": "2021-07-01",
        "unit": "working",
        "legal_basis": "国发〔2021〕7号（承诺不实的，责令限期整改）；经批准可延长，上限为本局规定",
        "max_extension_days": 10,
        "note": "延长上限待确认（domain.md 未载全国规定）",
    },
)


def clock_rules_ensure() -> int:
    """The clock rules of CLOCK_RULES that are missing (an admin's edit stays)."""
    from regulus.core.clock_services import clock_rules_load
    from regulus.core.models import ClockRule

    return clock_rules_load(ClockRule=ClockRule, rules=CLOCK_RULES)


def catalogue_ensure() -> int:
    from regulus.licensing import models as m

    clock_rules_ensure()

    created = catalogue_load(
        MaterialType=m.MaterialType,
        Matter=m.Matter,
        MatterRule=m.MatterRule,
        MatterMaterial=m.MatterMaterial,
        Bundle=m.Bundle,
        BundleMatter=m.BundleMatter,
    )
    if created:
        bundle_industries_set(m.Bundle)
    return created
