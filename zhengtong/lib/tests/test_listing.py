"""The page kit (lib/listing.py), on a real ledger page (就业登记) and on its parts alone:
search, sort, pagination and page size, htmx results, the phone card labels, export of exactly
the filtered rows and the print view; money in one unit per column; a fixed query count."""

import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.lib import listing
from zhengtong.livelihood.tests.jobs_fixtures import D, JobsTestCase
from zhengtong.livelihood.tests.test_employment import record

URL = "/livelihood/employment/"


class MoneyColumnTestCase(SimpleTestCase):
    def test_a_column_takes_the_unit_of_its_largest_amount(self) -> None:
        self.assertEqual(listing.money_unit([Decimal("950"), Decimal("71000")]), "万元")
        self.assertEqual(listing.money_unit([Decimal("65800000000"), Decimal("3300000")]), "亿元")
        self.assertEqual(listing.money_unit([None, Decimal("12")]), "元")
        self.assertEqual(listing.money_unit([]), "元")

    def test_every_cell_of_a_money_column_is_in_that_unit(self) -> None:
        """The cockpit's old defect: 亿元 and 万元 row by row. One unit, named in the header."""
        column = listing.Column("amount", "计划投资", kind=listing.MONEY)
        rows = [{"amount": Decimal("65800000000")}, {"amount": Decimal("3300000")}]
        table = listing.build_table([column], rows, query=None, sort="")
        self.assertEqual(table.headers[0].label, "计划投资(亿元)")
        self.assertEqual([r[0].text for r in table.rows], ["658.00", "0.03"])

    def test_percent_dates_and_empties_go_through_the_display_door(self) -> None:
        columns = [
            listing.Column("rate", "完成率", kind=listing.PCT),
            listing.Column("on", "日期", kind=listing.DATE),
            listing.Column("flag", "是否", kind=listing.BOOL),
            listing.Column("none", "空"),
        ]
        rows = [
            {"rate": Decimal("76.9000000000000"), "on": D(2026, 3, 1), "flag": True, "none": None}
        ]
        cells = listing.build_table(columns, rows, query=None, sort="").rows[0]
        self.assertEqual([c.text for c in cells], ["76.9%", "2026-03-01", "是", "—"])

    def test_export_keeps_amounts_as_numbers_and_formulas_as_text(self) -> None:
        columns = [
            listing.Column("name", "项目名称"),
            listing.Column("amount", "计划投资", kind=listing.MONEY),
        ]
        rows = [
            {"name": '=HYPERLINK("http://x","点我")', "amount": Decimal("120000000")},
            {"name": "新能源", "amount": Decimal("30000000")},
        ]
        sheet = listing.export_sheet("台账", columns, rows)
        self.assertEqual(list(sheet.headers), ["项目名称", "计划投资(亿元)"])
        from zhengtong.lib import xlsx

        wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes([sheet])))
        ws = wb.active
        self.assertEqual(ws["A2"].data_type, "s")
        self.assertEqual(ws["A2"].value, '=HYPERLINK("http://x","点我")')
        self.assertEqual(ws["B2"].value, 1.2)
        self.assertEqual(ws["B3"].value, 0.3)

    def test_an_unknown_kind_is_refused_when_the_page_is_declared(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        with self.assertRaises(ImproperlyConfigured):
            listing.Column("x", "X", kind="float")

    def test_resolve_follows_paths_and_calls_methods(self) -> None:
        row = SimpleNamespace(person=SimpleNamespace(name="王五"), label=lambda: "标签")
        self.assertEqual(listing.resolve(row, "person.name"), "王五")
        self.assertEqual(listing.resolve(row, "label"), "标签")
        self.assertIsNone(listing.resolve(SimpleNamespace(person=None), "person.name"))


class ListPageTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.clerk)

    def rows(self, response) -> list[str]:
        return [cells[1].text for cells in response.context["table"].rows]

    def test_search_narrows_the_rows_and_the_sums(self) -> None:
        record(self.clerk, 1, name="张三")
        record(self.clerk, 2, name="李四", employer="江苏昆山")
        r = self.client.get(URL, {"year": 2026, "q": "昆山"})
        self.assertEqual(self.rows(r), ["李四"])
        self.assertContains(r, "合计 <strong>1</strong> 人")

    def test_a_header_sorts_and_a_second_click_reverses(self) -> None:
        record(self.clerk, 1, name="甲", employed_on=D(2026, 1, 5))
        record(self.clerk, 2, name="乙", employed_on=D(2026, 3, 5))
        self.assertEqual(self.rows(self.client.get(URL, {"year": 2026})), ["乙", "甲"])
        r = self.client.get(URL, {"year": 2026, "sort": "employed_on"})
        self.assertEqual(self.rows(r), ["甲", "乙"])
        header = r.context["table"].headers[0]
        self.assertEqual((header.order, header.aria_sort), ("asc", "ascending"))
        self.assertIn("sort=-employed_on", header.url)

    def test_only_declared_columns_sort(self) -> None:
        """A column without an indexed sort field has no link; an unknown ?sort= is ignored,
        never passed to order_by (no error page, no sort on an arbitrary field)."""
        record(self.clerk, 1)
        r = self.client.get(URL, {"year": 2026, "sort": "person__id_number"})
        self.assertEqual(r.status_code, 200)
        headers = {h.column.key: h.url for h in r.context["table"].headers}
        self.assertIsNone(headers["employer"])

    def test_pages_are_numbered_and_the_size_can_be_chosen(self) -> None:
        for seq in range(1, 31):
            record(self.clerk, seq)
        r = self.client.get(URL, {"year": 2026})
        self.assertEqual(len(r.context["table"].rows), 25)
        self.assertContains(r, "第 1 / 2 页,共 30 条,每页 25 条")
        r = self.client.get(URL, {"year": 2026, "per_page": 50})
        self.assertEqual(len(r.context["table"].rows), 30)
        r = self.client.get(URL, {"year": 2026, "per_page": 100000})
        self.assertEqual(len(r.context["table"].rows), 25)

    def test_htmx_gets_only_the_results(self) -> None:
        record(self.clerk, 1)
        r = self.client.get(URL, {"year": 2026}, headers={"HX-Request": "true"})
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<div id="results"'))
        self.assertNotIn("<nav", body.split('id="results"')[0])

    def test_every_cell_carries_its_label_for_the_phone_card(self) -> None:
        record(self.clerk, 1)
        r = self.client.get(URL, {"year": 2026})
        self.assertContains(r, 'data-label="就业日期">2026-03-01</td>', html=False)
        self.assertContains(r, 'class="table table-sm align-middle zt-cards"')

    def test_export_holds_exactly_the_filtered_rows_and_is_audited(self) -> None:
        for seq in range(1, 31):
            record(self.clerk, seq, kind="new_urban" if seq % 3 else "rural_transfer")
        record(self.clerk, 99, employed_on=D(2025, 5, 1))
        r = self.client.get(URL, {"year": 2026, "status": "rural_transfer", "export": "xlsx"})
        self.assertEqual(r.status_code, 200)
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
        values = list(ws.values)
        self.assertEqual(values[0], ("就业日期", "姓名", "类别", "就业单位/转移去向", "经办单位"))
        self.assertEqual(len(values) - 1, 10)
        self.assertEqual({row[2] for row in values[1:]}, {"农村劳动力转移就业"})
        self.assertIn("attachment", r["Content-Disposition"])
        self.assertTrue(Event.objects.filter(action__endswith="exported").exists())

    def test_print_shows_every_filtered_row_without_the_menu(self) -> None:
        for seq in range(1, 31):
            record(self.clerk, seq)
        r = self.client.get(URL, {"year": 2026, "print": "1"})
        self.assertEqual(len(r.context["table"].rows), 30)
        self.assertContains(r, 'lang="zh-CN"')
        self.assertContains(r, 'data-action="print"')
        self.assertNotContains(r, "navbar")

    def test_a_bad_filter_says_so_and_shows_nothing(self) -> None:
        record(self.clerk, 1)
        r = self.client.get(URL, {"year": 2026, "status": "bogus"})
        self.assertContains(r, "类别不存在")
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        record(self.clerk, 1)
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL, {"year": 2026})
        for seq in range(2, 26):
            record(self.clerk, seq)
        with CaptureQueriesContext(connection) as many:
            r = self.client.get(URL, {"year": 2026})
        self.assertEqual(len(r.context["table"].rows), 25)
        self.assertEqual(len(few), len(many))

    def test_a_user_without_the_ledger_gets_403_and_anonymous_the_login(self) -> None:
        self.client.logout()
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.get(URL, {"export": "xlsx"}).status_code, 403)


class KitHooksTestCase(JobsTestCase):
    """The hooks a page uses instead of copying the kit: per-request columns, a row class, the
    rows prepared once, links that keep a POSTed search's filters, print without screen-only
    columns, dates from date-times, and no empty search box."""

    def page(self, **attrs):
        from zhengtong.livelihood.models import EmploymentRecord
        from zhengtong.livelihood.views import EmploymentList

        return type("Page", (EmploymentList,), attrs), EmploymentRecord

    def call(self, page_class, method="get", data=None):
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.test import RequestFactory

        factory = RequestFactory()
        request = getattr(factory, method)(URL, data or {})
        request.user = self.clerk
        request.session = self.client.session
        request._messages = FallbackStorage(request)
        request.htmx = False
        return page_class.as_view()(request)

    def test_columns_rows_and_classes_per_request(self) -> None:
        record(self.clerk, 1, name="甲")
        record(self.clerk, 2, name="乙", kind="rural_transfer")
        prepared = []

        def setup(self, request, *args, **kwargs):
            super(type(self), self).setup(request, *args, **kwargs)
            self.page_columns = (listing.Column("name", "姓名", "person.name"),)

        page_class, _ = self.page(
            setup=setup,
            prepare_rows=lambda self, rows: prepared.append(len(rows)),
            row_class=lambda self, row: "table-warning" if row.kind == "rural_transfer" else "",
        )
        body = self.call(page_class, data={"year": 2026}).content.decode()
        self.assertIn('<tr class="table-warning">', body)
        self.assertEqual(body.count('<th scope="col"'), 1)
        self.assertEqual(prepared, [2])

    def test_print_leaves_out_screen_only_columns(self) -> None:
        record(self.clerk, 1)
        page_class, _ = self.page(
            columns=(
                listing.Column("name", "姓名", "person.name"),
                listing.Column("edit", "操作", lambda r: "修改", export=False),
            )
        )
        screen = self.call(page_class, data={"year": 2026}).content.decode()
        paper = self.call(page_class, data={"year": 2026, "print": "1"}).content.decode()
        self.assertIn("操作", screen)
        self.assertNotIn("操作", paper)

    def test_a_date_column_of_date_times_shows_and_exports_the_local_day(self) -> None:
        import datetime
        import zoneinfo

        late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        column = listing.Column("at", "日期", kind=listing.DATE)
        rows = [{"at": late.astimezone(datetime.UTC)}]
        self.assertEqual(listing.build_table([column], rows, query=None, sort="").rows[0][0].text,
                         "2026-03-01")  # fmt: skip
        sheet = listing.export_sheet("表", [column], rows)
        self.assertEqual(list(sheet.rows)[0][0], datetime.date(2026, 3, 1))

    def test_the_phone_card_names_the_unit_of_a_money_column(self) -> None:
        column = listing.Column("amount", "金额", kind=listing.MONEY)
        cell = listing.build_table([column], [{"amount": Decimal("120000")}], query=None, sort="")
        self.assertEqual(cell.rows[0][0].label, "金额(万元)")

    def test_no_search_box_without_anything_to_search(self) -> None:
        page_class, _ = self.page(
            filter_form=None, search_fields=(), year_field=None, get_form_kwargs=lambda self: {}
        )
        body = self.call(page_class).content.decode()
        self.assertNotIn('role="search"', body)


class PostedSearchTestCase(SimpleTestCase):
    def test_links_keep_the_filters_but_never_a_full_id_number(self) -> None:
        from django.test import RequestFactory

        page = listing.ListPage()
        page.id_search = True  # type: ignore[misc]
        page.request = RequestFactory().post(
            URL, {"q": "11010519491231002X", "status": "open", "csrfmiddlewaretoken": "t"}
        )
        self.assertEqual(page.link_params().dict(), {"status": "open"})
        page.request = RequestFactory().post(URL, {"q": "王", "status": "open"})
        self.assertEqual(page.link_params().dict(), {"q": "王", "status": "open"})
