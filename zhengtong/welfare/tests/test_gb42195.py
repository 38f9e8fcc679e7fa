"""GB/T 42195-2022: one test per table of 附录B (item points), the 附录C C.3 bands at every
boundary, the C.4 等级变更 rules, worked examples, and the assessment form on this scale."""

from django.core.exceptions import ValidationError

from ..models import Assessment, AssessmentScale
from ..scales import adjusted_label, score
from ..selectors import judge
from .fixtures import WelfareTestCase

# 附录B, table by table: item code → allowed points (top first). Totals 32, 15, 28, 15 = 90.
B1 = {
    "eating": [4, 3, 2, 1, 0], "grooming": [4, 3, 2, 1, 0], "bathing": [4, 3, 2, 1, 0],
    "upper_dressing": [4, 3, 2, 1, 0], "lower_dressing": [4, 3, 2, 1, 0],
    "bladder": [4, 3, 2, 1, 0], "bowel": [4, 3, 2, 1, 0], "toilet": [4, 3, 2, 1, 0],
}  # fmt: skip
B2 = {"bed_mobility": [4, 3, 2, 1, 0], "transfer": [4, 3, 2, 1, 0],
      "walking": [4, 3, 2, 1, 0], "stairs": [3, 2, 1, 0]}  # fmt: skip
B3 = {
    "time_orientation": [4, 3, 2, 1, 0], "place_orientation": [4, 3, 2, 1, 0],
    "person_orientation": [4, 3, 2, 1, 0], "memory": [4, 3, 2, 1, 0],
    "comprehension": [4, 3, 2, 1, 0], "expression": [4, 3, 2, 1, 0],
    "aggression": [1, 0], "depression": [1, 0], "consciousness": [2, 1, 0],
}  # fmt: skip
B4 = {"vision": [2, 1, 0], "hearing": [2, 1, 0], "daily_affairs": [4, 3, 2, 1, 0],
      "transport": [3, 2, 1, 0], "social": [4, 3, 2, 1, 0]}  # fmt: skip
ALL = {**B1, **B2, **B3, **B4}
ORDER = list(ALL)  # the order points are taken away in by gb_sheet()


def gb_sheet(total: int = 90, **overrides) -> dict:
    """A valid GB/T 42195 sheet whose 26 items sum to `total`, full marks taken away in order."""
    scores = {code: points[0] for code, points in ALL.items()}
    missing = 90 - total
    for code in ORDER:
        take = min(missing, scores[code])
        scores[code] -= take
        missing -= take
    scores.update(overrides)
    return scores


class GbTestCase(WelfareTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.gb = AssessmentScale.objects.get(code="GB/T 42195-2022")

    def score(self, total=90, conditions=None, **overrides):
        return score(self.gb.definition, gb_sheet(total, **overrides), conditions=conditions)


class ItemTablesTestCase(GbTestCase):
    def check_table(self, dimension, table, name_count, top):
        dim = next(d for d in self.gb.definition["dimensions"] if d["code"] == dimension)
        self.assertEqual({i["code"]: i["scores"] for i in dim["items"]}, table)
        self.assertEqual(len(dim["items"]), name_count)
        self.assertEqual(sum(points[0] for points in table.values()), top)
        for item in dim["items"]:
            with self.subTest(item=item["code"]):
                # every allowed score has the standard's words
                self.assertEqual(sorted(int(k) for k in item["labels"]), sorted(item["scores"]))

    def test_b1_self_care_has_8_items_of_0_to_4(self):
        self.check_table("selfcare", B1, 8, 32)

    def test_b2_basic_motor_has_4_items_with_stairs_0_to_3(self):
        self.check_table("motor", B2, 4, 15)

    def test_b3_mental_state_has_9_items(self):
        """Six 0–4 items, 攻击行为 and 抑郁症状 1/0 (1 = 未出现), 意识水平 2/1/0."""
        self.check_table("mental", B3, 9, 28)

    def test_b4_perception_and_social_participation_has_5_items(self):
        self.check_table("sensory_social", B4, 5, 15)

    def test_the_scale_is_active_verified_and_totals_90(self):
        self.assertTrue(self.gb.active)
        self.assertTrue(self.gb.verified)
        self.assertEqual(len(ALL), 26)
        result = self.score(90)
        self.assertEqual(result.total, 90)
        self.assertEqual(result.totals, {"selfcare": 32, "motor": 15, "mental": 28,
                                         "sensory_social": 15})  # fmt: skip

    def test_a_score_the_table_does_not_allow_is_refused_by_name(self):
        for code, value, name in [("stairs", 4, "上下楼梯"), ("aggression", 2, "攻击行为"),
                                  ("vision", 3, "视力"), ("eating", 10, "进食")]:  # fmt: skip
            with self.subTest(code=code), self.assertRaises(ValidationError) as ctx:
                self.score(90, **{code: value})
            self.assertIn(name, ctx.exception.message_dict["scores"][0])

    def test_an_mz039_item_is_not_part_of_this_scale(self):
        with self.assertRaises(ValidationError) as ctx:
            score(self.gb.definition, {**gb_sheet(90), "living": 0})
        self.assertIn("量表中没有这些项目:living", ctx.exception.message_dict["scores"][0])


class BandsTestCase(GbTestCase):
    def test_c3_bands_at_every_boundary(self):
        """90 能力完好; 66–89 轻度; 46–65 中度; 30–45 重度; 0–29 完全失能."""
        table = {90: 0, 89: 1, 66: 1, 65: 2, 46: 2, 45: 3, 30: 3, 29: 4, 0: 4}
        for total, level in table.items():
            with self.subTest(total=total):
                result = self.score(total)
                self.assertEqual(result.total, total)
                self.assertEqual(result.level, level)
                self.assertEqual(result.initial_level, level)
                self.assertEqual(result.adjusted_by, [])


class LevelChangesTestCase(GbTestCase):
    def test_coma_is_complete_loss_whatever_the_points(self):
        result = self.score(90, conditions={"coma": True})
        self.assertEqual((result.initial_level, result.level), (0, 4))
        self.assertEqual(result.adjusted_by, ["coma"])

    def test_each_raise_rule_alone_adds_one_level(self):
        for conditions, code in [({"dementia": True}, "dementia"),
                                 ({"psychiatric": True}, "psychiatric"),
                                 ({"incidents_30d": 2}, "incidents")]:  # fmt: skip
            with self.subTest(code=code):
                result = self.score(70, conditions=conditions)
                self.assertEqual((result.initial_level, result.level), (1, 2))
                self.assertEqual(result.adjusted_by, [code])

    def test_one_incident_does_not_raise(self):
        self.assertEqual(self.score(70, conditions={"incidents_30d": 1}).level, 1)

    def test_rules_together_still_raise_one_level(self):
        every = {"dementia": True, "psychiatric": True, "incidents_30d": 3}
        result = self.score(50, conditions=every)
        self.assertEqual((result.initial_level, result.level), (2, 3))
        self.assertEqual(result.adjusted_by, ["dementia", "psychiatric", "incidents"])

    def test_complete_loss_is_not_raised_further(self):
        result = self.score(20, conditions={"dementia": True})
        self.assertEqual(result.level, 4)
        self.assertEqual(result.adjusted_by, [])

    def test_the_page_wording_is_the_standards(self):
        text = adjusted_label(["coma"], self.gb.definition)
        self.assertEqual(text, "处于昏迷状态,直接评定为完全失能")
        self.assertIn("F00~F03", adjusted_label(["dementia"], self.gb.definition))


class WorkedExamplesTestCase(GbTestCase):
    def test_an_elder_needing_help_with_bathing_and_stairs(self):
        """洗澡 2, 上下楼梯 1, 记忆 3, the rest full: 90 − 2 − 2 − 1 = 85 → 轻度失能."""
        result = self.score(90, bathing=2, stairs=1, memory=3)
        self.assertEqual(result.total, 85)
        self.assertEqual(result.level, 1)

    def test_a_bedridden_elder(self):
        """自理 and 运动 all 0, 精神 full (28), 感知 视力 2 听力 2 others 0: 32 → 重度失能."""
        zeros = {code: 0 for code in {**B1, **B2}}
        scores = {**gb_sheet(90), **zeros, "daily_affairs": 0, "transport": 0, "social": 0}
        result = score(self.gb.definition, scores)
        self.assertEqual(result.total, 32)
        self.assertEqual(result.level, 3)

    def test_a_mildly_impaired_elder_with_two_falls_is_moderate(self):
        result = self.score(66, conditions={"incidents_30d": 2})
        self.assertEqual((result.initial_level, result.level), (1, 2))


class GbAssessmentFormTestCase(GbTestCase):
    def setUp(self):
        self.client.force_login(self.civil)
        self.person = self.make_person()

    def post(self, scores, **extra):
        data = {
            "scale": self.gb.pk,
            "id_number": self.person.id_number,
            "name": self.person.name,
            "assessed_on": "2025-06-01",
            "assessor_1": self.civil.pk,
            "assessor_2": self.civil2.pk,
            "incidents_30d": 0,
            **{f"item_{k}": v for k, v in scores.items()},
            **extra,
        }
        return self.client.post("/welfare/assessments/new/", data)

    def test_the_form_shows_the_chosen_scales_items(self):
        page = self.client.get(f"/welfare/assessments/new/?scale={self.gb.pk}")
        self.assertContains(page, "穿/脱裤子和鞋袜")
        self.assertContains(page, "使用交通工具外出")
        self.assertContains(page, "处于昏迷状态")
        self.assertNotContains(page, "认知功能")
        default = self.client.get("/welfare/assessments/new/")
        self.assertContains(default, "认知功能")
        self.assertNotContains(default, "穿/脱裤子和鞋袜")

    def test_the_scale_can_be_named_by_its_code_and_nonsense_gives_the_default(self):
        by_code = self.client.get("/welfare/assessments/new/", {"scale": "GB/T 42195-2022"})
        self.assertContains(by_code, "穿/脱裤子和鞋袜")
        for nonsense in ("GB/T 0000", "-1", "9" * 30, "x" * 200, "1e3"):
            with self.subTest(nonsense):
                page = self.client.get("/welfare/assessments/new/", {"scale": nonsense})
                self.assertContains(page, "认知功能")

    def test_an_assessment_records_the_scale_and_version_it_used(self):
        response = self.post(gb_sheet(50), coma="")
        self.assertEqual(response.status_code, 302)
        a = Assessment.objects.get()
        self.assertEqual((a.scale_id, a.scale_version, a.level), (self.gb.pk, "GB/T 42195-2022", 2))
        page = self.client.get(f"/welfare/assessments/{a.pk}/")
        self.assertContains(page, "版本 GB/T 42195-2022")
        self.assertContains(page, "50 分(满分 90 分)")
        self.assertContains(page, "2 级 中度失能")

    def test_coma_ticked_on_the_form_gives_complete_loss(self):
        self.post(gb_sheet(90), coma="on")
        a = Assessment.objects.get()
        self.assertEqual((a.level, a.coma), (4, True))

    def test_a_score_outside_the_table_is_refused_and_nothing_saved(self):
        response = self.post(gb_sheet(90, stairs=4))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "选择一个有效的选项", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_an_inactive_scale_cannot_be_chosen(self):
        AssessmentScale.objects.filter(pk=self.gb.pk).update(active=False)
        page = self.client.get(f"/welfare/assessments/new/?scale={self.gb.pk}")
        self.assertContains(page, "认知功能")  # falls back to the default scale

    def test_a_gb_level_does_not_decide_the_subsidy_and_says_why(self):
        self.post(gb_sheet(50))
        a = Assessment.objects.get()
        ok, reasons = judge(self.person, None, a, on=a.assessed_on)
        self.assertFalse(ok)
        self.assertTrue(any("按 GB/T 42195-2022 评定" in r for r in reasons), reasons)
