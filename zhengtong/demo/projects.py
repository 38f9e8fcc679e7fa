"""The zone's 44 key projects of the current year, as the seed describes them.

The seed gives the count (44), the totals (658亿元 total investment, 117亿元 planned this year),
the names of the projects it mentions, which roads are under construction or in survey and
design, and the 1156 street lamps of the lighting programme. Everything else here (per-project
amounts, dates, monthly reports, milestones, funds, problems) is plausible example data, and
every such project and fund is saved with `is_example=True` so the screens mark it 示例.

Every row is found again by a natural key (unit code, project code, report month, milestone
code, fund code, problem title), so running the builder twice creates nothing new.
"""

import calendar
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.models import Event
from zhengtong.projects import progress
from zhengtong.projects.actions import (
    milestone_set,
    problem_raise,
    problem_resolve,
    problems_escalate,
    project_create,
    report_check,
    report_submit,
)
from zhengtong.projects.actions.funds import allocation_create, disbursement_create
from zhengtong.projects.actions.leads import (
    lead_convert,
    lead_create,
    lead_land,
    lead_sign,
    lead_terminate,
)
from zhengtong.projects.actions.lists import DraftRow, list_approve, list_draft_save
from zhengtong.projects.actions.relocation import programme_create, progress_record
from zhengtong.projects.actions.works import quantity_record
from zhengtong.projects.lists import CLOSED_STAGES, remaining_of, with_remaining
from zhengtong.projects.models import (
    Fund,
    FundAllocation,
    InvestmentLead,
    KeyProject,
    Milestone,
    Problem,
    ProgressReport,
    ProjectList,
    RelocationProgramme,
    Sector,
    Stage,
    WorkTarget,
)

from .org import ZONE, ZT_COMPANY

WAN = Decimal(10_000)
TOTAL_INVESTMENT = Decimal("65800000000")  # 658亿元
ANNUAL_PLAN = Decimal("11700000000")  # 117亿元
PROJECT_COUNT = 44
LAMPS_PLANNED = 1156

# code, name, plate, OC4IDS projectSector
SECTORS = [
    ("nev", "新能源汽车", Sector.Plate.LEADING, "transport.lowCarbon"),
    ("nonferrous", "有色金属精深加工", Sector.Plate.LEADING, "economy"),
    ("biomed", "生物医药", Sector.Plate.MAIN, "health"),
    ("materials", "新材料", Sector.Plate.MAIN, "energy.solar"),
    ("equipment", "高端装备制造", Sector.Plate.MAIN, "economy"),
    ("electronics", "电子信息", Sector.Plate.MAIN, "communications"),
    ("agrifood", "现代农业与食品", Sector.Plate.MAIN, "economy"),
    ("services", "现代服务业", Sector.Plate.SERVICE, "economy"),
    ("urban", "城市建设", Sector.Plate.PUBLIC, "transport.urban"),
    ("livelihood", "社会民生", Sector.Plate.PUBLIC, "socialHousing"),
]

UC, NS, SV, DONE = Stage.UNDER_CONSTRUCTION, Stage.NOT_STARTED, Stage.SURVEY, Stage.COMPLETED
IND, URB, LIV = (
    KeyProject.Category.INDUSTRY,
    KeyProject.Category.URBAN,
    KeyProject.Category.LIVELIHOOD,
)
AHEAD, ON, BEHIND = progress.AHEAD, progress.ON_TRACK, progress.BEHIND
M = WorkTarget.Measure


@dataclass(frozen=True)
class Plan:
    """One project of the demo register. Amounts in 万元; dates as (year offset, month)."""

    name: str
    sector: str
    category: str
    company: str
    responsible: str
    stage: str
    total_wan: int | None  # None: this project takes what makes the sums exact
    annual_wan: int | None
    leaders: tuple[str, ...] = ()
    pace: str | None = None  # how this year's reports run against the plan (not when 已完成)
    start: tuple[int, int] = (-1, 3)
    finish: tuple[int, int] = (1, 12)
    project_type: str = KeyProject.ProjectType.CONSTRUCTION
    location: str = ""
    description: str = ""
    targets: dict = field(default_factory=dict)  # measure → (planned, [(month, day, installed)])


L1, L2 = ("leader",), ("leader2",)
BOTH = ("leader", "leader2")
JFJ, JSJ = "ZONE-JFJ", "ZONE-JSJ"

# One row per project reads better than ruff's one argument per line.
# fmt: off
PLANS = [
    # 两大支柱产业: 新能源汽车, 有色金属精深加工
    Plan("中通新能源及节能型客车生产基地", "nev", IND, ZT_COMPANY, JFJ, UC, 600000, 90000, L1, AHEAD,
         start=(-2, 4), finish=(1, 12), project_type=KeyProject.ProjectType.EXPANSION,
         location="开发区黄河路以南、嫩江路以东",
         description="新建新能源客车及节能型客车整车生产线,配套电池、电机、电控总成车间和整车试验场。"),
    Plan("新能源汽车动力电池配套产业园", "nev", IND, "CO-DLDC", JFJ, UC, 220000, 40000, L1, BEHIND,
         start=(-1, 5), finish=(1, 10), location="开发区中华路以东、东外环以西",
         description="建设动力电池电芯、模组及电池包生产线,年产动力电池 5 GWh。"),
    Plan("新能源专用车改装基地", "nev", IND, "CO-ZYC", JFJ, NS, 80000, 15000, pace=BEHIND,
         start=(0, 9), finish=(2, 6), description="建设新能源环卫车、冷藏车等专用车改装生产线。"),
    Plan("万合铜铝深加工", "nonferrous", IND, "CO-WHTL", JFJ, UC, 250000, 45000, L2, ON,
         start=(-1, 3), finish=(1, 6), location="开发区有色金属产业园",
         description="建设高精度铜板带、铝合金型材深加工生产线。"),
    Plan("高精度铝板带箔生产线", "nonferrous", IND, "CO-LBDB", JFJ, UC, 300000, 50000, BOTH, AHEAD,
         start=(-1, 6), finish=(1, 9), location="开发区有色金属产业园",
         description="建设热连轧、冷轧及箔轧生产线,年产铝板带箔 30 万吨。"),
    Plan("铜基新材料及电磁线项目", "nonferrous", IND, "CO-TJCL", JFJ, DONE, 120000, 12000, L2,
         start=(-2, 3), finish=(0, 6), description="建设铜基新材料及漆包电磁线生产线,年产 5 万吨。"),
    # 五大主导产业: 生物医药, 新材料, 高端装备制造, 电子信息, 现代农业与食品
    Plan("生物医药产业园一期", "biomed", IND, "CO-SWYY", JFJ, UC, 180000, 35000, L1, ON,
         start=(-1, 4), finish=(1, 12), location="开发区生物医药产业园",
         description="建设标准化厂房、GMP 车间、研发中试平台及公共检测中心。"),
    Plan("现代中药饮片及制剂", "biomed", IND, "CO-ZYYP", JFJ, UC, 60000, 15000, L2, BEHIND,
         start=(-1, 8), finish=(1, 6), description="建设中药饮片、中药配方颗粒及提取制剂生产线。"),
    Plan("医疗器械产业园", "biomed", IND, "CO-YLQX", JFJ, NS, 100000, 10000, pace=ON,
         start=(1, 4), finish=(3, 6), description="建设医用耗材、康复器械研发生产基地。"),
    Plan("600兆瓦BIPV薄膜太阳能幕墙制造", "materials", IND, "CO-BIPV", JFJ, UC, 280000, 50000, L1,
         AHEAD, start=(-1, 5), finish=(1, 8), location="开发区新材料产业园",
         description="建设年产 600 兆瓦 BIPV 光伏建筑一体化薄膜太阳能幕墙生产线。"),
    Plan("高性能复合材料", "materials", IND, "CO-FHCL", JFJ, UC, 90000, 20000, L2, ON,
         start=(-1, 9), finish=(1, 9), description="建设碳纤维、玻璃纤维复合材料制品生产线。"),
    Plan("智能农机装备制造", "equipment", IND, "CO-ZNNJ", JFJ, UC, 120000, 25000, L2, BEHIND,
         start=(-1, 7), finish=(1, 12), description="建设大型拖拉机、收获机械智能化生产线。"),
    Plan("精密轴承制造", "equipment", IND, "CO-JMZC", JFJ, DONE, 70000, 10000, L1,
         start=(-2, 9), finish=(0, 5), project_type=KeyProject.ProjectType.EXPANSION,
         description="扩建精密轴承套圈、滚动体及总装生产线。"),
    Plan("数控机床再制造", "equipment", IND, "CO-SKJC", JFJ, NS, 50000, 8000, pace=BEHIND,
         start=(0, 12), finish=(2, 10), project_type=KeyProject.ProjectType.REHABILITATION,
         description="改造旧厂房,建设数控机床再制造及检测中心。"),
    Plan("聊城电子商务产业园", "electronics", IND, "CO-DSCY", JFJ, DONE, 60000, 6000, L2,
         start=(-2, 3), finish=(0, 3), location="开发区东昌路以南",
         description="建设电商孵化中心、仓储配送中心和直播基地,全市第一个电商产业园。"),
    Plan("智能终端制造", "electronics", IND, "CO-ZNZD", JFJ, UC, 150000, 30000, L1, ON,
         start=(-1, 6), finish=(1, 12), description="建设智能手机、平板电脑整机及零部件生产线。"),
    Plan("大数据中心", "electronics", IND, "CO-DSJ", JFJ, UC, 80000, 20000, L2, AHEAD,
         start=(-1, 10), finish=(1, 6), description="建设 3000 个标准机柜的数据中心及配套供电、制冷系统。"),
    Plan("农产品物流交易中心", "agrifood", URB, "CO-NCP", JFJ, DONE, 450000, 30000, L1,
         start=(-3, 4), finish=(0, 6), location="开发区东外环以东",
         description="建设果蔬、粮油、冷鲜肉交易区和冷链仓储,全国最大的农产品市场之一。"),
    Plan("食品精深加工产业园", "agrifood", IND, "CO-SPCY", JFJ, UC, 100000, 25000, L2, ON,
         start=(-1, 4), finish=(1, 10), description="建设肉制品、速冻食品、休闲食品加工车间及检测中心。"),
    Plan("冷链物流中心", "agrifood", IND, "CO-LLWL", JFJ, UC, 60000, 15000, L1, BEHIND,
         start=(-1, 8), finish=(1, 8), description="建设 10 万吨冷库及冷链配送中心。"),
    # 现代服务业
    Plan("红星美凯龙家居综合体", "services", URB, "CO-HXMKL", JSJ, UC, 350000, 60000, L2, AHEAD,
         start=(-2, 5), finish=(1, 10), location="开发区东昌路与嫩江路交叉口",
         description="建设家居商场、购物中心、写字楼及配套商业,大型商业综合体。"),
    Plan("义乌小商品城", "services", IND, "CO-YWSPC", JFJ, DONE, 250000, 20000, L1,
         start=(-3, 3), finish=(0, 4), description="建设小商品批发交易市场、仓储物流和商务配套。"),
    Plan("当代曙光大厦", "services", URB, "CO-DDZY", JSJ, DONE, 160000, 10000, L2,
         start=(-4, 4), finish=(0, 8), description="建设超高层商务办公楼,全市第一高楼。"),
    Plan("聊城国际会展中心", "services", URB, "CO-HZZX", JSJ, DONE, 120000, 10000, L1,
         start=(-3, 5), finish=(0, 9), description="建设展览馆、会议中心及配套广场,全市第一个大型综合会展中心。"),
    Plan("御润最佳西方酒店", "services", IND, "CO-YRJD", JFJ, DONE, 50000, 5000, L2,
         start=(-3, 3), finish=(0, 5), description="建设国际品牌商务酒店及会议设施,全市唯一一家国际品牌商务酒店。"),
    Plan("现代物流园", "services", IND, "CO-XDWL", JFJ, UC, 140000, 30000, L1, ON,
         start=(-1, 5), finish=(1, 12), description="建设公路港、分拨中心及智慧物流信息平台。"),
    Plan("保税物流中心(B型)", "services", IND, "CO-BSWL", JFJ, UC, 90000, 25000, L2, BEHIND,
         start=(-1, 9), finish=(1, 6), description="建设保税仓库、查验场地及海关监管设施。"),
    # 城市建设: roads, greening, lighting, water
    Plan("嫩江路道路工程", "urban", URB, "CO-CT", JSJ, UC, 42000, 18000, L2, AHEAD,
         start=(0, 3), finish=(1, 6), location="开发区嫩江路(黄河路—中华路)",
         description="新建城市主干路,含雨污水管网、照明及绿化。",
         targets={M.ROAD_KM: ("5.6", [(5, 20, "2.1"), (8, 25, "1.4")])}),
    Plan("金山路道路工程", "urban", URB, "CO-CT", JSJ, UC, 36000, 15000, L1, ON,
         start=(0, 3), finish=(1, 8), location="开发区金山路",
         description="新建城市次干路,含雨污水管网及照明。",
         targets={M.ROAD_KM: ("4.8", [(6, 15, "1.6"), (9, 10, "1.0")])}),
    Plan("艾科路道路工程", "urban", URB, "CO-CT", JSJ, UC, 28000, 12000, L2, BEHIND,
         start=(0, 4), finish=(1, 9), location="开发区艾科路",
         description="新建城市次干路,含雨污水管网及照明。",
         targets={M.ROAD_KM: ("3.2", [(7, 30, "0.8")])}),
    Plan("二干路道路工程", "urban", URB, "CO-CT", JSJ, UC, 32000, 14000, L1, ON,
         start=(0, 3), finish=(1, 9), location="开发区二干路",
         description="新建城市主干路,含雨污水管网及照明。",
         targets={M.ROAD_KM: ("4.1", [(6, 28, "1.5"), (9, 26, "0.9")])}),
    Plan("周公路道路工程", "urban", URB, "CO-CT", JSJ, SV, 25000, 3000, pace=ON,
         start=(1, 4), finish=(2, 10), location="开发区周公路",
         description="新建城市主干路;正在进行勘查设计工作。", targets={M.ROAD_KM: ("6.0", [])}),
    Plan("保税区二号路道路工程", "urban", URB, "CO-CT", JSJ, SV, 18000, 2000, pace=AHEAD,
         start=(1, 3), finish=(1, 12), location="聊城保税区",
         description="新建保税区内部道路;正在进行勘查设计工作。",
         targets={M.ROAD_KM: ("2.5", [])}),
    Plan("道路绿化提升工程", "urban", URB, "CO-CT", JSJ, UC, 15000, 8000, L2, ON,
         start=(0, 3), finish=(0, 12), project_type=KeyProject.ProjectType.REHABILITATION,
         location="济聊一级路、财干路、周公路、辽河路、武夷山路",
         description="济聊一级路、财干路、周公路、辽河路、武夷山路等道路两侧绿化提升。",
         targets={M.GREEN_M2: ("420000", [(4, 30, "150000"), (9, 30, "90000")])}),
    Plan("小渭河湿地绿化提升工程", "urban", URB, "CO-CT", JSJ, UC, 24000, 10000, L1, AHEAD,
         start=(0, 3), finish=(1, 5), project_type=KeyProject.ProjectType.REHABILITATION,
         location="小渭河两岸", description="小渭河湿地公园水系整治与绿化提升。",
         targets={M.GREEN_M2: ("350000", [(5, 15, "120000"), (9, 20, "110000")])}),
    Plan("道路亮化工程", "urban", URB, "CO-CT", JSJ, UC, 9000, 6000, L2, ON,
         start=(0, 3), finish=(0, 12), project_type=KeyProject.ProjectType.REPLACEMENT,
         location="东昌路、辽河路、庐山路、东外环、艾科路、二干路、周公路",
         description="东昌路、辽河路、庐山路、东外环、艾科路、二干路、周公路等道路亮化,计划新增和改造路灯 1156 盏。",
         targets={
             M.LAMP_NEW: ("652", [(6, 18, "210"), (9, 22, "146")]),
             M.LAMP_RENOVATED: ("504", [(5, 26, "180"), (8, 28, "120")]),
         }),
    Plan("污水处理厂扩建", "urban", URB, "CO-SW", JSJ, UC, 30000, 12000, L1, BEHIND,
         start=(-1, 10), finish=(1, 6), project_type=KeyProject.ProjectType.EXPANSION,
         description="污水处理厂扩建,新增日处理能力 5 万吨。"),
    # 社会民生
    Plan("城中村改造安置房", "livelihood", LIV, "CO-CT", JSJ, UC, 150000, 40000, BOTH, ON,
         start=(-1, 3), finish=(1, 6), description="建设城中村改造安置房 3200 套及配套设施。"),
    Plan("农村新型社区建设", "livelihood", LIV, "CO-CT", "ZONE-MZJ", UC, 80000, 20000, L2, BEHIND,
         start=(-1, 4), finish=(0, 12), description="建设农村新型社区住宅及社区服务中心,确保拆迁群众尽早搬迁入住。"),
    Plan("开发区实验学校", "livelihood", LIV, "CO-JYFZ", "ZONE-JYJ", UC, 35000, 15000, L1, AHEAD,
         start=(-1, 8), finish=(1, 7), description="建设 48 个班的九年一贯制学校。"),
    Plan("社区卫生服务中心", "livelihood", LIV, "CO-SHSY", "ZONE-SHSY", NS, 12000, 3000, pace=ON,
         start=(0, 12), finish=(1, 12), description="新建社区卫生服务中心一处。"),
    Plan("养老服务中心", "livelihood", LIV, "CO-SHSY", "ZONE-MZJ", NS, 15000, 3000, pace=BEHIND,
         start=(1, 4), finish=(2, 6), description="建设 300 张床位的养老服务中心。"),
    Plan("公共租赁住房", "livelihood", LIV, "CO-CT", JSJ, UC, 60000, 20000, L1, ON,
         start=(-1, 5), finish=(1, 5), description="建设公共租赁住房 1200 套。"),
    # Last: the largest project takes whatever makes the two sums exact.
    Plan("中央商务区", "services", URB, "CO-CBD", JSJ, UC, None, None, BOTH, ON,
         start=(-2, 3), finish=(3, 12), location="开发区东昌路以北、嫩江路以西",
         description="建设总部办公、金融商务、商业及公共配套设施。"),
]

# fmt: on

# fund code, name, budget (万元), direction
FUNDS = [
    ("KJYF", "科技研发扶持基金", 50000, "支持企业研发中心建设、关键技术攻关和高新技术成果转化。"),
    ("ZTC", "转调创扶持基金", 100000, "支持传统产业转型升级、结构调整和创新发展项目。"),
    ("TRZDB", "投融资担保基金", 200000, "为重点项目融资提供担保增信,缓解企业融资难。"),
]
# fund code, project name, allocated (万元), decided (month, day), [(month, day, paid 万元)]
ALLOCATIONS = [
    ("KJYF", "中通新能源及节能型客车生产基地", 8000, (3, 10), [(4, 15, 3000), (7, 20, 2000)]),
    ("KJYF", "600兆瓦BIPV薄膜太阳能幕墙制造", 5000, (4, 8), [(5, 12, 2000)]),
    ("KJYF", "生物医药产业园一期", 4000, (3, 25), [(6, 18, 4000)]),
    ("KJYF", "智能终端制造", 3000, (8, 5), []),
    ("ZTC", "万合铜铝深加工", 10000, (3, 15), [(4, 20, 5000), (8, 18, 3000)]),
    ("ZTC", "高精度铝板带箔生产线", 12000, (5, 9), [(6, 22, 6000)]),
    ("ZTC", "智能农机装备制造", 6000, (7, 1), [(9, 10, 2000)]),
    ("TRZDB", "中通新能源及节能型客车生产基地", 30000, (2, 26), [(3, 18, 15000), (9, 8, 10000)]),
    ("TRZDB", "新能源汽车动力电池配套产业园", 20000, (4, 16), [(5, 28, 10000)]),
    ("TRZDB", "冷链物流中心", 5000, (9, 12), []),
]

# project name, problem, owning unit code, working days, days ago raised, resolution (or "")
# fmt: off
PROBLEMS = [
    ("中通新能源及节能型客车生产基地", "新能源客车涂装车间环评批复待办理", JSJ, 10, 45, ""),
    ("新能源汽车动力电池配套产业园", "二期用地土地指标尚未落实", JFJ, 15, 60, ""),
    ("艾科路道路工程", "沿线 3 处通信杆线迁移未完成,影响路基施工", JSJ, 10, 40, ""),
    ("农村新型社区建设", "部分拆迁群众安置补偿款未拨付到位", "ZONE-CZJ", 10, 35, ""),
    ("城中村改造安置房", "安置区配套幼儿园移交及办园手续", "ZONE-SHSY", 10, 30, ""),
    ("开发区实验学校", "教师周转宿舍配套用房规划调整", "ZONE-SHSY", 15, 3, ""),
    ("冷链物流中心", "供电专线接入方案待供电公司审批", JFJ, 10, 2, ""),
    ("中央商务区", "地下空间人防审批手续待完善", JSJ, 20, 5, ""),
    ("万合铜铝深加工", "熔铸车间天然气管道接入", JFJ, 10, 80, "已协调燃气公司完成管道接入并通气。"),
    ("嫩江路道路工程", "雨水管网与既有燃气管线交叉", JSJ, 10, 70, "经设计变更调整管线标高,已完成施工。"),
    ("600兆瓦BIPV薄膜太阳能幕墙制造", "高新技术企业认定材料辅导", JFJ, 15, 90, "已组织专家辅导,材料已报送省科技厅。"),
]

# fmt: on

WEIGHTS = [0.5, 0.6, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.2, 1.2, 1.1]  # 春节 slows Jan and Feb
PACE_RANGE = {AHEAD: (1.03, 1.15), ON: (0.92, 0.985), BEHIND: (0.6, 0.84)}
# Before construction the money goes to land, design and approvals; 形象进度 stays at 0.
PREPARATION = ["项目前期手续办理", "规划设计方案编制", "土地征收及场地平整"]
PREPARATION_START = 3  # the first month with preparation spending
STEPS: dict[str, list[str]] = {
    IND: [
        "厂房基础施工",
        "主体钢结构吊装",
        "屋面及围护结构施工",
        "设备采购与基础施工",
        "设备安装调试",
    ],
    URB: [
        "管线迁移及路基施工",
        "主体结构施工",
        "管网及附属工程施工",
        "面层及装饰工程施工",
        "配套设施施工",
    ],
    LIV: ["基础工程施工", "主体结构施工", "二次结构及砌体施工", "室内外装修", "配套及室外工程施工"],
}


# 招商引资 (the seed's first article): the projects it names were brought in by "走出去" and
# the zone's promotion and became key projects. Each is linked to its project above; its first
# talks, 签约 and 落地 come before the project's planned start (months before it).
# project name, company, sector, source, owner, intended 万元 (the contract is the project's
# total investment), months before the start: talks, signing, landing
# fmt: off
SEED_LEADS = [
    ("中通新能源及节能型客车生产基地", "中通客车控股股份有限公司", "nev", "going_out", "leader",
     550000, (14, 8, 3), "开发区黄河路以南、嫩江路以东地块"),
    ("600兆瓦BIPV薄膜太阳能幕墙制造", "聊城光伏幕墙科技有限公司", "materials", "promotion", "office",
     250000, (12, 7, 2), "开发区新材料产业园地块"),
    ("万合铜铝深加工", "万合铜铝有限公司", "nonferrous", "by_business", "leader2",
     200000, (13, 6, 2), "开发区有色金属产业园地块"),
    ("红星美凯龙家居综合体", "聊城红星美凯龙家居有限公司", "services", "going_out", "leader2",
     300000, (16, 9, 4), "开发区东昌路与嫩江路交叉口地块"),
    ("义乌小商品城", "聊城义乌小商品城有限公司", "services", "promotion", "leader",
     200000, (15, 8, 3), "开发区东外环以西地块"),
]
# Leads still on the way this year (示例): company, sector, source, owner, intended 万元, and the
# (month, day) of each step reached: talks, then 签约 with the contract in 万元, then 落地, or
# 终止 with its reason.
OPEN_LEADS: list[tuple[str, str, str, str, int, dict[str, Any]]] = [
    ("江苏储能新材料科技有限公司", "nev", "going_out", "leader", 80000, {"talks": (9, 16)}),
    ("浙江智联电子有限公司", "electronics", "promotion", "office", 50000, {"talks": (10, 22)}),
    ("深圳光谷复合材料股份有限公司", "materials", "by_chain", "leader2", 120000,
     {"talks": (2, 27), "signed": (6, 18, 100000)}),
    ("广东精工数控机床有限公司", "equipment", "by_business", "office", 60000,
     {"talks": (1, 12), "signed": (3, 26, 55000),
      "landed": (8, 8, "聊城精工数控机床有限公司", "嫩江路以东地块 120 亩")}),
    ("上海优品食品有限公司", "agrifood", "visit", "leader", 30000,
     {"talks": (3, 5), "terminated": (5, 20, "企业调整投资计划,项目改投其他地区。")}),
]
# fmt: on


@dataclass
class Totals:
    """Rows created by one run, by kind; a second run reports zeros."""

    counts: dict = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def plan_amounts() -> list[tuple[Decimal, Decimal]]:
    """(total, annual plan) in 元 for each of PLANS; the last absorbs what makes the sums exact."""
    amounts = [
        (Decimal(p.total_wan) * WAN, Decimal(p.annual_wan) * WAN)
        for p in PLANS[:-1]
        if p.total_wan is not None and p.annual_wan is not None
    ]
    total = TOTAL_INVESTMENT - sum(a for a, _ in amounts)
    annual = ANNUAL_PLAN - sum(b for _, b in amounts)
    if not Decimal(0) < annual <= total:
        raise AssertionError(f"demo amounts do not add up: last project {total} / {annual}")
    return [*amounts, (total, annual)]


def project_code(year: int, index: int) -> str:
    return f"KFQ{year}-{index:03d}"


@dataclass(frozen=True)
class RelocationPlan:
    """One relocation programme of the demo and this year's entries:
    (month, day, 签约, 已拆迁, 安置房建成, 搬迁入住)."""

    name: str
    kind: str
    villages: str
    households: int
    housing_units: int
    project: str = ""
    entries: tuple[tuple[int, int, int, int, int, int], ...] = ()


RK = RelocationProgramme.Kind
# fmt: off
RELOCATION = (
    RelocationPlan("蒋官屯片区城中村改造", RK.URBAN_VILLAGE, "蒋官屯村、前许村、后许村",
                   1860, 3200, "城中村改造安置房",
                   ((3, 18, 620, 0, 0, 0), (4, 25, 540, 410, 0, 0), (6, 20, 480, 650, 1200, 0),
                    (8, 28, 160, 520, 800, 760), (10, 26, 40, 180, 600, 380))),
    RelocationPlan("广平新型社区", RK.RURAL_COMMUNITY, "小王庄、大李庄、孙庄",
                   420, 460, "农村新型社区建设",
                   ((4, 12, 300, 0, 0, 0), (6, 8, 96, 280, 0, 0), (9, 15, 12, 100, 460, 0),
                    (10, 30, 0, 20, 0, 310))),
    RelocationPlan("北城片区城中村改造", RK.URBAN_VILLAGE, "东李村、西李村", 380, 420,
                   entries=((9, 10, 150, 0, 0, 0), (10, 20, 85, 60, 0, 0))),
)
# fmt: on


class DemoBuilder:
    """Builds the demo register for `today`'s year through the project actions."""

    def __init__(
        self, *, admin: User, users: dict[str, User], units: dict[str, OrgUnit], today=None
    ):
        self.admin = admin
        self.users = users
        self.office = users["office"]
        self.liaison = users["liaison"]
        self.units = units
        self.today = today or timezone.localdate()
        self.year = self.today.year
        as_of_year, as_of_month = progress.default_as_of(self.today)
        # The months whose reports are filed by now; none when the due month is last year's.
        self.last_month = as_of_month if as_of_year == self.year else 0
        self.made = Totals()
        self.warnings: list[str] = []

    # Dates --------------------------------------------------------------------------------
    def on(self, month: int, day: int, year_offset: int = 0) -> datetime.date:
        """A date of this year (or a nearby one), never later than today."""
        year = self.year + year_offset
        day = min(day, calendar.monthrange(year, month)[1])
        return min(datetime.date(year, month, day), self.today)

    def month_end(self, year_offset: int, month: int) -> datetime.date:
        year = self.year + year_offset
        return datetime.date(year, month, calendar.monthrange(year, month)[1])

    # Reference rows -----------------------------------------------------------------------
    @transaction.atomic
    def sectors(self) -> dict[str, Sector]:
        found = {}
        for order, (code, name, plate, oc4ids) in enumerate(SECTORS, start=1):
            sector = Sector.objects.filter(code=code).first()
            if sector is None:
                sector = Sector.objects.create(
                    code=code, name=name, plate=plate, oc4ids_sector=oc4ids, sort_order=order
                )
                record_event(
                    actor=self.admin,
                    action="sector_created",
                    target=sector,
                    kind=Event.Kind.CREATE,
                    changes={k: [None, v] for k, v in snapshot(sector).items()},
                )
                self.made.add("产业板块")
            found[code] = sector
        return found

    # Projects -----------------------------------------------------------------------------
    def projects(self, sectors: dict[str, Sector]) -> dict[str, KeyProject]:
        found = {}
        for index, (plan, (total, annual)) in enumerate(zip(PLANS, plan_amounts(), strict=True), 1):
            found[plan.name] = self.project(index, plan, total, annual, sectors[plan.sector])
        return found

    def project(self, index, plan: Plan, total, annual, sector) -> KeyProject:
        code = project_code(self.year, index)
        project = KeyProject.objects.filter(code=code).first()
        if project is None:
            project = project_create(
                actor=self.office,
                code=code,
                name=plan.name,
                year=self.year,
                sector=sector,
                category=plan.category,
                org_unit=self.units[plan.company],
                responsible_unit=self.units[plan.responsible],
                project_type=plan.project_type,
                location=plan.location or "聊城经济技术开发区",
                description=plan.description,
                total_investment=total,
                annual_plan=annual,
                planned_start_on=datetime.date(self.year + plan.start[0], plan.start[1], 1),
                planned_finish_on=self.finish_on(plan),
                stage=plan.stage,
                is_example=True,
                leaders=[self.users[u] for u in plan.leaders],
            )
            self.made.add("重点项目")
        self.reports(project, plan)
        self.milestones(project, plan)
        self.targets(project, plan)
        return project

    def finish_on(self, plan: Plan) -> datetime.date:
        finish = self.month_end(*plan.finish)
        if plan.stage == DONE:
            # A completed project finished no later than its last report, and not in the future.
            month = max(1, min(plan.finish[1], self.last_month or 1))
            finish = min(self.month_end(0, month), self.today)
        return finish

    def report_months(self, project: KeyProject, plan: Plan) -> list[int]:
        if plan.stage == Stage.CANCELLED or not self.last_month:
            return []
        start, finish = project.planned_start_on, project.planned_finish_on
        assert start is not None and finish is not None, "every demo project has planned dates"
        first = 1
        if plan.stage in (NS, SV):
            first = min(PREPARATION_START, self.last_month)
        elif start.year == self.year:
            first = start.month
        last = self.last_month
        if plan.stage == DONE:
            last = min(last, finish.month)
        return list(range(first, last + 1))

    def report_figures(self, project: KeyProject, plan: Plan, months: list[int]):
        """Monthly investment (元) and cumulative 形象进度 (%) for `months`, from the pace."""
        rng = random.Random(project.code)
        annual, start = project.annual_plan, project.planned_start_on
        assert annual is not None and start is not None, "every demo project is on the list"
        if plan.stage == DONE:
            target = annual  # finished: the year's plan is done
        else:
            assert plan.pace is not None, "a project under way has a pace"
            low, high = PACE_RANGE[plan.pace]
            share = Decimal(str(round(rng.uniform(low, high), 3)))
            target = annual * months[-1] / 12 * share
        weights = [Decimal(str(round(WEIGHTS[m - 1] * rng.uniform(0.85, 1.15), 3))) for m in months]
        amounts = [(target * w / sum(weights) / WAN).quantize(Decimal("1")) * WAN for w in weights]
        amounts[-1] = max(Decimal(0), target.quantize(Decimal("1")) - sum(amounts[:-1]))
        if plan.stage == DONE:
            amounts[-1] = annual - sum(amounts[:-1])
        started_before = start.year < self.year
        start_pct = Decimal(rng.randint(25, 55)) if started_before else Decimal(0)
        end_pct = Decimal(100)
        if plan.stage in (NS, SV):
            start_pct = end_pct = Decimal(0)
        elif plan.stage != DONE:
            assert plan.pace is not None, "a project under way has a pace"
            reach = {AHEAD: 0.75, ON: 0.6, BEHIND: 0.4}[plan.pace] * months[-1] / 12
            end_pct = start_pct + (100 - start_pct) * Decimal(str(round(reach, 3)))
        span = end_pct - start_pct
        running = Decimal(0)
        pcts = []
        for w in weights:
            running += w
            pcts.append((start_pct + span * running / sum(weights)).quantize(Decimal("0.1")))
        pcts[-1] = end_pct.quantize(Decimal("0.1"))
        return list(zip(months, amounts, pcts, strict=True))

    def reports(self, project: KeyProject, plan: Plan) -> None:
        months = self.report_months(project, plan)
        if not months:
            return
        filed = set(
            ProgressReport.objects.filter(project=project, month__year=self.year).values_list(
                "month", flat=True
            )
        )
        actor = self.liaison if plan.company == ZT_COMPANY else self.office
        preparing = plan.stage in (NS, SV)
        steps = PREPARATION if preparing else STEPS[plan.category]
        figures = self.report_figures(project, plan, months)
        for n, (month, investment, pct) in enumerate(figures):
            day = datetime.date(self.year, month, 1)
            if day in filed:
                continue
            # Preparation moves through its steps over the months; construction with 形象进度.
            at = n * len(steps) // len(figures) if preparing else int(pct) * len(steps) // 100
            step = steps[min(at, len(steps) - 1)]
            following = steps[min(at + 1, len(steps) - 1)]
            if plan.stage == DONE and n == len(figures) - 1:
                note, next_steps = "工程竣工验收,投入运营。", "做好运营保障和达产工作。"
            elif preparing:
                note, next_steps = f"{step}。", f"推进{following},争取尽早开工。"
            else:
                note, next_steps = (
                    f"{step},形象进度 {pct}%。",
                    f"继续推进{step},做好{following}准备。",
                )
            report_submit(
                actor=actor,
                project=project,
                month=day,
                investment=investment,
                physical_progress=pct,
                progress_note=note,
                next_steps=next_steps,
            )
            self.made.add("月度进度")

    def milestones(self, project: KeyProject, plan: Plan) -> None:
        start = project.planned_start_on
        finish = project.planned_finish_on
        assert start is not None and finish is not None, "every demo project has planned dates"
        rng = random.Random(f"{project.code}-milestones")
        started = plan.stage in (UC, DONE)
        wanted = [
            (
                Milestone.Code.APPROVAL,
                start - datetime.timedelta(days=120),
                min(start - datetime.timedelta(days=rng.randint(125, 160)), self.today),
            ),
            (
                Milestone.Code.COMMENCEMENT,
                start,
                min(start + datetime.timedelta(days=rng.randint(0, 20)), self.today)
                if started
                else None,
            ),
        ]
        if started:
            structure_due = start + (finish - start) * 2 // 3
            structure_met = None
            if plan.stage == DONE or (structure_due <= self.today and plan.pace != BEHIND):
                structure_met = min(
                    structure_due - datetime.timedelta(days=rng.randint(0, 15)), self.today
                )
            wanted.append((Milestone.Code.MAIN_STRUCTURE, structure_due, structure_met))
        wanted.append((Milestone.Code.COMPLETION, finish, finish if plan.stage == DONE else None))
        if plan.category == IND:
            commissioning = finish + datetime.timedelta(days=30)
            met = min(commissioning, self.today) if plan.stage == DONE else None
            wanted.append((Milestone.Code.COMMISSIONING, commissioning, met))
        existing = set(Milestone.objects.filter(project=project).values_list("code", flat=True))
        for code, due_on, met_on in wanted:
            if code in existing:
                continue
            milestone_set(
                actor=self.office, project=project, code=code, due_on=due_on, met_on=met_on
            )
            self.made.add("节点")

    @transaction.atomic
    def targets(self, project: KeyProject, plan: Plan) -> None:
        for measure, (planned, entries) in plan.targets.items():
            target = WorkTarget.objects.filter(project=project, measure=measure).first()
            if target is not None:
                continue
            target = WorkTarget.objects.create(
                project=project, measure=measure, planned_quantity=Decimal(planned)
            )
            record_event(
                actor=self.office,
                action="work_target_created",
                target=target,
                kind=Event.Kind.CREATE,
                changes={k: [None, v] for k, v in snapshot(target).items()},
                org_unit=project.org_unit,
            )
            self.made.add("工程量目标")
            for month, day, quantity in entries:
                if datetime.date(self.year, month, 1) > self.today:
                    continue
                quantity_record(
                    actor=self.office,
                    target=target,
                    recorded_on=self.on(month, day),
                    quantity=Decimal(quantity),
                    note="示例数据",
                )
                self.made.add("完成工程量")

    # Funds --------------------------------------------------------------------------------
    @transaction.atomic
    def funds(self, projects: dict[str, KeyProject]) -> None:
        funds = {}
        for code, name, budget_wan, direction in FUNDS:
            fund = Fund.objects.filter(code=code).first()
            if fund is None:
                fund = Fund.objects.create(
                    code=code,
                    name=name,
                    budget=Decimal(budget_wan) * WAN,
                    description=direction,
                    is_example=True,
                )
                record_event(
                    actor=self.office,
                    action="fund_created",
                    target=fund,
                    kind=Event.Kind.CREATE,
                    changes={k: [None, v] for k, v in snapshot(fund).items()},
                )
                self.made.add("引导资金")
            funds[code] = fund
        for code, project_name, amount_wan, decided, payments in ALLOCATIONS:
            project = projects[project_name]
            if FundAllocation.objects.filter(fund=funds[code], project=project).exists():
                continue
            allocation = allocation_create(
                actor=self.office,
                fund=funds[code],
                project=project,
                amount=Decimal(amount_wan) * WAN,
                decided_on=self.on(*decided),
                note="示例数据",
            )
            self.made.add("资金安排")
            for n, (month, day, paid_wan) in enumerate(payments, 1):
                disbursement_create(
                    actor=self.office,
                    allocation=allocation,
                    amount=Decimal(paid_wan) * WAN,
                    paid_on=max(self.on(month, day), allocation.decided_on),
                    voucher_no=f"{code}-{self.year}-{project.code[-3:]}-{n:02d}",
                )
                self.made.add("拨付")

    # Problems -----------------------------------------------------------------------------
    def problems(self, projects: dict[str, KeyProject]) -> None:
        for project_name, title, unit, workdays, days_ago, resolution in PROBLEMS:
            project = projects[project_name]
            if Problem.objects.filter(project=project, title=title).exists():
                continue
            actor = self.liaison if project.org_unit.code == ZT_COMPANY else self.office
            try:
                problem = problem_raise(
                    actor=actor,
                    project=project,
                    title=title,
                    owning_unit=self.units[unit],
                    deadline_workdays=workdays,
                    description="示例数据。",
                    raised_on=self.today - datetime.timedelta(days=days_ago),
                )
            except ValidationError as exc:
                # Near the year's end a deadline can fall in a year with no holiday data yet.
                self.warnings.append(f"问题“{title}”未创建:{'; '.join(exc.messages)}")
                continue
            self.made.add("问题")
            if resolution:
                problem_resolve(actor=self.office, problem=problem, resolution_note=resolution)
        escalated = problems_escalate(today=self.today)
        self.made.add("升级督办", len(escalated))

    # Yearly lists ---------------------------------------------------------------------------
    def approve_list(self) -> ProjectList:
        """This year's list, as registered above, approved by the office."""
        project_list = ProjectList.objects.get(year=self.year)
        if not project_list.is_approved:
            project_list = list_approve(actor=self.office, project_list=project_list)
            self.made.add("年度清单")
        return project_list

    def next_year_list(self, source: ProjectList) -> ProjectList:
        """Next year's list carried over from this year's and approved: every unfinished project
        with an example plan (a share of what is left to invest), marked 示例."""
        year = self.year + 1
        existing = ProjectList.objects.filter(year=year).first()
        if existing is not None and existing.is_approved:
            return existing
        projects = with_remaining(
            KeyProject.objects.on_list(source.year).exclude(stage__in=CLOSED_STAGES),
            year=year,
        ).order_by("position")
        rows = []
        for project in projects:
            remaining = remaining_of(project)
            share = Decimal(
                str(round(random.Random(f"{project.code}-{year}").uniform(0.3, 0.6), 2))
            )
            plan = min(remaining, (remaining * share / WAN).quantize(Decimal("1")) * WAN)
            rows.append(DraftRow(project=project, annual_plan=plan))
        draft = list_draft_save(
            actor=self.office, year=year, rows=rows, carried_from=source, is_example=True
        )
        self.made.add("年度清单")
        return list_approve(actor=self.office, project_list=draft)

    # 城中村改造 and 农村新型社区 -------------------------------------------------------------
    @transaction.atomic
    def relocation(self, projects: dict[str, KeyProject]) -> None:
        """The zone's relocation programmes and this year's progress, entry by entry."""
        zone = self.units[ZONE]
        for plan in RELOCATION:
            if RelocationProgramme.objects.filter(org_unit=zone, name=plan.name).exists():
                continue
            programme = programme_create(
                actor=self.office,
                org_unit=zone,
                kind=plan.kind,
                name=plan.name,
                villages=plan.villages,
                households=plan.households,
                housing_units=plan.housing_units,
                project=projects.get(plan.project) if plan.project else None,
            )
            self.made.add("拆迁安置项目")
            for month, day, signed, demolished, built, moved_in in plan.entries:
                if datetime.date(self.year, month, day) > self.today:
                    continue
                progress_record(
                    actor=self.office,
                    programme=programme,
                    recorded_on=datetime.date(self.year, month, day),
                    signed=signed,
                    demolished=demolished,
                    built=built,
                    moved_in=moved_in,
                    note="示例数据",
                )
                self.made.add("拆迁安置进度")

    def check_reports(self) -> None:
        """The office has checked every report but the latest month's, which waits in its
        我的待办 (月报审核)."""
        latest = ProgressReport.objects.order_by("-month").values_list("month", flat=True).first()
        if latest is None:
            return
        waiting = ProgressReport.objects.filter(checked_at__isnull=True, month__lt=latest)
        for report in waiting.order_by("month", "pk"):
            report_check(actor=self.office, report=report)
            self.made.add("月报审核")

    # 招商引资 --------------------------------------------------------------------------------
    def months_before(self, day: datetime.date, months: int) -> datetime.date:
        month = day.year * 12 + day.month - 1 - months
        return datetime.date(month // 12, month % 12 + 1, 1)

    def leads(self, projects: dict[str, KeyProject], sectors: dict[str, Sector]) -> None:
        zone = self.units[ZONE]
        for name, company, sector, source, owner, intended, before, land in SEED_LEADS:
            project = projects[name]
            if InvestmentLead.objects.filter(project=project).exists():
                continue
            start = project.planned_start_on
            assert start is not None, "every demo project has planned dates"
            talks, signed, landed = (self.months_before(start, m) for m in before)
            lead = lead_create(
                actor=self.office, company=company, sector=sectors[sector],
                intended_investment=Decimal(intended) * WAN, source=source, org_unit=zone,
                owner=self.users[owner], contacted_on=talks, note="示例数据", is_example=True,
            )  # fmt: skip
            lead_sign(actor=self.office, lead=lead, contract_amount=project.total_investment,
                      signed_on=signed)  # fmt: skip
            lead_land(actor=self.office, lead=lead, registered_company=company, land=land,
                      landed_on=landed)  # fmt: skip
            lead_convert(actor=self.office, lead=lead, converted_on=min(start, self.today),
                         project=project)  # fmt: skip
            self.made.add("招商线索")
        for company, sector, source, owner, intended, steps in OPEN_LEADS:
            if InvestmentLead.objects.filter(company=company).exists():
                continue
            lead = lead_create(
                actor=self.office, company=company, sector=sectors[sector],
                intended_investment=Decimal(intended) * WAN, source=source, org_unit=zone,
                owner=self.users[owner], contacted_on=self.on(*steps["talks"]),
                note="示例数据", is_example=True,
            )  # fmt: skip
            if "signed" in steps:
                month, day, amount = steps["signed"]
                lead_sign(actor=self.office, lead=lead, contract_amount=Decimal(amount) * WAN,
                          signed_on=self.on(month, day))  # fmt: skip
            if "landed" in steps:
                month, day, registered, land = steps["landed"]
                lead_land(actor=self.office, lead=lead, registered_company=registered, land=land,
                          landed_on=self.on(month, day))  # fmt: skip
            if "terminated" in steps:
                month, day, reason = steps["terminated"]
                lead_terminate(actor=self.office, lead=lead, reason=reason,
                               terminated_on=self.on(month, day))  # fmt: skip
            self.made.add("招商线索")

    def build(self) -> Totals:
        sectors = self.sectors()
        projects = self.projects(sectors)
        self.check_reports()
        self.funds(projects)
        self.problems(projects)
        self.relocation(projects)
        this_year = self.approve_list()
        self.next_year_list(this_year)
        self.leads(projects, sectors)
        return self.made
