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
matches. The level card of MZ/T 039-2013 is in `_mz039_card`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

LEVEL_LABELS = {0: "能力完好", 1: "轻度失能", 2: "中度失能", 3: "重度失能"}
GRADE_LABELS = {0: "完好", 1: "轻度受损", 2: "中度受损", 3: "重度受损"}


@dataclass
class Result:
    totals: dict
    grades: dict
    level: int
    # True when the published judgment card has no row for these grades (see _mz039_card).
    gap: bool = False
    adjusted_by: list = field(default_factory=list)

    def as_grades_json(self) -> dict:
        data: dict[str, Any] = {
            code: {"total": self.totals[code], "grade": g} for code, g in self.grades.items()
        }
        data["card_gap"] = self.gap
        data["adjusted_by"] = list(self.adjusted_by)
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


def _grade(dim: dict, total: int, scores: dict) -> int:
    grading = dim["grading"]
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


def score(definition: dict, scores: dict) -> Result:
    """Grade every dimension and derive the level; raises ValidationError on bad scores."""
    cleaned = clean_scores(definition, scores)
    totals, grades = {}, {}
    for dim in definition["dimensions"]:
        total = sum(cleaned[item["code"]] for item in dim["items"])
        totals[dim["code"]] = total
        grades[dim["code"]] = _grade(dim, total, cleaned)
    rule = definition["level"]
    letters = rule["dimensions"]
    level, gap = LEVEL_RULES[rule["kind"]](*(grades[letters[k]] for k in ("A", "M", "S", "P")))
    adjusted_by = []
    for adj in definition.get("adjustments", []):
        if cleaned[adj["item"]] >= adj["min"] and adj["level"] > level:
            level = adj["level"]
            adjusted_by.append(adj["code"])
    return Result(totals=totals, grades=grades, level=level, gap=gap, adjusted_by=adjusted_by)


def score_scale(scale, scores: dict) -> Result:
    """`score()` for an AssessmentScale row; an inactive scale is refused."""
    if not scale.active:
        raise ValidationError({"scale": [f"量表“{scale.name}”尚未启用,不能用于评估。"]})
    return score(scale.definition, scores)
