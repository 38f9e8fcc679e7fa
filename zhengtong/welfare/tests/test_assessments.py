import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event

from .. import scales
from ..actions import assessment_create
from ..models import Assessment
from .fixtures import TODAY, WelfareTestCase, sheet


def post_data(person_number, name, assessor_1, assessor_2, scores, on="2025-06-01"):
    data = {"id_number": person_number, "name": name, "assessed_on": on,
            "assessor_1": assessor_1.pk, "assessor_2": assessor_2.pk, "note": ""}  # fmt: skip
    data.update({f"item_{k}": v for k, v in scores.items()})
    return data


@time_machine.travel(TODAY)
class AssessmentCreateTestCase(WelfareTestCase):
    url = "/welfare/assessments/new/"

    def setUp(self):
        super().setUp()
        self.person = self.make_person()

    def test_a_clerk_scores_an_assessment_and_the_level_is_derived(self):
        """ADL 40 → grade 3 → level 3; reassessment is due 6 calendar months later."""
        self.client.force_login(self.civil)
        data = post_data(self.person.id_number, "张老汉", self.civil, self.civil2, sheet(40))
        r = self.client.post(self.url, data)
        assessment = Assessment.objects.get()
        self.assertRedirects(r, f"/welfare/assessments/{assessment.pk}/")
        self.assertEqual(assessment.level, 3)
        self.assertEqual(assessment.grades["adl"]["grade"], 3)
        self.assertEqual(assessment.reassess_due_on, datetime.date(2025, 12, 1))
        self.assertEqual(assessment.org_unit, self.civil_unit)
        self.assertEqual(Event.objects.filter(action="assessment_created").count(), 1)
        self.assertContains(self.client.get(r.url), "重度失能")

    def test_the_form_offers_only_the_allowed_scores(self):
        self.client.force_login(self.civil)
        r = self.client.get(self.url)
        self.assertContains(r, '<option value="15">15 分:', count=2)  # 床椅转移, 平地行走
        self.assertNotContains(r, "待核实")  # a working form carries no notes about the rules

    def test_every_score_carries_the_wording_of_the_standard(self):
        self.client.force_login(self.civil)
        r = self.client.get(self.url)
        self.assertContains(r, '<option value="10">10 分:可独立进食</option>', html=True)
        self.assertContains(
            r, '<option value="3">3 分:昏迷(直接评定为重度失能)</option>', html=True
        )
        self.assertContains(r, '<select name="item_eating" class="form-select"', count=1)
        # No select offers a bare number: every option of every item has its words.
        self.assertNotRegex(r.content.decode(), r'<option value="\d+">\d+ 分</option>')
        for _dim, item in scales.items(self.scale.definition):
            for value in item["scores"]:
                with self.subTest(item=item["code"], value=value):
                    self.assertTrue(scales.score_wording(self.scale.definition, item, value))

    def test_one_assessor_twice_is_refused_and_nothing_saved(self):
        self.client.force_login(self.civil)
        data = post_data(self.person.id_number, "张老汉", self.civil, self.civil, sheet(40))
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "评估员二不能与评估员一是同一人", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_an_impossible_score_posted_is_refused(self):
        """A forged 7 for 进食 is refused by the form; the action names the item too."""
        self.client.force_login(self.civil)
        scores = sheet(100)
        scores["eating"] = 7
        r = self.client.post(self.url, post_data(self.person.id_number, "张老汉", self.civil,
                                                 self.civil2, scores))  # fmt: skip
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Assessment.objects.exists())
        with self.assertRaisesMessage(Exception, "进食"):
            assessment_create(actor=self.civil, person=self.person, assessed_on=TODAY,
                              scores=scores, assessor_1=self.civil, assessor_2=self.civil2)  # fmt: skip
        self.assertFalse(Assessment.objects.exists())

    def test_reassessment_date_clamps_to_the_month_end(self):
        a = self.assess(self.person, on=datetime.date(2024, 8, 31))
        self.assertEqual(a.reassess_due_on, datetime.date(2025, 2, 28))

    def test_a_future_date_is_refused(self):
        with self.assertRaisesMessage(Exception, "评估日期不能晚于今天"):
            self.assess(self.person, on=datetime.date(2025, 7, 1))

    def test_a_leader_reads_but_cannot_create(self):
        self.assess(self.person)
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/welfare/assessments/"), "张老汉")
        self.assertNotContains(self.client.get("/welfare/assessments/"), "新增评估")
        data = post_data(self.person.id_number, "张老汉", self.civil, self.civil2, sheet(40))
        self.assertEqual(self.client.post(self.url, data).status_code, 403)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_a_social_affairs_clerk_is_turned_away(self):
        a = self.assess(self.person)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/welfare/assessments/").status_code, 403)
        self.assertIn(self.client.get(f"/welfare/assessments/{a.pk}/").status_code, (403, 404))
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_a_village_worker_cannot_see_an_assessment(self):
        a = self.assess(self.person)
        self.client.force_login(self.outsider)
        self.assertIn(self.client.get(f"/welfare/assessments/{a.pk}/").status_code, (403, 404))

    def test_the_list_runs_a_fixed_number_of_queries(self):
        self.assess(self.person)
        self.client.force_login(self.civil)
        with CaptureQueriesContext(connection) as ctx:
            self.client.get("/welfare/assessments/")
        n = len(ctx.captured_queries)
        for seq in range(2, 6):
            self.assess(self.make_person(seq=seq, name=f"老人{seq}"))
        with self.assertNumQueries(n):
            self.client.get("/welfare/assessments/")
