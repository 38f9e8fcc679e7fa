"""录播室: the seed's aim of every 初中 and 中心小学 with a recording room, and its coverage."""

import datetime

import time_machine

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import School

from .test_schools import NOW, TODAY, SchoolTestCase


def school_post(name: str, kind: str, **extra) -> dict:
    return {"name": name, "kind": kind, **extra}


@time_machine.travel(NOW, tick=False)
class RecordingRoomTestCase(SchoolTestCase):
    def test_coverage_counts_every_middle_school_and_central_primary_school(self) -> None:
        self.make_school("开发区东城中学", School.Kind.MIDDLE)
        actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="开发区北城学校",
            kind=School.Kind.NINE_YEAR,
            recording_room_on=TODAY - datetime.timedelta(days=30),
        )
        actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="开发区蒋官屯中心小学",
            kind=School.Kind.PRIMARY,
            is_central=True,
            recording_room_on=TODAY,
        )
        # Outside the target: an ordinary primary school, even equipped, and a kindergarten.
        actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="开发区徐庄小学",
            kind=School.Kind.PRIMARY,
            recording_room_on=TODAY,
        )
        self.make_school("开发区中心幼儿园", School.Kind.KINDERGARTEN)
        self.client.force_login(self.clerk)
        page = self.client.get("/livelihood/schools/")
        self.assertContains(page, '<div class="fs-5" id="recording-rooms">66.7%</div>', html=False)
        self.assertContains(page, "已配备 2 / 目标 3 所")
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/livelihood/schools/"), "已配备 2 / 目标 3 所")
        # Another department's clerk sees none of the zone's schools, so no target either.
        self.client.force_login(self.civil_clerk)
        page = self.client.get("/livelihood/schools/")
        self.assertContains(page, "已配备 0 / 目标 0 所")

    def test_the_clerk_records_the_room_and_the_change_is_audited(self) -> None:
        school = self.make_school("开发区广平中心小学")
        self.client.force_login(self.clerk)
        detail = self.client.get(f"/livelihood/schools/{school.pk}/")
        self.assertContains(detail, "未配备")
        self.assertNotContains(detail, "目标学校")
        r = self.client.post(
            f"/livelihood/schools/{school.pk}/edit/",
            school_post(school.name, "primary", is_central="on", recording_room_on="2026-05-08"),
        )
        self.assertEqual(r.status_code, 302, r.content.decode()[:400])
        school.refresh_from_db()
        self.assertTrue(school.is_central)
        self.assertEqual(school.recording_room_on, datetime.date(2026, 5, 8))
        detail = self.client.get(f"/livelihood/schools/{school.pk}/")
        self.assertContains(detail, "已配备(2026-05-08)")
        self.assertContains(detail, "中心小学")
        event = Event.objects.filter(action="school_updated").latest("pk")
        self.assertEqual(event.changes["is_central"], [False, True])
        self.assertEqual(event.changes["recording_room_on"], [None, "2026-05-08"])

    def test_a_central_school_without_a_room_is_named_a_target(self) -> None:
        school = actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="开发区东城中心小学",
            kind=School.Kind.PRIMARY,
            is_central=True,
        )
        self.client.force_login(self.clerk)
        self.assertContains(
            self.client.get(f"/livelihood/schools/{school.pk}/"),
            "初中及中心小学录播室全覆盖的目标学校",
        )

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        middle = self.make_school("开发区东城中学", School.Kind.MIDDLE)
        kindergarten = self.make_school("开发区中心幼儿园", School.Kind.KINDERGARTEN)
        self.client.force_login(self.clerk)
        cases = [
            (
                middle,
                school_post(middle.name, "middle", is_central="on"),
                "只有小学可以标为中心小学。",
            ),
            (
                middle,
                school_post(middle.name, "middle", recording_room_on="2026-05-12"),
                "录播室配备日期不能晚于今天。",
            ),
            (
                kindergarten,
                school_post(kindergarten.name, "kindergarten", recording_room_on="2026-05-01"),
                "幼儿园不登记录播室。",
            ),
            (middle, school_post(middle.name, "middle", recording_room_on="2026-13-40"), "日期"),
        ]
        for school, data, message in cases:
            with self.subTest(message):
                r = self.client.post(f"/livelihood/schools/{school.pk}/edit/", data)
                self.assertEqual(r.status_code, 400)
                self.assertContains(r, message, status_code=400)
                school.refresh_from_db()
                self.assertFalse(school.is_central)
                self.assertIsNone(school.recording_room_on)

    def test_only_the_keeping_department_changes_it(self) -> None:
        school = self.make_school("开发区东城中学", School.Kind.MIDDLE)
        data = school_post(school.name, "middle", recording_room_on="2026-05-08")
        self.client.force_login(self.leader)
        self.assertEqual(
            self.client.post(f"/livelihood/schools/{school.pk}/edit/", data).status_code, 403
        )
        self.client.force_login(self.civil_clerk)
        self.assertEqual(
            self.client.post(f"/livelihood/schools/{school.pk}/edit/", data).status_code, 404
        )
        school.refresh_from_db()
        self.assertIsNone(school.recording_room_on)
