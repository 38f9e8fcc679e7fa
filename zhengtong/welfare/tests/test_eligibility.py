import datetime

import time_machine

from ..selectors import eligibility
from .fixtures import TODAY, WelfareTestCase


@time_machine.travel(TODAY)
class EligibilityTestCase(WelfareTestCase):
    """eligible ⇔ age ≥ 60 ∧ 低保/特困 ∧ long-term dependent ∧ latest level ∈ {2, 3}."""

    def check(self, person):
        return eligibility(person, TODAY)

    def test_a_person_meeting_every_condition_is_eligible(self):
        person = self.eligible_person()
        self.assertEqual(self.check(person), (True, []))

    def test_tekun_and_level_two_qualify_too(self):
        person = self.make_person()
        self.make_status(person, category="tekun")
        self.assess(person, adl_total=50)
        self.assertEqual(self.check(person), (True, []))

    def test_age_59_is_refused_naming_the_age(self):
        person = self.make_person(age=59)
        self.make_status(person)
        self.assess(person)
        ok, reasons = self.check(person)
        self.assertFalse(ok)
        self.assertEqual(len(reasons), 1)
        self.assertIn("年龄未满60周岁", reasons[0])

    def test_age_is_counted_to_the_birthday(self):
        """Born 1965-06-16: 59 on 2025-06-15, 60 on 2025-06-16."""
        from zhengtong.people.models import Person
        from zhengtong.test import make_id_number

        birth = datetime.date(1965, 6, 16)
        person = Person.objects.create(
            id_number=make_id_number(birth, female=True, seq=3), name="刘大娘", sex="F",
            birth_date=birth,
        )  # fmt: skip
        self.make_status(person)
        self.assess(person)
        self.assertFalse(eligibility(person, TODAY)[0])
        self.assertTrue(eligibility(person, datetime.date(2025, 6, 16))[0])

    def test_dibao_edge_category_is_refused(self):
        person = self.make_person()
        self.make_status(person, category="dibao_edge")
        self.assess(person)
        ok, reasons = self.check(person)
        self.assertFalse(ok)
        self.assertEqual(len(reasons), 1)
        self.assertIn("低保边缘", reasons[0])

    def test_no_welfare_status_is_refused(self):
        person = self.make_person()
        self.assess(person)
        ok, reasons = self.check(person)
        self.assertFalse(ok)
        self.assertEqual(len(reasons), 1)
        self.assertIn("未登记救助身份", reasons[0])

    def test_not_long_term_dependent_is_refused(self):
        person = self.make_person()
        self.make_status(person, dependent=False)
        self.assess(person)
        ok, reasons = self.check(person)
        self.assertEqual((ok, len(reasons)), (False, 1))
        self.assertIn("生活长期不能自理", reasons[0])

    def test_level_one_is_refused(self):
        person = self.make_person()
        self.make_status(person)
        self.assess(person, adl_total=80)
        ok, reasons = self.check(person)
        self.assertEqual((ok, len(reasons)), (False, 1))
        self.assertIn("为1级", reasons[0])

    def test_no_assessment_is_refused(self):
        person = self.make_person()
        self.make_status(person)
        ok, reasons = self.check(person)
        self.assertEqual((ok, len(reasons)), (False, 1))
        self.assertIn("没有能力评估", reasons[0])

    def test_only_the_latest_assessment_counts(self):
        """Level 3 in March, level 1 in May: not eligible any more."""
        person = self.eligible_person()
        self.assess(person, adl_total=90, on=datetime.date(2025, 5, 2))
        ok, reasons = self.check(person)
        self.assertFalse(ok)
        self.assertIn("2025-05-02", reasons[0])
        # On a date before the May assessment the March one is the latest.
        self.assertTrue(eligibility(person, datetime.date(2025, 4, 30))[0])

    def test_every_unmet_condition_is_listed(self):
        person = self.make_person(age=50)
        self.make_status(person, category="", dependent=False)
        ok, reasons = self.check(person)
        self.assertFalse(ok)
        self.assertEqual(len(reasons), 4)

    def test_the_check_page_shows_the_reasons(self):
        person = self.make_person(age=59)
        self.make_status(person)
        self.client.force_login(self.civil)
        r = self.client.post("/welfare/eligibility/", {"id_number": person.id_number})
        self.assertContains(r, "不符合护理补贴条件")
        self.assertContains(r, "年龄未满60周岁")

    def test_the_check_page_does_not_reveal_people_of_no_welfare_record(self):
        person = self.make_person()
        self.client.force_login(self.civil)
        r = self.client.post("/welfare/eligibility/", {"id_number": person.id_number})
        self.assertContains(r, "本单位没有该人员")
        self.client.force_login(self.clerk)
        r = self.client.post("/welfare/eligibility/", {"id_number": person.id_number})
        self.assertEqual(r.status_code, 403)
