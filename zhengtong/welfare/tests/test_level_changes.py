"""MZ/T 039-2013 §5.3 等级变更: coma, the three raise conditions, their combinations, the cap."""

import itertools
from io import StringIO

import time_machine
from django.core.management import call_command

from ..models import Assessment, WelfareStatus
from ..scales import score
from ..selectors import eligibility
from .fixtures import TODAY, WelfareTestCase, sheet
from .test_assessments import post_data

# ADL totals whose card level (all other dimensions 完好) is 0, 1, 2 and 3.
ADL_FOR_LEVEL = {0: 100, 1: 95, 2: 60, 3: 40}
CONDITIONS = {
    "dementia": {"dementia": True},
    "psychiatric": {"psychiatric": True},
    "incidents": {"incidents_30d": 2},
}


class LevelChangeTestCase(WelfareTestCase):
    def level(self, start: int, conditions=None, **kw):
        result = score(
            self.scale.definition, sheet(ADL_FOR_LEVEL[start], **kw), conditions=conditions
        )
        return result.level, result.adjusted_by

    def test_the_sheets_start_at_their_level_without_conditions(self):
        for start in range(4):
            with self.subTest(start=start):
                self.assertEqual(self.level(start), (start, []))
                self.assertEqual(self.level(start, {}), (start, []))

    def test_coma_is_severe_directly(self):
        self.assertEqual(self.level(0, consciousness=3), (3, ["coma"]))

    def test_coma_with_dementia_stays_at_the_top_level(self):
        self.assertEqual(self.level(0, {"dementia": True}, consciousness=3), (3, ["coma"]))

    def test_each_condition_raises_one_level_below_the_top(self):
        for (code, conditions), start in itertools.product(CONDITIONS.items(), range(3)):
            with self.subTest(rule=code, start=start):
                self.assertEqual(self.level(start, conditions), (start + 1, [code]))

    def test_an_initial_level_3_is_not_raised(self):
        for code, conditions in CONDITIONS.items():
            with self.subTest(rule=code):
                self.assertEqual(self.level(3, conditions), (3, []))

    def test_one_incident_does_not_raise(self):
        self.assertEqual(self.level(1, {"incidents_30d": 1}), (1, []))
        self.assertEqual(self.level(1, {"incidents_30d": 0}), (1, []))

    def test_combinations_raise_once_and_name_every_condition(self):
        """§5.3.2 “有以下情况之一者 … 提高一个级别”: one raise however many hold."""
        codes = list(CONDITIONS)
        for size in (2, 3):
            for combo in itertools.combinations(codes, size):
                conditions = {k: v for c in combo for k, v in CONDITIONS[c].items()}
                for start in range(4):
                    with self.subTest(combo=combo, start=start):
                        expected = (start + 1, list(combo)) if start < 3 else (3, [])
                        self.assertEqual(self.level(start, conditions), expected)

    def test_dementia_and_two_falls_from_level_0_give_level_1(self):
        self.assertEqual(
            self.level(0, {"dementia": True, "incidents_30d": 2}), (1, ["dementia", "incidents"])
        )


@time_machine.travel(TODAY)
class LevelChangeFormTestCase(WelfareTestCase):
    url = "/welfare/assessments/new/"

    def setUp(self):
        super().setUp()
        self.person = self.make_person()
        self.client.force_login(self.civil)

    def post(self, scores, **extra):
        data = post_data(self.person.id_number, "张老汉", self.civil, self.civil2, scores)
        data.update(extra)
        return self.client.post(self.url, data)

    def test_the_form_records_the_conditions_and_the_level_is_raised(self):
        r = self.post(sheet(60), dementia="on", incidents_30d="3")
        assessment = Assessment.objects.get()
        self.assertEqual(
            (assessment.level, assessment.dementia, assessment.incidents_30d), (3, True, 3)
        )
        page = self.client.get(r.url)
        self.assertContains(page, "确诊为认知障碍/痴呆,提高一个等级")
        self.assertContains(page, "近30天跌倒、噎食、自杀、走失 3 次")

    def test_a_negative_incident_count_is_refused_and_nothing_saved(self):
        r = self.post(sheet(60), incidents_30d="-1")
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Assessment.objects.exists())


@time_machine.travel(TODAY)
class RecomputeTestCase(WelfareTestCase):
    def test_a_confirmed_cognition_score_raises_a_stored_level_and_is_flagged(self):
        """An assessment saved before the rules (认知 = 2 “已确诊”, level 1) becomes 2 and the
        page says so with the subsidy consequence; an unchanged one is not flagged."""
        person = self.make_person()
        self.make_status(person)
        raised = self.assess(person, adl_total=95)
        Assessment.objects.filter(pk=raised.pk).update(
            scores={**raised.scores, "cognition": 2}, level=1
        )
        other = self.assess(self.make_person(seq=2, name="李老汉"), adl_total=40)
        self.assertEqual(eligibility(person, TODAY)[0], False)
        out = StringIO()
        call_command("recompute_assessment_levels", stdout=out)
        raised.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual((raised.level_changed_from, raised.level, raised.dementia), (1, 2, True))
        self.assertIsNone(other.level_changed_from)
        self.assertIn("等级变化 1 条", out.getvalue())
        self.assertEqual(eligibility(person, TODAY), (True, []))
        self.client.force_login(self.civil)
        page = self.client.get(f"/welfare/assessments/{raised.pk}/")
        self.assertContains(page, "由 1 级 轻度失能 改为 2 级 中度失能")
        self.assertContains(page, "护理补贴等级条件由不符合变为符合")
        listed = self.client.get("/welfare/assessments/", {"recomputed": "on"})
        self.assertContains(listed, "2 级 中度失能(重算前 1 级)")
        self.assertNotContains(listed, "李老汉")
        call_command("recompute_assessment_levels", stdout=StringIO())
        raised.refresh_from_db()
        self.assertEqual(raised.level, 2)


@time_machine.travel(TODAY)
class VerifiedThresholdsTestCase(WelfareTestCase):
    def test_the_confirmed_dimensions_and_the_scale_are_marked_verified(self):
        definition = self.scale.definition
        self.assertEqual({d["code"]: d["verified"] for d in definition["dimensions"]},
                         {"adl": True, "mental": True, "sensory": True, "social": True})  # fmt: skip
        self.scale.refresh_from_db()
        self.assertTrue(self.scale.verified)


@time_machine.travel(TODAY)
class ScatteredTestCase(WelfareTestCase):
    def test_an_elder_in_an_institution_is_refused_the_subsidy(self):
        person = self.eligible_person()
        WelfareStatus.objects.filter(person=person).update(in_institution=True)
        ok, reasons = eligibility(person, TODAY)
        self.assertFalse(ok)
        self.assertEqual(reasons, ["已入住养老机构,护理补贴仅发给散居老人。"])

    def test_the_status_form_records_living_in_an_institution(self):
        person = self.make_person()
        self.client.force_login(self.civil)
        r = self.client.post(
            "/welfare/status/edit/",
            {"id_number": person.id_number, "name": person.name, "category": "dibao",
             "long_term_dependent": "on", "in_institution": "on", "verified_on": "2025-05-01"},
        )  # fmt: skip
        self.assertLess(r.status_code, 400)
        self.assertTrue(WelfareStatus.objects.get(person=person).in_institution)
