"""A city of generated townships, villages, residents, households and people on the move.

Sizes at `--scale 1.0` (a prefecture-level city of about 1.2 million residents):

* 8 counties, 20 townships each (160), 25 villages per township (4 000);
* 300 residents per village (1 200 000); birth dates spread evenly over 1930–2024, half
  women; 10 % registered directly at the township, the rest at a village;
* one household per 3 residents of a village, the first member the head;
* 8 % of village residents on the move (流出 two thirds, 流入 one third), a quarter of them
  back already (ended_on set);
* one 村专干 account per village and one 窗口人员 account per township, password unusable.

`--scale` multiplies the residents per village, the villages per township and the
townships per county (each at least 1), so scope filters keep biting at every size.

Rows are written with PostgreSQL COPY (a multi-row INSERT on SQLite) through the same
tables, unique keys and foreign keys as the app. Every column value of a resident comes from
the model field (`pre_save` then `get_db_prep_save`), so a field that changes how it stores
its value (an encrypted ID number, a blind index) is honoured here without edits.

The work of the city, sized at scale 1.0 as measured in issue 13 and multiplied by `--scale`
(each at least 1); every date is spread over the three years before today:

* **key projects** (1 000) in a generated 开发区 under the city with one 项目单位 (and its
  联络员) per 20 projects; each started 40–75 months ago (uniform), so about 57.5 monthly
  reports each (57 773 at scale 1.0) up to last month; a quarter completed (their reports stop
  at completion), the rest 在建; investment per month total / months ±30 %, physical
  progress linear; every report but last month's checked by the zone's 重点项目办; the
  projects under construction are on this year's list (plan ≤ what remains). 1–5 problems per
  project (3 on average): deadline 10, 20 or 30 working days (weekends skipped), 85 %
  resolved (one in eight of those after the deadline), the rest open, a third of those overdue;
* **service-hall cases** (2 000 098), an equal share per township hall, received at a uniform
  time over the three years (08:30–17:30); five generated service items (promised 5, 10, 15,
  20 and 30 working days). Received more than 30 days ago: 90 % approved, 5 % refused, 3 %
  withdrawn, 2 % still accepted (overdue); received in the last 30 days: 45 % accepted, 10 %
  pending, 5 % paused, 40 % finished. Finished at 35 %–125 % of the promised time (about 8 %
  late); 60 % of approved cases rated (非常满意 70 %, 满意 20 %, 基本满意 6 %, 不满意 3 %,
  非常不满意 1 %), each bad rating with its rectification (done when over 30 days old);
* **follow-ups** (5 014 045): plans for residents of the villages, evenly spread, 6–18
  follow-ups each (12 on average) every 90 days, 电话 four in five, 上门 one in five, owned by
  the village's 村专干; all but the last are done (95 %) or skipped (5 %), the last one is
  scheduled and due between 80 days ahead and 10 days ago (about one in nine overdue);
* **audit events** (2 000 000), in time order over the three years, sealed and chained like
  every other row (HMAC-SM3, see `zhengtong.audit.sealing`): 40 % person record views by the
  村专干, 20 % sign-ins, 20 % case intakes and 10 % case decisions by the hall clerks, 10 %
  follow-ups done.

Besides the per-village and per-township accounts: one 计生办 account per township (村专干 role
at the township, like the demo's jishengban), the zone's 区领导 and 重点项目办, and a 区领导 at
the city (the mayor). With `--parent CODE` the counties go under an existing unit (the demo's
聊城市) instead of a new city, so the demo's own accounts see the generated rows too.

Due dates skip weekends but not statutory holidays: the generated rows do not depend on the
holiday calendar (which refuses years it has no data for).
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.actions import _head
from zhengtong.audit.chain import lock_chain
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import get_keyring, seal
from zhengtong.lib import encrypted
from zhengtong.lib.idcard import make_id_number
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord, FollowUp, FollowUpPlan
from zhengtong.projects.models import (
    KeyProject,
    ListEntry,
    Problem,
    ProgressReport,
    ProjectLeader,
    ProjectList,
    Sector,
    Stage,
)
from zhengtong.services.models import Application, Pause, Rating, Rectification, ServiceItem

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
PLACES = ["北京市朝阳区", "上海市浦东新区", "江苏省苏州市", "浙江省杭州市", "广东省深圳市"]
BIRTH_FIRST = datetime.date(1930, 1, 1)
BIRTH_DAYS = (datetime.date(2024, 12, 31) - BIRTH_FIRST).days
CHUNK = 20_000
RELATIONS = [
    HouseholdMember.Relation.HEAD,
    HouseholdMember.Relation.SPOUSE,
    HouseholdMember.Relation.CHILD,
]


@dataclass(frozen=True)
class CitySize:
    counties: int = 8
    towns_per_county: int = 20
    villages_per_town: int = 25
    persons_per_village: int = 300
    floating_share: float = 0.08
    projects: int = 1_000
    cases: int = 2_000_098
    followups: int = 5_014_045
    audit_events: int = 2_000_000

    def scaled(self, scale: float) -> CitySize:
        # Spread the scale over three dimensions so a small city still has several towns;
        # the work of the city (projects, cases, follow-ups, audit) grows with it linearly.
        root = scale ** (1 / 3)
        return replace(
            self,
            towns_per_county=max(1, round(self.towns_per_county * root)),
            villages_per_town=max(1, round(self.villages_per_town * root)),
            persons_per_village=max(3, round(self.persons_per_village * root)),
            projects=max(1, round(self.projects * scale)),
            cases=max(1, round(self.cases * scale)),
            followups=max(1, round(self.followups * scale)),
            audit_events=max(1, round(self.audit_events * scale)),
        )

    @property
    def towns(self) -> int:
        return self.counties * self.towns_per_county

    @property
    def villages(self) -> int:
        return self.towns * self.villages_per_town


@dataclass
class CityCounts:
    counties: int = 0
    towns: int = 0
    villages: int = 0
    persons: int = 0
    households: int = 0
    floating: int = 0
    users: int = 0
    projects: int = 0
    reports: int = 0
    problems: int = 0
    cases: int = 0
    ratings: int = 0
    followup_plans: int = 0
    followups: int = 0
    audit_events: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def column_values(
    model: type[models.Model], obj: models.Model, *, with_pk: bool = False, **fixed
) -> list:
    """The database values of `obj`'s concrete columns, as the model fields make them.

    `fixed` gives the value of an automatic date column (`created_at=...` for an auto_now_add
    field), which `pre_save` would otherwise set to now.
    """
    values = []
    for f in insert_fields(model, with_pk=with_pk):
        value = fixed[f.attname] if f.attname in fixed else f.pre_save(obj, True)
        values.append(f.get_db_prep_save(value, connection))
    return values


def insert_fields(model: type[models.Model], *, with_pk: bool = False) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def write_rows(model: type[models.Model], rows: Iterable[list], *, with_pk: bool = False) -> int:
    """Write `rows` (values in `insert_fields` order) to the model's table; returns the count."""
    fields = insert_fields(model, with_pk=with_pk)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    written = 0
    if any(isinstance(f, encrypted.EncryptedField) for f in fields):
        # The rows are made while COPY streams and the connection can run nothing else then:
        # load the data keys the sealed columns and their blind indexes use before it starts.
        encrypted.load_keys()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            marks = ", ".join(["%s"] * len(fields))
            batch: list[list] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                written += len(batch)
    return written


def person_row(index: int, unit_id: int, region: str) -> list:
    """The one place a generated resident becomes column values (see module docstring)."""
    female = index % 2 == 1
    birth = BIRTH_FIRST + datetime.timedelta(days=(index * 7919) % BIRTH_DAYS)
    # 7919 is prime, so within each run of BIRTH_DAYS indexes every birth date comes once;
    # the run number is the order code: unique for the first BIRTH_DAYS * 499 (17 million).
    seq = (index // BIRTH_DAYS) % 499 + 1
    id_number = make_id_number(birth, female=female, seq=seq, region=region)
    person = Person(
        id_number=id_number,
        name=SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)],
        sex=Person.Sex.FEMALE if female else Person.Sex.MALE,
        birth_date=birth,
        phone=f"13{index % 1_000_000_000:09d}",
        org_unit_id=unit_id,
        hukou_address="",
        current_address="",
    )
    return column_values(Person, person)


def workdays_after(day: datetime.date, workdays: int) -> datetime.date:
    """`day` + `workdays` Monday-to-Friday days (generated rows ignore statutory holidays)."""
    weeks, rest = divmod(workdays, 5)
    day += datetime.timedelta(weeks=weeks)
    while rest:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month `back` months before `day`'s."""
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def resident_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)]


ITEMS = [
    # (code suffix, name, promised working days)
    ("birth", "生育登记", 5),
    ("subsidy", "育儿补贴申领", 10),
    ("floating", "流动人口婚育证明", 15),
    ("special", "计生特殊家庭扶助", 20),
    ("disabled", "残疾人两项补贴", 30),
]
RATING_LEVELS = [5] * 70 + [4] * 20 + [3] * 6 + [2] * 3 + [1]
YEARS = 3


class CityBuilder:
    def __init__(
        self,
        size: CitySize,
        *,
        prefix: str = "city",
        parent: OrgUnit | None = None,
        seed: int = 13,
    ) -> None:
        self.size = size
        self.prefix = prefix
        self.parent = parent
        self.counts = CityCounts()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.first_day = self.today - datetime.timedelta(days=365 * YEARS)
        self.random = random.Random(seed)
        self.tz = timezone.get_current_timezone()

    def build(self) -> CityCounts:
        import time

        def step(name: str, fn, *args) -> None:
            started = time.perf_counter()
            fn(*args)
            self.counts.seconds[name] = time.perf_counter() - started

        if self.parent is None:
            city = self._unit(f"{self.prefix}", "示范市", OrgUnit.Kind.CITY, None)
        else:
            city = self.parent
        self.city = city
        villages: list[tuple[OrgUnit, OrgUnit, str]] = []
        towns: list[tuple[OrgUnit, str]] = []
        for c in range(self.size.counties):
            county = self._unit(f"{self.prefix}-{c}", f"第{c + 1}县", OrgUnit.Kind.COUNTY, city)
            self.counts.counties += 1
            region = f"37{15 + c:02d}{21 + c % 70:02d}"
            for t in range(self.size.towns_per_county):
                town = self._unit(
                    f"{self.prefix}-{c}-{t}", f"第{c + 1}县第{t + 1}镇", OrgUnit.Kind.TOWN, county
                )
                towns.append((town, region))
                for v in range(self.size.villages_per_town):
                    village = self._unit(
                        f"{self.prefix}-{c}-{t}-{v}",
                        f"{town.name}第{v + 1}村",
                        OrgUnit.Kind.VILLAGE,
                        town,
                    )
                    villages.append((village, town, region))
        self.counts.towns = len(towns)
        self.counts.villages = len(villages)
        self.towns = [t for t, _ in towns]
        self.villages = villages
        step("users", self._users, towns, villages)
        step("persons", self._persons, villages)
        step("projects", self._projects)
        step("cases", self._cases)
        step("followups", self._followups)
        step("audit", self._audit)
        step("analyze", self._analyze)
        return self.counts

    def _analyze(self) -> None:
        """Fresh planner statistics: after a bulk load the tables' statistics still describe
        the empty tables, and PostgreSQL would plan nested loops over sequential scans until
        autovacuum catches up."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _unit(self, code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
        unit.save()
        return unit

    def _users(self, towns, villages) -> None:
        password = make_password(None)
        self.zone = self._unit(f"{self.prefix}-zone", "示范开发区", OrgUnit.Kind.ZONE, self.city)
        self.companies = [
            self._unit(
                f"{self.prefix}-zone-co{n}",
                f"示范开发区项目单位{n + 1}",
                OrgUnit.Kind.COMPANY,
                self.zone,
            )
            for n in range(max(1, math.ceil(self.size.projects / 20)))
        ]
        # (username, full name, role, unit)
        accounts = (
            [(f"{u.code}-clerk", f"{u.name}窗口", Role.WINDOW_CLERK, u) for u, _ in towns]
            + [(f"{u.code}-office", f"{u.name}计生办", Role.VILLAGE_WORKER, u) for u, _ in towns]
            + [
                (f"{u.code}-worker", f"{u.name}专干", Role.VILLAGE_WORKER, u)
                for u, _, _ in villages
            ]
            + [(f"{u.code}-liaison", f"{u.name}联络员", Role.LIAISON, u) for u in self.companies]
            + [
                (f"{self.prefix}-leader", "示范开发区领导", Role.LEADER, self.zone),
                (f"{self.prefix}-office", "示范开发区重点项目办", Role.PROJECT_OFFICE, self.zone),
                (f"{self.prefix}-mayor", f"{self.city.name}领导", Role.LEADER, self.city),
            ]
        )
        User.objects.bulk_create(
            [
                User(username=name, full_name=full, password=password)
                for name, full, _, _ in accounts
            ],
            batch_size=2000,
        )
        by_name = dict(
            User.objects.filter(username__startswith=f"{self.prefix}-").values_list(
                "username", "pk"
            )
        )
        Membership.objects.bulk_create(
            [
                Membership(user_id=by_name[name], org_unit=unit, role=role)
                for name, _, role, unit in accounts
            ],
            batch_size=2000,
        )
        self.counts.users = len(accounts)
        self.user_ids = by_name
        self.creator_id = by_name[f"{towns[0][0].code}-clerk"]

    def _persons(self, villages) -> None:
        per_village = self.size.persons_per_village
        at_town = max(0, math.floor(per_village * 0.1))

        # Numbering continues after the residents already there, so ID numbers stay unique.
        first = Person.objects.count()
        self.first_index = first

        def rows() -> Iterator[list]:
            index = first
            for village, town, region in villages:
                for k in range(per_village):
                    unit = town if k < at_town else village
                    yield person_row(index, unit.pk, region)
                    index += 1

        before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.counts.persons = write_rows(Person, rows())
        # The residents just written, in the order written (their index gives their name).
        self.person_ids = list(
            Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        )
        # Households and moves, village by village, over the residents just written.
        floating_every = max(1, round(1 / self.size.floating_share))
        self.village_persons: dict[int, list[int]] = {}
        self.town_persons: dict[int, list[int]] = {}
        for village, town, _ in villages:
            ids = list(
                Person.objects.filter(org_unit=village).order_by("pk").values_list("pk", flat=True)
            )
            self.village_persons[village.pk] = ids
            self.town_persons.setdefault(town.pk, []).extend(ids)
            self._households(village, ids)
            moves = ids[::floating_every]
            self.counts.floating += write_rows(
                FloatingRecord,
                (self._move(village, pk, n) for n, pk in enumerate(moves)),
            )

    def _households(self, village: OrgUnit, ids: list[int]) -> None:
        groups = [ids[i : i + 3] for i in range(0, len(ids), 3)]
        households = Household.objects.bulk_create(
            [
                Household(org_unit=village, address=f"{village.name}{n + 1}号")
                for n in range(len(groups))
            ]
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(
                    household=h,
                    person_id=pk,
                    relation=RELATIONS[i],
                )
                for h, group in zip(households, groups, strict=True)
                for i, pk in enumerate(group)
            ]
        )
        self.counts.households += len(households)

    def _move(self, village: OrgUnit, person_id: int, n: int) -> list:
        started = datetime.date(2024, 1, 1) + datetime.timedelta(days=(n * 37) % 700)
        record = FloatingRecord(
            person_id=person_id,
            direction=FloatingRecord.Direction.IN if n % 3 == 2 else FloatingRecord.Direction.OUT,
            org_unit_id=village.pk,
            place=PLACES[n % len(PLACES)],
            started_on=started,
            ended_on=started + datetime.timedelta(days=90) if n % 4 == 3 else None,
            created_by_id=self.creator_id,
        )
        return column_values(FloatingRecord, record)

    # ------------------------------------------------------------------ key projects

    def _moment(self, day: datetime.date) -> datetime.datetime:
        """A time of the working day (08:30–17:30 local) on `day`, never later than now (a
        case received today was received before the city was generated)."""
        minutes = 510 + self.random.randrange(540)
        moment = datetime.datetime.combine(
            day, datetime.time(minutes // 60, minutes % 60), tzinfo=self.tz
        )
        return min(moment, self.now)

    def _projects(self) -> None:
        rnd = self.random
        sector, _ = Sector.objects.get_or_create(
            code=f"{self.prefix}-industry",
            defaults={"name": "示范产业", "plate": Sector.Plate.MAIN},
        )
        office_id = self.user_ids[f"{self.prefix}-office"]
        leader_id = self.user_ids[f"{self.prefix}-leader"]
        this_month = month_start(self.today)
        projects = []
        plans = []  # (months of reports, finished)
        for i in range(self.size.projects):
            months = rnd.randint(40, 75)
            completed = i % 4 == 3
            start = month_start(self.today, months)
            total = Decimal(rnd.randrange(50, 2000)) * 1_000_000
            projects.append(
                KeyProject(
                    code=f"{self.prefix}-P{i:05d}",
                    name=f"示范重点项目{i + 1:05d}",
                    year=start.year,
                    sector=sector,
                    category=KeyProject.Category.INDUSTRY,
                    org_unit=self.companies[i // 20],
                    responsible_unit=self.zone,
                    total_investment=total,
                    planned_start_on=start,
                    planned_finish_on=month_start(self.today, months - 72),
                    actual_start_on=start,
                    actual_finish_on=(this_month - datetime.timedelta(days=1))
                    if completed
                    else None,
                    stage=Stage.COMPLETED if completed else Stage.UNDER_CONSTRUCTION,
                )
            )
            plans.append(months)
        KeyProject.objects.bulk_create(projects, batch_size=2000)
        projects = list(
            KeyProject.objects.filter(code__startswith=f"{self.prefix}-P").order_by("code")
        )
        ProjectLeader.objects.bulk_create(
            [ProjectLeader(project=p, user_id=leader_id) for p in projects], batch_size=2000
        )
        liaison = {c.pk: self.user_ids[f"{c.code}-liaison"] for c in self.companies}
        reported_before_year: dict[int, Decimal] = {}
        monthly_of: dict[int, Decimal] = {}

        def reports() -> Iterator[list]:
            for project, months in zip(projects, plans, strict=True):
                monthly = (project.total_investment / (months + 12)).quantize(Decimal(1))
                monthly_of[project.pk] = monthly
                done = Decimal(0)
                for back in range(months, 0, -1):
                    month = month_start(self.today, back)
                    amount = (monthly * Decimal(rnd.uniform(0.7, 1.3))).quantize(Decimal(1))
                    if month.year < self.today.year:
                        done += amount
                    progress = Decimal(min(100, round((months - back + 1) / months * 100, 1)))
                    filed = self._moment(month_start(self.today, back - 1) + datetime.timedelta(3))
                    checked = back > 1
                    report = ProgressReport(
                        project=project,
                        month=month,
                        investment=amount,
                        physical_progress=progress.quantize(Decimal("0.1")),
                        progress_note="按计划推进",
                        submitted_by_id=liaison[project.org_unit_id],
                        checked_at=filed + datetime.timedelta(days=2) if checked else None,
                        checked_by_id=office_id if checked else None,
                    )
                    yield column_values(ProgressReport, report, created_at=filed, updated_at=filed)
                reported_before_year[project.pk] = done

        self.counts.reports = write_rows(ProgressReport, reports())
        self.counts.projects = len(projects)

        project_list, _ = ProjectList.objects.get_or_create(
            year=self.today.year,
            defaults={
                "title": ProjectList.default_title(self.today.year),
                "status": ProjectList.Status.APPROVED,
            },
        )
        last = project_list.entries.order_by("-position").values_list("position", flat=True)
        position = last.first() or 0
        entries = []
        for project in projects:
            if project.stage != Stage.UNDER_CONSTRUCTION:
                continue
            remaining = max(Decimal(0), project.total_investment - reported_before_year[project.pk])
            position += 1
            entries.append(
                ListEntry(
                    project_list=project_list,
                    project=project,
                    position=position,
                    annual_plan=min(remaining, monthly_of[project.pk] * 12),
                    origin=ListEntry.Origin.CARRIED,
                    remaining_investment=remaining,
                )
            )
        ListEntry.objects.bulk_create(entries, batch_size=2000)

        def problems() -> Iterator[list]:
            for n, (project, months) in enumerate(zip(projects, plans, strict=True)):
                for k in range(1 + rnd.randrange(5)):
                    raised = self.today - datetime.timedelta(days=rnd.randrange(1, months * 30))
                    workdays = (10, 20, 30)[(n + k) % 3]
                    due = workdays_after(raised, workdays)
                    resolved = rnd.random() < 0.85 and raised < self.today - datetime.timedelta(5)
                    resolved_on = None
                    if resolved:
                        late = rnd.random() < 0.125
                        span = (due - raised).days
                        resolved_on = raised + datetime.timedelta(
                            days=span + rnd.randrange(1, 20) if late else rnd.randrange(1, span)
                        )
                        resolved_on = min(resolved_on, self.today)
                    elif rnd.random() < 0.67:
                        # Most open problems are recent, still within their deadline.
                        raised = self.today - datetime.timedelta(days=rnd.randrange(0, 10))
                        due = workdays_after(raised, workdays)
                    created = self._moment(raised)
                    problem = Problem(
                        project=project,
                        title=f"第{k + 1}项问题:{('用地手续', '资金到位', '施工许可', '配套设施')[k % 4]}",
                        owning_unit=self.zone,
                        raised_by_id=office_id,
                        raised_on=raised,
                        deadline_workdays=workdays,
                        due_on=due,
                        status=Problem.Status.RESOLVED if resolved else Problem.Status.OPEN,
                        resolution_note="已协调解决" if resolved else "",
                        resolved_on=resolved_on,
                        resolved_by_id=office_id if resolved else None,
                    )
                    yield column_values(Problem, problem, created_at=created, updated_at=created)

        self.counts.problems = write_rows(Problem, problems())

    # ------------------------------------------------------------------ service hall

    def _cases(self) -> None:
        rnd = self.random
        items = []
        for code, name, days in ITEMS:
            item, _ = ServiceItem.objects.get_or_create(
                code=f"{self.prefix}-{code}",
                defaults={
                    "name": name,
                    "department": "镇便民服务中心",
                    "legal_basis": "《山东省人口与计划生育条例》",
                    "promised_workdays": days,
                    "window": "综合窗口",
                },
            )
            items.append(item)
        towns = self.towns
        per_town = [self.size.cases // len(towns)] * len(towns)
        for t in range(self.size.cases - sum(per_town)):
            per_town[t] += 1
        span = (self.today - self.first_day).days
        recent = self.today - datetime.timedelta(days=30)
        S = Application.Status
        self.case_towns: list[tuple[int, int, int]] = []  # (first index, count, town pk)
        finished_rows: list[tuple[int, datetime.datetime, int]] = []  # (index, finished, level)
        paused: list[tuple[int, datetime.date]] = []
        index = 0

        def rows() -> Iterator[list]:
            nonlocal index
            for town, count in zip(towns, per_town, strict=True):
                clerk = self.user_ids[f"{town.code}-clerk"]
                people = self.town_persons[town.pk]
                self.case_towns.append((index, count, town.pk))
                days = sorted(rnd.randrange(span + 1) for _ in range(count))
                for n, offset in enumerate(days):
                    item = items[(index + n) % len(items)]
                    day = self.first_day + datetime.timedelta(days=offset)
                    received = self._moment(day)
                    roll = rnd.random()
                    if day > recent:
                        status = (
                            S.ACCEPTED
                            if roll < 0.45
                            else S.PENDING
                            if roll < 0.55
                            else S.PAUSED
                            if roll < 0.60
                            else S.APPROVED
                            if roll < 0.96
                            else S.REFUSED
                        )
                    else:
                        status = (
                            S.APPROVED
                            if roll < 0.90
                            else S.REFUSED
                            if roll < 0.95
                            else S.WITHDRAWN
                            if roll < 0.98
                            else S.ACCEPTED
                        )
                    accepted = None if status == S.PENDING else day
                    due = workdays_after(day, item.promised_workdays) if accepted else None
                    finished = None
                    if status in Application.FINISHED_STATUSES:
                        spent = max(1, round(item.promised_workdays * rnd.uniform(0.35, 1.25)))
                        finished = self._moment(workdays_after(day, spent))
                        if finished > self.now:
                            finished = self.now
                    case = Application(
                        receipt_no=f"{self.prefix}{index + n:08d}",
                        item=item,
                        org_unit=town,
                        applicant_id=people[(index + n) % len(people)],
                        applicant_phone=f"13{(index + n) % 1_000_000_000:09d}",
                        channel=Application.Channel.WINDOW,
                        status=status,
                        first_responder_id=clerk,
                        handler_id=clerk,
                        received_at=received,
                        accepted_on=accepted,
                        due_on=due,
                        paused_workdays=0,
                        finished_at=finished,
                        decision_note="准予办理" if status == S.APPROVED else "",
                    )
                    if status == S.PAUSED:
                        paused.append((index + n, day))
                    if finished is not None and status == S.APPROVED and rnd.random() < 0.6:
                        finished_rows.append((index + n, finished, rnd.choice(RATING_LEVELS)))
                    yield column_values(
                        Application,
                        case,
                        created_at=received,
                        updated_at=finished or received,
                    )
                index += count

        before = Application.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.counts.cases = write_rows(Application, rows())
        first_pk, last_pk = (
            Application.objects.filter(pk__gt=before)
            .aggregate(first=models.Min("pk"), last=models.Max("pk"))
            .values()
        )
        # COPY takes the ids in the order written: index n is row first_pk + n.
        assert last_pk - first_pk + 1 == self.counts.cases, "case ids are not consecutive"
        self.first_case_pk = first_pk

        write_rows(
            Pause,
            (
                column_values(
                    Pause,
                    Pause(
                        application_id=first_pk + n,
                        started_on=min(self.today, day + datetime.timedelta(days=1)),
                        reason="等待申请人补正材料",
                    ),
                )
                for n, day in paused
            ),
        )

        def ratings() -> Iterator[list]:
            for n, finished, level in finished_rows:
                rated = finished + datetime.timedelta(hours=rnd.randrange(1, 48))
                rating = Rating(application_id=first_pk + n, level=level)
                yield column_values(Rating, rating, created_at=min(rated, self.now))

        before_rating = Rating.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.counts.ratings = write_rows(Rating, ratings())
        # Read before the COPY starts: the connection runs nothing else while it copies.
        bad = list(
            Rating.objects.filter(
                pk__gt=before_rating, level__lte=Rating.Level.DISSATISFIED
            ).values_list("pk", "created_at", "application__handler_id")
        )

        def rectifications() -> Iterator[list]:
            for pk, created, handler in bad:
                day = timezone.localdate(created)
                old = day < recent
                done_at = created + datetime.timedelta(days=rnd.randrange(2, 20)) if old else None
                yield column_values(
                    Rectification,
                    Rectification(
                        rating_id=pk,
                        owner_id=handler,
                        due_on=workdays_after(day, 15),
                        callback_note="已电话回访" if old else "",
                        result="已整改并答复申请人" if old else "",
                        done_at=done_at,
                        done_by_id=handler if old else None,
                    ),
                )

        write_rows(Rectification, rectifications())

    # ------------------------------------------------------------------ follow-ups

    def _followups(self) -> None:
        rnd = self.random
        interval = 90
        residents = [
            (pk, village.pk)
            for village, _, _ in self.villages
            for pk in self.village_persons[village.pk]
        ]
        plans = max(1, min(len(residents), round(self.size.followups / 12)))
        stride = len(residents) / plans
        chosen = [residents[int(j * stride)] for j in range(plans)]
        lengths = [6 + j % 13 for j in range(plans)]
        # The last length absorbs the rounding, so the total is the size asked for.
        lengths[-1] = max(1, lengths[-1] + self.size.followups - sum(lengths))
        starts = []
        worker = {v.pk: self.user_ids[f"{v.code}-worker"] for v, _, _ in self.villages}

        def plan_rows() -> Iterator[list]:
            for j, (pk, village) in enumerate(chosen):
                home = j % 5 == 4
                last_due = self.today + datetime.timedelta(days=rnd.randrange(-10, 80))
                start = last_due - datetime.timedelta(days=interval * (lengths[j] - 1))
                starts.append(start)
                plan = FollowUpPlan(
                    person_id=pk,
                    org_unit_id=village,
                    kind=FollowUpPlan.Kind.HOME if home else FollowUpPlan.Kind.PHONE,
                    interval_days=interval,
                    owner_id=worker[village],
                    purpose="上门随访" if home else "季度电话随访",
                )
                yield column_values(FollowUpPlan, plan, created_at=self._moment(start))

        before = FollowUpPlan.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.counts.followup_plans = write_rows(FollowUpPlan, plan_rows())
        plan_ids = list(
            FollowUpPlan.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        )
        F = FollowUp.Status

        def rows() -> Iterator[list]:
            for j, plan_id in enumerate(plan_ids):
                owner = worker[chosen[j][1]]
                for k in range(lengths[j]):
                    due = starts[j] + datetime.timedelta(days=interval * k)
                    if k == lengths[j] - 1:
                        followup = FollowUp(plan_id=plan_id, due_on=due, status=F.SCHEDULED)
                    elif rnd.random() < 0.95:
                        followup = FollowUp(
                            plan_id=plan_id,
                            due_on=due,
                            status=F.DONE,
                            done_on=min(
                                self.today, due + datetime.timedelta(rnd.randrange(-5, 10))
                            ),
                            done_by_id=owner,
                            outcome="情况正常",
                        )
                    else:
                        followup = FollowUp(
                            plan_id=plan_id,
                            due_on=due,
                            status=F.SKIPPED,
                            skip_reason="外出务工,无法联系",
                        )
                    yield column_values(FollowUp, followup)

        self.counts.followups = write_rows(FollowUp, rows())

    # ------------------------------------------------------------------ audit log

    def _audit(self) -> None:
        """Append the events after the chain's head, sealed in order, as record_event would."""
        rnd = self.random
        total = self.size.audit_events
        ring = get_keyring()
        lock_chain()
        head = _head()
        next_id = head.id + 1 if head else 1
        prev_hash = head.hash if head else ""
        span = self.now - datetime.datetime.combine(self.first_day, datetime.time(), self.tz)
        moments = sorted(rnd.random() for _ in range(total))
        villages = [v for v, _, _ in self.villages]
        users = list(self.user_ids.items())
        cases = self.counts.cases
        K = Event.Kind
        case_firsts = [first for first, _, _ in self.case_towns]

        def town_of_case(n: int) -> OrgUnit:
            return self.towns[bisect.bisect_right(case_firsts, n) - 1]

        def rows() -> Iterator[list]:
            nonlocal next_id, prev_hash
            for fraction in moments:
                at = self.now - span * (1 - fraction)
                roll = rnd.random()
                if roll < 0.4:
                    village = rnd.choice(villages)
                    ids = self.village_persons[village.pk]
                    pk = rnd.choice(ids)
                    index = self.first_index + bisect.bisect_left(self.person_ids, pk)
                    event = Event(
                        actor_id=self.user_ids[f"{village.code}-worker"],
                        actor_label=f"{village.name}专干",
                        kind=K.READ,
                        action="person_viewed",
                        target_type="people.person",
                        target_id=str(pk),
                        target_repr=resident_name(index),
                        org_unit_id=village.pk,
                    )
                elif roll < 0.6:
                    username, pk = rnd.choice(users)
                    event = Event(
                        actor_id=pk,
                        actor_label=username,
                        kind=K.LOGIN,
                        action="login",
                        target_type="accounts.user",
                        target_id=str(pk),
                        target_repr=username,
                    )
                elif roll < 0.9 and cases:
                    n = rnd.randrange(cases)
                    town = town_of_case(n)
                    decided = roll >= 0.8
                    event = Event(
                        actor_id=self.user_ids[f"{town.code}-clerk"],
                        actor_label=f"{town.name}窗口",
                        kind=K.UPDATE if decided else K.CREATE,
                        action="application_approved" if decided else "application_received",
                        target_type="services.application",
                        target_id=str(self.first_case_pk + n),
                        target_repr=f"{self.prefix}{n:08d}",
                        org_unit_id=town.pk,
                        changes={"status": ["accepted", "approved"]} if decided else {},
                    )
                else:
                    village = rnd.choice(villages)
                    event = Event(
                        actor_id=self.user_ids[f"{village.code}-worker"],
                        actor_label=f"{village.name}专干",
                        kind=K.UPDATE,
                        action="followup_done",
                        target_type="population.followup",
                        target_id="",
                        target_repr="随访",
                        org_unit_id=village.pk,
                        changes={"status": ["scheduled", "done"]},
                    )
                event.created_at = at
                event.ip = f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
                event.channel = "web"
                event.id = next_id
                event.key_id = ring.current_id
                event.prev_hash = prev_hash
                event.hash = seal(event, ring.current)
                prev_hash = event.hash
                next_id += 1
                yield column_values(Event, event, with_pk=True)

        self.counts.audit_events = write_rows(Event, rows(), with_pk=True)
        if connection.vendor == "postgresql":
            table = Event._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
