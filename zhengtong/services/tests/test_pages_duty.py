"""挂牌上岗 at /services/duty/: the hall's roster of a day, putting clerks on duty and taking
them off; one post per clerk per day, other halls refused, the past left as it was."""

import datetime
import re

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.services.actions.duty import duty_assign, duty_remove
from zhengtong.services.models import DutyEntry, Post

from .fixtures import PageTestCase

# 18:00 in Asia/Shanghai on Monday 2026-11-16.
TODAY = datetime.date(2026, 11, 16)
TOMORROW = TODAY + datetime.timedelta(days=1)
URL = "/services/duty/"


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class DutyRosterTestCase(PageTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.post2 = Post.objects.create(
            org_unit=cls.town,
            name="民政服务岗",
            window="4号窗口",
            a_user=cls.clerk_c,
            b_user=cls.clerk_a,
        )

    def assign(self, day=TOMORROW, post=None, user=None):
        data = {
            "day": day.isoformat(),
            "post": (post or self.post).pk,
            "user": (user or self.clerk_b).pk,
        }
        return self.client.post(URL, data)

    @staticmethod
    def staff_cells(response) -> list[str]:
        """The names in the roster table's 工作人员 column."""
        return re.findall(r'data-label="工作人员">([^<]*)</td>', response.content.decode())

    def roster_events(self) -> int:
        return Event.objects.filter(action__in=["duty_assigned", "duty_removed"]).count()

    def test_the_roster_of_the_day_lists_the_hall_only(self) -> None:
        DutyEntry.objects.create(day=TODAY, user=self.clerk_a, post=self.post)
        DutyEntry.objects.create(day=TOMORROW, user=self.clerk_b, post=self.post)
        self.client.force_login(self.clerk_c)
        response = self.client.get(URL)
        self.assertEqual([e.user for e in response.context["page"]], [self.clerk_a])
        self.assertEqual(self.staff_cells(response), ["张敏"])
        self.client.force_login(self.other_clerk)
        response = self.client.get(URL)
        self.assertEqual(list(response.context["page"]), [])
        self.assertNotContains(response, "张敏")

    def test_the_form_offers_the_halls_posts_and_clerks_only(self) -> None:
        self.client.force_login(self.clerk_a)
        response = self.client.get(URL)
        form = response.context["duty_form"]
        self.assertEqual(
            [label for value, label in form.fields["post"].widget.choices if value],
            ["3号窗口 计生服务岗", "4号窗口 民政服务岗"],
        )
        clerks = [label for value, label in form.fields["user"].widget.choices if value]
        self.assertEqual(sorted(clerks), sorted(["张敏", "李强", "王芳"]))
        self.assertNotContains(response, "顾窗口")

    def test_a_clerk_puts_a_colleague_on_duty_with_one_audit_event(self) -> None:
        self.client.force_login(self.clerk_c)
        response = self.assign()
        self.assertRedirects(response, f"{URL}?day={TOMORROW.isoformat()}")
        entry = DutyEntry.objects.get()
        self.assertEqual((entry.day, entry.post, entry.user), (TOMORROW, self.post, self.clerk_b))
        event = Event.objects.get(action="duty_assigned")
        self.assertEqual(event.actor, self.clerk_c)
        self.assertEqual(event.target_id, str(entry.pk))
        self.assertEqual(event.changes["user"], [None, "李强"])
        self.assertEqual(event.changes["day"], [None, TOMORROW.isoformat()])
        self.assertEqual(self.roster_events(), 1)
        page = self.client.get(URL, {"day": TOMORROW.isoformat()})
        self.assertEqual(self.staff_cells(page), ["李强"])

    def test_a_second_post_on_the_same_day_is_refused_with_a_message(self) -> None:
        DutyEntry.objects.create(day=TOMORROW, user=self.clerk_b, post=self.post)
        self.client.force_login(self.clerk_a)
        response = self.assign(post=self.post2)
        self.assertEqual(response.status_code, 400)
        message = "李强 2026-11-17 已在“3号窗口 计生服务岗”上岗,同一天只能安排一个岗位。"
        self.assertEqual(response.context["duty_form"].errors["user"], [message])
        self.assertContains(response, message, status_code=400)
        self.assertEqual(list(DutyEntry.objects.values_list("post", flat=True)), [self.post.pk])
        self.assertEqual(self.roster_events(), 0)
        # The same clerk on another day is fine.
        day_after = TOMORROW + datetime.timedelta(days=1)
        self.assertEqual(self.assign(day=day_after, post=self.post2).status_code, 302)
        self.assertEqual(DutyEntry.objects.count(), 2)

    def test_a_clerk_of_another_township_is_refused_and_nothing_changes(self) -> None:
        entry = DutyEntry.objects.create(day=TOMORROW, user=self.clerk_a, post=self.post)
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.assign().status_code, 403)
        self.assertEqual(self.client.post(f"{URL}{entry.pk}/remove/").status_code, 404)
        self.assertEqual(list(DutyEntry.objects.all()), [entry])
        self.assertEqual(self.roster_events(), 0)

    def test_only_clerks_of_the_hall_are_put_on_duty(self) -> None:
        self.client.force_login(self.clerk_a)
        response = self.assign(user=self.other_clerk)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["duty_form"].errors["user"], ["只能安排本服务大厅的窗口工作人员上岗。"]
        )
        response = self.assign(user=self.town_leader)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(DutyEntry.objects.exists())
        self.assertEqual(self.roster_events(), 0)

    def test_missing_fields_are_named_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.clerk_a)
        response = self.client.post(URL, {"day": "", "post": "", "user": ""})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.context["duty_form"].errors), {"day", "post", "user"})
        self.assertFalse(DutyEntry.objects.exists())

    def test_removing_an_entry_takes_the_clerk_off_the_roster(self) -> None:
        entry = DutyEntry.objects.create(day=TOMORROW, user=self.clerk_b, post=self.post)
        self.client.force_login(self.clerk_c)
        response = self.client.post(f"{URL}{entry.pk}/remove/")
        self.assertRedirects(response, f"{URL}?day={TOMORROW.isoformat()}")
        self.assertFalse(DutyEntry.objects.exists())
        event = Event.objects.get(action="duty_removed")
        self.assertEqual((event.actor, event.target_id), (self.clerk_c, str(entry.pk)))
        self.assertEqual(event.changes["user"], ["李强", None])

    def test_the_roster_of_a_past_day_is_left_as_it_was(self) -> None:
        yesterday = TODAY - datetime.timedelta(days=1)
        entry = DutyEntry.objects.create(day=yesterday, user=self.clerk_a, post=self.post)
        self.client.force_login(self.clerk_a)
        response = self.client.post(f"{URL}{entry.pk}/remove/", follow=True)
        self.assertContains(response, "不能修改已过去日期的值班安排。")
        response = self.assign(day=yesterday, user=self.clerk_b)
        self.assertContains(response, "不能修改已过去日期的值班安排。", status_code=400)
        self.assertEqual(list(DutyEntry.objects.all()), [entry])
        self.assertEqual(self.roster_events(), 0)
        page = self.client.get(URL, {"day": yesterday.isoformat()})
        self.assertNotContains(page, "安排上岗")
        self.assertNotContains(page, "/remove/")

    def test_other_roles_are_refused_and_visitors_sent_to_login(self) -> None:
        for user in (self.outsider, self.town_leader, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.assign().status_code, 403)
        self.client.logout()
        response = self.assign()
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.assertFalse(DutyEntry.objects.exists())


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class DutyActionTestCase(PageTestCase):
    """The rules hold for any caller of the actions, not only the page."""

    def test_an_actor_of_another_hall_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            duty_assign(actor=self.other_clerk, day=TOMORROW, post=self.post, user=self.clerk_a)
        entry = duty_assign(actor=self.clerk_a, day=TOMORROW, post=self.post, user=self.clerk_a)
        with self.assertRaises(PermissionDenied):
            duty_remove(actor=self.other_clerk, entry=entry)
        self.assertTrue(DutyEntry.objects.filter(pk=entry.pk).exists())

    def test_one_post_per_clerk_per_day(self) -> None:
        duty_assign(actor=self.clerk_a, day=TOMORROW, post=self.post, user=self.clerk_b)
        with self.assertRaises(ValidationError) as ctx:
            duty_assign(actor=self.clerk_a, day=TOMORROW, post=self.post, user=self.clerk_b)
        self.assertIn("同一天只能安排一个岗位", ctx.exception.message_dict["user"][0])
        self.assertEqual(DutyEntry.objects.count(), 1)
        self.assertEqual(Event.objects.filter(action="duty_assigned").count(), 1)
