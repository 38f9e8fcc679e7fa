"""PF8: the free pre-pregnancy check (孕前优生健康检查) as the stage before a pregnancy, due in
working days; and the extra antenatal visits of a high-risk pregnancy in the work lists."""

import time_machine

from zhengtong.audit.models import Event
from zhengtong.population.actions.maternal import high_risk_referral, pregnancy_register
from zhengtong.population.inbox import KIND_MATERNAL, KIND_PRECONCEPTION, area_items, inbox_items
from zhengtong.population.models import PreconceptionCheck, Pregnancy
from zhengtong.population.schedule import high_risk_windows
from zhengtong.workdays import add_workdays

from .test_followups_fixtures import D, FollowupTestCase, at, make_person

HIGH_RISK_GOLDEN = [  # LMP 2025-01-01
    ("hr_25_27", D(2025, 6, 25), D(2025, 7, 15)),
    ("hr_29_32", D(2025, 7, 23), D(2025, 8, 19)),
    ("hr_33_36", D(2025, 8, 20), D(2025, 9, 16)),
    ("hr_38", D(2025, 9, 24), D(2025, 9, 30)),
    ("hr_39", D(2025, 10, 1), D(2025, 10, 7)),
]


@time_machine.travel(at(2025, 3, 10), tick=False)
class PreconceptionPageTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/population/persons/{self.east_woman.pk}/preconception/new/"
        self.client.force_login(self.east_worker)

    def enrol(self, on="2025-03-10"):
        return self.client.post(self.url, {"enrolled_on": on})

    def test_enrolment_is_due_20_working_days_later_past_qingming(self) -> None:
        """2025-03-10 + 20 working days skips the weekends and 清明 (04-04): 2025-04-08."""
        r = self.enrol()
        check = PreconceptionCheck.objects.get()
        self.assertRedirects(r, f"/population/preconception/{check.pk}/")
        self.assertEqual(check.due_on, D(2025, 4, 8))
        self.assertEqual(check.due_on, add_workdays(D(2025, 3, 10), 20))
        self.assertEqual(check.org_unit, self.east_village)
        event = Event.objects.get(action="preconception_enrolled")
        self.assertEqual(event.changes["due_on"], [None, "2025-04-08"])
        page = self.client.get(r["Location"])
        self.assertContains(page, "2025-04-08")
        self.assertContains(page, "未检查")

    def test_the_check_is_in_my_inbox_and_the_work_list_until_done(self) -> None:
        self.enrol()
        check = PreconceptionCheck.objects.get()
        for items in (inbox_items(self.east_worker), area_items(self.east_worker)):
            mine = [i for i in items if i.kind == KIND_PRECONCEPTION]
            self.assertEqual(
                [(i.title, i.due_on) for i in mine], [("张丽 孕前优生健康检查", check.due_on)]
            )
        self.assertFalse([i for i in inbox_items(self.west_worker) if i.kind == KIND_PRECONCEPTION])
        r = self.client.post(
            f"/population/preconception/{check.pk}/result/",
            {"done_on": "2025-03-10", "result": "normal"},
        )
        self.assertRedirects(r, f"/population/preconception/{check.pk}/")
        check.refresh_from_db()
        self.assertEqual((check.done_on, check.result), (D(2025, 3, 10), "normal"))
        self.assertFalse([i for i in inbox_items(self.east_worker) if i.kind == KIND_PRECONCEPTION])

    def test_a_risk_result_needs_the_guidance_and_nothing_is_saved_without_it(self) -> None:
        self.enrol()
        check = PreconceptionCheck.objects.get()
        r = self.client.post(
            f"/population/preconception/{check.pk}/result/",
            {"done_on": "2025-03-10", "result": "risk", "note": ""},
        )
        self.assertContains(r, "请填写风险因素和咨询指导意见", status_code=400)
        check.refresh_from_db()
        self.assertIsNone(check.done_on)

    def test_bad_dates_are_refused_in_chinese(self) -> None:
        self.assertContains(self.enrol("2025-03-11"), "登记日期不能晚于今天", status_code=400)
        self.enrol()
        check = PreconceptionCheck.objects.get()
        for done_on, message in [("2025-03-11", "检查日期不能晚于今天"),
                                 ("2025-03-01", "检查日期不能早于登记日期")]:  # fmt: skip
            r = self.client.post(
                f"/population/preconception/{check.pk}/result/",
                {"done_on": done_on, "result": "normal"},
            )
            self.assertContains(r, message, status_code=400)
        r = self.client.post(
            f"/population/preconception/{check.pk}/result/", {"done_on": "2025-03-09"}
        )
        self.assertContains(r, "请选择检查结果", status_code=400)

    def test_a_second_open_enrolment_is_refused(self) -> None:
        self.enrol()
        r = self.enrol("2025-03-09")
        self.assertContains(r, "已有待检查的登记", status_code=400)
        self.assertEqual(PreconceptionCheck.objects.count(), 1)

    def test_a_pregnant_woman_is_not_enrolled(self) -> None:
        pregnancy_register(actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1))
        r = self.enrol()
        self.assertContains(r, "孕前优生健康检查应在怀孕前进行", status_code=400)
        self.assertFalse(PreconceptionCheck.objects.exists())

    def test_a_man_is_not_enrolled(self) -> None:
        man = make_person("王刚", self.east_village, seq=9, female=False)
        r = self.client.post(
            f"/population/persons/{man.pk}/preconception/new/", {"enrolled_on": "2025-03-10"}
        )
        self.assertContains(r, "请在女方名下登记", status_code=400)

    def test_the_pregnancy_registered_later_is_linked_and_leaves_the_inbox(self) -> None:
        self.enrol()
        pregnancy = pregnancy_register(
            actor=self.east_worker, person=self.east_woman, lmp=D(2025, 2, 20)
        )
        check = PreconceptionCheck.objects.get()
        self.assertEqual(check.pregnancy, pregnancy)
        self.assertFalse([i for i in inbox_items(self.east_worker) if i.kind == KIND_PRECONCEPTION])
        page = self.client.get(f"/population/pregnancies/{pregnancy.pk}/")
        self.assertContains(page, "怀孕前未检查")

    def test_another_villages_worker_gets_404_by_url_and_by_id(self) -> None:
        self.enrol()
        check = PreconceptionCheck.objects.get()
        self.client.force_login(self.west_worker)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(f"/population/preconception/{check.pk}/").status_code, 404)
        r = self.client.post(
            f"/population/preconception/{check.pk}/result/",
            {"done_on": "2025-03-10", "result": "normal"},
        )
        self.assertEqual(r.status_code, 404)
        check.refresh_from_db()
        self.assertIsNone(check.done_on)
        self.assertGreaterEqual(self.denied_events(self.west_worker), 3)
        self.assertEqual(self.client.get("/population/preconception/999999/").status_code, 404)


@time_machine.travel(at(2025, 3, 10), tick=False)
class HighRiskVisitsTestCase(FollowupTestCase):
    def windows(self, pregnancy):
        return list(
            pregnancy.visits.filter(kind__startswith="hr_")
            .order_by("window_start")
            .values_list("kind", "window_start", "window_end")
        )

    def test_the_schedule_from_the_lmp(self) -> None:
        self.assertEqual([tuple(w) for w in high_risk_windows(D(2025, 1, 1))], HIGH_RISK_GOLDEN)

    def test_a_pregnancy_registered_high_risk_gets_the_extra_visits(self) -> None:
        pregnancy = pregnancy_register(
            actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1), high_risk=True
        )
        self.assertEqual(self.windows(pregnancy), HIGH_RISK_GOLDEN)
        self.assertEqual(pregnancy.visits.count(), 10)

    def test_a_normal_pregnancy_gets_none(self) -> None:
        pregnancy = pregnancy_register(
            actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1)
        )
        self.assertEqual(self.windows(pregnancy), [])

    def test_a_referral_adds_only_the_visits_still_ahead(self) -> None:
        pregnancy = pregnancy_register(
            actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1)
        )
        with time_machine.travel(at(2025, 8, 1), tick=False):
            high_risk_referral(
                actor=self.east_worker, pregnancy=pregnancy, referred_on=D(2025, 8, 1)
            )
        self.assertEqual(self.windows(pregnancy), HIGH_RISK_GOLDEN[1:])
        event = Event.objects.get(action="high_risk_referred")
        self.assertEqual(len(event.changes["visits"][1]), 4)

    def test_extra_visits_are_high_priority_rows_of_the_work_lists_and_inbox(self) -> None:
        pregnancy = pregnancy_register(
            actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1), high_risk=True
        )
        with time_machine.travel(at(2025, 6, 26), tick=False):
            area = [i for i in area_items(self.east_worker) if "高危加强随访" in i.title]
            self.assertEqual(len(area), 5)
            self.assertTrue(all(i.kind == KIND_MATERNAL and i.priority == 0 for i in area))
            mine = [i for i in inbox_items(self.east_worker) if "高危加强随访" in i.title]
            self.assertEqual([i.title for i in mine], ["张丽 高危加强随访(孕 25–27 周)"])
            self.assertFalse([i for i in area_items(self.west_worker) if "张丽" in i.title])
        Pregnancy.objects.filter(pk=pregnancy.pk).update(
            delivered_on=D(2025, 9, 1), discharged_on=D(2025, 9, 3)
        )
        with time_machine.travel(at(2025, 9, 5), tick=False):
            self.assertFalse([i for i in area_items(self.east_worker) if "高危加强随访" in i.title])
