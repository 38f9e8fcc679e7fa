"""计生采风: the 计生办 drafts the week, a township leader approves or returns it, and only an
approved post — with its photos — is on the public board."""

import datetime
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population.actions import weekly_posts as actions
from zhengtong.population.models import (
    FollowUp,
    FollowUpPlan,
    HomeVisit,
    WeeklyPost,
    WeeklyPostPhoto,
)
from zhengtong.test import make_user

NOW = "2026-11-20 10:00 +0800"  # a Friday of 2026-W47
MONDAY = datetime.date(2026, 11, 16)
MEDIA = "/tmp/zt-test-media-caifeng"


def png(name="a.png", color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@time_machine.travel(NOW, tick=False)
@override_settings(MEDIA_ROOT=MEDIA)
class WeeklyPostTestCase(RegistryTestCase):
    """People of RegistryTestCase, plus two leaders of 刘集镇 and one of 姜楼镇."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.town_leader = make_user(
            "town_leader", full_name="刘镇长", memberships=[(Role.LEADER, cls.town)]
        )
        cls.other_leader = make_user(
            "jl_leader", full_name="姜镇长", memberships=[(Role.LEADER, cls.other_town)]
        )
        plan = FollowUpPlan.objects.create(
            person=cls.east_person,
            org_unit=cls.east_village,
            kind=FollowUpPlan.Kind.PHONE,
            interval_days=30,
            owner=cls.east_worker,
            purpose="孕期随访",
        )
        for day in (17, 18, 9):  # two in the week, one the week before
            FollowUp.objects.create(
                plan=plan,
                due_on=datetime.date(2026, 11, day),
                status=FollowUp.Status.DONE,
                done_on=datetime.date(2026, 11, day),
                done_by=cls.east_worker,
            )
        HomeVisit.objects.create(
            person=cls.east_person,
            org_unit=cls.east_village,
            visited_by=cls.east_worker,
            visited_on=datetime.date(2026, 11, 19),
            place="东村 2 组",
            outcome="入户宣传优生优育政策。",
        )

    def draft(self, **fields) -> WeeklyPost:
        post = actions.weekly_post_create(
            actor=self.town_worker, org_unit=self.town, week_start=MONDAY
        )
        if fields:
            post = actions.weekly_post_update(actor=self.town_worker, post=post, **fields)
        return post

    def submitted(self, **fields) -> WeeklyPost:
        post = self.draft(summary=fields.pop("summary", "本周开展孕前优生检查宣传。"), **fields)
        return actions.weekly_post_submit(actor=self.town_worker, post=post)

    def edit_data(self, post: WeeklyPost, **extra) -> dict:
        data = {
            "summary": "本周走访育龄妇女,开展政策宣传。",
            "model_worker": "",
            "model_reason": "",
        }
        for line in post.lines.all():
            data[f"line_{line.pk}"] = line.text
        data.update(extra)
        return data


class WeeklyPostWorkflowTestCase(WeeklyPostTestCase):
    def test_a_new_draft_has_one_line_per_area_worker_with_the_weeks_recorded_work(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            "/population/caifeng/new/", {"org_unit": self.town.pk, "week": "2026-W47"}
        )
        post = WeeklyPost.objects.get()
        self.assertRedirects(r, f"/population/caifeng/{post.pk}/edit/")
        self.assertEqual(post.week_start, MONDAY)
        self.assertEqual(post.status, WeeklyPost.Status.DRAFT)
        lines = {line.worker.username: line for line in post.lines.all()}
        self.assertEqual(set(lines), {"east_worker", "outsider", "west_worker"})
        east = lines["east_worker"]
        self.assertEqual((east.followups, east.visits), (2, 1))
        self.assertEqual(east.area, self.east_village)
        self.assertEqual(east.text, "本周完成随访 2 次、入户走访 1 次。")
        self.assertEqual((lines["west_worker"].followups, lines["west_worker"].visits), (0, 0))
        self.assertEqual(Event.objects.filter(action="weekly_post_created").count(), 1)

    def test_the_office_saves_text_photos_and_the_model_worker_then_submits(self) -> None:
        post = self.draft()
        east_line = post.lines.get(worker=self.east_worker)
        self.client.force_login(self.town_worker)
        data = self.edit_data(
            post,
            model_worker=self.east_worker.pk,
            model_reason="一周入户 12 户,随访无遗漏。",
            **{f"line_{east_line.pk}": "完成东村 2 组育龄妇女随访。"},
        )
        data["photos"] = [png("a.png"), png("b.png"), png("c.png", color=(0, 0, 255))]
        r = self.client.post(f"/population/caifeng/{post.pk}/edit/", data)
        self.assertRedirects(r, f"/population/caifeng/{post.pk}/")
        post.refresh_from_db()
        self.assertEqual(post.summary, "本周走访育龄妇女,开展政策宣传。")
        self.assertEqual(post.model_worker, self.east_worker)
        self.assertEqual(post.photos.count(), 2)  # the same picture chosen twice is kept once
        east_line.refresh_from_db()
        self.assertEqual(east_line.text, "完成东村 2 组育龄妇女随访。")
        self.assertEqual(Event.objects.filter(action="weekly_post_saved").count(), 1)

        r = self.client.post(f"/population/caifeng/{post.pk}/submit/", follow=True)
        self.assertContains(r, "已提交,等待镇领导审核。")
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)
        self.assertEqual(post.submitted_by, self.town_worker)
        self.assertEqual(Event.objects.filter(action="weekly_post_submitted").count(), 1)

    def test_the_township_leader_approves_and_the_post_goes_public(self) -> None:
        post = self.submitted()
        self.client.force_login(self.town_leader)
        r = self.client.post(f"/population/caifeng/{post.pk}/approve/", follow=True)
        self.assertContains(r, "已审核通过,本期计生采风已公开。")
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.APPROVED)
        self.assertEqual(post.decided_by, self.town_leader)
        event = Event.objects.get(action="weekly_post_approved")
        self.assertEqual(event.actor, self.town_leader)
        self.client.logout()
        r = self.client.get("/public/caifeng/")
        self.assertContains(r, "刘集镇计生办 · 2026年第47周")
        self.assertContains(r, "本周开展孕前优生检查宣传。")

    def test_a_returned_post_carries_the_reason_and_is_edited_and_submitted_again(self) -> None:
        post = self.submitted()
        self.client.force_login(self.town_leader)
        r = self.client.post(f"/population/caifeng/{post.pk}/return/", {"reason": ""})
        self.assertContains(r, "退回原因不能为空。", status_code=400)
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)
        self.client.post(f"/population/caifeng/{post.pk}/return/", {"reason": "照片太少,请补充。"})
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.RETURNED)
        event = Event.objects.get(action="weekly_post_returned")
        self.assertEqual(event.reason, "照片太少,请补充。")

        self.client.force_login(self.town_worker)
        r = self.client.get(f"/population/caifeng/{post.pk}/edit/")
        self.assertContains(r, "退回原因:照片太少,请补充。")
        self.client.post(f"/population/caifeng/{post.pk}/edit/", self.edit_data(post))
        self.client.post(f"/population/caifeng/{post.pk}/submit/")
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)
        self.assertEqual(post.return_reason, "")

    def test_a_submitted_or_approved_post_cannot_be_edited(self) -> None:
        post = self.submitted()
        self.client.force_login(self.town_worker)
        r = self.client.post(f"/population/caifeng/{post.pk}/edit/", self.edit_data(post))
        self.assertRedirects(r, f"/population/caifeng/{post.pk}/")
        post.refresh_from_db()
        self.assertEqual(post.summary, "本周开展孕前优生检查宣传。")
        r = self.client.post(f"/population/caifeng/{post.pk}/submit/", follow=True)
        self.assertContains(r, "待审核的计生采风不能修改")


class WeeklyPostBadInputTestCase(WeeklyPostTestCase):
    def test_empty_text_is_refused_on_save_and_on_submit(self) -> None:
        post = self.draft()
        self.client.force_login(self.town_worker)
        r = self.client.post(
            f"/population/caifeng/{post.pk}/edit/", self.edit_data(post, summary=" ")
        )
        self.assertContains(r, "本周工作动态不能为空。", status_code=400)
        r = self.client.post(f"/population/caifeng/{post.pk}/submit/", follow=True)
        self.assertContains(r, "请先填写本周工作动态再提交。")
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.DRAFT)

    def test_a_model_worker_needs_a_reason_and_must_be_the_townships_staff(self) -> None:
        post = self.draft()
        self.client.force_login(self.town_worker)
        url = f"/population/caifeng/{post.pk}/edit/"
        r = self.client.post(url, self.edit_data(post, model_worker=self.east_worker.pk))
        self.assertContains(r, "请写明工作标兵的事迹。", status_code=400)
        data = self.edit_data(post, model_worker=self.other_town_worker.pk, model_reason="好")
        r = self.client.post(url, data)
        self.assertContains(r, "工作标兵须是本镇计生办或管区的工作人员。", status_code=400)
        post.refresh_from_db()
        self.assertIsNone(post.model_worker)

    def test_a_wrong_type_or_oversized_photo_is_refused_and_nothing_is_saved(self) -> None:
        post = self.draft()
        self.client.force_login(self.town_worker)
        url = f"/population/caifeng/{post.pk}/edit/"
        fake = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
        r = self.client.post(url, {**self.edit_data(post), "photos": [fake]})
        self.assertContains(r, "不是有效的图片文件", status_code=400)
        gif = io.BytesIO()
        Image.new("RGB", (8, 8)).save(gif, format="GIF")
        upload = SimpleUploadedFile("a.gif", gif.getvalue(), content_type="image/gif")
        r = self.client.post(url, {**self.edit_data(post), "photos": [upload]})
        self.assertContains(r, "须为 JPEG、PNG 或 WebP 格式", status_code=400)
        with override_settings(UPLOAD_MAX_BYTES=50):
            r = self.client.post(url, {**self.edit_data(post), "photos": [png()]})
        self.assertContains(r, "超过 50 字节 的大小限制", status_code=400)
        post.refresh_from_db()
        self.assertEqual(post.summary, "")
        self.assertFalse(WeeklyPostPhoto.objects.exists())

    def test_a_week_is_posted_once_and_never_ahead(self) -> None:
        self.draft()
        self.client.force_login(self.town_worker)
        url = "/population/caifeng/new/"
        r = self.client.post(url, {"org_unit": self.town.pk, "week": "2026-W47"})
        self.assertContains(r, "刘集镇2026年第47周的计生采风已经建立。", status_code=400)
        r = self.client.post(url, {"org_unit": self.town.pk, "week": "2026-W48"})
        self.assertContains(r, "不能撰写未来周次的计生采风。", status_code=400)
        r = self.client.post(url, {"org_unit": self.town.pk, "week": "47周"})
        self.assertContains(r, "周次:格式应为 YYYY-Www", status_code=400)
        self.assertEqual(WeeklyPost.objects.count(), 1)

    def test_a_leader_may_not_approve_a_post_they_wrote_or_submitted(self) -> None:
        both = make_user(
            "both",
            full_name="兼任",
            memberships=[(Role.LEADER, self.town), (Role.VILLAGE_WORKER, self.town)],
        )
        post = actions.weekly_post_create(actor=both, org_unit=self.town, week_start=MONDAY)
        actions.weekly_post_update(actor=both, post=post, summary="本周工作。")
        actions.weekly_post_submit(actor=both, post=post)
        self.client.force_login(both)
        r = self.client.post(f"/population/caifeng/{post.pk}/approve/", follow=True)
        self.assertContains(r, "不能审核自己撰写或提交的计生采风")
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)
        self.assertFalse(Event.objects.filter(action="weekly_post_approved").exists())

    def test_only_a_submitted_post_can_be_approved(self) -> None:
        post = self.draft(summary="本周工作。")
        self.client.force_login(self.town_leader)
        # A leader does not see drafts at all.
        self.assertEqual(
            self.client.post(f"/population/caifeng/{post.pk}/approve/").status_code, 404
        )
        post = actions.weekly_post_submit(actor=self.town_worker, post=post)
        actions.weekly_post_approve(actor=self.town_leader, post=post)
        r = self.client.post(f"/population/caifeng/{post.pk}/approve/", follow=True)
        self.assertContains(r, "已公开的计生采风不能审核")


class WeeklyPostPermissionTestCase(WeeklyPostTestCase):
    def test_a_village_worker_and_staff_outside_the_townships_get_403(self) -> None:
        for user in (self.east_worker, self.west_worker, self.leader, self.clerk):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get("/population/caifeng/").status_code, 403)
                self.assertEqual(self.client.get("/population/caifeng/new/").status_code, 403)

    def test_another_townships_office_and_leader_get_404_by_id(self) -> None:
        post = self.submitted()
        for user in (self.other_town_worker, self.other_leader):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                r = self.client.get("/population/caifeng/")
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, "2026年第47周")
                for path in ("", "edit/"):
                    url = f"/population/caifeng/{post.pk}/{path}"
                    self.assertEqual(self.client.get(url).status_code, 404)
                for path in ("submit/", "approve/", "return/"):
                    url = f"/population/caifeng/{post.pk}/{path}"
                    self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)

    def test_the_leader_cannot_write_and_the_office_cannot_approve(self) -> None:
        post = self.submitted()
        self.client.force_login(self.town_leader)
        self.assertEqual(self.client.get("/population/caifeng/new/").status_code, 403)
        self.assertEqual(self.client.get(f"/population/caifeng/{post.pk}/edit/").status_code, 403)
        self.client.force_login(self.town_worker)
        r = self.client.post(f"/population/caifeng/{post.pk}/approve/")
        self.assertEqual(r.status_code, 403)
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)

    def test_anonymous_users_are_sent_to_the_login_page(self) -> None:
        post = self.submitted()
        for url in ("/population/caifeng/", f"/population/caifeng/{post.pk}/"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/accounts/login/", r["Location"])
        r = self.client.post(f"/population/caifeng/{post.pk}/approve/")
        self.assertIn("/accounts/login/", r["Location"])
        post.refresh_from_db()
        self.assertEqual(post.status, WeeklyPost.Status.SUBMITTED)


class WeeklyPostPublicTestCase(WeeklyPostTestCase):
    def test_the_public_board_shows_only_approved_posts(self) -> None:
        approved = self.submitted(summary="已公开的一周。")
        actions.weekly_post_approve(actor=self.town_leader, post=approved)
        earlier = actions.weekly_post_create(
            actor=self.town_worker, org_unit=self.town, week_start=MONDAY - datetime.timedelta(7)
        )
        actions.weekly_post_update(actor=self.town_worker, post=earlier, summary="尚在草稿的一周。")
        r = self.client.get("/public/caifeng/")
        self.assertContains(r, "已公开的一周。")
        self.assertNotContains(r, "尚在草稿的一周。")
        self.assertNotContains(r, self.east_person.name)

    def test_an_approved_posts_photo_is_public_and_a_drafts_is_not(self) -> None:
        approved = self.submitted(photos=[png()])
        actions.weekly_post_approve(actor=self.town_leader, post=approved)
        draft = actions.weekly_post_create(
            actor=self.town_worker, org_unit=self.town, week_start=MONDAY - datetime.timedelta(7)
        )
        draft = actions.weekly_post_update(
            actor=self.town_worker, post=draft, summary="草稿", photos=[png(color=(0, 90, 0))]
        )
        public_url = approved.photos.get().image.url
        draft_url = draft.photos.get().image.url
        self.assertTrue(public_url.startswith("/media/caifeng/"))
        r = self.client.get(public_url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(b"".join(r.streaming_content)[:4], b"\x89PNG")
        self.assertEqual(self.client.get(draft_url).status_code, 404)
        # Staff of another township do not see it either; the township's 计生办 does.
        self.client.force_login(self.other_town_worker)
        self.assertEqual(self.client.get(draft_url).status_code, 404)
        self.client.force_login(self.town_worker)
        self.assertEqual(self.client.get(draft_url).status_code, 200)

    def test_a_submitted_posts_photo_is_not_public(self) -> None:
        post = self.submitted(photos=[png()])
        self.assertEqual(self.client.get(post.photos.get().image.url).status_code, 404)

    def queries(self, url: str) -> int:
        self.assertEqual(self.client.get(url).status_code, 200)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_public_board_and_the_staff_list_run_a_fixed_number_of_queries(self) -> None:
        post = self.submitted(photos=[png()])
        actions.weekly_post_approve(actor=self.town_leader, post=post)
        public = self.queries("/public/caifeng/")
        self.client.force_login(self.town_worker)
        staff = self.queries("/population/caifeng/")
        for weeks in range(1, 8):
            monday = MONDAY - datetime.timedelta(days=7 * weeks)
            more = self.draft_for(monday, photos=[png(color=(weeks * 20, 0, 0))])
            actions.weekly_post_submit(actor=self.town_worker, post=more)
            actions.weekly_post_approve(actor=self.town_leader, post=more)
        with self.assertNumQueries(staff):
            self.client.get("/population/caifeng/")
        self.client.logout()
        with self.assertNumQueries(public):
            r = self.client.get("/public/caifeng/")
        self.assertContains(r, "第 1 / 2 页")

    def draft_for(self, monday: datetime.date, **fields) -> WeeklyPost:
        post = actions.weekly_post_create(
            actor=self.town_worker, org_unit=self.town, week_start=monday
        )
        return actions.weekly_post_update(
            actor=self.town_worker, post=post, summary=f"{monday} 这一周。", **fields
        )
