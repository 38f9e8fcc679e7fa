"""The school safety inspection checklist, as data.

`Inspection.checklist` stores {item code: "ok" | "hazard"} over these items; the codes are
stable identifiers, the Chinese names and points are what the inspector reads. Add an item at
the end; never reuse or rename a code, old inspections keep pointing at it.
"""

from dataclasses import dataclass

OK = "ok"
HAZARD = "hazard"
RESULTS = {OK: "合格", HAZARD: "存在隐患"}


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    points: str


ITEMS: tuple[Item, ...] = (
    Item(
        "fire",
        "消防设施",
        "灭火器、消火栓、应急照明和疏散指示标志配备齐全、完好有效,消防控制室有人值守。",
    ),
    Item(
        "evacuation",
        "疏散通道",
        "楼梯、走廊、安全出口畅通无堵塞,门不上锁,课间和集会有专人疏导。",
    ),
    Item(
        "canteen",
        "食堂卫生",
        "食品经营许可证和从业人员健康证有效,原料索证索票、留样 48 小时,生熟分开。",
    ),
    Item(
        "buildings",
        "校舍安全",
        "教学楼、宿舍、围墙无裂缝、渗漏和倾斜,危房已停用,栏杆高度和牢固程度符合要求。",
    ),
    Item(
        "bus",
        "校车管理",
        "校车使用许可、驾驶人资格有效,不超员,随车照管人员在岗,车辆按期检验。",
    ),
    Item(
        "guard",
        "门卫安保",
        "门卫 24 小时值守,来访登记,配备防护器械,一键报警与公安联网,监控覆盖出入口。",
    ),
    Item(
        "electricity",
        "用电安全",
        "线路无私拉乱接和老化裸露,配电箱上锁,宿舍无违规电器,漏电保护有效。",
    ),
    Item(
        "surroundings",
        "校园周边",
        "校门口交通标志、减速带和护学岗到位,周边 200 米内无网吧、游戏厅等经营场所。",
    ),
    Item(
        "education",
        "安全教育",
        "安全教育课时落实,每学期至少一次应急疏散演练并留存记录。",
    ),
    Item(
        "duty",
        "责任制度",
        "安全责任书层层签订,隐患排查台账、值班和巡查记录齐全。",
    ),
)

BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}


def item_name(code: str) -> str:
    """The Chinese name of `code`, or the code itself for an item no longer on the list."""
    item = BY_CODE.get(code)
    return item.name if item else code


def rows(checklist: dict) -> list[dict]:
    """The checklist in list order with each item's result, for pages and the notice."""
    return [
        {
            "code": item.code,
            "name": item.name,
            "points": item.points,
            "result": checklist.get(item.code, ""),
            "result_label": RESULTS.get(checklist.get(item.code, ""), "未检查"),
        }
        for item in ITEMS
    ]
