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
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.lib.idcard import make_id_number
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord

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

    def scaled(self, scale: float) -> CitySize:
        # Spread the scale over three dimensions so a small city still has several towns.
        root = scale ** (1 / 3)
        return CitySize(
            counties=self.counties,
            towns_per_county=max(1, round(self.towns_per_county * root)),
            villages_per_town=max(1, round(self.villages_per_town * root)),
            persons_per_village=max(3, round(self.persons_per_village * root)),
            floating_share=self.floating_share,
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


def column_values(model: type[models.Model], obj: models.Model) -> list:
    """The database values of `obj`'s concrete non-key columns, as the model fields make them."""
    return [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for field in insert_fields(model)
    ]


def insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def write_rows(model: type[models.Model], rows: Iterable[list]) -> int:
    """Write `rows` (values in `insert_fields` order) to the model's table; returns the count."""
    fields = insert_fields(model)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    written = 0
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


class CityBuilder:
    def __init__(self, size: CitySize, *, prefix: str = "city") -> None:
        self.size = size
        self.prefix = prefix
        self.counts = CityCounts()
        self.now = timezone.now()

    def build(self) -> CityCounts:
        city = self._unit(f"{self.prefix}", "示范市", OrgUnit.Kind.CITY, None)
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
        self._users(towns, villages)
        self._persons(villages)
        return self.counts

    def _unit(self, code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
        unit.save()
        return unit

    def _users(self, towns, villages) -> None:
        password = make_password(None)
        users = [
            User(username=f"{u.code}-clerk", full_name=f"{u.name}窗口", password=password)
            for u, _ in towns
        ] + [
            User(username=f"{u.code}-worker", full_name=f"{u.name}专干", password=password)
            for u, _, _ in villages
        ]
        User.objects.bulk_create(users, batch_size=2000)
        by_name = dict(
            User.objects.filter(username__startswith=f"{self.prefix}-").values_list(
                "username", "pk"
            )
        )
        Membership.objects.bulk_create(
            [
                Membership(user_id=by_name[f"{u.code}-clerk"], org_unit=u, role=Role.WINDOW_CLERK)
                for u, _ in towns
            ]
            + [
                Membership(
                    user_id=by_name[f"{u.code}-worker"], org_unit=u, role=Role.VILLAGE_WORKER
                )
                for u, _, _ in villages
            ],
            batch_size=2000,
        )
        self.counts.users = len(users)
        self.creator_id = by_name[f"{towns[0][0].code}-clerk"]

    def _persons(self, villages) -> None:
        per_village = self.size.persons_per_village
        at_town = max(0, math.floor(per_village * 0.1))

        # Numbering continues after the residents already there, so ID numbers stay unique.
        first = Person.objects.count()

        def rows() -> Iterator[list]:
            index = first
            for village, town, region in villages:
                for k in range(per_village):
                    unit = town if k < at_town else village
                    yield person_row(index, unit.pk, region)
                    index += 1

        self.counts.persons = write_rows(Person, rows())
        # Households and moves, village by village, over the residents just written.
        floating_every = max(1, round(1 / self.size.floating_share))
        for village, _, _ in villages:
            ids = list(
                Person.objects.filter(org_unit=village).order_by("pk").values_list("pk", flat=True)
            )
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
