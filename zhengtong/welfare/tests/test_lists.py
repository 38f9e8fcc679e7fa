"""The welfare lists on the page kit: search and filters, money in one unit per column, export
and print of the filtered rows, a fixed number of queries whatever the row count, and the
boundaries: another 民政 office's rows are not found by id, a reader who may not change a
cycle or batch gets no change controls, bad filters and bad input say so in Chinese."""

import datetime
import io

import openpyxl
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.test import make_id_number, make_unit, make_user

from ..actions import (
    cycle_approve,
    cycle_create,
    payment_add,
    relief_batch_approve,
    relief_batch_create,
    relief_grant_add,
)
from ..models import PaymentCycle, ReliefBatch, ReliefGrant
from .fixtures import TODAY, WelfareTestCase

JUNE = datetime.date(2025, 6, 1)
KEEPERS = ("ZONE-MZJ", "DONGE-MZJ")


def adult(seq):
    return make_id_number(datetime.date(1970, 3, 1), female=False, seq=seq)


def names(response, column: str) -> list[str]:
    """The texts of one column of the list shown, in order."""
    table = response.context["table"]
    index = [h.column.key for h in table.headers].index(column)
    return [cells[index].text for cells in table.rows]


@time_machine.travel(TODAY)
@override_settings(
    NURSING_SUBSIDY_RATES={"2": "100", "3": "200"}, WELFARE_KEEPER_UNIT_CODES=KEEPERS
)
class WelfareListTestCase(WelfareTestCase):
    """civil keeps the zone's rows; county_civil is the 民政局 of another county (东阿县)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.county_unit = make_unit(
            "东阿县民政局", "DONGE-MZJ", OrgUnit.Kind.DEPARTMENT, cls.county
        )
        cls.county_civil = make_user(
            "county_civil", full_name="东阿民政", memberships=[(Role.DEPT_CLERK, cls.county_unit)]
        )

    def grant(self, batch, seq, *, kind="household", amount="1000", name=None, actor=None):
        return relief_grant_add(
            actor=actor or self.civil, batch=batch, recipient_kind=kind, reason="illness",
            id_number=adult(seq), name=name or f"户主{seq}", amount=amount,
        )  # fmt: skip

    def assert_fixed_queries(self, url: str, grow) -> None:
        """The page runs as many queries after `grow()` adds rows as before it."""
        self.client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as before:
            self.assertEqual(self.client.get(url).status_code, 200)
        grow()
        with self.assertNumQueries(len(before.captured_queries)):
            self.assertEqual(self.client.get(url).status_code, 200)


class AssessmentListTestCase(WelfareListTestCase):
    url = "/welfare/assessments/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.civil)
        self.zhang = self.make_person(seq=1, name="张老汉")
        self.li = self.make_person(seq=2, name="李大娘")
        self.old = self.assess(self.zhang, adl_total=40, on=datetime.date(2024, 11, 1))
        self.new = self.assess(self.li, adl_total=100, on=datetime.date(2025, 5, 2))

    def test_rows_show_level_words_masked_numbers_and_overdue_reassessments(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(names(r, "name"), ["李大娘", "张老汉"])  # newest assessment first
        self.assertEqual(names(r, "level"), ["0 级 能力完好", "3 级 重度失能"])
        self.assertContains(r, self.zhang.masked_id)
        self.assertNotContains(r, self.zhang.id_number)
        self.assertContains(r, 'text-bg-danger">逾期</span>', count=1)  # 张老汉: due 2025-05-01
        self.assertContains(r, f'href="/welfare/assessments/{self.old.pk}/"')

    def test_search_by_name_and_filter_by_level_and_overdue(self) -> None:
        self.assertEqual(names(self.client.get(self.url, {"q": "大娘"}), "name"), ["李大娘"])
        self.assertEqual(names(self.client.get(self.url, {"level": "3"}), "name"), ["张老汉"])
        self.assertEqual(names(self.client.get(self.url, {"due": "overdue"}), "name"), ["张老汉"])
        self.assertEqual(names(self.client.get(self.url, {"due": "pending"}), "name"), ["李大娘"])
        r = self.client.get(self.url, {"sort": "assessed_on"})
        self.assertEqual(names(r, "name"), ["张老汉", "李大娘"])

    def test_a_bad_level_is_shown_in_chinese_with_no_rows(self) -> None:
        r = self.client.get(self.url, {"level": "9"})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])

    def test_each_view_is_one_audited_list_read(self) -> None:
        self.client.get(self.url, {"q": "张"})
        read = Event.objects.get(kind=Event.Kind.READ, actor=self.civil)
        self.assertEqual(read.changes["purpose"], "列表")

    def test_export_holds_the_filtered_rows_with_masked_numbers_and_is_audited(self) -> None:
        r = self.client.get(self.url, {"level": "3", "export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:4], ("评估日期", "老人", "公民身份号码", "能力等级"))
        self.assertEqual([row[1] for row in rows[1:]], ["张老汉"])
        self.assertEqual(rows[1][2], self.zhang.masked_id)
        self.assertTrue(Event.objects.filter(action__endswith="exported").exists())

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for seq in range(3, 8):
                self.assess(self.make_person(seq=seq, name=f"老人{seq}"))

        self.assert_fixed_queries(self.url, grow)

    def test_another_offices_assessment_is_not_listed_and_not_found_by_id(self) -> None:
        person = self.make_person(seq=9, name="东阿老人")
        from ..actions import assessment_create
        from .fixtures import sheet

        county_clerk2 = make_user(
            "county_civil2", memberships=[(Role.DEPT_CLERK, self.county_unit)]
        )
        theirs = assessment_create(
            actor=self.county_civil, person=person, assessed_on=JUNE, scores=sheet(40),
            assessor_1=self.county_civil, assessor_2=county_clerk2,
        )  # fmt: skip
        self.assertNotIn("东阿老人", names(self.client.get(self.url), "name"))
        self.assertEqual(self.client.get(f"/welfare/assessments/{theirs.pk}/").status_code, 404)
        self.client.force_login(self.county_civil)
        self.assertEqual(names(self.client.get(self.url), "name"), ["东阿老人"])
        self.assertEqual(self.client.get(f"/welfare/assessments/{self.old.pk}/").status_code, 404)

    def test_the_detail_shows_each_score_with_the_standards_words(self) -> None:
        r = self.client.get(f"/welfare/assessments/{self.new.pk}/")
        self.assertContains(r, '进食:10 分<span class="text-muted">(可独立进食)</span>')


class StatusListTestCase(WelfareListTestCase):
    url = "/welfare/status/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.civil)
        self.make_status(self.make_person(seq=1, name="张老汉"), category="dibao")
        self.make_status(self.make_person(seq=2, name="李大娘"), category="tekun", dependent=False)
        self.make_status(self.make_person(seq=3, name="王大爷"), category="")

    def test_rows_by_name_with_category_and_care_in_chinese(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(set(names(r, "name")), {"张老汉", "李大娘", "王大爷"})
        name_header = r.context["table"].headers[0]
        self.assertEqual((name_header.column.key, name_header.order), ("name", "asc"))
        self.assertContains(r, "特困(城市三无/农村五保)")
        self.assertContains(r, 'data-label="长期不能自理">否</td>', html=False)

    def test_filters_by_category_care_and_name(self) -> None:
        self.assertEqual(
            names(self.client.get(self.url, {"category": "tekun"}), "name"), ["李大娘"]
        )
        self.assertEqual(names(self.client.get(self.url, {"category": "none"}), "name"), ["王大爷"])
        self.assertEqual(names(self.client.get(self.url, {"dependent": "0"}), "name"), ["李大娘"])
        self.assertEqual(names(self.client.get(self.url, {"q": "王"}), "name"), ["王大爷"])
        r = self.client.get(self.url, {"category": "rich"})
        self.assertContains(r, "救助类别")
        self.assertEqual(r.context["table"].rows, [])

    def test_the_list_is_an_audited_read_and_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for seq in range(4, 9):
                self.make_status(self.make_person(seq=seq, name=f"老人{seq}"))

        self.assert_fixed_queries(self.url, grow)
        self.assertTrue(
            Event.objects.filter(kind=Event.Kind.READ, target_type="welfare.welfarestatus").exists()
        )

    def test_another_office_sees_none_of_them(self) -> None:
        self.client.force_login(self.county_civil)
        self.assertEqual(self.client.get(self.url).context["table"].rows, [])
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(self.url).status_code, 403)


class CycleRowsTestCase(WelfareListTestCase):
    """Two eligible people; June's cycle being drawn up, May's approved."""

    url = "/welfare/cycles/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.civil)
        self.p3 = self.eligible_person(seq=1, name="张老汉", level_adl=40)
        self.p2 = self.eligible_person(seq=2, name="李老汉", level_adl=50)
        self.june = cycle_create(actor=self.civil, month=JUNE)
        self.may = cycle_create(actor=self.civil, month=datetime.date(2025, 5, 1))
        cycle_approve(actor=self.civil, cycle=self.may)


class CycleListTestCase(CycleRowsTestCase):
    def test_rows_show_month_head_count_and_amount_in_one_unit(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(names(r, "month"), ["2025年06月", "2025年05月"])
        self.assertEqual(names(r, "n"), ["2", "2"])
        self.assertEqual(names(r, "total"), ["300.00", "300.00"])
        self.assertContains(r, "金额(元)")
        self.assertContains(
            r, "2025 年已审批发放 <strong>2</strong> 人次,共 <strong>300.00元</strong>"
        )

    def test_filter_by_status_narrows_the_rows_and_the_sums(self) -> None:
        r = self.client.get(self.url, {"status": "draft"})
        self.assertEqual(names(r, "month"), ["2025年06月"])
        self.assertContains(r, "已审批发放 <strong>0</strong> 人次")
        r = self.client.get(self.url, {"status": "paid"})
        self.assertContains(r, "筛选条件有误")

    def test_a_bad_month_shows_the_list_again_with_the_error(self) -> None:
        r = self.client.post(self.url, {"month": "2025-13"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "发放月份", status_code=400)
        self.assertContains(r, "is-invalid", status_code=400)
        self.assertEqual(names(r, "month"), ["2025年06月", "2025年05月"])
        r = self.client.post(self.url, {"month": "2025-06"})
        self.assertContains(r, "2025年06月的发放批次已存在", status_code=400)
        self.assertEqual(PaymentCycle.objects.count(), 2)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for month in (1, 2, 3, 4):
                cycle_create(actor=self.civil, month=datetime.date(2025, month, 1))

        self.assert_fixed_queries(self.url, grow)

    def test_export_and_print_hold_the_filtered_cycles(self) -> None:
        r = self.client.get(self.url, {"status": "approved", "export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0], ("发放月份", "状态", "人数", "金额(元)", "审批人"))
        self.assertEqual(rows[1:], [("2025年05月", "已审批", 2, 300, "陈民政")])
        r = self.client.get(self.url, {"print": "1"})
        self.assertEqual(len(r.context["table"].rows), 2)


class CyclePageTestCase(CycleRowsTestCase):
    def test_the_payments_are_listed_searched_and_filtered(self) -> None:
        url = f"/welfare/cycles/{self.june.pk}/"
        r = self.client.get(url)
        self.assertEqual(set(names(r, "name")), {"张老汉", "李老汉"})
        self.assertContains(r, "共 2 人,合计 300.00元")
        self.assertEqual(names(self.client.get(url, {"q": "张"}), "name"), ["张老汉"])
        r = self.client.get(url, {"level": "2"})
        self.assertEqual(names(r, "name"), ["李老汉"])
        self.assertEqual(names(r, "amount"), ["100.00"])
        r = self.client.get(url, {"sort": "-amount"})
        self.assertEqual(names(r, "amount"), ["200.00", "100.00"])
        self.assertContains(self.client.get(url, {"level": "1"}), "筛选条件有误")

    def test_a_draft_offers_removal_and_an_approved_cycle_does_not(self) -> None:
        r = self.client.get(f"/welfare/cycles/{self.june.pk}/")
        self.assertContains(r, "/remove/", count=2)
        self.assertContains(r, "审批发放名单")
        printed = self.client.get(f"/welfare/cycles/{self.june.pk}/", {"print": "1"})
        self.assertEqual(len(printed.context["table"].rows), 2)
        self.assertNotContains(printed, "/remove/")
        r = self.client.get(f"/welfare/cycles/{self.may.pk}/")
        self.assertNotContains(r, "/remove/")
        self.assertNotContains(r, "加入名单")
        self.client.force_login(self.leader)
        r = self.client.get(f"/welfare/cycles/{self.june.pk}/")
        self.assertNotContains(r, "/remove/")
        self.assertNotContains(r, "审批发放名单")

    def test_the_payment_list_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for seq in range(10, 14):
                payment_add(actor=self.civil, cycle=self.june, person=self.eligible_person(seq=seq))

        self.assert_fixed_queries(f"/welfare/cycles/{self.june.pk}/", grow)

    def test_a_refused_payment_keeps_the_list_and_its_links_lead_back(self) -> None:
        r = self.client.post(
            f"/welfare/cycles/{self.june.pk}/payments/", {"id_number": self.p3.id_number}
        )
        self.assertContains(r, "不能重复发放", status_code=400)
        self.assertEqual(len(r.context["table"].rows), 2)
        r = self.client.get(f"/welfare/cycles/{self.june.pk}/payments/", {"sort": "amount"})
        self.assertRedirects(r, f"/welfare/cycles/{self.june.pk}/?sort=amount")

    def test_another_offices_cycle_and_payments_are_not_found(self) -> None:
        theirs = cycle_create(actor=self.county_civil, month=JUNE)
        listed = [cells[0].row.pk for cells in self.client.get(self.url).context["table"].rows]
        self.assertEqual(listed, [self.june.pk, self.may.pk])
        self.assertEqual(self.client.get(f"/welfare/cycles/{theirs.pk}/").status_code, 404)
        for action in ("approve", "payments"):
            r = self.client.post(f"/welfare/cycles/{theirs.pk}/{action}/", {"id_number": "x"})
            self.assertEqual(r.status_code, 404)
        theirs.refresh_from_db()
        self.assertEqual(theirs.status, PaymentCycle.Status.DRAFT)
        # A payment of this office's May cycle is not removable through June's address.
        payment = self.may.payments.first()
        r = self.client.post(
            f"/welfare/cycles/{self.june.pk}/payments/{payment.pk}/remove/", {"reason": "错报"}
        )
        self.assertEqual(r.status_code, 404)


class BatchRowsTestCase(WelfareListTestCase):
    """An approved batch of two households and an orphan, and a batch being drawn up."""

    url = "/welfare/relief/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.civil)
        self.spring = relief_batch_create(actor=self.civil, name="春节慰问")
        self.grant(self.spring, 1, amount="1400", name="赵家")
        self.grant(self.spring, 2, amount="1400", name="钱家")
        relief_grant_add(
            actor=self.civil, batch=self.spring, recipient_kind="orphan", reason="orphan",
            id_number=make_id_number(datetime.date(2015, 3, 1), female=True, seq=3),
            name="孙小妹", amount="1294.12",
        )  # fmt: skip
        relief_batch_approve(actor=self.civil, batch=self.spring)
        self.flood = relief_batch_create(actor=self.civil, name="汛期临时救助")
        self.grant(self.flood, 4, amount="800", name="李家")


class BatchListTestCase(BatchRowsTestCase):
    def test_rows_count_households_orphans_and_the_amount(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(names(r, "name"), ["汛期临时救助", "春节慰问"])
        self.assertEqual(names(r, "households"), ["1", "2"])
        self.assertEqual(names(r, "orphans"), ["0", "1"])
        self.assertEqual(names(r, "total"), ["800.00", "4,094.12"])
        self.assertContains(r, "2025 年审批 <strong>1</strong> 批:困难家庭 2 户,孤儿 1 名")
        self.assertContains(r, "<strong>4094.12元</strong>")

    def test_search_and_status_filter_narrow_the_rows_and_the_sums(self) -> None:
        r = self.client.get(self.url, {"q": "汛期"})
        self.assertEqual(names(r, "name"), ["汛期临时救助"])
        self.assertContains(r, "审批 <strong>0</strong> 批")
        r = self.client.get(self.url, {"status": "approved"})
        self.assertEqual(names(r, "name"), ["春节慰问"])
        self.assertContains(self.client.get(self.url, {"status": "x"}), "筛选条件有误")

    def test_an_empty_batch_name_shows_the_list_again_with_the_error(self) -> None:
        r = self.client.post(self.url, {"name": ""})
        self.assertContains(r, "该字段是必填项", status_code=400)
        self.assertEqual(len(r.context["table"].rows), 2)
        self.assertEqual(ReliefBatch.objects.count(), 2)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for i in range(3):
                batch = relief_batch_create(actor=self.civil, name=f"批次{i}")
                self.grant(batch, 10 + i)

        self.assert_fixed_queries(self.url, grow)


class BatchPageTestCase(BatchRowsTestCase):
    def test_the_grants_are_listed_filtered_and_exported(self) -> None:
        url = f"/welfare/relief/{self.spring.pk}/"
        r = self.client.get(url)
        self.assertEqual(names(r, "name"), ["赵家", "钱家", "孙小妹"])
        self.assertEqual(names(r, "amount"), ["1,400.00", "1,400.00", "1,294.12"])
        self.assertContains(r, "困难家庭 2 户,孤儿 1 名,合计 4094.12元")
        self.assertEqual(
            names(self.client.get(url, {"recipient_kind": "orphan"}), "name"), ["孙小妹"]
        )
        self.assertEqual(names(self.client.get(url, {"q": "钱"}), "name"), ["钱家"])
        r = self.client.get(url, {"reason": "lottery"})
        self.assertContains(r, "筛选条件有误")
        r = self.client.get(url, {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:5], ("对象", "姓名", "公民身份号码", "原因", "金额(元)"))
        self.assertEqual(len(rows), 4)

    def test_only_a_draft_offers_deletion_and_only_to_its_clerk(self) -> None:
        self.assertNotContains(self.client.get(f"/welfare/relief/{self.spring.pk}/"), "/remove/")
        r = self.client.get(f"/welfare/relief/{self.flood.pk}/")
        self.assertContains(r, "/remove/", count=1)
        self.assertContains(r, "登记救助")
        self.client.force_login(self.leader)
        r = self.client.get(f"/welfare/relief/{self.flood.pk}/")
        self.assertNotContains(r, "/remove/")
        self.assertNotContains(r, "登记救助")

    def test_the_grant_list_runs_a_fixed_number_of_queries(self) -> None:
        def grow():
            for seq in range(20, 25):
                self.grant(self.flood, seq)

        self.assert_fixed_queries(f"/welfare/relief/{self.flood.pk}/", grow)

    def test_a_refused_grant_keeps_the_list_and_its_links_lead_back(self) -> None:
        url = f"/welfare/relief/{self.flood.pk}/grants/"
        data = {"id_number": adult(5), "name": "周家", "recipient_kind": "household",
                "reason": "disaster", "amount": "-3", "note": ""}  # fmt: skip
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(names(r, "name"), ["李家"])
        self.assertEqual(ReliefGrant.objects.filter(batch=self.flood).count(), 1)
        self.assertRedirects(
            self.client.get(url, {"q": "李"}), f"/welfare/relief/{self.flood.pk}/?q=%E6%9D%8E"
        )

    def test_another_offices_batch_and_grants_are_not_found(self) -> None:
        theirs = relief_batch_create(actor=self.county_civil, name="东阿救助")
        grant = self.grant(theirs, 30, actor=self.county_civil)
        self.assertNotIn("东阿救助", names(self.client.get(self.url), "name"))
        self.assertEqual(self.client.get(f"/welfare/relief/{theirs.pk}/").status_code, 404)
        for url in [
            f"/welfare/relief/{theirs.pk}/approve/",
            f"/welfare/relief/{theirs.pk}/grants/{grant.pk}/remove/",
            # Their grant through this office's own draft batch is not found either.
            f"/welfare/relief/{self.flood.pk}/grants/{grant.pk}/remove/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"reason": "越权"}).status_code, 404)
        self.assertTrue(ReliefGrant.objects.filter(pk=grant.pk).exists())
        self.client.force_login(self.county_civil)
        self.assertEqual(names(self.client.get(self.url), "name"), ["东阿救助"])
        self.assertEqual(self.client.get(f"/welfare/relief/{self.spring.pk}/").status_code, 404)

    def test_htmx_gets_only_the_results(self) -> None:
        r = self.client.get(
            f"/welfare/relief/{self.spring.pk}/", {"q": "赵"}, headers={"HX-Request": "true"}
        )
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<div id="results"'))
        self.assertIn("赵家", body)
        self.assertNotIn("钱家", body)


class ListGateTestCase(WelfareListTestCase):
    def test_only_welfare_readers_open_the_lists_and_their_exports(self) -> None:
        urls = ["/welfare/assessments/", "/welfare/status/", "/welfare/cycles/", "/welfare/relief/"]
        for url in urls:
            with self.subTest(url=url):
                self.client.logout()
                self.assertIn("/accounts/login/", self.client.get(url)["Location"])
                for user in (self.outsider, self.clerk):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(url).status_code, 403)
                    self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 403)
                self.client.force_login(self.leader)
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertFalse(Event.objects.filter(action__endswith="exported").exists())

    def test_a_leader_cannot_create_from_a_list(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(
            self.client.post("/welfare/cycles/", {"month": "2025-06"}).status_code, 403
        )
        self.assertEqual(self.client.post("/welfare/relief/", {"name": "越权"}).status_code, 403)
        self.assertFalse(PaymentCycle.objects.exists())
        self.assertFalse(ReliefBatch.objects.exists())
