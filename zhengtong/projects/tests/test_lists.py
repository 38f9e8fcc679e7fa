"""Yearly lists: carrying this year's list to next year, approving it, and the list picker."""

import datetime
import io
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zhengtong.audit.models import Event
from zhengtong.projects import stats
from zhengtong.projects.actions.lists import DraftRow, list_approve, list_draft_save
from zhengtong.projects.lists import choose_list
from zhengtong.projects.models import KeyProject, ListEntry, ProgressReport, ProjectList, Stage
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase

LISTS = "/projects/lists/"


def reported(row, month, amount, user, year=2026) -> ProgressReport:
    return ProgressReport.objects.create(
        project=row,
        month=datetime.date(year, month, 1),
        investment=Decimal(amount),
        physical_progress=Decimal("10"),
        submitted_by=user,
    )


@time_machine.travel(TODAY, tick=False)
class ListFixture(BaseTestCase):
    """The 2026 list: A (在建, 3,000,000 of 10,000,000 reported), B (已完成), C (未开工);
    D is registered but on no list."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.a = project(
            "KP-A", cls.company, total="10000000", plan="4000000", stage=Stage.UNDER_CONSTRUCTION
        )
        cls.b = project("KP-B", cls.company, total="2000000", plan="2000000", stage=Stage.COMPLETED)
        cls.c = project("KP-C", cls.company, total="5000000", plan="1000000")
        cls.d = KeyProject.objects.create(
            code="KP-D",
            name="项目KP-D",
            year=2026,
            sector=cls.a.sector,
            category=KeyProject.Category.INDUSTRY,
            org_unit=cls.company,
            total_investment=Decimal("800000"),
        )
        for month, amount in [(3, "1000000"), (9, "2000000")]:
            reported(cls.a, month, amount, cls.office)
        reported(cls.b, 6, "2000000", cls.office)
        cls.list_2026 = ProjectList.objects.get(year=2026)

    def carry_url(self) -> str:
        return f"{LISTS}{self.list_2026.pk}/carry-over/"

    def proposal_post(self, **overrides) -> dict:
        data = {
            f"keep_{self.a.pk}": "on",
            f"plan_{self.a.pk}": "6000000",
            f"keep_{self.c.pk}": "on",
            f"plan_{self.c.pk}": "5000000",
            "add": [str(self.d.pk)],
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    def draft_2027(self) -> ProjectList:
        self.client.force_login(self.office)
        r = self.client.post(self.carry_url(), self.proposal_post())
        draft = ProjectList.objects.get(year=2027)
        self.assertRedirects(r, draft.get_absolute_url())
        return draft


class CarryOverTestCase(ListFixture):
    def test_it_proposes_unfinished_projects_with_their_remaining_investment(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(self.carry_url())
        self.assertEqual(r.status_code, 200)
        rows = {p.code: p for p, _, _ in r.context["form"].rows()}
        self.assertEqual(list(rows), ["KP-A", "KP-C"])
        # 总投资 − everything reported to date.
        self.assertEqual(rows["KP-A"].proposed_plan, Decimal("7000000.00"))
        self.assertEqual(rows["KP-C"].proposed_plan, Decimal("5000000.00"))
        self.assertEqual([p.code for p in r.context["closed"]], ["KP-B"])
        self.assertContains(r, 'value="7000000.00"')
        addable = list(r.context["form"].fields["add"].queryset.values_list("code", flat=True))
        self.assertEqual(addable, ["KP-D"])

    def test_saving_makes_a_draft_renumbered_in_page_order_that_counts_nowhere(self) -> None:
        draft = self.draft_2027()
        self.assertEqual(draft.status, ProjectList.Status.DRAFT)
        self.assertEqual(draft.carried_from, self.list_2026)
        entries = list(draft.entries.order_by("position").select_related("project"))
        self.assertEqual(
            [(e.position, e.project.code, e.annual_plan, e.origin) for e in entries],
            [
                (1, "KP-A", Decimal("6000000.00"), ListEntry.Origin.CARRIED),
                (2, "KP-C", Decimal("5000000.00"), ListEntry.Origin.CARRIED),
                (3, "KP-D", Decimal("800000.00"), ListEntry.Origin.NEW),
            ],
        )
        self.assertEqual(entries[0].remaining_investment, Decimal("7000000.00"))
        self.assertFalse(KeyProject.objects.on_list(2027).exists())
        self.assertEqual(KeyProject.objects.on_list(2027, drafts=True).count(), 3)
        r = self.client.get("/projects/cockpit/?year=2027")
        self.assertContains(r, "2027年清单尚未批准,当前显示2026年清单。")
        self.assertEqual(r.context["data"]["year"], 2026)

    def test_a_dropped_row_leaves_the_list_and_saving_again_renumbers(self) -> None:
        draft = self.draft_2027()
        r = self.client.post(
            draft.get_absolute_url(),
            {
                f"keep_{self.c.pk}": "on",
                f"plan_{self.c.pk}": "100",
                f"plan_{self.a.pk}": "1",
                f"keep_{self.d.pk}": "on",
                f"plan_{self.d.pk}": "800000",
            },
        )
        self.assertRedirects(r, draft.get_absolute_url())
        self.assertEqual(
            list(draft.entries.order_by("position").values_list("position", "project__code")),
            [(1, "KP-C"), (2, "KP-D")],
        )

    def test_approval_is_one_audited_change_and_the_figures_follow_the_list(self) -> None:
        draft = self.draft_2027()
        before = stats.totals(KeyProject.objects.on_list(2026))
        r = self.client.post(f"{LISTS}{draft.pk}/approve/")
        self.assertRedirects(r, draft.get_absolute_url())
        draft.refresh_from_db()
        self.assertEqual(draft.status, ProjectList.Status.APPROVED)
        self.assertEqual(draft.approved_by, self.office)
        events = Event.objects.filter(action="project_list_approved")
        self.assertEqual(events.count(), 1)
        event = events.get()
        self.assertEqual(event.target_repr, "2027年市级重点建设项目")
        self.assertEqual(event.changes["count"], [None, 3])
        self.assertEqual(event.changes["carried"], [None, 2])
        self.assertEqual(event.changes["annual_plan_total"], [None, "11800000.00"])
        totals_2027 = stats.totals(KeyProject.objects.on_list(2027))
        self.assertEqual(
            totals_2027,
            {
                "count": 3,
                "total_investment": Decimal("15800000.00"),
                "annual_plan": Decimal("11800000.00"),
            },
        )
        self.assertEqual(stats.totals(KeyProject.objects.on_list(2026)), before)
        self.assertEqual(before["count"], 3)
        self.assertEqual(before["annual_plan"], Decimal("7000000.00"))
        r = self.client.get("/projects/?year=2027")
        self.assertEqual([p.code for p in r.context["page"]], ["KP-A", "KP-C", "KP-D"])
        self.assertContains(r, "2027年市级重点建设项目")

    def test_next_years_list_judges_no_progress_before_its_year_begins(self) -> None:
        """In December the approved 2027 list shows its plan, but no project is 滞后 yet."""
        list_approve(actor=self.office, project_list=self.draft_2027())
        self.client.force_login(self.leader)
        r = self.client.get("/projects/cockpit/?year=2027")
        data = r.context["data"]
        self.assertEqual(data["year"], 2027)
        self.assertTrue(data["not_started"])
        self.assertEqual(set(data["flags"].values()), {0})
        self.assertEqual(data["most_delayed"], [])
        self.assertContains(r, "2027 年尚未开始")
        this_year = self.client.get("/projects/cockpit/?year=2026").context["data"]
        self.assertFalse(this_year["not_started"])

    def test_a_project_on_both_lists_keeps_its_reports_and_each_year_its_own_plan(self) -> None:
        draft = self.draft_2027()
        list_approve(actor=self.office, project_list=draft)
        self.assertEqual(self.a.reports.count(), 2)
        r = self.client.get(f"/projects/{self.a.pk}/")
        self.assertContains(r, "2027年市级重点建设项目 · 序号 1 · 续建")
        self.assertContains(r, "2026年市级重点建设项目 · 序号 1")
        self.assertEqual(r.context["figures"].year, 2027)
        self.assertEqual(r.context["figures"].ytd_investment, Decimal("0.00"))
        row_2026 = KeyProject.objects.on_list(2026).get(pk=self.a.pk)
        row_2027 = KeyProject.objects.on_list(2027).get(pk=self.a.pk)
        self.assertEqual((row_2026.annual_plan, row_2027.annual_plan), (4000000, 6000000))
        data = self.client.get("/projects/cockpit/data/?year=2026").json()
        self.assertEqual(data["ytd_investment"], "5000000.00")


class RefusalsTestCase(ListFixture):
    def test_a_plan_above_the_remaining_investment_is_refused_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            self.carry_url(), self.proposal_post(**{f"plan_{self.a.pk}": "7000001"})
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "超过剩余投资")
        self.assertFalse(ProjectList.objects.filter(year=2027).exists())
        self.assertFalse(ListEntry.objects.filter(project_list__year=2027).exists())

    def test_bad_amounts_get_a_chinese_error_on_their_row(self) -> None:
        self.client.force_login(self.office)
        for value, message in [("abc", "年度计划投资须为金额数字(元)。"), ("-5", "不能为负数")]:
            with self.subTest(value=value):
                r = self.client.post(
                    self.carry_url(), self.proposal_post(**{f"plan_{self.c.pk}": value})
                )
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(ProjectList.objects.filter(year=2027).exists())

    def test_an_empty_list_is_not_approved(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(self.carry_url(), {"add": []})
        empty = ProjectList.objects.get(year=2027)
        self.assertRedirects(r, empty.get_absolute_url())
        r = self.client.post(f"{LISTS}{empty.pk}/approve/", follow=True)
        self.assertContains(r, "清单中没有项目,不能批准。")
        empty.refresh_from_db()
        self.assertEqual(empty.status, ProjectList.Status.DRAFT)
        self.assertFalse(Event.objects.filter(action="project_list_approved").exists())

    def test_plans_above_what_reports_since_the_draft_left_are_refused_at_approval(self) -> None:
        draft = list_draft_save(
            actor=self.office,
            year=2027,
            rows=[DraftRow(project=self.a, annual_plan=Decimal("7000000"))],
            carried_from=self.list_2026,
        )
        reported(self.a, 10, "500000", self.office)
        with self.assertRaises(ValidationError) as ctx:
            list_approve(actor=self.office, project_list=draft)
        self.assertIn("超过剩余投资", ctx.exception.messages[0])
        draft.refresh_from_db()
        self.assertEqual(draft.status, ProjectList.Status.DRAFT)

    def test_a_year_is_carried_over_once_and_an_approved_list_is_frozen(self) -> None:
        draft = self.draft_2027()
        list_approve(actor=self.office, project_list=draft)
        r = self.client.get(self.carry_url())
        self.assertContains(r, "2027年清单已批准,不能重复结转。", status_code=400)
        with self.assertRaises(ValidationError) as ctx:
            list_draft_save(actor=self.office, year=2027, rows=[])
        self.assertIn("2027年清单已批准", ctx.exception.messages[0])
        with self.assertRaises(ValidationError):
            list_approve(actor=self.office, project_list=draft)
        r = self.client.post(draft.get_absolute_url(), {})
        self.assertContains(r, "已批准的清单不能再修改。", status_code=400)
        self.assertEqual(draft.entries.count(), 3)

    def test_a_completed_project_cannot_be_put_on_next_years_list(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            list_draft_save(
                actor=self.office,
                year=2027,
                rows=[DraftRow(project=self.b, annual_plan=Decimal("0"))],
            )
        self.assertIn("已完成", ctx.exception.messages[0])
        self.client.force_login(self.office)
        r = self.client.post(self.carry_url(), {"add": [str(self.b.pk)]})
        self.assertContains(r, "所选项目不能加入本清单。")

    def test_a_draft_list_is_not_carried_over(self) -> None:
        draft = list_draft_save(actor=self.office, year=2027, rows=[])
        self.client.force_login(self.office)
        r = self.client.get(f"{LISTS}{draft.pk}/carry-over/")
        self.assertContains(r, "2027年清单尚未批准,不能结转到下一年度。", status_code=400)


class PermissionsTestCase(ListFixture):
    def urls(self, project_list) -> list[tuple[str, str]]:
        pk = project_list.pk
        return [
            ("get", LISTS),
            ("get", f"{LISTS}{pk}/"),
            ("post", f"{LISTS}{pk}/"),
            ("get", f"{LISTS}{self.list_2026.pk}/carry-over/"),
            ("post", f"{LISTS}{self.list_2026.pk}/carry-over/"),
            ("post", f"{LISTS}{pk}/approve/"),
        ]

    def test_only_the_office_proposes_and_approves(self) -> None:
        draft = list_draft_save(
            actor=self.office,
            year=2027,
            rows=[DraftRow(project=self.c, annual_plan=Decimal("100"))],
        )
        for user in (
            self.leader, self.liaison, self.auditor, self.clerk, self.outsider, self.admin
        ):  # fmt: skip
            self.client.force_login(user)
            for method, url in self.urls(draft):
                with self.subTest(user=user.username, url=url, method=method):
                    self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        draft.refresh_from_db()
        self.assertEqual(draft.status, ProjectList.Status.DRAFT)
        self.assertEqual(draft.entries.count(), 1)
        self.client.logout()
        self.assertEqual(self.client.get(LISTS).status_code, 302)
        self.client.force_login(self.office)
        self.assertEqual(self.client.get(LISTS).status_code, 200)
        r = self.client.post(f"{LISTS}{draft.pk}/approve/")
        self.assertRedirects(r, draft.get_absolute_url())
        draft.refresh_from_db()
        self.assertEqual(draft.approved_by, self.office)

    def test_an_unknown_list_id_is_404_for_the_office_and_403_for_others(self) -> None:
        self.client.force_login(self.office)
        for url in (f"{LISTS}99999/", f"{LISTS}99999/carry-over/"):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"{LISTS}99999/approve/").status_code, 404)
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(f"{LISTS}99999/").status_code, 403)


class ListPickerTestCase(ListFixture):
    def test_bad_years_get_a_clear_chinese_error_not_a_500(self) -> None:
        self.client.force_login(self.office)
        pages = ["/projects/", "/projects/cockpit/", "/projects/cockpit/data/", "/public/projects/"]
        for value, message in [
            ("abc", "请填写四位数字的年份"),
            ("1999", "年度须在 2000 至 2100 年之间。"),
            ("２０２６", "请填写四位数字的年份"),
            ("20261", "请填写四位数字的年份"),
        ]:
            for page in pages:
                with self.subTest(page=page, value=value):
                    r = self.client.get(page, {"year": value})
                    self.assertEqual(r.status_code, 200)
                    if page.endswith("data/"):
                        self.assertIn(message, r.json()["list"]["error"])
                    else:
                        self.assertContains(r, message)
            r = self.client.get("/projects/ledger/export/", {"year": value})
            self.assertContains(r, message, status_code=400)
        r = self.client.get("/api/v1/projects/", {"year": "abc"})
        self.assertEqual(r.status_code, 400)

    def test_the_picker_offers_the_approved_lists_and_keeps_the_other_filters(self) -> None:
        draft = self.draft_2027()
        list_approve(actor=self.office, project_list=draft)
        r = self.client.get("/projects/", {"year": "2027", "stage": "not_started"})
        self.assertEqual([p.code for p in r.context["page"]], ["KP-C", "KP-D"])
        self.assertContains(r, '<option value="2027" selected>2027年市级重点建设项目</option>')
        self.assertContains(r, '<option value="2026">2026年市级重点建设项目</option>')
        r = self.client.get("/projects/ledger/export/", {"year": "2027"})
        self.assertEqual(r.status_code, 200)
        content = b"".join(r.streaming_content) if r.streaming else r.content
        sheet = load_workbook(io.BytesIO(content))["重点项目台账"]
        rows = [(row[0].value, row[2].value) for row in sheet.iter_rows(min_row=2)]
        self.assertEqual(rows, [("KP-A", 2027), ("KP-C", 2027), ("KP-D", 2027)])

    @time_machine.travel(datetime.datetime(2027, 1, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
    def test_in_january_the_pages_show_last_years_list_until_the_new_one_has_reports(self) -> None:
        draft = list_draft_save(
            actor=self.office,
            year=2027,
            rows=[DraftRow(project=self.a, annual_plan=Decimal("6000000"))],
            carried_from=self.list_2026,
        )
        choice = choose_list()
        self.assertEqual(
            (choice.year, choice.notice), (2026, "2027年清单尚未批准,当前显示2026年清单。")
        )
        list_approve(actor=self.office, project_list=draft)
        choice = choose_list()
        self.assertEqual(
            (choice.year, choice.notice), (2026, "2027年清单尚无月报,当前显示2026年清单。")
        )
        self.client.force_login(self.leader)
        r = self.client.get("/projects/cockpit/")
        self.assertContains(r, "2027年清单尚无月报,当前显示2026年清单。")
        self.assertEqual((r.context["data"]["year"], r.context["data"]["month"]), (2026, 12))
        self.assertEqual(r.context["data"]["count"], 3)
        reported(self.a, 1, "100", self.office, year=2027)
        self.assertEqual(choose_list(), choose_list("2027"))
        self.assertEqual(choose_list().year, 2027)
        self.assertEqual(choose_list().notice, "")

    def test_with_no_approved_list_the_pages_say_so(self) -> None:
        ProjectList.objects.filter(year=2026).update(status=ProjectList.Status.DRAFT)
        self.client.force_login(self.leader)
        r = self.client.get("/projects/cockpit/")
        self.assertContains(r, "尚无已批准的重点项目清单。")
        self.assertEqual(r.context["data"]["count"], 0)


class ListQueryCountTestCase(ListFixture):
    def counts(self, urls) -> dict[str, int]:
        result = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(url).status_code, 200)
            result[url] = len(ctx)
        return result

    def add_projects(self, n: int) -> None:
        for i in range(n):
            row = project(f"KP-X{i:02d}", self.company, total="1000", plan="10")
            reported(row, 2, "5", self.office)

    def test_the_carry_over_page_runs_the_same_queries_for_4_or_24_projects(self) -> None:
        self.client.force_login(self.office)
        self.client.get(LISTS)
        before = self.counts([self.carry_url()])
        self.add_projects(20)
        self.assertEqual(self.counts([self.carry_url()]), before)

    def test_the_list_pages_run_the_same_queries_for_4_or_24_projects(self) -> None:
        draft = self.draft_2027()
        list_approve(actor=self.office, project_list=draft)
        other = list_draft_save(
            actor=self.office, year=2028, rows=[DraftRow(project=self.c, annual_plan=Decimal("1"))]
        )
        urls = [LISTS, draft.get_absolute_url(), other.get_absolute_url(), "/projects/?year=2027"]
        before = self.counts(urls)
        self.add_projects(20)
        list_draft_save(
            actor=self.office,
            year=2028,
            rows=[
                DraftRow(project=p, annual_plan=Decimal("1"))
                for p in KeyProject.objects.filter(code__startswith="KP-X")
            ],
        )
        self.assertEqual(self.counts(urls), before)


class ListPagesTestCase(ListFixture):
    def test_the_index_sorts_exports_and_offers_the_carry_over_once(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(LISTS)
        cells = {c.column.key: c for c in r.context["table"].rows[0]}
        self.assertEqual(cells["title"].text, "2026年市级重点建设项目")
        self.assertContains(r, f"{LISTS}{self.list_2026.pk}/carry-over/")
        self.draft_2027()
        r = self.client.get(LISTS, {"sort": "year"})
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["2026", "2027"])
        self.assertNotContains(r, f"{LISTS}{self.list_2026.pk}/carry-over/")
        r = self.client.get(LISTS, {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(len(rows) - 1, 2)
        self.assertNotIn("结转", rows[0])

    def test_an_approved_list_searches_and_exports_its_projects(self) -> None:
        self.client.force_login(self.office)
        url = f"{LISTS}{self.list_2026.pk}/"
        r = self.client.get(url)
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["1", "2", "3"])
        r = self.client.get(url, {"q": "KP-A"})
        self.assertEqual(r.context["page"].paginator.count, 1)
        r = self.client.get(url, {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][0], "序号")
        self.assertEqual(len(rows) - 1, 3)
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 403)
