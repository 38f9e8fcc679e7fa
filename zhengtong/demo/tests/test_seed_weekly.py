import io

import time_machine
from django.test import TestCase
from PIL import Image

from zhengtong.accounts.models import User
from zhengtong.audit.models import Event
from zhengtong.demo.testing import DEMO_AT, seed_demo
from zhengtong.population.models import WeeklyPost


@time_machine.travel(DEMO_AT, tick=False)
class SeedWeeklyPostsTestCase(TestCase):
    """The demo's 计生采风: three weeks of 刘集镇计生办, one of each step of the workflow."""

    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()

    def test_the_last_three_weeks_are_approved_submitted_and_draft(self) -> None:
        posts = list(WeeklyPost.objects.order_by("week_start"))
        self.assertEqual(
            [p.status for p in posts],
            [WeeklyPost.Status.APPROVED, WeeklyPost.Status.SUBMITTED, WeeklyPost.Status.DRAFT],
        )
        self.assertEqual(
            [p.week_label for p in posts], ["2026年第45周", "2026年第46周", "2026年第47周"]
        )
        approved = posts[0]
        self.assertEqual(approved.decided_by, User.objects.get(username="town_leader"))
        self.assertEqual(approved.model_worker, User.objects.get(username="village1"))
        self.assertEqual(approved.photos.count(), 3)
        line = approved.lines.get()
        self.assertEqual(line.area.name, "刘集村")
        self.assertEqual(Event.objects.filter(action="weekly_post_approved").count(), 1)

    def test_the_photos_are_real_pngs_and_only_the_approved_ones_are_public(self) -> None:
        approved = WeeklyPost.objects.get(status=WeeklyPost.Status.APPROVED)
        submitted = WeeklyPost.objects.get(status=WeeklyPost.Status.SUBMITTED)
        for photo in approved.photos.all():
            r = self.client.get(photo.image.url)
            self.assertEqual(r.status_code, 200)
            image = Image.open(io.BytesIO(b"".join(r.streaming_content)))
            self.assertEqual((image.format, image.size), ("PNG", (640, 400)))
        self.assertEqual(self.client.get(submitted.photos.get().image.url).status_code, 404)
        r = self.client.get("/public/caifeng/")
        self.assertContains(r, "优生优育进万家")
        self.assertNotContains(r, "生育登记新规定")
        self.assertNotContains(r, "孕前优生健康检查预约")

    def test_the_township_leader_finds_the_submitted_post_to_approve(self) -> None:
        self.client.force_login(User.objects.get(username="town_leader"))
        r = self.client.get("/population/caifeng/")
        self.assertContains(r, "待审核")
        self.assertNotContains(r, "2026年第47周")  # the draft
