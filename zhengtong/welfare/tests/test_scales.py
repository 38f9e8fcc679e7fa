import itertools

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from ..scales import _mz039_card, score
from .fixtures import WelfareTestCase, sheet


class AdlGradeTestCase(WelfareTestCase):
    def grade(self, total, **kw):
        return score(self.scale.definition, sheet(total, **kw))

    def test_adl_totals_map_to_the_four_grades_of_mz039(self):
        """ADL 100 → 0, 65–95 → 1, 45–60 → 2, ≤ 40 → 3."""
        table = {100: 0, 95: 1, 65: 1, 60: 2, 45: 2, 40: 3, 0: 3}
        for total, grade in table.items():
            with self.subTest(total=total):
                result = self.grade(total)
                self.assertEqual(result.totals["adl"], total)
                self.assertEqual(result.grades["adl"], grade)

    def test_mental_totals_map_to_grades(self):
        """精神状态 0 → 0, 1 → 1, 2–3 → 2, 4–6 → 3."""
        cases = [((0, 0, 0), 0), ((1, 0, 0), 1), ((1, 1, 0), 2), ((1, 1, 1), 2),
                 ((2, 2, 0), 3), ((2, 2, 2), 3)]  # fmt: skip
        for (c, a, d), grade in cases:
            with self.subTest(scores=(c, a, d)):
                r = self.grade(100, cognition=c, aggression=a, depression=d)
                self.assertEqual(r.grades["mental"], grade)

    def test_social_totals_map_to_grades(self):
        """社会参与 0–2 → 0, 3–7 → 1, 8–13 → 2, 14–20 → 3."""
        for total, grade in [(2, 0), (3, 1), (7, 1), (8, 2), (13, 2), (14, 3), (20, 3)]:
            parts = [min(4, max(0, total - 4 * i)) for i in range(5)]
            keys = ["living", "work", "orientation", "people", "social"]
            with self.subTest(total=total):
                r = self.grade(100, **dict(zip(keys, parts, strict=True)))
                self.assertEqual(r.totals["social"], total)
                self.assertEqual(r.grades["social"], grade)

    def test_sensory_rules_take_the_worst_matching_grade(self):
        """Vision 2 → 1, hearing 3 → 2, 嗜睡 → 2, communication 3 → 3, 昏睡 → 3."""
        cases = [({}, 0), ({"vision": 2}, 1), ({"hearing": 3}, 2), ({"consciousness": 1}, 2),
                 ({"communication": 3}, 3), ({"consciousness": 2}, 3)]  # fmt: skip
        for overrides, grade in cases:
            with self.subTest(overrides=overrides):
                self.assertEqual(self.grade(100, **overrides).grades["sensory"], grade)

    def test_coma_gives_level_three_directly(self):
        """昏迷 (意识水平 3) is level 3 even with a full ADL score."""
        result = self.grade(100, consciousness=3)
        self.assertEqual(result.level, 3)

    def test_a_score_the_item_does_not_allow_is_refused_naming_the_item(self):
        """洗澡 only allows 5 or 0; 床椅转移 15/10/5/0; other values are refused by name."""
        for code, value, name in [("bathing", 10, "洗澡"), ("transfer", 20, "床椅转移"),
                                  ("eating", 7, "进食"), ("stairs", -5, "上下楼梯"),
                                  ("cognition", 3, "认知功能")]:  # fmt: skip
            with self.subTest(code=code, value=value):
                scores = sheet(100)
                scores[code] = value
                with self.assertRaises(ValidationError) as ctx:
                    score(self.scale.definition, scores)
                self.assertIn(name, ctx.exception.message_dict["scores"][0])

    def test_a_missing_item_is_refused(self):
        scores = sheet(100)
        del scores["walking"]
        with self.assertRaises(ValidationError) as ctx:
            score(self.scale.definition, scores)
        self.assertIn("平地行走", ctx.exception.message_dict["scores"][0])


class JudgmentCardTestCase(SimpleTestCase):
    def test_card_rows_from_features_33(self):
        """Each row of the card, evaluated 3 → 2 → 1 → 0."""
        cases = [
            ((0, 0, 0, 0), 0), ((0, 0, 0, 1), 0), ((0, 1, 0, 0), 1), ((0, 0, 0, 2), 1),
            ((0, 3, 0, 0), 1), ((1, 0, 2, 2), 1), ((1, 2, 2, 2), 2), ((1, 3, 0, 0), 2),
            ((2, 1, 0, 0), 2), ((2, 1, 2, 0), 2), ((2, 2, 2, 2), 3), ((2, 0, 3, 0), 3),
            ((3, 0, 0, 0), 3),
        ]  # fmt: skip
        for grades, level in cases:
            with self.subTest(grades=grades):
                self.assertEqual(_mz039_card(*grades), (level, False))

    def test_gaps_of_the_card_are_resolved_and_marked(self):
        """A=0 with P=3 → 1; A=2 with nothing else impaired → 2; A=2 with all three in {1,2}
        but not all 2 → 2. The result says the card had no row."""
        for grades, level in [((0, 0, 0, 3), 1), ((2, 0, 0, 0), 2), ((2, 1, 1, 1), 2),
                              ((2, 2, 1, 2), 2)]:  # fmt: skip
            with self.subTest(grades=grades):
                self.assertEqual(_mz039_card(*grades), (level, True))

    def test_every_combination_gets_a_level_and_gaps_are_only_the_known_ones(self):
        gaps = []
        for a, m, s, p in itertools.product(range(4), repeat=4):
            level, gap = _mz039_card(a, m, s, p)
            self.assertIn(level, (0, 1, 2, 3))
            if gap:
                gaps.append((a, m, s, p))
        for a, m, s, p in gaps:
            self.assertTrue(
                (a == 0 and m == s == 0 and p == 3)
                or (a == 2 and {m, s, p} <= {0})
                or (a == 2 and {m, s, p} <= {1, 2} and (m, s, p) != (2, 2, 2)),
                (a, m, s, p),
            )
