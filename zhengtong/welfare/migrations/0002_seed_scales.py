"""Seed the MZ/T 039-2013 ability scale (active) and GB/T 42195-2022 (inactive, unverified).

The definitions are frozen here on purpose: a later change to the standard is a new row, not an
edit of this one, so old assessments keep the rules they were scored by.
"""

from django.db import migrations


def _items(*pairs):
    return [{"code": code, "name": name, "scores": scores} for code, name, scores in pairs]


def _range(top):
    return list(range(top, -1, -1))


MZ039 = {
    "version": "MZ/T 039-2013",
    "title": "老年人能力评估",
    "dimensions": [
        {
            "code": "adl",
            "name": "日常生活活动",
            "verified": True,
            "items": _items(
                ("eating", "进食", [10, 5, 0]),
                ("bathing", "洗澡", [5, 0]),
                ("grooming", "修饰", [5, 0]),
                ("dressing", "穿衣", [10, 5, 0]),
                ("bowel", "大便控制", [10, 5, 0]),
                ("bladder", "小便控制", [10, 5, 0]),
                ("toilet", "如厕", [10, 5, 0]),
                ("transfer", "床椅转移", [15, 10, 5, 0]),
                ("walking", "平地行走", [15, 10, 5, 0]),
                ("stairs", "上下楼梯", [10, 5, 0]),
            ),
            "grading": {
                "kind": "bands",
                "bands": [
                    {"min": 100, "max": 100, "grade": 0},
                    {"min": 65, "max": 95, "grade": 1},
                    {"min": 45, "max": 60, "grade": 2},
                    {"min": 0, "max": 40, "grade": 3},
                ],
            },
        },
        {
            "code": "mental",
            "name": "精神状态",
            # The 4–6 band is inferred from 3 items × 0–2 (FEATURES §3.3).
            "verified": True,
            "items": _items(
                ("cognition", "认知功能", _range(2)),
                ("aggression", "攻击行为", _range(2)),
                ("depression", "抑郁症状", _range(2)),
            ),
            "grading": {
                "kind": "bands",
                "bands": [
                    {"min": 0, "max": 0, "grade": 0},
                    {"min": 1, "max": 1, "grade": 1},
                    {"min": 2, "max": 3, "grade": 2},
                    {"min": 4, "max": 6, "grade": 3},
                ],
            },
        },
        {
            "code": "sensory",
            "name": "感知觉与沟通",
            # Recalled from the standard's text, not checked against it (FEATURES §3.3).
            "verified": False,
            "items": _items(
                # 0 神志清醒, 1 嗜睡, 2 昏睡, 3 昏迷
                ("consciousness", "意识水平", _range(3)),
                ("vision", "视力", _range(4)),
                ("hearing", "听力", _range(4)),
                ("communication", "沟通交流", _range(3)),
            ),
            "grading": {
                "kind": "rules",
                "rules": [
                    {
                        "grade": 3,
                        "any": [
                            {"item": "consciousness", "min": 2},
                            {"item": "vision", "min": 4},
                            {"item": "hearing", "min": 4},
                            {"item": "communication", "min": 3},
                        ],
                    },
                    {
                        "grade": 2,
                        "any": [
                            {"item": "consciousness", "min": 1},
                            {"item": "vision", "min": 3},
                            {"item": "hearing", "min": 3},
                            {"item": "communication", "min": 2},
                        ],
                    },
                    {
                        "grade": 1,
                        "any": [
                            {"item": "vision", "min": 2},
                            {"item": "hearing", "min": 2},
                            {"item": "communication", "min": 1},
                        ],
                    },
                    {"grade": 0, "any": []},
                ],
            },
        },
        {
            "code": "social",
            "name": "社会参与",
            # Item list and bands recalled, not verified (FEATURES §3.3).
            "verified": False,
            "items": _items(
                ("living", "生活能力", _range(4)),
                ("work", "工作能力", _range(4)),
                ("orientation", "时间/空间定向", _range(4)),
                ("people", "人物定向", _range(4)),
                ("social", "社会交往能力", _range(4)),
            ),
            "grading": {
                "kind": "bands",
                "bands": [
                    {"min": 0, "max": 2, "grade": 0},
                    {"min": 3, "max": 7, "grade": 1},
                    {"min": 8, "max": 13, "grade": 2},
                    {"min": 14, "max": 20, "grade": 3},
                ],
            },
        },
    ],
    "level": {
        "kind": "mz039_card",
        "dimensions": {"A": "adl", "M": "mental", "S": "sensory", "P": "social"},
        "levels": {"0": "能力完好", "1": "轻度失能", "2": "中度失能", "3": "重度失能"},
    },
    "adjustments": [
        # 昏迷 → 重度失能 directly (recalled, verify).
        {"code": "coma", "name": "昏迷", "item": "consciousness", "min": 3, "level": 3,
         "verified": False},
    ],
    "reassess_months": 6,
}

# Reported structure only; no item list or thresholds are known well enough to score with, so
# the row is inactive and the engine refuses it.
GB42195 = {
    "version": "GB/T 42195-2022",
    "title": "老年人能力评估规范",
    "verified": False,
    "first_level_indicators": ["自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"],
    "item_count": 26,
    "total_range": [0, 90],
    "levels": ["能力完好", "能力轻度受损", "能力中度受损", "能力重度受损", "能力完全丧失"],
    "dimensions": [],
}


def seed(apps, schema_editor):
    AssessmentScale = apps.get_model("welfare", "AssessmentScale")
    AssessmentScale.objects.update_or_create(
        code="MZ/T 039-2013",
        defaults={"name": "老年人能力评估(MZ/T 039-2013)", "definition": MZ039,
                  "active": True, "verified": False},
    )
    AssessmentScale.objects.update_or_create(
        code="GB/T 42195-2022",
        defaults={"name": "老年人能力评估规范(GB/T 42195-2022)", "definition": GB42195,
                  "active": False, "verified": False},
    )


def unseed(apps, schema_editor):
    AssessmentScale = apps.get_model("welfare", "AssessmentScale")
    AssessmentScale.objects.filter(code__in=["MZ/T 039-2013", "GB/T 42195-2022"]).delete()


class Migration(migrations.Migration):
    dependencies = [("welfare", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
