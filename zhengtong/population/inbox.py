"""Every due date of the population work, for 我的待办 and the working lists (PF14).

Seven kinds, one query each whatever the number of rows:

| kind | row | due date |
| 随访 | a scheduled follow-up of an active plan | its due date |
| 避孕节育报告单 | a report missing after its period, or received but not verified | period end + 15 days; received + 15 days |
| 孕产期随访 | a visit window not done (antenatal ones only until delivery) | the window's last day |
| 孕前优生健康检查 | an enrolled woman not yet checked nor pregnant | enrolment + 20 working days |
| 婚育证明 | an arrival's certificate not presented | arrival + 30 days (see the record) |
| 走访转介 | an open referral with a due date | its due date |
| 结对走访 | an active volunteer pairing | its next visit date |

我的待办 (`inbox_items`) shows what the user should act on now: the follow-ups the user owns
(责任人) due within 14 days, the maternal windows that have opened, the referrals sent to the
user's office, and the other kinds of the user's villages. The working lists (`area_items`) show
every open item of the user's villages, whoever owns it.

Priority breaks ties between items due the same day: high-risk maternal care first, then other
maternal windows and referrals, then certificates and contraception reports, then routine
follow-ups and pairing visits.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import scope, unit_paths
from zhengtong.inbox.registry import InboxItem
from zhengtong.inbox.union import Source, UnionRows, choice_label, date_text, text

from .models import (
    ContraceptionReport,
    FloatingRecord,
    FollowUp,
    FollowUpPlan,
    MarriageCertificate,
    MaternalVisit,
    Pairing,
    PreconceptionCheck,
    Referral,
)
from .schedule import ANTENATAL_KINDS
from .selectors import POPULATION_ROLES, rows_visible_to

KIND_FOLLOWUP = "随访"
KIND_CONTRACEPTION = "避孕节育报告单"
KIND_MATERNAL = "孕产期随访"
KIND_PRECONCEPTION = "孕前优生健康检查"
KIND_CERTIFICATE = "婚育证明"
KIND_REFERRAL = "走访转介"
KIND_PAIRING = "结对走访"
KINDS = [
    KIND_MATERNAL,
    KIND_PRECONCEPTION,
    KIND_REFERRAL,
    KIND_CERTIFICATE,
    KIND_CONTRACEPTION,
    KIND_FOLLOWUP,
    KIND_PAIRING,
]

PRIORITY_HIGH_RISK = 0
PRIORITY_MATERNAL = 1
PRIORITY_REGISTER = 2
PRIORITY_ROUTINE = 3
PRIORITY_LABELS = {0: "高", 1: "较高", 2: "中", 3: "一般"}

# Days before its due date a follow-up or pairing visit enters 我的待办.
INBOX_HORIZON_DAYS = 14
# Days the village has to chase a missing report after the period, or to verify a received one.
CONTRACEPTION_CHASE_DAYS = ContraceptionReport.CHASE_DAYS
CONTRACEPTION_VERIFY_DAYS = ContraceptionReport.VERIFY_DAYS
# Roles of the office that handles a referral (the care actions decide who closes one).
REFERRAL_ROLES = [Role.DEPT_CLERK, Role.VILLAGE_WORKER]


@dataclass
class WorkItem(InboxItem):
    """An inbox item that also knows its village and priority, for the working lists."""

    priority: int = PRIORITY_ROUTINE
    village_id: int | None = None
    village: str = ""
    person_name: str = ""

    @property
    def priority_label(self) -> str:
        return PRIORITY_LABELS[self.priority]


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _source(kind: str, rows, *, unit: str, person: str, url: str, link: str = "pk", **shape):
    """One kind's source: its rows, and the columns the page shows written once, in SQL (the
    due date, priority, title and subtitle in `shape`; the village `unit` and the person
    `person` as paths from the row; the page `url` reversed with the row's `link`). The items
    are read from those columns, so the page shows what the database sorts and searches."""

    def item(row) -> WorkItem:
        return WorkItem(
            kind=kind,
            title=row["i_title"],
            url=reverse(url, args=[row["i_link"]]),
            due_on=row["i_due"],
            subtitle=row["i_subtitle"],
            priority=row["i_priority"],
            village_id=row["i_village"],
            village=row["i_village_name"],
            person_name=row["i_person"],
        )

    return Source(
        kind=kind,
        rows=rows,
        village=F(f"{unit}_id"),
        fields={
            "i_link": F(link),
            "i_village_name": F(f"{unit}__name"),
            "i_person": F(f"{person}__name"),
        },
        item=item,
        **shape,
    )


def _high_risk_if(condition: Q, otherwise: int) -> Case:
    return Case(
        When(condition, then=Value(PRIORITY_HIGH_RISK)),
        default=Value(otherwise),
        output_field=IntegerField(),
    )


def _followup_rows(user, *, today, owned):
    rows = FollowUp.objects.filter(status=FollowUp.Status.SCHEDULED, plan__active=True)
    rows = scope(rows, user, POPULATION_ROLES, via="plan__org_unit")
    if owned:
        rows = rows.filter(plan__owner=user, due_on__lte=today + _days(INBOX_HORIZON_DAYS))
    return rows


def followup_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_FOLLOWUP,
        _followup_rows(user, today=today, owned=owned),
        unit="plan__org_unit",
        person="plan__person",
        url="population:followup_detail",
        due=F("due_on"),
        priority=PRIORITY_ROUTINE,
        title=text(F("plan__person__name"), " ", choice_label("plan__kind", FollowUpPlan.Kind)),
        subtitle=text(F("plan__org_unit__name"), " · ", F("plan__purpose")),
    )


def _contraception_rows(user, *, today, owned):
    Status = ContraceptionReport.Status
    return rows_visible_to(
        user,
        ContraceptionReport.objects.filter(
            Q(status=Status.EXPECTED, period_end__lt=today) | Q(status=Status.RECEIVED)
        ),
    )


def contraception_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_CONTRACEPTION,
        _contraception_rows(user, today=today, owned=owned),
        unit="org_unit",
        person="person",
        url="population:contraception_detail",
        # Kept by ContraceptionReport.save(): period end + 15 days, or received + 15 days.
        due=F("due_on"),
        priority=PRIORITY_REGISTER,
        title=text(
            F("person__name"),
            Case(
                When(status=ContraceptionReport.Status.EXPECTED, then=Value(" 未寄回,请催收")),
                default=Value(" 已收到,待落实"),
                output_field=CharField(),
            ),
        ),
        subtitle=text(
            F("org_unit__name"),
            " · 报告期 ",
            date_text("period_start"),
            "~",
            date_text("period_end"),
        ),
    )


def _maternal_rows(user, *, today, owned):
    rows = MaternalVisit.objects.filter(done_on__isnull=True).exclude(
        pregnancy__delivered_on__isnull=False, kind__in=ANTENATAL_KINDS
    )
    rows = scope(rows, user, POPULATION_ROLES, via="pregnancy__org_unit")
    if owned:
        rows = rows.filter(window_start__lte=today)
    return rows


def maternal_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_MATERNAL,
        _maternal_rows(user, today=today, owned=owned),
        unit="pregnancy__org_unit",
        person="pregnancy__person",
        url="population:pregnancy_detail",
        link="pregnancy_id",
        due=F("window_end"),
        priority=_high_risk_if(
            Q(pregnancy__high_risk=True) | Q(kind=MaternalVisit.Kind.REFERRAL), PRIORITY_MATERNAL
        ),
        title=text(F("pregnancy__person__name"), " ", choice_label("kind", MaternalVisit.Kind)),
        subtitle=text(
            F("pregnancy__org_unit__name"),
            " · ",
            date_text("window_start"),
            " 起",
            Case(
                When(pregnancy__high_risk=True, then=Value(" · 高危")),
                default=Value(""),
                output_field=CharField(),
            ),
        ),
    )


def _preconception_rows(user, *, today, owned):
    rows = PreconceptionCheck.objects.filter(done_on__isnull=True, pregnancy__isnull=True)
    return rows_visible_to(user, rows)


def preconception_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_PRECONCEPTION,
        _preconception_rows(user, today=today, owned=owned),
        unit="org_unit",
        person="person",
        url="population:preconception_detail",
        # A check enrolled while its year's holidays were unknown has no due date yet.
        due=Coalesce(F("due_on"), F("enrolled_on")),
        priority=PRIORITY_MATERNAL,
        title=text(F("person__name"), " 孕前优生健康检查"),
        subtitle=text(F("org_unit__name"), " · ", date_text("enrolled_on"), " 登记"),
    )


def _certificate_rows(user, *, today, owned):
    rows = MarriageCertificate.objects.filter(
        due_on__isnull=False,
        presented_on__isnull=True,
        record__direction=FloatingRecord.Direction.IN,
        record__ended_on__isnull=True,
    )
    return scope(rows, user, POPULATION_ROLES, via="record__org_unit")


def certificate_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_CERTIFICATE,
        _certificate_rows(user, today=today, owned=owned),
        unit="record__org_unit",
        person="record__person",
        url="population:floating_detail",
        link="record_id",
        due=F("due_on"),
        priority=PRIORITY_REGISTER,
        title=text(F("record__person__name"), " 婚育证明待交验"),
        subtitle=text(F("record__org_unit__name"), " · ", date_text("record__started_on"), " 流入"),
    )


def _referral_rows(user, *, today, owned):
    rows = Referral.objects.filter(status=Referral.Status.OPEN, due_on__isnull=False)
    if owned:
        # The office the referral was sent to does the work.
        return scope(rows, user, REFERRAL_ROLES, via="to_unit")
    return scope(rows, user, POPULATION_ROLES, via="visit__org_unit")


def referral_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_REFERRAL,
        _referral_rows(user, today=today, owned=owned),
        unit="visit__org_unit",
        person="visit__person",
        url="population:referral_detail",
        due=F("due_on"),
        priority=_high_risk_if(Q(kind=Referral.Kind.MEDICAL), PRIORITY_MATERNAL),
        title=text(F("visit__person__name"), " ", choice_label("kind", Referral.Kind)),
        subtitle=text(F("visit__org_unit__name"), " → ", F("to_unit__name")),
    )


def _pairing_rows(user, *, today, owned):
    rows = rows_visible_to(user, Pairing.objects.filter(active=True))
    if owned:
        rows = rows.filter(next_due_on__lte=today + _days(INBOX_HORIZON_DAYS))
    return rows


def pairing_source(user, *, today, owned=False) -> Source:
    return _source(
        KIND_PAIRING,
        _pairing_rows(user, today=today, owned=owned),
        unit="org_unit",
        person="person",
        url="population:pairing_detail",
        due=F("next_due_on"),
        priority=PRIORITY_ROUTINE,
        title=text(F("person__name"), " 志愿者", F("volunteer_name"), "结对走访"),
        subtitle=text(F("org_unit__name"), " · 每 ", Cast(F("cadence_days"), CharField()), " 天"),
    )


SOURCES = [
    maternal_source,
    preconception_source,
    referral_source,
    certificate_source,
    contraception_source,
    followup_source,
    pairing_source,
]


def _sources(user, *, today, owned: bool) -> list[Source]:
    if not unit_paths(user, [*POPULATION_ROLES, *REFERRAL_ROLES]):
        return []
    if not unit_paths(user, POPULATION_ROLES):
        return [referral_source(user, today=today, owned=owned)] if owned else []
    return [source(user, today=today, owned=owned) for source in SOURCES]


def inbox_sources(user, *, today) -> list[Source]:
    """我的待办 provider: what the user should act on now (see the module docstring)."""
    return _sources(user, today=today, owned=True)


def area_sources(user, *, today) -> list[Source]:
    """Every open item of the user's villages, for the working lists."""
    return _sources(user, today=today, owned=False)


def inbox_items(user, *, today=None) -> list[WorkItem]:
    """The items of `inbox_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return UnionRows(inbox_sources(user, today=today), today=today).items()


def area_items(user, *, today=None) -> list[WorkItem]:
    """The items of `area_sources`, in the working lists' order."""
    today = today or timezone.localdate()
    return UnionRows(area_sources(user, today=today), today=today, order="work").items()
