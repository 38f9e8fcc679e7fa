"""The livelihood lists on the page kit: search, filters and sort narrow the rows and their sums;
the export holds exactly the filtered rows; another department sees none of them; a bad filter
says what is wrong in Chinese and shows no rows; the query count does not grow with the rows."""

import datetime
import io

import openpyxl
import time_machine

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions import schools as school_actions
from zhengtong.livelihood.actions.employment import unemployment_figure_record
from zhengtong.livelihood.actions.loans import loan_approve, loan_disburse
from zhengtong.livelihood.actions.training import trainee_enrol, trainee_update

from .jobs_fixtures import D, JobsTestCase, id_for
from .test_internships import apply
from .test_loans import submit
from .test_schools import NOW, TODAY, SchoolTestCase
from .test_training import make_class


def column(response, key: str) -> list[str]:
    """The texts of one column of the page's table, top to bottom."""
    table = response.context["table"]
    index = [h.column.key for h in table.headers].index(key)
    return [cells[index].text for cells in table.rows]


def sheet_rows(response) -> list[tuple]:
    """The rows of an exported workbook, header first."""
    assert response.status_code == 200, response.status_code
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


class UnemploymentListTestCase(JobsTestCase):
    url = "/livelihood/unemployment/"

    def figure(self, month: int, unemployed: int, labour_force: int = 10000, actor=None):
        return unemployment_figure_record(
            actor=actor or self.clerk,
            period=D(2026, month, 1),
            registered_unemployed=unemployed,
            labour_force=labour_force,
        )

    def test_one_row_per_month_newest_first_and_a_header_reverses(self) -> None:
        self.figure(3, 250)
        self.figure(5, 310)
        self.client.force_login(self.leader)
        r = self.client.get(self.url, {"year": 2026})
        self.assertEqual(column(r, "period"), ["2026年5月", "2026年3月"])
        self.assertEqual(column(r, "rate"), ["3.10", "2.50"])
        self.assertContains(r, '3.10%</span> <span class="badge text-bg-danger">超过目标')
        r = self.client.get(self.url, {"year": 2026, "sort": "period"})
        self.assertEqual(column(r, "period"), ["2026年3月", "2026年5月"])

    def test_the_page_has_the_year_picker_and_no_search_box(self) -> None:
        self.figure(3, 250)
        self.client.force_login(self.clerk)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="year"')
        self.assertNotContains(r, 'type="search"')
        self.assertContains(r, "登记/更正")

    def test_the_export_holds_the_months_of_the_year(self) -> None:
        self.figure(3, 250)
        self.figure(5, 310)
        self.client.force_login(self.clerk)
        rows = sheet_rows(self.client.get(self.url, {"year": 2026, "export": "xlsx"}))
        self.assertEqual(rows[0], ("统计期", "登记失业人数", "从业及登记失业人数", "失业率(%)"))
        self.assertEqual([row[0] for row in rows[1:]], ["2026年5月", "2026年3月"])
        self.assertEqual([row[1] for row in rows[1:]], [310, 250])
        rows = sheet_rows(self.client.get(self.url, {"year": 2025, "export": "xlsx"}))
        self.assertEqual(len(rows), 1)

    def test_another_department_sees_no_figures(self) -> None:
        self.figure(3, 250)
        self.client.force_login(self.civil_clerk)
        r = self.client.get(self.url, {"year": 2026})
        self.assertEqual(r.context["table"].rows, [])
        self.assertNotContains(r, "登记/更正")
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url, {"export": "xlsx"}).status_code, 403)

    def test_the_query_count_does_not_grow_with_the_months(self) -> None:
        self.figure(1, 250)
        self.client.force_login(self.clerk)

        def grow():
            for month in range(2, 7):
                self.figure(month, 200 + month)

        r = self.assert_fixed_queries(f"{self.url}?year=2026", grow)
        self.assertEqual(len(r.context["table"].rows), 6)


class LoanListTestCase(JobsTestCase):
    url = "/livelihood/loans/"

    def setUp(self) -> None:
        super().setUp()
        self.flowers = submit(self.clerk, 1, amount="100000", business="鲜花电商")
        self.parts = submit(self.clerk, 2, amount="300000", business="汽车配件加工")
        loan_approve(
            actor=self.clerk, loan=self.parts, amount_approved="200000", approved_on=D(2026, 5, 8)
        )
        loan_disburse(actor=self.clerk, loan=self.parts, amount="150000", paid_on=D(2026, 5, 9))
        self.client.force_login(self.clerk)

    def test_search_and_status_narrow_the_rows_and_the_sums(self) -> None:
        r = self.client.get(self.url, {"year": 2026, "q": "鲜花"})
        self.assertEqual(column(r, "borrower"), ["创业者1"])
        self.assertContains(r, "共 <strong>1</strong> 笔:申请 10.00万元")
        r = self.client.get(self.url, {"year": 2026, "status": "disbursed"})
        self.assertEqual(column(r, "borrower"), ["创业者2"])
        self.assertEqual(column(r, "status"), ["已放款"])
        self.assertContains(r, "已放款 <strong>15.00万元</strong>")

    def test_money_columns_are_in_one_unit_and_sort_by_amount(self) -> None:
        r = self.client.get(self.url, {"year": 2026, "sort": "-requested"})
        labels = [h.label for h in r.context["table"].headers]
        self.assertIn("申请(万元)", labels)
        self.assertEqual(column(r, "requested"), ["30.00", "10.00"])
        self.assertEqual(column(r, "disbursed"), ["15.00", "0.00"])
        self.assertEqual(column(r, "approved"), ["20.00", "—"])
        r = self.client.get(self.url, {"year": 2026, "sort": "requested"})
        self.assertEqual(column(r, "borrower"), ["创业者1", "创业者2"])

    def test_the_export_holds_exactly_the_filtered_loans_as_numbers(self) -> None:
        rows = sheet_rows(self.client.get(self.url, {"year": 2026, "q": "汽车", "export": "xlsx"}))
        self.assertEqual(
            rows[0][:6],
            ("申请日期", "借款人", "创业项目", "申请(万元)", "核准(万元)", "已放款(万元)"),
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][1:6], ("创业者2", "汽车配件加工", 30, 20, 15))
        self.assertTrue(Event.objects.filter(action="loan_exported").exists())

    def test_the_list_read_is_audited(self) -> None:
        self.client.get(self.url, {"year": 2026})
        read = Event.objects.get(action="loan_list_viewed")
        self.assertEqual(read.actor, self.clerk)

    def test_a_bad_status_says_so_in_chinese_and_shows_nothing(self) -> None:
        r = self.client.get(self.url, {"year": 2026, "status": "paid"})
        self.assertContains(r, "状态不存在")
        self.assertEqual(r.context["table"].rows, [])

    def test_another_department_sees_no_loans_not_even_by_export(self) -> None:
        self.client.force_login(self.civil_clerk)
        r = self.client.get(self.url, {"year": 2026, "q": "鲜花"})
        self.assertEqual(r.context["table"].rows, [])
        self.assertNotContains(r, "登记申请")
        rows = sheet_rows(self.client.get(self.url, {"year": 2026, "export": "xlsx"}))
        self.assertEqual(len(rows), 1)
        self.assertEqual(self.client.get(f"{self.url}{self.flowers.pk}/").status_code, 404)


class InternshipListTestCase(JobsTestCase):
    url = "/livelihood/internships/"

    def test_search_status_sort_and_export_agree(self) -> None:
        apply(self.clerk, name="中通客车见习基地", employer="中通客车", positions=20)
        apply(self.clerk, name="鲁西化工见习基地", employer="鲁西化工", positions=5)
        self.client.force_login(self.leader)
        r = self.client.get(self.url, {"year": 2026, "q": "鲁西"})
        self.assertEqual(column(r, "name"), ["鲁西化工见习基地"])
        r = self.client.get(self.url, {"year": 2026, "sort": "-positions"})
        self.assertEqual(column(r, "positions"), ["20", "5"])
        r = self.client.get(self.url, {"year": 2026, "status": "approved"})
        self.assertEqual(r.context["table"].rows, [])
        rows = sheet_rows(self.client.get(self.url, {"year": 2026, "q": "鲁西", "export": "xlsx"}))
        self.assertEqual([row[1] for row in rows[1:]], ["鲁西化工见习基地"])

    def test_a_bad_status_says_so_and_another_department_sees_none(self) -> None:
        apply(self.clerk)
        self.client.force_login(self.clerk)
        self.assertContains(self.client.get(self.url, {"status": "bogus"}), "状态不存在")
        self.client.force_login(self.civil_clerk)
        r = self.client.get(self.url, {"year": 2026})
        self.assertEqual(r.context["table"].rows, [])


class TrainingListTestCase(JobsTestCase):
    url = "/livelihood/training/"

    def setUp(self) -> None:
        super().setUp()
        self.skill = make_class(self.clerk, name="电工技能培训班")
        self.startup = make_class(self.clerk, name="创业培训班", kind="startup")
        for seq in (1, 2):
            trainee_enrol(
                actor=self.clerk,
                training_class=self.startup,
                id_number=id_for(seq),
                name=f"甲{seq}",
            )

    def test_the_type_filter_narrows_the_classes_and_the_trainee_sums(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(self.url, {"year": 2026, "status": "startup"})
        self.assertEqual(column(r, "name"), ["创业培训班"])
        self.assertEqual(column(r, "trainees"), ["2"])
        self.assertContains(r, "共 <strong>1</strong> 期,学员 <strong>2</strong> 人")
        r = self.client.get(self.url, {"year": 2026, "q": "电工"})
        self.assertContains(r, "学员 <strong>0</strong> 人")
        self.assertContains(self.client.get(self.url, {"status": "cooking"}), "类型不存在")

    def test_the_export_holds_the_filtered_classes(self) -> None:
        self.client.force_login(self.clerk)
        rows = sheet_rows(self.client.get(self.url, {"year": 2026, "q": "创业", "export": "xlsx"}))
        self.assertEqual(rows[0], ("班次", "类型", "开班日期", "结业日期", "课时", "学员", "结业"))
        self.assertEqual(rows[1][0], "创业培训班")
        self.assertEqual(rows[1][5], 2)
        self.assertEqual(len(rows), 2)


class TrainingRollTestCase(JobsTestCase):
    """The trainees on the class page: a kit list, searched by name, exported and audited."""

    def setUp(self) -> None:
        super().setUp()
        self.cls_ = make_class(self.clerk)
        self.url = f"/livelihood/training/{self.cls_.pk}/"
        self.first = trainee_enrol(
            actor=self.clerk, training_class=self.cls_, id_number=id_for(1), name="王一"
        )
        trainee_update(actor=self.clerk, trainee=self.first, attended_sessions=9, completed=True)
        trainee_enrol(actor=self.clerk, training_class=self.cls_, id_number=id_for(2), name="李二")

    def test_the_roll_shows_masked_ids_attendance_and_searches_by_name(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get(self.url)
        self.assertEqual(column(r, "name"), ["王一", "李二"])
        self.assertEqual(column(r, "attended"), ["9 / 10", "0 / 10"])
        self.assertNotIn(id_for(1), r.content.decode())
        self.assertContains(r, "出勤/结业")
        r = self.client.get(self.url, {"q": "李"})
        self.assertEqual(column(r, "name"), ["李二"])
        r = self.client.get(self.url, {"sort": "-attended"})
        self.assertEqual(column(r, "name"), ["王一", "李二"])

    def test_each_view_of_the_roll_and_its_export_is_audited(self) -> None:
        self.client.force_login(self.clerk)
        self.client.get(self.url)
        self.assertEqual(Event.objects.filter(action="trainingclass_viewed").count(), 1)
        rows = sheet_rows(self.client.get(self.url, {"q": "王", "export": "xlsx"}))
        self.assertEqual(rows[0], ("姓名", "公民身份号码", "出勤", "结业"))
        self.assertEqual([row[0] for row in rows[1:]], ["王一"])
        self.assertEqual(rows[1][3], "是")
        self.assertTrue(Event.objects.filter(action="trainee_exported").exists())

    def test_a_leader_reads_the_roll_without_the_edit_column(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertEqual(column(r, "name"), ["王一", "李二"])
        self.assertNotIn("edit", [h.column.key for h in r.context["table"].headers])
        self.assertNotContains(r, "报名</button>")

    def test_another_department_gets_404_on_the_roll_and_its_export(self) -> None:
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"export": "xlsx"}).status_code, 404)

    def test_a_refused_enrolment_shows_the_roll_and_the_message(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(self.url, {"id_number": id_for(1), "name": "王一"})
        self.assertContains(r, "不能重复报名", status_code=400)
        self.assertEqual(column(r, "name"), ["王一", "李二"])

    def test_the_roll_takes_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.clerk)

        def grow():
            for seq in range(3, 12):
                trainee_enrol(
                    actor=self.clerk,
                    training_class=self.cls_,
                    id_number=id_for(seq),
                    name=f"学员{seq}",
                )

        r = self.assert_fixed_queries(self.url, grow, contains=("学员 <strong>2</strong> 人", ""))
        self.assertEqual(len(r.context["table"].rows), 11)


@time_machine.travel(NOW, tick=False)
class SchoolListsTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.east = self.make_school("东城小学")
        self.middle = self.make_school("开发区中学", kind="middle")
        self.inspect(self.east, TODAY, {"fire": ("灭火器过期", "更换灭火器", 5)})
        self.inspect(self.middle, datetime.date(2026, 5, 4))
        self.client.force_login(self.clerk)

    def test_the_register_filters_by_type_and_name_and_sorts(self) -> None:
        r = self.client.get("/livelihood/schools/", {"kind": "middle"})
        self.assertEqual(column(r, "name"), ["开发区中学"])
        r = self.client.get("/livelihood/schools/", {"q": "东城"})
        self.assertEqual(column(r, "name"), ["东城小学"])
        self.assertEqual(column(r, "open_inspections"), ["1"])
        r = self.client.get("/livelihood/schools/", {"sort": "-name"})
        self.assertEqual(column(r, "name"), ["开发区中学", "东城小学"])
        self.assertContains(r, "已检查 2 / 共 2 所")
        r = self.client.get("/livelihood/schools/", {"kind": "college"})
        self.assertContains(r, "类型不存在")
        self.assertEqual(r.context["table"].rows, [])

    def test_the_register_export_holds_the_filtered_schools(self) -> None:
        rows = sheet_rows(
            self.client.get("/livelihood/schools/", {"kind": "primary", "export": "xlsx"})
        )
        self.assertEqual(rows[0], ("学校名称", "类型", "负责人", "最近检查", "当年检查", "整改中"))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][:2], ("东城小学", "小学"))
        self.assertEqual(rows[1][4], "是")

    def test_inspections_filter_by_status_and_school_and_export_the_same(self) -> None:
        url = "/livelihood/inspections/"
        r = self.client.get(url, {"status": "open"})
        self.assertEqual(column(r, "school"), ["东城小学"])
        r = self.client.get(url, {"q": "中学"})
        self.assertEqual(column(r, "school"), ["开发区中学"])
        r = self.client.get(url, {"sort": "inspected_on"})
        self.assertEqual(column(r, "school"), ["开发区中学", "东城小学"])
        rows = sheet_rows(self.client.get(url, {"status": "open", "export": "xlsx"}))
        self.assertEqual([row[0] for row in rows[1:]], ["东城小学"])
        self.assertContains(self.client.get(url, {"status": "lost"}), "状态不存在")

    def test_campaigns_are_searched_and_exported(self) -> None:
        for name in ("春季清理整顿", "秋季清理整顿"):
            school_actions.campaign_create(
                actor=self.clerk,
                org_unit=self.social,
                name=name,
                started_on=datetime.date(2026, 3, 2),
            )
        url = "/livelihood/kindergartens/"
        r = self.client.get(url, {"q": "秋季"})
        self.assertEqual(column(r, "name"), ["秋季清理整顿"])
        self.assertEqual(column(r, "state"), ["进行中"])
        rows = sheet_rows(self.client.get(url, {"q": "清理", "export": "xlsx"}))
        self.assertEqual(len(rows), 3)

    def test_another_department_sees_none_of_the_school_lists(self) -> None:
        school_actions.campaign_create(
            actor=self.clerk, org_unit=self.social, name="春季清理整顿", started_on=TODAY
        )
        self.client.force_login(self.civil_clerk)
        for url in (
            "/livelihood/schools/",
            "/livelihood/inspections/",
            "/livelihood/kindergartens/",
        ):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.context["table"].rows, [])
                self.assertEqual(len(sheet_rows(self.client.get(url, {"export": "xlsx"}))), 1)
        self.client.force_login(self.outsider)
        for url in (
            "/livelihood/schools/",
            "/livelihood/inspections/",
            "/livelihood/kindergartens/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
