"""The scoring engine: item scores → dimension grades → ability level, read from a scale's
definition (`AssessmentScale.definition`).

A definition is data, seeded by a migration, so a new version of a standard is a new row:

    {
      "version": "MZ/T 039-2013",
      "dimensions": [
        {"code": "adl", "name": "日常生活活动", "verified": true,
         "items": [{"code": "eating", "name": "进食", "scores": [10, 5, 0]}, ...],
         "grading": {"kind": "bands", "bands": [{"min": 100, "max": 100, "grade": 0}, ...]}},
        {"code": "sensory", ..., "grading": {"kind": "rules", "rules": [
            {"grade": 3, "any": [{"item": "consciousness", "min": 2}, ...]}, ...,
            {"grade": 0, "any": []}]}},
      ],
      "level": {"kind": "mz039_card", "dimensions": {"A": "adl", "M": "mental", ...}},
      "adjustments": [{"code": "coma", "item": "consciousness", "min": 3, "level": 3}]
    }

"bands" grade a dimension by its total; "rules" are tried in order and the first rule with a
matching clause (an item scored at least `min`) gives the grade; a rule with no clauses always
matches; "none" leaves the dimension ungraded (its total is reported only). The level card of
MZ/T 039-2013 is in `_mz039_card`.

GB/T 42195-2022 scores the other way round (more points = more ability) and derives the level
from the sum of all 26 items, with `"level": {"kind": "total_bands", "top": 4, "bands": [...]}`
and its own 等级变更 rules (`"level_changes": "gb42195"`, see `_gb42195_changes`).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

# MZ/T 039-2013 has levels 0–3; GB/T 42195-2022 adds 4 完全失能 (能力完全丧失).
LEVEL_LABELS = {0: "能力完好", 1: "轻度失能", 2: "中度失能", 3: "重度失能", 4: "完全失能"}
GRADE_LABELS = {0: "完好", 1: "轻度受损", 2: "中度受损", 3: "重度受损"}


@dataclass
class Result:
    totals: dict
    grades: dict
    level: int
    # True when the published judgment card has no row for these grades (see _mz039_card).
    gap: bool = False
    adjusted_by: list = field(default_factory=list)
    # The sum of every item (GB/T 42195-2022 grades by it: 0–90).
    total: int = 0
    # The level before the 等级变更 rules (GB/T 42195-2022 附录C C.3 “初步等级”).
    initial_level: int | None = None

    def as_grades_json(self) -> dict:
        data: dict[str, Any] = {
            code: {"total": self.totals[code], "grade": g} for code, g in self.grades.items()
        }
        data["card_gap"] = self.gap
        data["adjusted_by"] = list(self.adjusted_by)
        data["total"] = self.total
        data["initial_level"] = self.initial_level
        return data


def items(definition: dict) -> list[tuple[dict, dict]]:
    """(dimension, item) pairs in the definition's order."""
    return [(dim, item) for dim in definition["dimensions"] for item in dim["items"]]


def _fmt_allowed(scores) -> str:
    return "、".join(str(s) for s in scores)


def clean_scores(definition: dict, scores: dict) -> dict:
    """The scores as {item code: int}, every item present and allowed; refuses anything else.

    Each error names the item and its allowed values.
    """
    errors = []
    cleaned = {}
    known = set()
    for _dim, item in items(definition):
        known.add(item["code"])
        raw = (scores or {}).get(item["code"])
        if raw is None or raw == "":
            errors.append(f"请填写“{item['name']}”的得分。")
            continue
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            value = int(raw.strip())
        else:
            errors.append(
                f"“{item['name']}”的得分只能是 {_fmt_allowed(item['scores'])},不能是 {raw}。"
            )
            continue
        if value not in item["scores"]:
            errors.append(
                f"“{item['name']}”的得分只能是 {_fmt_allowed(item['scores'])},不能是 {value}。"
            )
            continue
        cleaned[item["code"]] = value
    unknown = sorted(set(scores or {}) - known)
    if unknown:
        errors.append(f"量表中没有这些项目:{'、'.join(unknown)}。")
    if errors:
        raise ValidationError({"scores": errors})
    return cleaned


def _grade(dim: dict, total: int, scores: dict) -> int | None:
    grading = dim.get("grading") or {"kind": "none"}
    if grading["kind"] == "none":
        return None
    if grading["kind"] == "bands":
        for band in grading["bands"]:
            if band["min"] <= total <= band["max"]:
                return band["grade"]
        raise ValidationError({"scores": [f"“{dim['name']}”总分 {total} 不在量表的分级范围内。"]})
    if grading["kind"] == "rules":
        for rule in grading["rules"]:
            clauses = rule["any"]
            if not clauses or any(scores[c["item"]] >= c["min"] for c in clauses):
                return rule["grade"]
        raise ValidationError({"scores": [f"“{dim['name']}”的得分不符合量表的任何分级规则。"]})
    raise ValueError(f"unknown grading kind {grading['kind']!r}")


def _mz039_card(a: int, m: int, s: int, p: int) -> tuple[int, bool]:
    """MZ/T 039-2013 judgment card, evaluated 3 → 2 → 1 → 0; returns (level, gap).

    A = 日常生活活动, M = 精神状态, S = 感知觉与沟通, P = 社会参与 grades. The published card
    has no row for three cases: A = 0 with M = S = 0 and P = 3; A = 2 with M = S = P = 0; and
    A = 2 with all of M, S, P in {1, 2} but not all 2. For those the level is the ADL grade,
    raised to 1 when any other dimension is impaired — never milder than a row the card has
    for less impairment (A = 0, P = 2 gives 1), and A = 2 stays 中度.
    """
    others = (m, s, p)
    if a == 3 or (a == 2 and m == s == p == 2) or (a == 2 and 3 in others):
        return 3, False
    in_12 = sum(1 for g in others if g in (1, 2))
    if (a == 1 and (m == s == p == 2 or 3 in others)) or (a == 2 and 1 <= in_12 <= 2):
        return 2, False
    if (a == 0 and (m >= 1 or s >= 1 or p == 2)) or (a == 1 and any(g in (0, 1) for g in others)):
        return 1, False
    if a == 0 and m == 0 and s == 0 and p in (0, 1):
        return 0, False
    return max(a, 1 if any(g >= 1 for g in others) else 0), True


LEVEL_RULES = {"mz039_card": _mz039_card}


def _level_by_total(rule: dict, total: int) -> int:
    """GB/T 42195-2022 附录C C.3: the initial level from the total of all items."""
    for band in rule["bands"]:
        if band["min"] <= total <= band["max"]:
            return band["level"]
    raise ValidationError({"scores": [f"总分 {total} 不在量表的等级范围内。"]})


# MZ/T 039-2013 §5.3 等级变更 (the standard's text, 5 评估结果, as published at
# wanglu.net/thread/t12-212956-1.html; §5.1's bands there match the seed):
#   5.3.1 处于昏迷状态者,直接评定为重度失能。若意识转为清醒,需重新进行评估。
#   5.3.2 有以下情况之一者,在原有能力级别上提高一个级别:a) 确诊为认知障碍/痴呆;
#         b) 确诊为精神疾病;c) 近30天内发生过2次及以上跌倒、噎食、自杀、走失。
# "有以下情况之一者 … 提高一个级别" is one raise for the case, however many of a)–c) hold:
# the raises do not stack (dementia and two falls from 0 give 1, not 2). Level 3 is the top
# level, so an initial 3 is not raised. The coma rule is the definition's `adjustments`.
RAISE_MIN_INCIDENTS = 2
ADJUSTMENT_LABELS = {
    "coma": "昏迷,直接评定为重度失能",
    "dementia": "确诊为认知障碍/痴呆,提高一个等级",
    "psychiatric": "确诊为精神疾病,提高一个等级",
    "incidents": "近30天内发生过2次及以上跌倒、噎食、自杀、走失,提高一个等级",
}
TOP_LEVEL = 3


def raise_reasons(conditions: dict | None) -> list[str]:
    """The §5.3.2 conditions that hold, as rule codes in the standard's order."""
    conditions = conditions or {}
    found = []
    if conditions.get("dementia"):
        found.append("dementia")
    if conditions.get("psychiatric"):
        found.append("psychiatric")
    if int(conditions.get("incidents_30d") or 0) >= RAISE_MIN_INCIDENTS:
        found.append("incidents")
    return found


# GB/T 42195-2022 附录C C.4 能力等级变更依据 (the same three lines in every source checked, see
# the definition's "sources"):
#   - 处于昏迷状态者,直接评定为能力完全丧失(完全失能);
#   - 确诊为痴呆(F00~F03)、精神科专科医生诊断的其他精神和行为障碍疾病(F04~F99),在原有
#     能力级别上提高一个级别;
#   - 近30天内发生过2次及以上照护风险事件(如跌倒、噎食、自杀、自伤、走失等),在原有能力
#     级别上提高一个等级。
# 昏迷 is recorded apart (表A.5 A.5.11), not read from 意识水平: its 0 分 covers 昏睡 and 昏迷
# alike. As under MZ/T 039 the raises do not stack (one level up however many hold), and the top
# level (4) is not raised.
GB42195_LABELS = {
    "coma": "处于昏迷状态,直接评定为完全失能",
    "dementia": "确诊为痴呆(F00~F03),提高一个等级",
    "psychiatric": "确诊为其他精神和行为障碍(F04~F99),提高一个等级",
    "incidents": "近30天内发生过2次及以上照护风险事件(跌倒、噎食、自杀、自伤、走失等),提高一个等级",
}
LEVEL_CHANGE_LABELS = {"mz039": ADJUSTMENT_LABELS, "gb42195": GB42195_LABELS}


def adjusted_label(codes, definition: dict | None = None) -> str:
    """ "确诊为认知障碍/痴呆,提高一个等级;…" — the rules applied, for a page."""
    kind = (definition or {}).get("level_changes", "mz039")
    labels = LEVEL_CHANGE_LABELS.get(kind, ADJUSTMENT_LABELS)
    return ";".join(labels.get(c, c) for c in codes)


def _mz039_changes(definition, cleaned, level, conditions) -> tuple[int, list]:
    adjusted_by = []
    for adj in definition.get("adjustments", []):
        if cleaned[adj["item"]] >= adj["min"] and adj["level"] > level:
            level = adj["level"]
            adjusted_by.append(adj["code"])
    if level < TOP_LEVEL:
        reasons = raise_reasons(conditions)
        if reasons:
            level += 1
            adjusted_by.extend(reasons)
    return level, adjusted_by


def _gb42195_changes(definition, cleaned, level, conditions) -> tuple[int, list]:
    top = definition["level"]["top"]
    if (conditions or {}).get("coma"):
        return top, ["coma"]
    reasons = raise_reasons(conditions)
    if reasons and level < top:
        return level + 1, reasons
    return level, []


LEVEL_CHANGES = {"mz039": _mz039_changes, "gb42195": _gb42195_changes}


def score(definition: dict, scores: dict, *, conditions: dict | None = None) -> Result:
    """Grade every dimension and derive the level; raises ValidationError on bad scores.

    `conditions` — {"dementia": bool, "psychiatric": bool, "incidents_30d": int}, and for
    GB/T 42195-2022 also "coma": bool — feed the 等级变更 rules of the definition's
    `level_changes` ("mz039" by default, or "gb42195"; see above).
    """
    cleaned = clean_scores(definition, scores)
    totals, grades = {}, {}
    for dim in definition["dimensions"]:
        total = sum(cleaned[item["code"]] for item in dim["items"])
        totals[dim["code"]] = total
        grades[dim["code"]] = _grade(dim, total, cleaned)
    rule = definition["level"]
    grand_total = sum(totals.values())
    if rule["kind"] == "total_bands":
        level, gap = _level_by_total(rule, grand_total), False
    else:
        letters = rule["dimensions"]
        # The card reads graded dimensions only ("bands" or "rules"), never an ungraded one.
        a, m, s, p = (int(grades[letters[k]] or 0) for k in ("A", "M", "S", "P"))
        level, gap = LEVEL_RULES[rule["kind"]](a, m, s, p)
    initial = level
    changes = LEVEL_CHANGES[definition.get("level_changes", "mz039")]
    level, adjusted_by = changes(definition, cleaned, level, conditions)
    return Result(
        totals=totals,
        grades=grades,
        level=level,
        gap=gap,
        adjusted_by=adjusted_by,
        total=grand_total,
        initial_level=initial,
    )


def condition_codes(definition: dict) -> tuple[str, ...]:
    """The 等级变更 facts the assessors record for this scale (the form asks for these)."""
    if definition.get("level_changes") == "gb42195":
        return ("coma", "dementia", "psychiatric", "incidents_30d")
    return ("dementia", "psychiatric", "incidents_30d")


def level_label(level) -> str:
    return LEVEL_LABELS.get(level, "")


def score_scale(scale, scores: dict, *, conditions: dict | None = None) -> Result:
    """`score()` for an AssessmentScale row; an inactive scale is refused."""
    if not scale.active:
        raise ValidationError({"scale": [f"量表“{scale.name}”尚未启用,不能用于评估。"]})
    return score(scale.definition, scores, conditions=conditions)


# ------------------------------------------------------------------------------- wording

# What each score of an item means, in the words of the standard's assessment table (附录 B), by
# scale version. The frozen definitions carry item names and allowed scores only; a definition
# may carry its own wording as `"labels": {"10": "..."}` on an item, which wins over this table.
# MZ/T 039-2013 表 B.1–B.4, condensed to fit a select; the 感知觉与沟通 and 社会参与 texts are
# recalled like their thresholds (see the seed migration) and are to be checked with them.
WORDING: dict[str, dict[str, dict[int, str]]] = {
    "MZ/T 039-2013": {
        "eating": {
            10: "可独立进食",
            5: "需部分帮助(如协助把持餐具)",
            0: "需极大帮助或完全依赖他人,或有留置营养管",
        },
        "bathing": {5: "准备好洗澡水后可独立完成", 0: "洗澡过程中需他人帮助"},
        "grooming": {5: "可独立完成洗脸、刷牙、梳头、刮脸", 0: "需他人帮助"},
        "dressing": {
            10: "可独立完成",
            5: "需部分帮助(能穿脱,需他人整理衣物、系扣/鞋带、拉拉链)",
            0: "需极大帮助或完全依赖他人",
        },
        "bowel": {10: "可控制大便", 5: "偶尔失控(每周<1次)或需他人提示", 0: "完全失控"},
        "bladder": {
            10: "可控制小便",
            5: "偶尔失控(每天<1次,每周>1次)或需他人提示",
            0: "完全失控,或留置导尿管",
        },
        "toilet": {
            10: "可独立完成",
            5: "需部分帮助(需搀扶去厕所、帮忙冲水或整理衣裤)",
            0: "需极大帮助或完全依赖他人",
        },
        "transfer": {
            15: "可独立完成",
            10: "需部分帮助(需他人搀扶或使用拐杖)",
            5: "需极大帮助(较大程度上依赖他人搀扶和帮助)",
            0: "完全依赖他人",
        },
        "walking": {
            15: "可独立在平地上行走 45 米",
            10: "需部分帮助(一定程度上需他人搀扶或使用拐杖、助行器)",
            5: "需极大帮助(较大程度上依赖他人搀扶,或坐轮椅自行移动)",
            0: "完全依赖他人",
        },
        "stairs": {
            10: "可独立上下楼梯(连续上下 10–15 个台阶)",
            5: "需部分帮助(需扶楼梯、他人搀扶或使用拐杖)",
            0: "需极大帮助或完全依赖他人",
        },
        "cognition": {
            0: "画钟正确,且能回忆出 2–3 个词",
            1: "画钟错误,或只回忆出 0–1 个词",
            2: "已确诊为认知障碍,如老年痴呆",
        },
        "aggression": {
            0: "无身体攻击行为和语言攻击行为",
            1: "每月有几次身体攻击,或每周有几次语言攻击",
            2: "每周有几次身体攻击,或每日有语言攻击",
        },
        "depression": {
            0: "无",
            1: "情绪低落、不爱说话、不爱梳洗、不爱活动",
            2: "有自杀念头或自杀行为",
        },
        "consciousness": {
            0: "神志清醒,对周围环境警觉",
            1: "嗜睡,呼唤或推动可唤醒",
            2: "昏睡,较强刺激才可短暂清醒",
            3: "昏迷(直接评定为重度失能)",
        },
        "vision": {
            0: "能看清书报上的标准字体",
            1: "能看清大字体,看不清标准字体",
            2: "看不清报纸大标题,但能辨认物体",
            3: "辨认物体有困难,眼睛能跟随物体移动",
            4: "没有视力,眼睛不能跟随物体移动",
        },
        "hearing": {
            0: "可正常交谈,能听到电视、电话、门铃声",
            1: "轻声说话或距离超过 2 米时听不清",
            2: "正常交流有些困难,需安静环境或大声说话",
            3: "讲话者大声或很慢说话才能部分听见",
            4: "完全听不见",
        },
        "communication": {
            0: "无困难,能与他人正常沟通和交流",
            1: "能表达需要、理解别人的话,但需增加时间或帮助",
            2: "表达需要或理解有困难,需频繁重复或简化",
            3: "不能表达需要或理解他人的话",
        },
        "living": {
            0: "生活自理,能料理家务或当家管理事务",
            1: "生活自理,能做家务但欠好,家庭事务安排欠条理",
            2: "生活自理,只有在他人帮助下才能做些家务",
            3: "基本生活能自理,在督促下可洗漱",
            4: "基本生活需部分帮助或完全依赖他人",
        },
        "work": {
            0: "原来熟练的工作可照常进行",
            1: "原来熟练的工作能力有所下降",
            2: "原来熟练的工作明显不如以往,部分遗忘",
            3: "对熟练工作只有一些片段保留,技能全部遗忘",
            4: "对以往的知识或技能全部磨灭",
        },
        "orientation": {
            0: "时间观念清楚,可单独出远门",
            1: "时间观念有些下降,可单独来往于近街",
            2: "时间观念较差,只能单独在家附近行动",
            3: "时间观念很差,只能在左邻右舍间串门",
            4: "无时间观念,不能单独外出",
        },
        "people": {
            0: "知道周围人们的关系和称谓,可分辨陌生人",
            1: "只知家中亲密近亲的关系,不能称呼陌生人",
            2: "只能称呼家中人,不知其关系,不辨辈分",
            3: "只认识常同住的亲人,可辨熟人和生人",
            4: "只认识保护人,不辨熟人和生人",
        },
        "social": {
            0: "参与社会,有一定适应能力,待人接物恰当",
            1: "能适应单纯环境,主动接触人",
            2: "脱离社会,可被动接触,不会主动待人",
            3: "勉强可与人交往,谈吐内容不清楚",
            4: "难以与人接触",
        },
    },
}


def score_wording(definition: dict, item: dict, value) -> str:
    """The standard's words for `value` of `item` ("" when neither the definition nor the
    wording table of its version has them)."""
    labels = item.get("labels") or {}
    if str(value) in labels:
        return str(labels[str(value)])
    by_item = WORDING.get(definition.get("version", ""), {}).get(item["code"], {})
    try:
        return by_item.get(int(value), "")
    except (TypeError, ValueError):
        return ""


def score_label(definition: dict, item: dict, value) -> str:
    """ "10 分:可独立进食" — a score with its wording, or "10 分" when there is none."""
    wording = score_wording(definition, item, value)
    return f"{value} 分:{wording}" if wording else f"{value} 分"
