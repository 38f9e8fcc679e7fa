"""我的待办 and the work lists, sorted, counted and paged in the database.

Every provider gives `Source`s: a queryset whose rows have one shape (due date, tie-break
priority, title and subtitle as the page shows them, village) and a way to turn the primary
keys of one page into the page's items. The sources are combined with UNION ALL and one query
orders, filters and limits them; one more counts them by kind and state. A page then costs two
queries plus one per source it shows, whatever the number of open items.

A source either names a `build` of its own or an `item` made from one row of its shape plus
the `fields` it names: the page then shows exactly the title and due date the database sorted
by. Due dates a provider computes (a campaign's default, the end of a month, a calendar year's
first day) are SQL too (`add_days`, `month_end`, `year_start`), so that the cost of a page
depends on the rows the user may see, not on the size of the tables.

A provider whose items are computed in Python and bounded by a constant (the calendar reminder:
one item at most) gives a `ListSource`: its items enter the same SQL as literal rows.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, DateField, F, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Concat

COLUMNS = ("i_kind", "i_pk", "i_due", "i_priority", "i_title", "i_subtitle", "i_village")
Build = Callable[[list[int]], dict[int, Any]]


def text(*parts) -> Concat | Value:
    """A text expression of field names (F), literals (str) and expressions, joined as is."""
    expressions = [Value(p) if isinstance(p, str) else p for p in parts]
    if len(expressions) == 1:
        return expressions[0]
    return Concat(*expressions, output_field=CharField())


def date_text(name: str) -> Cast:
    """A date field as `YYYY-MM-DD`, as Python's `f"{d:%Y-%m-%d}"` writes it."""
    return Cast(F(name), CharField())


def choice_label(name: str, choices) -> Any:
    """The Chinese label of a choice field, as `get_<field>_display()` gives it."""
    from django.db.models import Case, When

    return Case(
        *(When(**{name: value}, then=Value(str(label))) for value, label in choices.choices),
        default=Cast(F(name), CharField()),
        output_field=CharField(),
    )


def day(value: datetime.date) -> Cast:
    """A date known in Python, as a date column of the union (typed on PostgreSQL)."""
    return Cast(Value(value), DateField())


class _DateFunc(Func):
    output_field = DateField()


class add_days(_DateFunc):  # noqa: N801 - reads as a function in a source's shape
    """`expression` + `days` days, a date on both databases."""

    def __init__(self, expression, days: int) -> None:
        self.days = int(days)
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"(CAST({inner} AS date) + {self.days})", params
        return f"date({inner}, '{self.days:+d} days')", params


class month_end(_DateFunc):  # noqa: N801
    """The last day of the month of a date."""

    def as_sql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return (
                f"CAST(date_trunc('month', CAST({inner} AS timestamp)) + interval '1 month' - interval '1 day' "
                "AS date)",
                params,
            )
        return f"date({inner}, 'start of month', '+1 month', '-1 day')", params


class year_start(_DateFunc):  # noqa: N801
    """1 January of a year number."""

    def as_sql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"make_date(CAST({inner} AS integer), 1, 1)", params
        return f"printf('%%04d-01-01', {inner})", params


def _expr(value, output):
    if isinstance(value, str):
        return Value(value, output_field=output)
    if value is None:
        return Cast(Value(None), output)
    if isinstance(value, int):
        return Value(value, output_field=output)
    return value


@dataclass
class Source:
    """One kind's rows: `rows` is the scoped queryset; `due`, `priority`, `title`, `subtitle`
    and `village` its shape, as expressions. The items of a page come from `build(pks)` (the
    items of those rows by pk), or else from `item(row)` for each row read with the shape's
    columns (`i_due`, `i_priority`, `i_title`, `i_subtitle`, `i_village`) and `fields` (more
    named expressions the item needs: a link's argument, a flag)."""

    kind: str
    rows: QuerySet
    due: Any
    title: Any
    build: Build | None = None
    priority: Any = 0
    subtitle: Any = ""
    village: Any = None
    item: Callable[[dict], Any] | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def shape(self) -> dict[str, Any]:
        return {
            "i_due": self.due,
            "i_priority": _expr(self.priority, IntegerField()),
            "i_title": _expr(self.title, CharField()),
            "i_subtitle": _expr(self.subtitle, CharField()),
            "i_village": _expr(self.village, IntegerField()),
        }

    def items_by_pk(self, pks: list[int]) -> dict[int, Any]:
        """The items of the rows `pks`: one query."""
        if self.build is not None:
            return self.build(pks)
        if self.item is None:
            raise TypeError(f"Source {self.kind}: give a build or an item.")
        return self._read(self.rows.filter(pk__in=pks))

    def all_items(self) -> dict[int, Any]:
        if self.build is not None:
            return self.build(list(self.rows.order_by().values_list("pk", flat=True)))
        return self._read(self.rows)

    def _read(self, rows: QuerySet) -> dict[int, Any]:
        assert self.item is not None
        values = rows.order_by().values(i_pk=F("pk"), **self.shape(), **self.fields)
        return {row["i_pk"]: self.item(row) for row in values}

    def sql(self) -> tuple[str, tuple] | None:
        values = self.rows.order_by().values(
            i_kind=Value(self.kind, output_field=CharField()), i_pk=F("pk"), **self.shape()
        )
        try:
            sql, params = values.query.get_compiler(using=values.db).as_sql()
        except EmptyResultSet:  # a scope that lets the user see nothing: no rows to add
            return None
        return sql, tuple(params)


@dataclass
class ListSource:
    """Items computed in Python (few by nature), entering the union as literal rows."""

    items: Sequence[Any]
    priority: Callable[[Any], int] = field(default=lambda item: 0)

    def sql(self) -> tuple[str, tuple] | None:
        if not self.items:
            return None
        pg = connection.vendor == "postgresql"
        row = "(%s, %s, %s, %s, %s, %s, %s)"
        params: list = []
        for pk, item in enumerate(self.items):
            params += [
                item.kind,
                pk,
                item.due_on,
                self.priority(item),
                item.title,
                item.subtitle,
                getattr(item, "village_id", None),
            ]
        if pg:
            casts = ("text", "integer", "date", "integer", "text", "text", "integer")
            cols = ", ".join(
                f"CAST(column{i + 1} AS {t}) AS {c}"
                for i, (t, c) in enumerate(zip(casts, COLUMNS, strict=True))
            )
        else:
            cols = ", ".join(f"column{i + 1} AS {c}" for i, c in enumerate(COLUMNS))
        values = ", ".join([row] * len(self.items))
        return f"SELECT {cols} FROM (VALUES {values}) v", tuple(params)

    def items_by_pk(self, pks: list[int]) -> dict[int, Any]:
        return {pk: self.items[pk] for pk in pks}

    def all_items(self) -> dict[int, Any]:
        return dict(enumerate(self.items))


def items_of(sources: Iterable["Source | ListSource"], *, today: datetime.date) -> list[Any]:
    """Every item of `sources` in the inbox's order (a provider's own items, for its callers
    and tests): one query per source (two for one with its own `build`), however many rows."""
    keyed = []
    for index, source in enumerate(sources):
        keyed += [((index, pk), item) for pk, item in source.all_items().items()]
    keyed.sort(
        key=lambda pair: (
            pair[1].due_on >= today,
            pair[1].due_on,
            pair[1].kind,
            pair[1].title,
            pair[0],
        )
    )
    return [item for _, item in keyed]


@dataclass(frozen=True)
class Counts:
    total: int
    by_state: dict[str, int]
    by_kind: dict[str, int]


def warning_until(today: datetime.date, calendar) -> datetime.date:
    """The last due date that is still "warning" (1 working day or less left) today: the rule
    of `registry.deadline` as a date the database can compare with."""
    from .registry import WARNING_WORKDAYS

    day = today
    for _ in range(60):
        following = day + datetime.timedelta(days=1)
        if calendar.workdays_between(today, following) > WARNING_WORKDAYS:
            return day
        day = following
    return day


class UnionRows:
    """The sources' rows as one sorted sequence a Paginator can page: `count()` and a slice
    each run one query; a slice builds its items with one query per kind on it.

    `order` is "inbox" (overdue first, then due date, kind, title) or "work" (the same with the
    priority before the kind). Filters: `until` (due on or before), `before` (due before),
    `village`, `kind`, and `q` (in the title or the subtitle, case-sensitive).
    """

    def __init__(
        self,
        sources: Iterable[Source | ListSource],
        *,
        today: datetime.date,
        warning_until: datetime.date | None = None,
        order: str = "inbox",
        until: datetime.date | None = None,
        before: datetime.date | None = None,
        village: int | None = None,
        kind: str | None = None,
        q: str = "",
        prepare: Callable[[list], None] | None = None,
    ) -> None:
        self.sources = list(sources)
        self.today = today
        self.warning = warning_until or today
        self.order = order
        self.filters = {"until": until, "before": before, "village": village, "kind": kind, "q": q}
        self.prepare = prepare
        self._counts: Counts | None = None
        self._union = self._union_sql()

    # ---- SQL -------------------------------------------------------------------------------

    def _union_sql(self) -> tuple[str, tuple] | None:
        parts: list[str] = []
        params: list = []
        for index, source in enumerate(self.sources):
            compiled = source.sql()
            if compiled is None:
                continue
            sql, p = compiled
            cols = ", ".join(COLUMNS)
            parts.append(f"SELECT {index} AS i_src, {cols} FROM ({sql}) s{index}")
            params.extend(p)
        if not parts:
            return None
        return " UNION ALL ".join(parts), tuple(params)

    def _where(self) -> tuple[str, list]:
        clauses, params = [], []
        f = self.filters
        if f["until"] is not None:
            clauses.append("i_due <= %s")
            params.append(f["until"])
        if f["before"] is not None:
            clauses.append("i_due < %s")
            params.append(f["before"])
        if f["village"] is not None:
            clauses.append("i_village = %s")
            params.append(f["village"])
        if f["kind"]:
            clauses.append("i_kind = %s")
            params.append(f["kind"])
        if f["q"]:
            find = (
                "strpos({}, %s) > 0" if connection.vendor == "postgresql" else "instr({}, %s) > 0"
            )
            clauses.append(f"({find.format('i_title')} OR {find.format('i_subtitle')})")
            params += [f["q"], f["q"]]
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _collate(self, column: str) -> str:
        return f'{column} COLLATE "C"' if connection.vendor == "postgresql" else column

    def _order_sql(self) -> str:
        keys = ["CASE WHEN i_due < %s THEN 0 ELSE 1 END", "i_due"]
        if self.order == "work":
            keys.append("i_priority")
        keys += [self._collate("i_kind"), self._collate("i_title"), "i_src", "i_pk"]
        return " ORDER BY " + ", ".join(keys)

    # ---- reads -----------------------------------------------------------------------------

    def counts(self) -> Counts:
        if self._counts is not None:
            return self._counts
        by_state: dict[str, int] = {"overdue": 0, "warning": 0, "normal": 0}
        by_kind: dict[str, int] = {}
        if self._union is not None:
            union, params = self._union
            where, where_params = self._where()
            sql = (
                "SELECT i_kind, CASE WHEN i_due < %s THEN 'overdue' WHEN i_due <= %s "
                "THEN 'warning' ELSE 'normal' END AS i_state, COUNT(*) "
                f"FROM ({union}) u{where} GROUP BY 1, 2"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [self.today, self.warning, *params, *where_params])
                for kind, state, n in cursor.fetchall():
                    by_state[state] += n
                    by_kind[kind] = by_kind.get(kind, 0) + n
        self._counts = Counts(sum(by_state.values()), by_state, by_kind)
        return self._counts

    def count(self) -> int:
        return self.counts().total

    def __len__(self) -> int:
        return self.count()

    def keys(self, offset: int = 0, limit: int | None = None) -> list[tuple[int, int]]:
        """(source index, pk) of the rows in order, from `offset`, at most `limit`."""
        if self._union is None:
            return []
        union, params = self._union
        where, where_params = self._where()
        sql = f"SELECT i_src, i_pk FROM ({union}) u{where}{self._order_sql()}"
        args = [*params, *where_params, self.today]
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            args += [limit, offset]
        elif offset:
            sql += " LIMIT -1 OFFSET %s" if connection.vendor == "sqlite" else " OFFSET %s"
            args.append(offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return [(src, pk) for src, pk in cursor.fetchall()]

    def items(self, offset: int = 0, limit: int | None = None) -> list[Any]:
        keys = self.keys(offset, limit)
        wanted: dict[int, list[int]] = {}
        for src, pk in keys:
            wanted.setdefault(src, []).append(pk)
        built = {src: self.sources[src].items_by_pk(pks) for src, pks in wanted.items()}
        items = [built[src][pk] for src, pk in keys if pk in built[src]]
        if self.prepare is not None:
            self.prepare(items)
        return items

    def __getitem__(self, index):
        if isinstance(index, slice):
            start = index.start or 0
            if index.step not in (None, 1) or start < 0:
                raise ValueError("UnionRows takes a forward slice.")
            limit = None if index.stop is None else max(index.stop - start, 0)
            if limit == 0:
                return []
            return self.items(start, limit)
        items = self.items(index, 1)
        if not items:
            raise IndexError(index)
        return items[0]

    def __iter__(self):
        return iter(self.items())
