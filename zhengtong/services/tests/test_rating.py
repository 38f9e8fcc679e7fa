"""好差评: one rating per finished case; the bottom two levels open a rectification."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from zhengtong.audit.models import Event
from zhengtong.services.actions.decisions import (
    application_approve,
    application_refuse,
    application_withdraw,
)
from zhengtong.services.actions.handling import application_handover
from zhengtong.services.actions.ratings import rating_submit, rectification_close
from zhengtong.services.models import Application, Rating, Rectification

from .fixtures import CaseTestCase


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class RatingTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.intake()
        application_handover(
            actor=self.clerk_a, application=self.case, to_user=self.clerk_c, reason="调岗"
        )
        self.case = application_approve(actor=self.clerk_c, application=self.case)

    def test_a_good_rating_opens_nothing(self) -> None:
        rating = rating_submit(application=self.case, level=5, comment="很方便")
        self.assertEqual(rating.get_level_display(), "非常满意")
        self.assertFalse(Rectification.objects.exists())
        event = Event.objects.get(action="rating_submitted")
        self.assertIsNone(event.actor)
        self.assertEqual(event.target_id, str(self.case.pk))

    def test_a_bad_rating_opens_a_rectification_for_the_first_responder(self) -> None:
        """Owned by the first-responsible clerk even after a handover; due in 15 working days."""
        rating = rating_submit(application=self.case, level=2, comment="等太久")
        rectification = rating.rectification
        self.assertEqual(rectification.owner, self.clerk_a)
        self.assertEqual(rectification.due_on, datetime.date(2026, 11, 23))

    def test_the_owner_hears_of_the_callback_at_once(self) -> None:
        from zhengtong.notify.events import ensure_default_templates
        from zhengtong.notify.models import Message

        ensure_default_templates()
        with self.captureOnCommitCallbacks(execute=False):
            rating_submit(application=self.case, level=2, comment="等太久")
        message = Message.objects.get(event="callback_scheduled")
        self.assertEqual(message.user, self.clerk_a)
        self.assertIn("请于2026年11月23日前完成回访和整改", message.text)

    @override_settings(RECTIFICATION_WORKDAYS=5)
    def test_the_rectification_time_limit_is_configurable(self) -> None:
        rating = rating_submit(application=self.case, level=1)
        self.assertEqual(rating.rectification.due_on, datetime.date(2026, 11, 9))

    def test_a_second_rating_is_refused(self) -> None:
        rating_submit(application=self.case, level=4)
        with self.assertRaises(ValidationError) as ctx:
            rating_submit(application=self.case, level=1)
        self.assertIn("重复评价", ctx.exception.message_dict["application"][0])
        self.assertEqual(Rating.objects.get().level, 4)
        self.assertFalse(Rectification.objects.exists())

    def test_an_unfinished_case_cannot_be_rated(self) -> None:
        open_case = self.intake()
        with self.assertRaises(ValidationError) as ctx:
            rating_submit(application=open_case, level=5)
        self.assertIn("application", ctx.exception.message_dict)
        self.assertFalse(Rating.objects.exists())

    def test_a_level_outside_one_to_five_is_refused(self) -> None:
        for level in (0, 6, "x", None):
            with self.subTest(level=level), self.assertRaises(ValidationError) as ctx:
                rating_submit(application=self.case, level=level)
            self.assertIn("level", ctx.exception.message_dict)
        self.assertFalse(Rating.objects.exists())


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class RatableStatusTestCase(CaseTestCase):
    """Only a decided case is rated: approved or refused. A withdrawn case was never decided,
    and a pending or accepted one is still running."""

    def assert_refused(self, application: Application) -> None:
        events = Event.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            rating_submit(application=application, level=1, comment="不满意")
        self.assertEqual(ctx.exception.message_dict["application"], ["只能评价已办结的办件。"])
        self.assertFalse(Rating.objects.exists())
        self.assertFalse(Rectification.objects.exists())
        self.assertEqual(Event.objects.count(), events)

    def test_a_withdrawn_case_cannot_be_rated(self) -> None:
        case = application_withdraw(actor=self.clerk_a, application=self.intake(), reason="不办了")
        self.assertEqual(case.status, Application.Status.WITHDRAWN)
        self.assert_refused(case)

    def test_a_pending_case_cannot_be_rated(self) -> None:
        case = self.intake(materials=["id"])
        self.assertEqual(case.status, Application.Status.PENDING)
        self.assert_refused(case)

    def test_an_accepted_case_cannot_be_rated(self) -> None:
        case = self.intake()
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assert_refused(case)

    def test_an_approved_case_is_rated(self) -> None:
        case = application_approve(actor=self.clerk_a, application=self.intake())
        rating = rating_submit(application=case, level=4)
        self.assertEqual(Rating.objects.get(), rating)
        self.assertEqual(Event.objects.filter(action="rating_submitted").count(), 1)

    def test_a_refused_case_is_rated(self) -> None:
        case = application_refuse(
            actor=self.clerk_a, application=self.intake(), reason="不符合条件"
        )
        rating = rating_submit(application=case, level=2, comment="没讲清楚原因")
        self.assertEqual(Rating.objects.get(), rating)
        self.assertEqual(rating.rectification.owner, self.clerk_a)


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class RectificationTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        case = application_approve(actor=self.clerk_a, application=self.intake())
        self.rectification = rating_submit(application=case, level=1).rectification

    def test_closing_needs_a_callback_note(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            rectification_close(
                actor=self.clerk_a, rectification=self.rectification, callback_note="", result="x"
            )
        self.assertIn("callback_note", ctx.exception.message_dict)
        self.rectification.refresh_from_db()
        self.assertIsNone(self.rectification.done_at)

    def test_the_owner_closes_it_once(self) -> None:
        done = rectification_close(
            actor=self.clerk_a,
            rectification=self.rectification,
            callback_note="已电话回访,申请人表示理解",
            result="优化取号流程",
        )
        self.assertIsNotNone(done.done_at)
        self.assertEqual(done.done_by, self.clerk_a)
        self.assertEqual(Event.objects.filter(action="rectification_closed").count(), 1)
        with self.assertRaises(ValidationError):
            rectification_close(
                actor=self.clerk_a,
                rectification=self.rectification,
                callback_note="再次",
                result="",
            )

    def test_a_clerk_of_another_township_cannot_close_it(self) -> None:
        for actor in (self.other_clerk, self.outsider):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                rectification_close(
                    actor=actor, rectification=self.rectification, callback_note="x", result=""
                )
