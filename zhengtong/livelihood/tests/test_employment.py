"""Employment records and the registered unemployment rate: recording, refusals, pages."""

from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.employment import (
    employment_record_create,
    unemployment_figure_record,
    unemployment_rate,
)
from zhengtong.livelihood.models import EmploymentRecord, UnemploymentFigure
from zhengtong.people.models import Person

from .jobs_fixtures import D, JobsTestCase, id_for

EMPLOYED_ON = D(2026, 3, 1)


def record(actor, seq, *, kind="new_urban", employed_on=EMPLOYED_ON, org_unit=None, **kw):
    return employment_record_create(
        actor=actor,
        id_number=id_for(seq),
        name=kw.pop("name", f"职工{seq}"),
        kind=kind,
        employed_on=employed_on,
        employer=kw.pop("employer", "中通客车"),
        org_unit=org_unit,
        **kw,
    )


class EmploymentRecordActionTestCase(JobsTestCase):
    def test_it_records_a_person_and_an_event(self) -> None:
        """A new person is registered by ID number, the record is kept by the clerk's department."""
        r = record(self.clerk, 1)
        self.assertEqual(r.org_unit, self.social)
        self.assertEqual(r.person.name, "职工1")
        self.assertEqual(
            Event.objects.filter(action="employment_recorded", target_id=str(r.pk)).count(), 1
        )

    def test_a_person_counts_once_per_kind_per_year(self) -> None:
        """A second 城镇新增就业 of the same person in the same year is refused, nothing saved."""
        record(self.clerk, 1, employed_on=D(2026, 1, 10))
        with self.assertRaises(ValidationError) as ctx:
            record(self.clerk, 1, employed_on=D(2026, 4, 1), employer="万合铜铝")
        self.assertIn("每年只统计一次", str(ctx.exception.message_dict["id_number"]))
        self.assertEqual(EmploymentRecord.objects.count(), 1)

    def test_another_kind_or_year_is_a_new_record(self) -> None:
        record(self.clerk, 1, employed_on=D(2025, 5, 1))
        record(self.clerk, 1, employed_on=D(2026, 5, 1))
        record(self.clerk, 1, kind="rural_transfer", employed_on=D(2026, 5, 2))
        self.assertEqual(EmploymentRecord.objects.count(), 3)

    def test_a_future_date_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            record(self.clerk, 1, employed_on=D(2026, 6, 16))
        self.assertIn("不能晚于今天", str(ctx.exception.message_dict["employed_on"]))
        self.assertFalse(Person.objects.exists())

    def test_a_child_cannot_be_employed(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            employment_record_create(
                actor=self.clerk,
                id_number=id_for(2, born=D(2012, 1, 1)),
                name="小明",
                kind="new_urban",
                employed_on=D(2026, 1, 5),
                employer="某厂",
            )
        self.assertIn("未满 16 周岁", str(ctx.exception.message_dict["employed_on"]))
        self.assertFalse(EmploymentRecord.objects.exists())

    def test_a_missing_employer_and_a_bad_kind_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            record(self.clerk, 1, employer="  ")
        self.assertIn("employer", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            record(self.clerk, 1, kind="invented")
        self.assertIn("kind", ctx.exception.message_dict)

    def test_a_bad_id_number_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            employment_record_create(
                actor=self.clerk,
                id_number="123",
                name="甲",
                kind="new_urban",
                employed_on=D(2026, 1, 5),
                employer="某厂",
            )
        self.assertIn("id_number", ctx.exception.message_dict)

    def test_only_the_keeping_department_records(self) -> None:
        """A 民政局 clerk and a leader cannot record employment."""
        for user in (self.civil_clerk, self.leader):
            with self.assertRaises(PermissionDenied):
                record(user, 1)
        self.assertFalse(EmploymentRecord.objects.exists())


class UnemploymentFigureTestCase(JobsTestCase):
    def test_the_rate_is_computed_from_the_counts(self) -> None:
        self.assertEqual(str(unemployment_rate(257, 10000)), "2.57")
        self.assertEqual(str(unemployment_rate(1, 3)), "33.33")
        self.assertIsNone(unemployment_rate(0, 0))

    def test_a_month_is_recorded_then_corrected_with_an_audited_diff(self) -> None:
        f = unemployment_figure_record(
            actor=self.clerk, period=D(2026, 5, 20), registered_unemployed=200, labour_force=10000
        )
        self.assertEqual(f.period, D(2026, 5, 1))
        unemployment_figure_record(
            actor=self.clerk, period=D(2026, 5, 1), registered_unemployed=250, labour_force=10000
        )
        self.assertEqual(UnemploymentFigure.objects.get().registered_unemployed, 250)
        event = Event.objects.get(action="unemployment_figure_corrected")
        self.assertEqual(event.changes, {"registered_unemployed": [200, 250]})

    def test_impossible_figures_are_refused(self) -> None:
        cases = [
            ({"registered_unemployed": 11, "labour_force": 10}, "registered_unemployed"),
            ({"registered_unemployed": -1, "labour_force": 10}, "registered_unemployed"),
            ({"registered_unemployed": 0, "labour_force": 0}, "labour_force"),
        ]
        for kwargs, field in cases:
            with self.assertRaises(ValidationError) as ctx:
                unemployment_figure_record(actor=self.clerk, period=D(2026, 5, 1), **kwargs)
            self.assertIn(field, ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            unemployment_figure_record(
                actor=self.clerk, period=D(2026, 7, 1), registered_unemployed=1, labour_force=10
            )
        self.assertIn("不能晚于本月", str(ctx.exception.message_dict["period"]))
        self.assertFalse(UnemploymentFigure.objects.exists())

    def test_the_list_flags_a_month_over_the_target(self) -> None:
        unemployment_figure_record(
            actor=self.clerk, period=D(2026, 4, 1), registered_unemployed=250, labour_force=10000
        )
        unemployment_figure_record(
            actor=self.clerk, period=D(2026, 5, 1), registered_unemployed=310, labour_force=10000
        )
        self.client.force_login(self.leader)
        r = self.client.get("/livelihood/unemployment/")
        self.assertContains(r, "2.50%")
        self.assertContains(r, "3.10%")
        self.assertContains(r, "超过目标", count=1)


class EmploymentPagesTestCase(JobsTestCase):
    url = "/livelihood/employment/"

    def test_the_clerk_records_through_the_form(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(
            self.url + "new/",
            {
                "id_number": id_for(7),
                "name": "王五",
                "kind": "reemployed",
                "employed_on": "2026-05-01",
                "employer": "开发区保洁公司",
            },
        )
        record_ = EmploymentRecord.objects.get()
        self.assertRedirects(r, f"{self.url}{record_.pk}/")
        self.assertEqual(record_.kind, "reemployed")

    def test_a_duplicate_shows_the_chinese_message_on_the_form(self) -> None:
        record(self.clerk, 7, name="王五")
        self.client.force_login(self.clerk)
        r = self.client.post(
            self.url + "new/",
            {
                "id_number": id_for(7),
                "name": "王五",
                "kind": "new_urban",
                "employed_on": "2026-05-01",
                "employer": "别家",
            },
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "每年只统计一次")
        self.assertEqual(EmploymentRecord.objects.count(), 1)

    def test_the_list_sums_in_the_database_with_fixed_queries(self) -> None:
        record(self.clerk, 1)
        self.client.force_login(self.leader)

        def grow():
            for seq in range(2, 12):
                record(self.clerk, seq, kind="rural_transfer" if seq % 2 else "new_urban")

        r = self.assert_fixed_queries(
            self.url + "?year=2026",
            grow,
            contains=("合计 <strong>1</strong> 人", "合计 <strong>11</strong> 人"),
        )
        self.assertContains(r, "农村劳动力转移就业 5 人")

    def test_filters_narrow_the_list_and_the_sums(self) -> None:
        record(self.clerk, 1, kind="new_urban")
        record(self.clerk, 2, kind="rural_transfer", employer="江苏昆山")
        record(self.clerk, 3, kind="new_urban", employed_on=D(2025, 2, 1))
        self.client.force_login(self.clerk)
        r = self.client.get(self.url + "?year=2026&status=rural_transfer")
        self.assertContains(r, "合计 <strong>1</strong> 人")
        self.assertContains(r, "江苏昆山")
        r = self.client.get(self.url + "?year=2025&q=职工3")
        self.assertContains(r, "合计 <strong>1</strong> 人")
        # The search stays inside the year shown: 2026 by default.
        r = self.client.get(self.url + "?q=职工3")
        self.assertContains(r, "合计 <strong>0</strong> 人")

    def test_the_civil_clerk_gets_404_on_rows_and_403_on_creating(self) -> None:
        r_ = record(self.clerk, 1)
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(f"{self.url}{r_.pk}/").status_code, 404)
        self.assertEqual(self.client.get(self.url + "new/").status_code, 403)
        self.assertEqual(
            self.client.post(
                self.url + "new/",
                {
                    "id_number": id_for(9),
                    "name": "甲",
                    "kind": "new_urban",
                    "employed_on": "2026-05-01",
                    "employer": "某厂",
                },
            ).status_code,
            403,
        )
        r = self.client.get(self.url)
        self.assertContains(r, "暂无就业登记")
        self.assertNotContains(r, "职工1")

    def test_a_leader_reads_but_cannot_create(self) -> None:
        r_ = record(self.clerk, 1)
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(f"{self.url}{r_.pk}/"), "职工1")
        self.assertNotContains(self.client.get(self.url), "登记就业</a>")
        self.assertEqual(self.client.get(self.url + "new/").status_code, 403)
        self.assertEqual(self.client.get("/livelihood/unemployment/new/").status_code, 403)

    def test_people_without_a_livelihood_role_get_403_on_lists(self) -> None:
        for user in (self.office, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
            self.assertEqual(self.client.get("/livelihood/").status_code, 403)


class FormPagesRenderTestCase(JobsTestCase):
    def test_every_form_page_renders_for_the_clerk(self) -> None:
        """The GET of each form answers 200 with its Chinese title (phone layout is Bootstrap)."""
        self.client.force_login(self.clerk)
        for url, title in [
            ("/livelihood/", "就业创业情况"),
            ("/livelihood/employment/new/", "就业登记"),
            ("/livelihood/unemployment/new/", "登记失业率"),
            ("/livelihood/loans/new/", "创业担保贷款申请"),
            ("/livelihood/internships/new/", "就业见习基地申报"),
            ("/livelihood/training/new/", "开设培训班"),
        ]:
            self.assertContains(self.client.get(url), title)

    def test_the_inbox_home_shows_a_loan_step(self) -> None:
        from zhengtong.livelihood.actions.loans import loan_submit

        loan_submit(
            actor=self.clerk,
            id_number=id_for(1),
            name="借款人",
            business="小超市",
            amount_requested="50000",
            guarantor="担保中心",
            submitted_on=D(2026, 6, 1),
        )
        self.client.force_login(self.clerk)
        self.assertContains(self.client.get("/"), "借款人 · 小超市")
