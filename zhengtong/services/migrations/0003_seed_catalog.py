"""Seed the catalog: the seed's two items (kept inactive for historical cases) and today's two.

Items are data: administrators edit them in the admin afterwards. Amounts and time limits in
the texts are examples of the current rules, to be checked against the local guide.
"""

from django.db import migrations

ALWAYS: dict = {}
MARRIED = {"marital_status": ["married", "remarried"]}
REMARRIED = {"marital_status": ["remarried"]}
FLOATING = {"hukou": "floating"}
LOCAL = {"hukou": "local"}
SECOND_CHILD_OR_LATER = {"child_order": [2, 3, 4, 5]}

ITEMS = [
    {
        "code": "SYDJ",
        "name": "生育登记",
        "department": "乡镇人民政府(街道办事处)计划生育办公室",
        "legal_basis": (
            "《中华人民共和国人口与计划生育法》(2021 年修正)第十八条;\n"
            "《山东省人口与计划生育条例》(2021 年修正)关于生育登记服务的规定;\n"
            "《国家卫生计生委关于做好生育登记服务工作的指导意见》(国卫指导发〔2016〕20 号)。"
        ),
        "eligibility": (
            "符合法律法规规定生育子女的夫妻,在怀孕前或怀孕后、子女出生前后均可办理。"
            "本地户籍夫妻在一方户籍地办理;流动人口可在现居住地办理。"
        ),
        "procedure": [
            "申请:夫妻一方持材料到窗口或通过网上平台提出申请",
            "受理:窗口工作人员当场核对材料,材料不全的一次性告知需补正的全部内容",
            "登记:核实信息后录入生育登记信息系统",
            "办结:出具生育登记服务单(或电子凭证)",
        ],
        "promised_workdays": 1,
        "legal_workdays": None,
        "fee": "不收费",
        "window": "计生服务窗口",
        "certificate_name": "生育登记服务单",
        "certificate_prefix": "SYDJ",
        "notes": (
            "承诺时限 1 个工作日为可配置的示例值:山东省多地对材料齐全的生育登记实行即时办结或"
            "网上办理,请以当地最新公布的办事指南为准。2016 年起以生育登记替代生育服务证。"
        ),
        "is_active": True,
        "sort_order": 10,
        "materials": [
            ("id_cards", "夫妻双方居民身份证", "原件,现场核验后退还", "原件各 1 份", ALWAYS),
            ("hukou_book", "户口簿", "夫妻双方户口簿", "原件 1 份", ALWAYS),
            ("marriage_cert", "结婚证", "已婚、再婚夫妻提供", "原件 1 份", MARRIED),
            ("residence_permit", "居住证", "在现居住地办理的流动人口提供", "原件 1 份", FLOATING),
            (
                "children_statement",
                "再婚前子女情况说明",
                "再婚夫妻说明双方原有子女及抚养情况",
                "原件 1 份",
                REMARRIED,
            ),
            ("pledge", "生育情况承诺书", "窗口提供格式文本,夫妻双方签字", "原件 1 份", ALWAYS),
        ],
    },
    {
        "code": "YEBT",
        "name": "育儿补贴申领",
        "department": "县级卫生健康部门(乡镇人民政府、街道办事处受理)",
        "legal_basis": (
            "《中华人民共和国人口与计划生育法》;\n"
            "中共中央办公厅、国务院办公厅《育儿补贴制度实施方案》(2025 年)。"
        ),
        "eligibility": (
            "自 2025 年 1 月 1 日起,对符合法律法规规定生育的 3 周岁以下婴幼儿发放育儿补贴,"
            "国家基础标准为每孩每年 3600 元,按年发放至婴幼儿满 3 周岁;"
            "补贴标准以国家和当地最新公布标准为准。由婴幼儿父母一方或其他监护人申领,"
            "原则上在婴幼儿户籍所在地申领。"
        ),
        "procedure": [
            "申请:监护人通过育儿补贴信息管理系统或到窗口提出申请",
            "受理:窗口核对材料,材料不全的一次性告知需补正的全部内容",
            "审核:乡镇初审,县级卫生健康部门审核确认",
            "公示与发放:审核通过后按规定发放至申领人的社会保障卡或银行账户",
        ],
        "promised_workdays": 10,
        "legal_workdays": None,
        "fee": "不收费",
        "window": "计生服务窗口",
        "certificate_name": "",
        "certificate_prefix": "",
        "notes": (
            "承诺时限 10 个工作日为可配置的示例值。补贴金额以当地最新公布标准为准,"
            "系统不在程序中写定金额。"
        ),
        "is_active": True,
        "sort_order": 20,
        "materials": [
            ("applicant_id", "申领人居民身份证", "父母一方或其他监护人", "原件 1 份", ALWAYS),
            ("birth_cert", "婴幼儿出生医学证明", "", "原件 1 份", ALWAYS),
            ("hukou_book", "户口簿", "婴幼儿已落户的户口簿", "原件 1 份", ALWAYS),
            (
                "bank_card",
                "银行卡或社会保障卡",
                "申领人本人名下、用于接收补贴",
                "原件 1 份",
                ALWAYS,
            ),
            (
                "custody_proof",
                "抚养关系证明",
                "申领人离婚或丧偶的,提供婴幼儿由申领人抚养的证明(离婚协议、判决书等)",
                "原件 1 份",
                {"marital_status": ["divorced", "widowed"]},
            ),
        ],
    },
    {
        "code": "SYZ",
        "name": "生育服务证",
        "department": "乡镇人民政府(街道办事处)计划生育办公室",
        "legal_basis": (
            "《中华人民共和国人口与计划生育法》(2001 年);\n"
            "《山东省人口与计划生育条例》(2002 年施行、2013 年修正前后文本)。"
        ),
        "eligibility": "符合当时生育政策的已婚夫妻,在生育前办理。",
        "procedure": [
            "申请:夫妻双方持材料到户籍地乡镇计生办申请",
            "受理:材料不全的一次性告知需补正的全部内容",
            "审核:村(居)计生专干核实婚育情况,乡镇审核",
            "办结:发放生育服务证",
        ],
        "promised_workdays": 5,
        "legal_workdays": None,
        "fee": "不收费",
        "window": "计生服务窗口",
        "certificate_name": "生育服务证",
        "certificate_prefix": "SYZ",
        "notes": (
            "历史事项:山东省自 2016 年起实行生育登记服务制度,2021 年三孩政策后统一为生育登记,"
            "生育服务证不再办理。本事项仅为查阅历史办件保留,已停用。"
        ),
        "is_active": False,
        "sort_order": 90,
        "materials": [
            ("id_cards", "夫妻双方居民身份证", "", "原件及复印件各 1 份", ALWAYS),
            ("hukou_book", "户口簿", "", "原件及复印件 1 份", ALWAYS),
            ("marriage_cert", "结婚证", "", "原件及复印件 1 份", MARRIED),
            ("photo", "夫妻双方近期合影照片", "2 寸", "2 张", ALWAYS),
            ("marriage_proof", "流动人口婚育证明", "流动人口提供", "原件 1 份", FLOATING),
            (
                "second_birth_approval",
                "再生育审批表",
                "申请生育第二个及以上子女时提供",
                "原件 1 份",
                SECOND_CHILD_OR_LATER,
            ),
        ],
    },
    {
        "code": "HYZM",
        "name": "流动人口婚育证明",
        "department": "户籍地乡镇人民政府(街道办事处)计划生育办公室",
        "legal_basis": "《流动人口计划生育工作条例》(国务院令第 555 号,2009 年)第七条、第十条。",
        "eligibility": (
            "离开户籍地外出、年龄 18 至 49 周岁的育龄人员,在户籍地乡镇办理;"
            "到达现居住地后 30 日内提交现居住地乡镇。"
        ),
        "procedure": [
            "申请:本人持材料到户籍地乡镇计生办申请",
            "受理:材料不全的一次性告知需补正的全部内容",
            "核实:核对姓名、年龄、公民身份号码、婚姻状况、配偶信息、生育状况、避孕节育情况",
            "办结:出具婚育证明",
        ],
        "promised_workdays": 3,
        "legal_workdays": None,
        "fee": "不收费",
        "window": "计生服务窗口",
        "certificate_name": "流动人口婚育证明",
        "certificate_prefix": "HYZM",
        "notes": (
            "历史事项:约自 2015—2016 年起,婚育情况改由流动人口计划生育信息系统电子化核查,"
            "不再要求群众办理纸质婚育证明。本事项仅为查阅历史办件保留,已停用。"
        ),
        "is_active": False,
        "sort_order": 91,
        "materials": [
            ("id_card", "本人居民身份证", "", "原件及复印件 1 份", ALWAYS),
            ("hukou_book", "户口簿", "", "原件 1 份", ALWAYS),
            ("marriage_cert", "结婚证", "已婚、再婚人员提供", "原件 1 份", MARRIED),
            ("photo", "本人近期免冠照片", "1 寸", "2 张", ALWAYS),
        ],
    },
]


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("services", "ServiceItem")
    Material = apps.get_model("services", "Material")
    for data in ITEMS:
        data = dict(data)
        materials = data.pop("materials")
        item, created = ServiceItem.objects.get_or_create(code=data["code"], defaults=data)
        if not created:
            continue
        for order, (code, name, description, copies, condition) in enumerate(materials, 1):
            Material.objects.create(
                item=item,
                code=code,
                name=name,
                description=description,
                copies=copies,
                condition=condition,
                sort_order=order * 10,
            )


def unseed(apps, schema_editor):
    ServiceItem = apps.get_model("services", "ServiceItem")
    Application = apps.get_model("services", "Application")
    codes = [d["code"] for d in ITEMS]
    used = set(
        Application.objects.filter(item__code__in=codes).values_list("item__code", flat=True)
    )
    ServiceItem.objects.filter(code__in=[c for c in codes if c not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0002_calendar_gap")]

    operations = [migrations.RunPython(seed, unseed)]
