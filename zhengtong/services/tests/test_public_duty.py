import datetime

import time_machine
from django.core.files.base import ContentFile

from zhengtong.services.models import DutyEntry, Leave, Post

from .fixtures import SHANGHAI, PublicTestCase


@time_machine.travel(datetime.datetime(2026, 11, 18, 8, 30, tzinfo=SHANGHAI), tick=False)
class DutyBoardTestCase(PublicTestCase):
    url = "/public/duty/"

    def setUp(self) -> None:
        super().setUp()
        self.today = datetime.date(2026, 11, 18)
        self.post2 = Post.objects.create(
            org_unit=self.town,
            name="民政服务岗",
            window="4号窗口",
            a_user=self.clerk_c,
            b_user=self.clerk_a,
        )

    def test_anyone_sees_todays_staff_with_photo_name_post_and_window(self) -> None:
        self.clerk_a.photo.save("a.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
        DutyEntry.objects.create(day=self.today, user=self.clerk_a, post=self.post)
        DutyEntry.objects.create(day=self.today, user=self.clerk_c, post=self.post2)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        for text in ["张敏", "计生服务岗", "3号窗口", "LJ-003", "王芳", "民政服务岗", "4号窗口"]:
            self.assertContains(r, text)
        self.assertContains(r, self.clerk_a.photo.url)
        self.assertContains(r, "暂无照片")
        self.clerk_a.photo.delete(save=False)

    def test_only_todays_roster_is_shown(self) -> None:
        DutyEntry.objects.create(
            day=self.today - datetime.timedelta(days=1), user=self.clerk_b, post=self.post
        )
        DutyEntry.objects.create(
            day=self.today + datetime.timedelta(days=1), user=self.clerk_c, post=self.post2
        )
        r = self.client.get(self.url)
        self.assertNotContains(r, "李强")
        self.assertNotContains(r, "王芳")
        self.assertContains(r, "今日暂无在岗安排")

    def test_staff_on_leave_today_are_not_on_the_board(self) -> None:
        DutyEntry.objects.create(day=self.today, user=self.clerk_a, post=self.post)
        DutyEntry.objects.create(day=self.today, user=self.clerk_b, post=self.post)
        Leave.objects.create(
            user=self.clerk_a,
            start_on=self.today,
            end_on=self.today + datetime.timedelta(days=2),
            reason="病假",
            created_by=self.admin,
        )
        r = self.client.get(self.url)
        self.assertNotContains(r, "张敏")
        self.assertContains(r, "李强")

    def test_the_board_shows_no_phone_or_id_number(self) -> None:
        self.clerk_a.phone = "13900001111"
        self.clerk_a.save(update_fields=["phone"])
        DutyEntry.objects.create(day=self.today, user=self.clerk_a, post=self.post)
        self.assertNotContains(self.client.get(self.url), "13900001111")
