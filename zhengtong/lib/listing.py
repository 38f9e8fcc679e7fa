"""The one way a list page is built: a scoped queryset, a filter form and columns.

A page declares what it shows; the kit does the rest the same way on every page:

- search (`q`, over `search_fields`), the module's filter form, and the htmx filter bar that
  refreshes the results as the user types or picks;
- sorting by a column's header, only on the columns that declare an (indexed) `sort` field,
  with a tie-breaker so pages never overlap;
- numbered pagination with the total and a page-size choice (25/50/100);
- a phone layout: under 768 px every row becomes a card of label/value lines;
- xlsx export of exactly the filtered, sorted rows (`?export=xlsx`, through `lib.xlsx`:
  Chinese headers, amounts as numbers with the unit in the header, formula-safe), and a
  print view (`?print=1`) of the same rows;
- every value through the display door (`lib.display`): choices as labels, money in one unit
  per column chosen from the column's range, percentages to one decimal, dates in one format.

A page is a subclass of `ListPage` with `title`, `columns` and `get_queryset()` (scoped:
through the module's selector, never `Model.objects.all()`):

    class EmploymentList(ListPage):
        title = "就业登记"
        columns = [
            Column("employed_on", "就业日期", kind=DATE, sort="employed_on"),
            Column("name", "姓名", "person.name", link=lambda r: r.get_absolute_url()),
            Column("kind", "类别", "get_kind_display"),
        ]
        search_fields = ("person__name", "employer")
        default_sort = "-employed_on"
        export_name = "就业登记"

        def get_queryset(self):
            return livelihood_rows_visible_to(self.request.user, EmploymentRecord.objects.all())

Templates extend `lib/list_page.html` and fill its blocks (module nav, buttons, summary).
A page costs a fixed number of queries whatever the row count: give `select_related` in
`get_queryset()` for what the columns read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from . import display, xlsx
from .forms import mark_invalid, style_widgets
from .idquery import ID_NUMBER_IN_URL_MESSAGE, id_number_in_query, looks_like_id_number
from .money import WAN, YI, quantize2, to_decimal

# Kinds of column: how a value is shown, aligned and exported.
TEXT = "text"
MONEY = "money"  # Decimal 元; shown in one unit per column, chosen from the column's range
COUNT = "count"  # whole numbers, right-aligned
NUMBER = "number"  # other numbers, right-aligned, as stored
PCT = "pct"  # percent, one decimal
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
KINDS = {TEXT, MONEY, COUNT, NUMBER, PCT, DATE, DATETIME, BOOL}
NUMERIC = {MONEY, COUNT, NUMBER, PCT}

PAGE_SIZES = (25, 50, 100)
MAX_EXPORT_ROWS = 20_000
MONEY_UNITS = {"亿元": YI, "万元": WAN, "元": Decimal(1)}


def money_unit(values: Iterable[Any]) -> str:
    """The unit for a column of amounts in 元: the largest one the column's largest amount
    reaches (亿元 from 1 亿, 万元 from 1 万, else 元), so a column never switches units."""
    largest = max((abs(to_decimal(v)) for v in values if v is not None), default=Decimal(0))
    return "亿元" if largest >= YI else "万元" if largest >= WAN else "元"


def in_unit(value, unit: str) -> Decimal | None:
    if value is None:
        return None
    return quantize2(to_decimal(value) / MONEY_UNITS[unit])


def resolve(obj: Any, path: str) -> Any:
    """`obj.a.b` for the path "a.b"; a callable on the way (get_kind_display) is called;
    a missing link (None) ends as None."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
        if callable(value) and not isinstance(value, Model):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    """One column: `key` names it in `?sort=` and in tests; `value` is an attribute path or a
    function of the row; `sort` the ORM field it sorts on (indexed), if it sorts at all."""

    key: str
    label: str
    value: str | Callable[[Any], Any] | None = None
    kind: str = TEXT
    sort: str | None = None
    link: Callable[[Any], str | None] | None = None
    template: str | None = None  # a cell template, given `row` and `value`
    phone: bool = True  # shown on the phone card
    wide_only: bool = False  # hidden on narrow screens (and on the card)
    export: bool = True
    nowrap: bool = False
    css: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ImproperlyConfigured(f"列 {self.key} 的类型 {self.kind} 不存在。")

    def raw(self, row: Any) -> Any:
        source = self.value if self.value is not None else self.key
        return source(row) if callable(source) else resolve(row, source)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass
class Cell:
    column: Column
    row: Any
    value: Any
    text: str
    url: str | None = None
    label: str = ""  # the header's label, with the column's unit: the phone card shows it

    @property
    def classes(self) -> str:
        parts = [self.column.css]
        if self.column.numeric:
            parts.append("text-end")
        if self.column.nowrap or self.column.kind in {DATE, DATETIME} or self.column.numeric:
            parts.append("text-nowrap")
        if self.column.wide_only:
            parts.append("d-none d-md-table-cell")
        elif not self.column.phone:
            parts.append("zt-wide")
        return " ".join(p for p in parts if p)


class RowCells(list):
    """The cells of one row; `css` is the row's class (`ListPage.row_class`)."""

    css: str = ""


@dataclass
class Header:
    column: Column
    label: str
    url: str | None = None  # the link that sorts by this column
    order: str = ""  # "asc", "desc" or "" when the list is not sorted by it

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.order, "none")


@dataclass
class Table:
    headers: list[Header]
    rows: list[RowCells]
    units: dict[str, str] = field(default_factory=dict)


def format_value(column: Column, value: Any, unit: str | None = None) -> str:
    """The text of one cell, through the display door."""
    if value is None or value == "":
        return display.EMPTY
    if column.kind == MONEY:
        amount = in_unit(value, unit or "元")
        return f"{amount:,.2f}"
    if column.kind == PCT:
        return display.percent_text(value)
    if column.kind == DATE and isinstance(value, datetime.datetime):
        return display.date_text(_local(value).date())
    if column.kind in {DATE, DATETIME}:
        return display.date_text(value)
    if column.kind == COUNT:
        return f"{int(value):,}"
    return display.show(value)


def header_label(column: Column, unit: str | None) -> str:
    if column.kind == MONEY and unit:
        return f"{column.label}({unit})"
    if column.kind == PCT:
        return f"{column.label}(%)" if not column.label.endswith("%") else column.label
    return column.label


def build_table(
    columns: Sequence[Column],
    rows: Sequence[Any],
    *,
    query: QueryDict | None,
    sort: str,
    row_class: Callable[[Any], str] | None = None,
) -> Table:
    """Cells of `rows`: each value formatted once, money columns in one unit each."""
    raws = [[c.raw(r) for c in columns] for r in rows]
    units = {
        c.key: money_unit(values[i] for values in raws)
        for i, c in enumerate(columns)
        if c.kind == MONEY
    }
    labels = {c.key: header_label(c, units.get(c.key)) for c in columns}
    table_rows = []
    for row, values in zip(rows, raws, strict=True):
        cells = RowCells()
        cells.css = row_class(row) if row_class else ""
        for column, value in zip(columns, values, strict=True):
            text = format_value(column, value, units.get(column.key))
            url = column.link(row) if column.link else None
            cells.append(
                Cell(
                    column=column,
                    row=row,
                    value=value,
                    text=text,
                    url=url,
                    label=labels[column.key],
                )
            )
        table_rows.append(cells)
    headers = []
    for column in columns:
        header = Header(column=column, label=labels[column.key])
        if column.sort and query is not None:
            current = sort.lstrip("-") == column.key
            descending = sort.startswith("-")
            header.order = ("desc" if descending else "asc") if current else ""
            params = query.copy()
            for name in ("page", "sort", "export", "print"):
                params.pop(name, None)
            params["sort"] = f"-{column.key}" if current and not descending else column.key
            header.url = f"?{params.urlencode()}"
        headers.append(header)
    return Table(headers=headers, rows=table_rows, units=units)


def export_sheet(title: str, columns: Sequence[Column], rows: Sequence[Any]) -> xlsx.Sheet:
    """The workbook sheet of `rows`: raw values (amounts as numbers in the column's unit, named
    in the header; choices as labels; dates as dates), never formatted text."""
    columns = [c for c in columns if c.export]
    raws = [[c.raw(r) for c in columns] for r in rows]
    units = {
        c.key: money_unit(values[i] for values in raws)
        for i, c in enumerate(columns)
        if c.kind == MONEY
    }
    out_rows = []
    for values in raws:
        out = []
        for column, value in zip(columns, values, strict=True):
            out.append(_export_value(column, value, units.get(column.key)))
        out_rows.append(out)
    formats = {i: "#,##0.00" for i, c in enumerate(columns) if c.kind == MONEY}
    formats.update({i: "0.0" for i, c in enumerate(columns) if c.kind == PCT})
    return xlsx.Sheet(
        title=title,
        headers=[header_label(c, units.get(c.key)) for c in columns],
        rows=out_rows,
        number_formats=formats,
    )


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _export_value(column: Column, value: Any, unit: str | None) -> Any:
    if value is None or value == "":
        return None
    if column.kind == MONEY:
        return in_unit(value, unit or "元")
    if column.kind == PCT:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    if column.kind in {COUNT, NUMBER}:
        return value
    if column.kind == DATETIME and isinstance(value, datetime.datetime):
        return _local(value).replace(tzinfo=None)
    if column.kind == DATE and isinstance(value, datetime.datetime):
        return _local(value).date()
    if column.kind == DATE and isinstance(value, datetime.date):
        return value
    return display.show(value)


class SearchForm(forms.Form):  # styled by ListPage.get_form (small widgets)
    """The search box every list has; a page's own filter form adds its fields to it."""

    q = forms.CharField(label="搜索", max_length=100, required=False)


class NoFilters(forms.Form):
    """A list with neither search nor filters: no filter bar."""


class ListPage(View):
    """A list page. Subclasses set the class attributes and `get_queryset()`; they may add
    `filter_queryset()` for their filter form and `get_context_data()` for sums and buttons."""

    title: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]] = ()
    template_name: ClassVar[str] = "lib/list_page.html"
    results_template: ClassVar[str] = "lib/_list_results.html"
    print_template: ClassVar[str] = "lib/list_print.html"
    filter_form: ClassVar[type[forms.Form] | None] = None
    search_fields: ClassVar[Sequence[str]] = ()
    search_label: ClassVar[str] = "搜索"
    search_placeholder: ClassVar[str] = ""
    default_sort: ClassVar[str] = ""  # a column key, "-" for descending
    ordering: ClassVar[Sequence[str]] = ()  # the order when no sortable column is chosen
    tie_breaker: ClassVar[str] = "pk"
    page_size: ClassVar[int] = 25
    export_name: ClassVar[str | None] = None  # the workbook's name; None: no export
    printable: ClassVar[bool] = True
    empty_text: ClassVar[str] = "没有符合条件的记录。"
    # Audited list read: the model named in the audit row, and the purpose.
    audit_model: ClassVar[type[Model] | None] = None
    audit_purpose: ClassVar[str] = "列表"
    # A ledger kept by year: the date field its year is read from (the period picker of
    # `lib.periods` above the filter bar; one year at a time).
    year_field: ClassVar[str | None] = None
    # A list searched by full ID number: the search is POSTed (the number stays out of the URL
    # and the access log, `lib.idquery`); a GET that carries one is refused with a message.
    # `search_by_id_number()` says how a full number finds rows.
    id_search: ClassVar[bool] = False
    summary_template: ClassVar[str | None] = None

    request: HttpRequest
    picker: Any = None
    page_columns: Sequence[Column] | None = None
    by_id_number = False

    # ---- what a page overrides ----------------------------------------------------------

    def get_queryset(self) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} 须定义 get_queryset()。")

    def get_columns(self) -> Sequence[Column]:
        """The columns for this request: `page_columns` when `setup()` made them for it (a
        column only some users see, a countdown on today's calendar), else `columns`."""
        return self.page_columns if self.page_columns is not None else self.columns

    def get_title(self) -> str:
        return self.title

    def get_export_name(self) -> str | None:
        return self.export_name

    def prepare_rows(self, rows: list) -> None:
        """Called with the rows of the page (or of the export/print) before their cells are
        made: attach what the columns read, computed once for all rows (bounded queries)."""

    def row_class(self, row: Any) -> str:
        """A CSS class for a row (e.g. "table-danger" for an overdue one)."""
        return ""

    def get_form_kwargs(self) -> dict:
        return {}

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        """Apply the filter form's cleaned data (its `filter()` method, when it has one)."""
        form_filter = getattr(self.form, "filter", None)
        if callable(form_filter) and self.filter_form is not None:
            return form_filter(queryset)
        return queryset

    def get_context_data(self, queryset: QuerySet) -> dict:
        """More for the template: sums over the filtered rows, buttons."""
        return {}

    def row_url(self, row: Any) -> str | None:
        return None

    # ---- the machinery ------------------------------------------------------------------

    def params(self) -> QueryDict:
        """The filters: the query string, or the POSTed form of an ID-number search."""
        if self.id_search and self.request.method == "POST":
            return self.request.POST
        return self.request.GET

    def search_by_id_number(self, queryset: QuerySet, number: str) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} 须定义 search_by_id_number()。")

    def get_form(self) -> forms.Form:
        data = self.params()
        form = self.get_form_class()(data, **self.get_form_kwargs())
        if "q" in form.fields:
            form.fields["q"].label = self.search_label
            if self.search_placeholder:
                form.fields["q"].widget.attrs["placeholder"] = self.search_placeholder
            form.fields["q"].widget.input_type = "search"
        style_widgets(form, small=True)
        return form

    def get_form_class(self) -> type[forms.Form]:
        searches = self.search_fields or self.id_search
        form_class = self.filter_form or (SearchForm if searches else NoFilters)
        if self.filter_form is not None and "q" not in form_class.base_fields and searches:
            form_class = type(form_class.__name__, (SearchForm, form_class), {})
        return form_class

    def search(self, queryset: QuerySet, q: str) -> QuerySet:
        if self.id_search and looks_like_id_number(q):
            self.by_id_number = True
            return self.search_by_id_number(queryset, q.upper())
        if not q or not self.search_fields:
            return queryset
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": q})
        return queryset.filter(condition)

    def sort_keys(self) -> dict[str, str]:
        return {c.key: c.sort for c in self.get_columns() if c.sort}

    def current_sort(self) -> str:
        asked = self.params().get("sort", "")
        if asked.lstrip("-") in self.sort_keys():
            return asked
        return self.default_sort

    def order(self, queryset: QuerySet, sort: str) -> QuerySet:
        keys = self.sort_keys()
        name = sort.lstrip("-")
        ordering: list[Any]
        if name in keys:
            prefix = "-" if sort.startswith("-") else ""
            ordering = [f"{prefix}{keys[name]}"]
        else:
            ordering = list(self.ordering or queryset.query.order_by)
        if self.tie_breaker and self.tie_breaker not in ordering:
            ordering.append(self.tie_breaker)
        return queryset.order_by(*ordering)

    def per_page(self) -> int:
        try:
            size = int(self.params().get("per_page", ""))
        except ValueError:
            return self.page_size
        return size if size in PAGE_SIZES else self.page_size

    def in_period(self, queryset: QuerySet) -> QuerySet:
        """The rows of the year the picker shows (all rows when the page is not by year)."""
        if not self.year_field:
            self.picker = None
            return queryset
        from . import periods

        self.picker = periods.choose_year(
            self.params(), data=periods.DataDates(queryset, self.year_field)
        )
        period = self.picker.period
        return queryset.filter(
            **{f"{self.year_field}__gte": period.start, f"{self.year_field}__lte": period.end}
        )

    def table(self, rows: list, *, query: QueryDict | None, sort: str) -> Table:
        self.prepare_rows(rows)
        columns = self.get_columns()
        if query is None:  # print: what a sheet of paper can use
            columns = [c for c in columns if c.export]
        return build_table(columns, rows, query=query, sort=sort, row_class=self.row_class)

    def link_params(self) -> QueryDict:
        """The filters the sort, page and page-size links carry: the query string, or for a
        POSTed search its fields without the token and without a full ID number."""
        if self.request.method != "POST":
            return self.request.GET
        params = self.request.POST.copy()
        params.pop("csrfmiddlewaretoken", None)
        if looks_like_id_number(params.get("q", "")):
            params.pop("q")
        return params

    def filtered(self) -> QuerySet:
        queryset = self.in_period(self.get_queryset())
        valid = self.form.is_valid()
        mark_invalid(self.form)
        if valid:
            queryset = self.search(queryset, (self.form.cleaned_data.get("q") or "").strip())
            queryset = self.filter_queryset(queryset, self.form.cleaned_data)
        else:
            queryset = queryset.none()
        return queryset

    def record_read(self, count: int, purpose: str | None = None) -> None:
        if self.audit_model is None:
            return
        from zhengtong.audit.reads import record_list_read

        if purpose is None and self.by_id_number:
            purpose = "按身份证号查找"
        record_list_read(
            actor=self.request.user,
            model=self.audit_model,
            count=count,
            purpose=purpose or self.audit_purpose,
            filters=self.form.cleaned_data if self.form.is_valid() else None,
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.id_search:
            return HttpResponseNotAllowed(["GET"])
        return self.get(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.id_search and request.method == "GET" and id_number_in_query(request.GET):
            self.form = self.get_form_class()(None, **self.get_form_kwargs())
            style_widgets(self.form, small=True)
            context = self.base_context()
            context["page"] = Paginator(self.get_queryset().none(), self.per_page()).get_page(1)
            context["table"] = self.table([], query=None, sort="")
            context["export_url"] = context["print_url"] = ""
            context["error"] = ID_NUMBER_IN_URL_MESSAGE
            return render(request, self.template_name, context, status=400)
        self.form = self.get_form()
        queryset = self.filtered()
        sort = self.current_sort()
        ordered = self.order(queryset, sort)
        if request.GET.get("export") == "xlsx" and self.get_export_name():
            return self.export(ordered)
        printing = request.GET.get("print") == "1" and self.printable
        context = self.base_context()
        context.update(self.get_context_data(queryset))
        if printing:
            rows = list(ordered[: MAX_EXPORT_ROWS + 1])
            context["too_many"] = len(rows) > MAX_EXPORT_ROWS
            rows = rows[:MAX_EXPORT_ROWS]
            context["table"] = self.table(rows, query=None, sort=sort)
            context["count"] = len(rows)
            context["printed_at"] = timezone.localtime()
            self.record_read(len(rows), "打印")
            return render(request, self.print_template, context, status=self.status())
        page = Paginator(ordered, self.per_page()).get_page(self.params().get("page"))
        context["page"] = page
        rows = list(page.object_list)
        context["table"] = self.table(rows, query=self.link_params(), sort=sort)
        self.record_read(len(rows))
        template = self.results_template if getattr(request, "htmx", False) else self.template_name
        return render(request, template, context, status=self.status())

    def status(self) -> int:
        """200 also for a filter with errors: the page says what is wrong and shows no rows
        (htmx swaps only a successful answer, so a 400 would leave the old rows in place)."""
        if self.picker is not None and self.picker.status != 200:
            return self.picker.status
        return 200

    def base_context(self) -> dict:
        query = self.link_params().copy()
        for name in ("page", "export", "print"):
            query.pop(name, None)
        export_name = self.get_export_name()
        return {
            "view": self,
            "title": self.get_title(),
            "link_params": self.link_params(),
            "picker": self.picker,
            "form": self.form,
            "page_sizes": PAGE_SIZES,
            "per_page": self.per_page(),
            "query": query.urlencode(),
            "export_url": f"?{_with(query, export='xlsx')}" if export_name else "",
            "print_url": f"?{_with(query, print='1')}" if self.printable else "",
            "empty_text": self.empty_text,
        }

    def export(self, ordered: QuerySet) -> HttpResponse:
        rows = list(ordered[: MAX_EXPORT_ROWS + 1])
        if len(rows) > MAX_EXPORT_ROWS:
            context = self.base_context()
            context.update(self.get_context_data(ordered))
            context["page"] = Paginator(ordered, self.per_page()).get_page(1)
            context["table"] = self.table(
                list(context["page"].object_list), query=self.link_params(), sort=""
            )
            context["export_error"] = (
                f"符合条件的记录超过 {MAX_EXPORT_ROWS:,} 条,请缩小筛选范围后分批导出。"
            )
            return render(self.request, self.template_name, context, status=400)
        export_name = self.get_export_name()
        assert export_name
        self.prepare_rows(rows)
        sheet = export_sheet(export_name, self.get_columns(), rows)
        content = xlsx.workbook_bytes([sheet])
        model = self.audit_model or ordered.model
        from zhengtong.audit.reads import record_export

        record_export(
            actor=self.request.user,
            name=export_name,
            model=model,
            count=len(rows),
            filters=self.form.cleaned_data if self.form.is_valid() else None,
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx.xlsx_response(content, f"{export_name}-{stamp}.xlsx")


def _with(query: QueryDict, **extra: str) -> str:
    params = query.copy()
    for key, value in extra.items():
        params[key] = value
    return params.urlencode()


def link(url_name: str, *attrs: str) -> Callable[[Any], str]:
    """A `link=` for a column: the URL `url_name` with the row's `attrs` (default pk)."""
    from django.urls import reverse

    names = attrs or ("pk",)

    def url(row: Any) -> str:
        return reverse(url_name, args=[resolve(row, a) for a in names])

    return url
