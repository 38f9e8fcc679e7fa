"""Training classes: trainees once per class, attendance within the sessions, completion."""

from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.training import (
    completion_threshold,
    trainee_enrol,
    trainee_update,
    training_class_create,
    training_class_update,
)
from zhengtong.livelihood.models import Trainee, TrainingClass

from .jobs_fixtures import D, JobsTestCase, id_for

START_ON = D(2026, 5, 10)


def make_class(actor, name="电工技能培训班", start_on=START_ON, sessions=10, **kw):
    return training_class_create(
        actor=actor,
        name=name,
        kind=kw.pop("kind", "skill"),
        start_on=start_on,
        end_on=kw.pop("end_on", D(2026, 6, 10)),
        sessions=sessions,
        **kw,
    )


class TrainingActionsTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cls_ = make_class(self.clerk)

    def enrol(self, seq=1, **kw):
        return trainee_enrol(
            actor=self.clerk,
            training_class=self.cls_,
            id_number=id_for(seq),
            name=f"学员{seq}",
            **kw,
        )

    def test_a_second_enrolment_is_refused_in_chinese(self) -> None:
        self.enrol(1)
        with self.assertRaises(ValidationError) as ctx:
            self.enrol(1)
        self.assertIn("不能重复报名", " ".join(ctx.exception.message_dict["id_number"]))
        self.assertEqual(Trainee.objects.count(), 1)
        self.assertEqual(Event.objects.filter(action="trainee_enrolled").count(), 1)

    def test_the_same_person_may_join_another_class(self) -> None:
        self.enrol(1)
        other = make_class(self.clerk, name="创业培训班", kind="startup")
        trainee_enrol(actor=self.clerk, training_class=other, id_number=id_for(1), name="学员1")
        self.assertEqual(Trainee.objects.count(), 2)

    def test_attendance_cannot_exceed_the_sessions(self) -> None:
        t = self.enrol(1)
        with self.assertRaises(ValidationError) as ctx:
            trainee_update(actor=self.clerk, trainee=t, attended_sessions=11, completed=False)
        self.assertIn(
            "不能超过本班课时 10 次", " ".join(ctx.exception.message_dict["attended_sessions"])
        )
        with self.assertRaises(ValidationError):
            trainee_update(actor=self.clerk, trainee=t, attended_sessions=-1, completed=False)
        t.refresh_from_db()
        self.assertEqual(t.attended_sessions, 0)

    def test_completion_needs_eighty_percent_attendance(self) -> None:
        self.assertEqual(completion_threshold(10), 8)
        self.assertEqual(completion_threshold(7), 6)
        t = self.enrol(1)
        with self.assertRaises(ValidationError) as ctx:
            trainee_update(actor=self.clerk, trainee=t, attended_sessions=7, completed=True)
        self.assertIn("completed", ctx.exception.message_dict)
        t = trainee_update(actor=self.clerk, trainee=t, attended_sessions=8, completed=True)
        self.assertTrue(t.completed)
        event = Event.objects.get(action="trainee_updated")
        self.assertEqual(event.changes, {"attended_sessions": [0, 8], "completed": [False, True]})

    def test_attendance_before_the_class_starts_is_refused(self) -> None:
        future = make_class(
            self.clerk, name="秋季班", start_on=D(2026, 9, 1), end_on=D(2026, 9, 30)
        )
        t = trainee_enrol(
            actor=self.clerk, training_class=future, id_number=id_for(3), name="学员3"
        )
        with self.assertRaises(ValidationError) as ctx:
            trainee_update(actor=self.clerk, trainee=t, attended_sessions=1, completed=False)
        self.assertIn("尚未开班", " ".join(ctx.exception.message_dict["attended_sessions"]))

    def test_bad_classes_are_refused(self) -> None:
        cases = [
            ({"end_on": D(2026, 5, 1)}, "end_on"),
            ({"sessions": 0}, "sessions"),
            ({"kind": "other"}, "kind"),
            ({"start_on": D(2028, 1, 1), "end_on": D(2028, 2, 1)}, "start_on"),
            ({"name": ""}, "name"),
        ]
        for kwargs, field in cases:
            with self.assertRaises(ValidationError) as ctx:
                make_class(self.clerk, **kwargs)
            self.assertIn(field, ctx.exception.message_dict)
        self.assertEqual(TrainingClass.objects.count(), 1)

    def test_sessions_cannot_drop_below_recorded_attendance(self) -> None:
        t = self.enrol(1)
        trainee_update(actor=self.clerk, trainee=t, attended_sessions=9, completed=False)
        with self.assertRaises(ValidationError) as ctx:
            training_class_update(
                actor=self.clerk,
                training_class=self.cls_,
                name="电工",
                kind="skill",
                start_on=D(2026, 5, 10),
                end_on=D(2026, 6, 10),
                sessions=8,
            )
        self.assertIn("sessions", ctx.exception.message_dict)

    def test_other_departments_cannot_enrol(self) -> None:
        for user in (self.civil_clerk, self.leader):
            with self.assertRaises(PermissionDenied):
                trainee_enrol(actor=user, training_class=self.cls_, id_number=id_for(5), name="甲")
            with self.assertRaises(PermissionDenied):
                make_class(user)


class TrainingPagesTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cls_ = make_class(self.clerk)
        self.url = f"/livelihood/training/{self.cls_.pk}/"

    def test_enrolling_twice_through_the_page_shows_the_message(self) -> None:
        self.client.force_login(self.clerk)
        data = {"id_number": id_for(1), "name": "学员1", "phone": ""}
        self.assertRedirects(self.client.post(self.url, data), self.url)
        r = self.client.post(self.url, data)
        self.assertContains(r, "不能重复报名", status_code=400)
        self.assertEqual(Trainee.objects.count(), 1)

    def test_attendance_through_the_page(self) -> None:
        t = trainee_enrol(
            actor=self.clerk, training_class=self.cls_, id_number=id_for(1), name="甲"
        )
        self.client.force_login(self.clerk)
        url = f"/livelihood/trainees/{t.pk}/"
        r = self.client.post(url, {"attended_sessions": "12"})
        self.assertContains(r, "不能超过本班课时")
        self.assertRedirects(
            self.client.post(url, {"attended_sessions": "9", "completed": "on"}), self.url
        )
        t.refresh_from_db()
        self.assertTrue(t.completed)

    def test_boundaries_between_departments(self) -> None:
        t = trainee_enrol(
            actor=self.clerk, training_class=self.cls_, id_number=id_for(1), name="甲"
        )
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(f"/livelihood/trainees/{t.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/livelihood/training/new/").status_code, 403)
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertContains(r, "电工技能培训班")
        self.assertNotContains(r, "报名</button>")
        self.assertEqual(
            self.client.post(self.url, {"id_number": id_for(2), "name": "乙"}).status_code, 403
        )
        self.assertEqual(self.client.get(f"/livelihood/trainees/{t.pk}/").status_code, 403)
        self.assertEqual(self.client.get(self.url + "edit/").status_code, 403)
        self.assertEqual(Trainee.objects.count(), 1)

    def test_the_list_counts_trainees_with_fixed_queries(self) -> None:
        trainee_enrol(actor=self.clerk, training_class=self.cls_, id_number=id_for(1), name="甲")
        self.client.force_login(self.leader)

        def grow():
            for n in range(3):
                c = make_class(self.clerk, name=f"班{n}", kind="startup")
                for seq in range(10, 14):
                    trainee_enrol(
                        actor=self.clerk,
                        training_class=c,
                        id_number=id_for(seq + n * 10),
                        name=f"学员{seq + n * 10}",
                    )

        self.assert_fixed_queries(
            "/livelihood/training/?year=2026",
            grow,
            contains=("学员 <strong>1</strong> 人", "学员 <strong>13</strong> 人"),
        )
