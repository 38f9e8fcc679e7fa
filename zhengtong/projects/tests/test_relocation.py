"""城中村改造 and 农村新型社区: programmes, dated progress entries, corrections and the list."""

import datetime
import io

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.projects.actions.relocation import entry_correct, progress_record
from zhengtong.projects.models import RelocationEntry, RelocationProgramme
from zhengtong.test import BaseTestCase, make_user

TODAY = "2026-06-15 10:00 +0800"
K = RelocationProgramme.Kind
DAY = datetime.date(2026, 5, 1)


def make_programme(name, org_unit, actor, **extra) -> RelocationProgramme:
    fields = {
        "kind": K.URBAN_VILLAGE,
        "villages": "蒋官屯村",
        "households": 100,
        "housing_units": 120,
    }
    fields.update(extra)
    return RelocationProgramme.objects.create(
        name=name, org_unit=org_unit, created_by=actor, **fields
    )


class RelocationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.programme = make_programme("蒋官屯城中村改造", cls.zone, cls.office)
        cls.community = make_programme(
            "北城新型社区", cls.zone, cls.office, kind=K.RURAL_COMMUNITY, villages="李庄、王庄"
        )
        # Another zone's programme (刘集镇 of 东阿县) and its office.
        cls.far = make_programme("刘集镇新型社区", cls.town, cls.office, households=50)
        cls.town_office = make_user(
            "town_office", full_name="陈主任", memberships=[(Role.PROJECT_OFFICE, cls.town)]
        )

    def record(self, programme=None, day=DAY, **counts):
        return progress_record(
            actor=self.office, programme=programme or self.programme, recorded_on=day, **counts
        )


@time_machine.travel(TODAY, tick=False)
class ProgressRecordTestCase(RelocationTestCase):
    def url(self, programme=None):
        return f"/projects/relocation/{(programme or self.programme).pk}/record/"

    def test_the_office_records_progress_and_an_event_is_written(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            self.url(),
            {"recorded_on": "2026-06-01", "signed": "40", "demolished": "25", "note": "一期"},
        )
        self.assertRedirects(
            r, f"/projects/relocation/{self.programme.pk}/", fetch_redirect_response=False
        )
        entry = RelocationEntry.objects.get()
        self.assertEqual(
            (entry.signed, entry.demolished, entry.built, entry.moved_in, entry.created_by),
            (40, 25, 0, 0, self.office),
        )
        event = Event.objects.get(action="relocation_progress_recorded")
        self.assertEqual(event.org_unit, self.zone)
        self.assertEqual(event.changes["signed"], [None, 40])
        r = self.client.get(f"/projects/relocation/{self.programme.pk}/")
        self.assertContains(r, '<strong id="figure-signed">40</strong>', html=False)
        self.assertContains(r, "2026-06-01")

    def test_beyond_the_households_is_refused_naming_the_numbers(self) -> None:
        self.record(signed=95)
        self.client.force_login(self.office)
        r = self.client.post(self.url(), {"recorded_on": "2026-06-01", "signed": "6"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "签约:登记后累计签约 101 户,超过应拆迁户数 100 户(已签约 95 户)。")
        self.assertEqual(RelocationEntry.objects.count(), 1)

    def test_the_households_can_be_met_exactly(self) -> None:
        self.record(signed=60, demolished=60, moved_in=60)
        self.record(signed=40, demolished=40, moved_in=40, built=120)
        with self.assertRaises(ValidationError) as ctx:
            self.record(built=1)
        self.assertEqual(
            ctx.exception.message_dict["built"],
            ["安置房建成:登记后累计建成 121 套,超过安置房套数 120 套(已建成 120 套)。"],
        )

    def test_moved_in_beyond_demolished_and_demolished_beyond_signed_are_refused(self) -> None:
        self.record(signed=30, demolished=20, moved_in=10)
        self.client.force_login(self.office)
        r = self.client.post(self.url(), {"recorded_on": "2026-06-01", "moved_in": "11"})
        self.assertContains(r, "搬迁入住:登记后累计入住 21 户,超过累计拆迁 20 户(已入住 10 户)。")
        r = self.client.post(self.url(), {"recorded_on": "2026-06-01", "demolished": "11"})
        self.assertContains(r, "已拆迁:登记后累计拆迁 31 户,超过累计签约 30 户(已拆迁 20 户)。")
        self.assertEqual(RelocationEntry.objects.count(), 1)

    def test_bad_input_is_refused_with_a_message_naming_the_field(self) -> None:
        self.client.force_login(self.office)
        cases = [
            ({"signed": "-3"}, "签约户数不能为负数。"),
            ({"signed": "abc"}, "签约(户)必须是整数。"),
            ({"signed": "1.5"}, "签约(户)必须是整数。"),
            ({"signed": ""}, "请至少填写一项进度(签约、拆迁、建成或入住)。"),
            ({"recorded_on": "2026-06-16"}, "日期不能晚于今天。"),
            ({"recorded_on": "2026-02-30"}, "日期不是有效日期。"),
            ({"recorded_on": ""}, "请填写日期。"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                payload = {"recorded_on": "2026-06-01", "signed": "1"}
                payload.update(data)
                r = self.client.post(self.url(), payload)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(RelocationEntry.objects.exists())
        self.assertFalse(Event.objects.filter(action="relocation_progress_recorded").exists())

    def test_leaders_and_others_may_not_record(self) -> None:
        """Leaders read (403); others do not even see the programme (404); anonymous: login."""
        data = {"recorded_on": "2026-06-01", "signed": "1"}
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post(self.url(), data).status_code, 403)
        for user in (self.liaison, self.clerk, self.outsider, self.auditor, self.town_office):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url(), data).status_code, 404)
        self.client.force_login(self.office)
        self.assertEqual(self.client.post(self.url(self.far), data).status_code, 404)
        self.client.logout()
        r = self.client.post(self.url(), data)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        self.assertFalse(RelocationEntry.objects.exists())


@time_machine.travel(TODAY, tick=False)
class EntryCorrectTestCase(RelocationTestCase):
    def url(self, entry):
        return f"/projects/relocation/entries/{entry.pk}/correct/"

    def test_the_office_corrects_an_entry_with_a_reason_in_the_audit_log(self) -> None:
        entry = self.record(signed=40, demolished=30)
        self.client.force_login(self.office)
        r = self.client.get(self.url(entry))
        self.assertContains(r, 'value="40"')
        r = self.client.post(
            self.url(entry),
            {"recorded_on": "2026-05-02", "signed": "42", "demolished": "30", "reason": "漏报两户"},
        )
        self.assertEqual(r.status_code, 302)
        entry.refresh_from_db()
        self.assertEqual((entry.signed, entry.recorded_on), (42, datetime.date(2026, 5, 2)))
        event = Event.objects.get(action="relocation_entry_corrected")
        self.assertEqual(event.changes["signed"], [40, 42])
        self.assertEqual(event.reason, "漏报两户")
        self.assertNotIn("demolished", event.changes)

    def test_a_correction_that_breaks_the_order_is_refused(self) -> None:
        first = self.record(signed=40, demolished=30)
        self.record(moved_in=25)
        self.client.force_login(self.office)
        r = self.client.post(
            self.url(first),
            {"recorded_on": "2026-05-01", "signed": "40", "demolished": "20", "reason": "核减"},
        )
        self.assertContains(r, "搬迁入住:更正后累计入住 25 户,超过累计拆迁 20 户(已入住 25 户)。")
        first.refresh_from_db()
        self.assertEqual(first.demolished, 30)
        with self.assertRaises(ValidationError) as ctx:
            entry_correct(
                actor=self.office, entry=first, recorded_on=DAY, signed=101, demolished=30
            )
        self.assertIn("reason", ctx.exception.message_dict)

    def test_a_reason_is_required(self) -> None:
        entry = self.record(signed=40)
        self.client.force_login(self.office)
        r = self.client.post(self.url(entry), {"recorded_on": "2026-05-01", "signed": "41"})
        self.assertContains(r, "请填写更正原因。")
        entry.refresh_from_db()
        self.assertEqual(entry.signed, 40)

    def test_only_the_office_over_the_programme_corrects(self) -> None:
        entry = self.record(signed=40)
        far_entry = self.record(self.far, signed=5)
        data = {"recorded_on": "2026-05-01", "signed": "1", "reason": "x"}
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post(self.url(entry), data).status_code, 403)
        for user in (self.liaison, self.outsider, self.town_office):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url(entry), data).status_code, 404)
        self.client.force_login(self.office)
        self.assertEqual(self.client.post(self.url(far_entry), data).status_code, 404)
        entry.refresh_from_db()
        self.assertEqual(entry.signed, 40)


@time_machine.travel(TODAY, tick=False)
class RelocationListTestCase(RelocationTestCase):
    url = "/projects/relocation/"

    def rows(self, r) -> dict:
        return {
            cells[0].row.name: {c.column.key: c for c in cells} for cells in r.context["table"].rows
        }

    def test_the_list_shows_figures_percentages_and_bars(self) -> None:
        self.record(signed=80, demolished=60, moved_in=33)
        self.record(self.far, signed=5)
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        rows = self.rows(r)
        self.assertEqual(set(rows), {"蒋官屯城中村改造", "北城新型社区"})
        row = rows["蒋官屯城中村改造"]
        self.assertEqual(
            (row["signed"].value, row["demolished"].value, row["moved_in"].value), (80, 60, 33)
        )
        self.assertEqual(row["moved_in_pct"].text, "33.0%")
        self.assertContains(r, 'style="width: 80.0%"', html=False)
        summary = r.context["summary"]
        self.assertEqual(
            (summary["count"], summary["households"], summary["moved_in"]), (2, 200, 33)
        )
        self.assertContains(r, "共 2 个项目,应拆迁 200 户")
        self.assertNotContains(r, "新建项目")  # leaders read

    def test_filter_by_kind_search_and_export(self) -> None:
        self.record(signed=10)
        self.client.force_login(self.office)
        r = self.client.get(self.url, {"kind": K.RURAL_COMMUNITY})
        self.assertEqual(set(self.rows(r)), {"北城新型社区"})
        r = self.client.get(self.url, {"q": "蒋官屯"})
        self.assertEqual(set(self.rows(r)), {"蒋官屯城中村改造"})
        r = self.client.get(self.url, {"q": "蒋官屯", "export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:5], ("项目", "类型", "涉及村(片区)", "应拆迁(户)", "签约(户)"))
        self.assertEqual(rows[1][:5], ("蒋官屯城中村改造", "城中村改造", "蒋官屯村", 100, 10))

    def test_who_may_open_the_list(self) -> None:
        for user in (self.clerk, self.outsider, self.auditor, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.town_office)
        self.assertEqual(set(self.rows(self.client.get(self.url))), {"刘集镇新型社区"})

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.record(signed=10)
        self.client.force_login(self.office)
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        for i in range(20):
            programme = make_programme(f"片区{i:02d}", self.zone, self.office)
            self.record(programme, signed=5, demolished=3)
            self.record(programme, moved_in=1)
        with self.assertNumQueries(len(few)):
            r = self.client.get(self.url)
        self.assertEqual(r.context["summary"]["count"], 22)
        self.assertEqual(r.context["summary"]["moved_in"], 20)


@time_machine.travel(TODAY, tick=False)
class RelocationDetailTestCase(RelocationTestCase):
    def url(self, programme=None):
        return f"/projects/relocation/{(programme or self.programme).pk}/"

    def test_the_office_gets_the_form_and_correct_links_leaders_do_not(self) -> None:
        entry = self.record(signed=10)
        self.client.force_login(self.office)
        r = self.client.get(self.url())
        self.assertContains(r, f'action="/projects/relocation/{self.programme.pk}/record/"')
        self.assertContains(r, f"/projects/relocation/entries/{entry.pk}/correct/")
        self.client.force_login(self.leader)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "/record/")
        self.assertNotContains(r, "/correct/")

    def test_programmes_out_of_sight_are_404(self) -> None:
        for user in (self.liaison, self.outsider, self.clerk, self.town_office):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.office)
        self.assertEqual(self.client.get(self.url(self.far)).status_code, 404)
        self.assertEqual(self.client.get("/projects/relocation/999999/").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_the_entries_page_with_a_fixed_number_of_queries(self) -> None:
        self.record(signed=10, day=datetime.date(2026, 5, 20))
        self.client.force_login(self.office)
        self.client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        for i in range(10):
            self.record(signed=1, day=datetime.date(2026, 6, 1 + i))
        with self.assertNumQueries(len(few)):
            r = self.client.get(self.url())
        self.assertEqual(r.context["page"].paginator.count, 11)
        self.assertEqual(r.context["table"].rows[0][0].text, "2026-06-10")
        self.assertEqual(r.context["figures"].signed, 20)


@time_machine.travel(TODAY, tick=False)
class ProgrammeCreateTestCase(RelocationTestCase):
    url = "/projects/relocation/new/"

    def test_the_office_registers_a_programme(self) -> None:
        self.client.force_login(self.office)
        data = {
            "org_unit": self.zone.pk,
            "kind": K.RURAL_COMMUNITY,
            "name": "东城新型社区",
            "villages": "张庄、赵庄",
            "households": "320",
            "housing_units": "400",
        }
        r = self.client.post(self.url, data)
        programme = RelocationProgramme.objects.get(name="东城新型社区")
        self.assertRedirects(r, programme.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((programme.households, programme.housing_units), (320, 400))
        self.assertTrue(Event.objects.filter(action="relocation_programme_created").exists())
        r = self.client.post(self.url, data)
        self.assertContains(r, "已有名为“东城新型社区”的项目。")
        r = self.client.post(self.url, {**data, "name": "西城", "households": "0"})
        self.assertContains(r, "应拆迁户数必须大于 0。")

    def test_others_may_not_register(self) -> None:
        for user in (self.leader, self.liaison, self.clerk, self.outsider):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
