import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.population import clinics
from zhengtong.population.actions import clinics as actions
from zhengtong.population.models import Clinic, ClinicAttendance, FloatingRecord
from zhengtong.population.timeline import person_timeline
from zhengtong.test import make_unit, make_user

from .test_visits_fixtures import NOW, CareTestCase, make_person

D = datetime.date
ARRIVED = D(2026, 3, 1)


@time_machine.travel(NOW, tick=False)
class ClinicTestCase(CareTestCase):
    """刘集镇's 健康义诊 held on 2026-06-10 in 东村 and 西村 (today is 2026-06-15), one planned for
    September; arrivals: 王芳 (registered in 顾官屯镇) and 孙强 in 东村, 赵敏 in 西村; 周燕 left
    东村 in May."""

    def setUp(self) -> None:
        super().setUp()
        self.other_town = make_unit("顾官屯镇", "GUGUAN", "town", self.county)
        self.other_village = make_unit("南村", "GUGUAN-S", "village", self.other_town)
        self.wang = self.arrive("王芳", self.east_village, seq=3, registered=self.other_town)
        self.sun = self.arrive("孙强", self.east_village, seq=4, female=False)
        self.zhao = self.arrive("赵敏", self.west_village, seq=5, started=D(2026, 4, 1))
        self.zhou = self.arrive("周燕", self.east_village, seq=6, ended=D(2026, 5, 1))
        self.elsewhere = self.arrive("钱红", self.other_village, seq=7)
        self.clinic = self.plan(held_on=D(2026, 6, 10))
        self.clinic = actions.clinic_mark_held(
            actor=self.town_worker, clinic=self.clinic, held_on=D(2026, 6, 10)
        )
        self.planned = self.plan(held_on=D(2026, 9, 1))

    def arrive(
        self,
        name,
        village,
        *,
        seq,
        female=True,
        registered=None,
        started=ARRIVED,
        ended=None,
    ) -> FloatingRecord:
        person = make_person(
            name,
            registered or village,
            seq=seq,
            female=female,
            hukou_type=Person.HukouType.NONLOCAL,
        )
        return FloatingRecord.objects.create(
            person=person,
            direction=FloatingRecord.Direction.IN,
            org_unit=village,
            place="河南省台前县",
            started_on=started,
            ended_on=ended,
            created_by=self.town_worker,
        )

    def plan(self, **kwargs) -> Clinic:
        data = {
            "actor": self.town_worker,
            "org_unit": self.town,
            "held_on": D(2026, 6, 10),
            "villages": [self.east_village, self.west_village],
            "place": "东村村委会卫生室",
        }
        data.update(kwargs)
        return actions.clinic_plan(**data)

    def attend(self, record, *, actor=None, clinic=None, **kwargs) -> ClinicAttendance:
        data = {"items": "血压、血糖", "result": "血压 118/76,血糖正常", "advice": ""}
        data.update(kwargs)
        return actions.clinic_attendance_record(
            actor=actor or self.town_worker, clinic=clinic or self.clinic, record=record, **data
        )

    # ---- happy path through the pages ----------------------------------------------------

    def test_the_township_plans_marks_held_and_records_findings(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            "/population/clinics/new/",
            {
                "org_unit": self.town.pk,
                "held_on": "2026-06-12",
                "villages": [self.east_village.pk],
                "place": "东村文化广场",
                "organisers": "",
            },
        )
        clinic = Clinic.objects.get(place="东村文化广场")
        self.assertRedirects(r, f"/population/clinics/{clinic.pk}/")
        self.assertEqual(clinic.organisers, "镇计生服务站、镇卫生院")
        self.assertEqual(clinic.status, Clinic.Status.PLANNED)
        r = self.client.get(f"/population/clinics/{clinic.pk}/")
        self.assertContains(r, "计划中")
        self.assertContains(r, "标记已举办")
        self.assertNotContains(r, "登记参诊人员</a>")

        r = self.client.post(f"/population/clinics/{clinic.pk}/held/", {"held_on": "2026-06-12"})
        self.assertRedirects(r, f"/population/clinics/{clinic.pk}/")
        clinic.refresh_from_db()
        self.assertEqual(clinic.status, Clinic.Status.HELD)

        r = self.client.get(f"/population/clinics/{clinic.pk}/attendees/new/")
        self.assertContains(r, "王芳")
        self.assertContains(r, "赵敏")
        self.assertNotContains(r, "周燕")  # left before the clinic
        self.assertNotContains(r, "钱红")  # another township

        url = f"/population/clinics/{clinic.pk}/attendees/new/?record={self.wang.pk}"
        r = self.client.post(
            url,
            {
                "items": "妇科检查、乳腺检查",
                "result": "未见异常",
                "advice": "一年后复查",
                "women_check": "on",
            },
        )
        self.assertRedirects(r, f"/population/clinics/{clinic.pk}/attendees/new/")
        attendance = ClinicAttendance.objects.get(clinic=clinic)
        self.assertEqual(
            (attendance.person, attendance.org_unit, attendance.women_check),
            (self.wang.person, self.east_village, True),
        )
        r = self.client.get(f"/population/clinics/{clinic.pk}/")
        self.assertContains(r, "妇科检查、乳腺检查")
        self.assertContains(r, "一年后复查")
        self.assertContains(r, self.wang.person.masked_id)
        actions_done = set(
            Event.objects.filter(actor=self.town_worker).values_list("action", flat=True)
        )
        self.assertLessEqual(
            {"clinic_planned", "clinic_held", "clinic_attendance_recorded"}, actions_done
        )

    def test_the_picker_finds_a_person_by_full_id_number(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            f"/population/clinics/{self.clinic.pk}/attendees/new/",
            {"q": self.zhao.person.id_number},
        )
        self.assertContains(r, "赵敏")
        self.assertNotContains(r, "王芳")

    def test_an_attendee_already_recorded_is_no_longer_offered(self) -> None:
        self.attend(self.wang)
        self.client.force_login(self.town_worker)
        r = self.client.get(f"/population/clinics/{self.clinic.pk}/attendees/new/")
        self.assertNotContains(r, "王芳")
        self.assertContains(r, "赵敏")

    # ---- scope ---------------------------------------------------------------------------

    def test_a_village_worker_sees_her_villages_attendees_only(self) -> None:
        self.attend(self.wang, women_check=True)
        self.attend(self.zhao)
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/clinics/{self.clinic.pk}/")
        self.assertContains(r, "赵敏")
        self.assertNotContains(r, "王芳")
        self.client.force_login(self.town_worker)
        r = self.client.get(f"/population/clinics/{self.clinic.pk}/")
        self.assertContains(r, "赵敏")
        self.assertContains(r, "王芳")

    def test_a_village_worker_records_her_village_and_not_another(self) -> None:
        self.client.force_login(self.west_worker)
        base = f"/population/clinics/{self.clinic.pk}/attendees/new/"
        r = self.client.get(base)
        self.assertContains(r, "赵敏")
        self.assertNotContains(r, "王芳")
        data = {"items": "血压", "result": "正常"}
        self.assertEqual(self.client.post(f"{base}?record={self.wang.pk}", data).status_code, 404)
        r = self.client.post(f"{base}?record={self.zhao.pk}", data)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(
            list(ClinicAttendance.objects.values_list("person__name", flat=True)), ["赵敏"]
        )
        with self.assertRaises(PermissionDenied):
            self.attend(self.wang, actor=self.west_worker)

    def test_another_townships_clinic_is_a_404_by_id(self) -> None:
        other_worker = make_user(
            "guguan", full_name="顾计生", memberships=[(Role.VILLAGE_WORKER, self.other_town)]
        )
        other = actions.clinic_plan(
            actor=other_worker,
            org_unit=self.other_town,
            held_on=D(2026, 6, 1),
            villages=[self.other_village],
            place="南村卫生室",
        )
        self.client.force_login(self.town_worker)
        for path in ("", "attendees/new/"):
            url = f"/population/clinics/{other.pk}/{path}"
            self.assertEqual(self.client.get(url).status_code, 404)
        r = self.client.post(f"/population/clinics/{other.pk}/held/", {"held_on": "2026-06-01"})
        self.assertEqual(r.status_code, 404)
        other.refresh_from_db()
        self.assertEqual(other.status, Clinic.Status.PLANNED)
        r = self.client.get("/population/clinics/?year=2026")
        self.assertNotContains(r, "南村卫生室")
        self.client.force_login(other_worker)
        self.assertEqual(self.client.get(f"/population/clinics/{self.clinic.pk}/").status_code, 404)

    def test_a_village_worker_cannot_plan_or_mark_the_townships_clinic(self) -> None:
        self.client.force_login(self.town_worker)
        self.assertContains(self.client.get("/population/clinics/"), "计划健康义诊</a>")
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/clinics/")
        self.assertContains(r, "东村村委会卫生室")
        self.assertNotContains(r, "计划健康义诊</a>")
        r = self.client.post(
            f"/population/clinics/{self.planned.pk}/held/", {"held_on": "2026-06-15"}
        )
        self.assertEqual(r.status_code, 403)
        self.planned.refresh_from_db()
        self.assertEqual(self.planned.status, Clinic.Status.PLANNED)
        r = self.client.post(
            "/population/clinics/new/",
            {
                "org_unit": self.town.pk,
                "held_on": "2026-10-01",
                "villages": [self.east_village.pk],
                "place": "东村",
            },
        )
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "组织镇(街道)不存在。", status_code=400)
        self.assertEqual(Clinic.objects.count(), 2)

    def test_staff_without_a_population_role_get_403(self) -> None:
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/population/clinics/").status_code, 403)
        url = f"/population/clinics/{self.clinic.pk}/"
        self.assertEqual(self.client.get(url).status_code, 403)

    # ---- bad input -----------------------------------------------------------------------

    def test_a_held_clinic_cannot_be_dated_in_the_future(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            f"/population/clinics/{self.planned.pk}/held/", {"held_on": "2026-06-16"}, follow=True
        )
        self.assertContains(r, "义诊日期不能晚于今天")
        self.planned.refresh_from_db()
        self.assertEqual(self.planned.status, Clinic.Status.PLANNED)
        r = self.client.post(
            f"/population/clinics/{self.planned.pk}/held/", {"held_on": "16/06"}, follow=True
        )
        self.assertContains(r, "实际举办日期不是有效的日期。")

    def test_no_attendee_before_the_clinic_is_held(self) -> None:
        with self.assertRaisesMessage(ValidationError, "尚未标记为已举办"):
            self.attend(self.wang, clinic=self.planned)
        self.client.force_login(self.town_worker)
        url = f"/population/clinics/{self.planned.pk}/attendees/new/?record={self.wang.pk}"
        r = self.client.post(url, {"items": "血压", "result": "正常"}, follow=True)
        self.assertContains(r, "义诊尚未标记为已举办,不能登记参诊人员。")
        self.assertFalse(ClinicAttendance.objects.exists())

    def test_a_person_who_was_not_an_arrival_on_the_day_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "周燕在义诊当日不是刘集镇的流入人口"):
            self.attend(self.zhou)
        self.client.force_login(self.town_worker)
        url = f"/population/clinics/{self.clinic.pk}/attendees/new/?record={self.zhou.pk}"
        r = self.client.post(url, {"items": "血压", "result": "正常"})
        self.assertContains(r, "周燕在义诊当日不是刘集镇的流入人口。", status_code=400)
        # A record of another township is outside the worker's area: a 404 like any other.
        url = f"/population/clinics/{self.clinic.pk}/attendees/new/?record={self.elsewhere.pk}"
        self.assertEqual(
            self.client.post(url, {"items": "血压", "result": "正常"}).status_code, 404
        )
        self.assertFalse(ClinicAttendance.objects.exists())

    def test_a_duplicate_attendee_is_refused(self) -> None:
        self.attend(self.wang)
        self.client.force_login(self.town_worker)
        url = f"/population/clinics/{self.clinic.pk}/attendees/new/?record={self.wang.pk}"
        r = self.client.post(url, {"items": "血压", "result": "正常"})
        self.assertContains(r, "王芳已登记为本次义诊的参诊人员。", status_code=400)
        self.assertEqual(ClinicAttendance.objects.count(), 1)

    def test_empty_findings_are_refused_and_the_input_kept(self) -> None:
        self.client.force_login(self.town_worker)
        url = f"/population/clinics/{self.clinic.pk}/attendees/new/?record={self.wang.pk}"
        r = self.client.post(url, {"items": "  ", "result": "", "advice": "转县医院"})
        self.assertContains(r, "检查项目不能为空。", status_code=400)
        self.assertContains(r, "结果不能为空。", status_code=400)
        self.assertContains(r, "转县医院", status_code=400)
        self.assertFalse(ClinicAttendance.objects.exists())
        with self.assertRaisesMessage(ValidationError, "检查项目不能为空。"):
            self.attend(self.wang, items=" ")

    def test_the_free_check_is_for_women_of_childbearing_age_only(self) -> None:
        with self.assertRaisesMessage(ValidationError, "15–49 周岁的流入育龄妇女"):
            self.attend(self.sun, women_check=True)
        self.assertFalse(ClinicAttendance.objects.exists())

    def test_a_plan_needs_villages_of_the_township_and_a_place(self) -> None:
        with self.assertRaisesMessage(ValidationError, "南村不是刘集镇的村"):
            self.plan(villages=[self.other_village])
        with self.assertRaisesMessage(ValidationError, "请至少选择一个下村的村"):
            self.plan(villages=[])
        with self.assertRaisesMessage(ValidationError, "义诊地点不能为空"):
            self.plan(place=" ")
        with self.assertRaisesMessage(ValidationError, "请选择镇(街道)"):
            self.plan(org_unit=self.east_village)
        self.assertEqual(Clinic.objects.count(), 2)

    # ---- health record and figures ---------------------------------------------------------

    def test_the_findings_appear_in_the_persons_health_record(self) -> None:
        self.attend(self.zhao, items="血压、妇科检查", result="宫颈炎", advice="转县妇幼保健院")
        entries = [
            e for e in person_timeline(self.zhao.person, self.town_worker) if e.kind == "义诊"
        ]
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual(entry.day, D(2026, 6, 10))
        self.assertIn("东村村委会卫生室", entry.title)
        self.assertEqual(entry.detail, "血压、妇科检查:宫颈炎;建议/转诊:转县妇幼保健院")
        self.client.force_login(self.town_worker)
        r = self.client.get(f"/population/persons/{self.zhao.person.pk}/")
        self.assertContains(r, "宫颈炎;建议/转诊:转县妇幼保健院")

    def test_coverage_counts_current_arrivals_who_attended_this_year_per_village(self) -> None:
        self.attend(self.wang)
        # An arrival of 2025 examined at the 2025 clinic counts for 2025, not for 2026.
        old = self.arrive("郑丽", self.west_village, seq=8, started=D(2025, 3, 1))
        last_year = self.plan(held_on=D(2025, 7, 1))
        actions.clinic_mark_held(actor=self.town_worker, clinic=last_year, held_on=D(2025, 7, 1))
        self.attend(old, clinic=last_year)
        report = clinics.coverage(self.town_worker, 2026, today=D(2026, 6, 15))
        figures = [(r.village, r.floating, r.attended, str(r.coverage)) for r in report.rows]
        # 东村: 王芳 and 孙强 (周燕 has left); 西村: 赵敏 and 郑丽.
        self.assertEqual(figures, [("东村", 2, 1, "50.0"), ("西村", 2, 0, "0.0")])
        self.assertEqual((report.totals.floating, report.totals.attended), (4, 1))
        self.assertEqual(str(report.totals.coverage), "25.0")
        earlier = clinics.coverage(self.town_worker, 2025, today=D(2026, 6, 15))
        # On 2025-12-31 only 郑丽 had arrived.
        self.assertEqual(
            [(r.village, r.floating, r.attended) for r in earlier.rows], [("西村", 1, 1)]
        )
        self.assertEqual(earlier.as_of, D(2025, 12, 31))
        west = clinics.coverage(self.west_worker, 2026, today=D(2026, 6, 15))
        self.assertEqual([r.village for r in west.rows], ["西村"])
        self.client.force_login(self.town_worker)
        r = self.client.get("/population/clinics/?year=2026")
        self.assertContains(r, "50.0%")
        self.assertContains(r, "25.0%")

    def test_the_year_shows_whether_each_township_held_its_clinic(self) -> None:
        county_worker = make_user(
            "county", full_name="县计生", memberships=[(Role.VILLAGE_WORKER, self.county)]
        )
        other_worker = make_user(
            "guguan", full_name="顾计生", memberships=[(Role.VILLAGE_WORKER, self.other_town)]
        )
        actions.clinic_plan(
            actor=other_worker,
            org_unit=self.other_town,
            held_on=D(2026, 11, 1),
            villages=[self.other_village],
            place="南村卫生室",
        )
        rows = {
            t.town.name: (t.held_on, t.planned_on)
            for t in clinics.townships_year(county_worker, 2026)
        }
        self.assertEqual(
            rows, {"刘集镇": (D(2026, 6, 10), D(2026, 9, 1)), "顾官屯镇": (None, D(2026, 11, 1))}
        )
        self.assertEqual(
            {t.town.name: t.held for t in clinics.townships_year(county_worker, 2025)},
            {"刘集镇": False, "顾官屯镇": False},
        )
        # A village worker sees her own township.
        self.assertEqual(
            [t.town.name for t in clinics.townships_year(self.east_worker, 2026)], ["刘集镇"]
        )
        self.client.force_login(county_worker)
        r = self.client.get("/population/clinics/?year=2026")
        self.assertContains(r, "已举办</span> 2026-06-10")
        self.assertContains(r, "计划中</span> 2026-11-01")

    # ---- query counts ----------------------------------------------------------------------

    def test_the_pages_run_a_fixed_number_of_queries(self) -> None:
        """More clinics, arrivals and attendees change no query count."""
        self.attend(self.wang)
        self.client.force_login(self.town_worker)
        detail = f"/population/clinics/{self.clinic.pk}/"
        picker = f"/population/clinics/{self.clinic.pk}/attendees/new/"
        counts = [self.queries_of(u) for u in ("/population/clinics/", detail, picker)]
        for seq in range(20, 32):
            record = self.arrive(f"对象{seq}", self.west_village, seq=seq)
            if seq % 2:
                self.attend(record)
        for day in (1, 2, 3):
            self.plan(held_on=D(2026, 7, day))
        with self.assertNumQueries(counts[0]):
            r = self.client.get("/population/clinics/")
        self.assertContains(r, "2026-07-03")
        with self.assertNumQueries(counts[1]):
            r = self.client.get(detail)
        self.assertContains(r, "对象31")
        with self.assertNumQueries(counts[2]):
            r = self.client.get(picker)
        self.assertContains(r, "对象30")
