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


# Each kind: `_<kind>_rows` is its scoped queryset, `_<kind>_build` its items by pk, and
# `<kind>_source` both with the shape the database sorts by (titles and subtitles written in
# SQL exactly as the items write them, so the database sorts and searches what the page shows).


def _followup_rows(user, *, today, owned):
    rows = FollowUp.objects.filter(status=FollowUp.Status.SCHEDULED, plan__active=True)
    rows = scope(rows, user, POPULATION_ROLES, via="plan__org_unit")
    if owned:
        rows = rows.filter(plan__owner=user, due_on__lte=today + _days(INBOX_HORIZON_DAYS))
    return rows


def _followup_build(rows) -> dict[int, WorkItem]:
    return {
        f.pk: WorkItem(
            kind=KIND_FOLLOWUP,
            title=f"{f.plan.person.name} {f.plan.get_kind_display()}",
            url=reverse("population:followup_detail", args=[f.pk]),
            due_on=f.due_on,
            subtitle=f"{f.plan.org_unit.name} · {f.plan.purpose}",
            priority=PRIORITY_ROUTINE,
            village_id=f.plan.org_unit_id,
            village=f.plan.org_unit.name,
            person_name=f.plan.person.name,
        )
        for f in rows.select_related("plan__person", "plan__org_unit")
    }


def followup_source(user, *, today, owned=False) -> Source:
    rows = _followup_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_FOLLOWUP,
        rows=rows,
        due=F("due_on"),
        priority=PRIORITY_ROUTINE,
        title=text(F("plan__person__name"), " ", choice_label("plan__kind", FollowUpPlan.Kind)),
        subtitle=text(F("plan__org_unit__name"), " · ", F("plan__purpose")),
        village=F("plan__org_unit_id"),
        build=lambda pks: _followup_build(rows.filter(pk__in=pks)),
    )


def _contraception_rows(user, *, today, owned):
    Status = ContraceptionReport.Status
    return rows_visible_to(
        user,
        ContraceptionReport.objects.filter(
            Q(status=Status.EXPECTED, period_end__lt=today) | Q(status=Status.RECEIVED)
        ),
    )


def _contraception_build(rows) -> dict[int, WorkItem]:
    Status = ContraceptionReport.Status
    items = {}
    for report in rows.select_related("person", "org_unit"):
        if report.status == Status.EXPECTED:
            due_on = report.period_end + _days(CONTRACEPTION_CHASE_DAYS)
            what = "未寄回,请催收"
        else:
            due_on = report.received_on + _days(CONTRACEPTION_VERIFY_DAYS)
            what = "已收到,待落实"
        items[report.pk] = WorkItem(
            kind=KIND_CONTRACEPTION,
            title=f"{report.person.name} {what}",
            url=reverse("population:contraception_detail", args=[report.pk]),
            due_on=due_on,
            subtitle=(
                f"{report.org_unit.name} · 报告期 {report.period_start:%Y-%m-%d}"
                f"~{report.period_end:%Y-%m-%d}"
            ),
            priority=PRIORITY_REGISTER,
            village_id=report.org_unit_id,
            village=report.org_unit.name,
            person_name=report.person.name,
        )
    return items


def contraception_source(user, *, today, owned=False) -> Source:
    rows = _contraception_rows(user, today=today, owned=owned)
    expected = ContraceptionReport.Status.EXPECTED
    return Source(
        kind=KIND_CONTRACEPTION,
        rows=rows,
        # Kept by ContraceptionReport.save(): period end + 15 days, or received + 15 days.
        due=F("due_on"),
        priority=PRIORITY_REGISTER,
        title=text(
            F("person__name"),
            Case(
                When(status=expected, then=Value(" 未寄回,请催收")),
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
        village=F("org_unit_id"),
        build=lambda pks: _contraception_build(rows.filter(pk__in=pks)),
    )


def _maternal_rows(user, *, today, owned):
    rows = MaternalVisit.objects.filter(done_on__isnull=True).exclude(
        pregnancy__delivered_on__isnull=False, kind__in=ANTENATAL_KINDS
    )
    rows = scope(rows, user, POPULATION_ROLES, via="pregnancy__org_unit")
    if owned:
        rows = rows.filter(window_start__lte=today)
    return rows


def _maternal_build(rows) -> dict[int, WorkItem]:
    items = {}
    for visit in rows.select_related("pregnancy__person", "pregnancy__org_unit"):
        pregnancy = visit.pregnancy
        high_risk = pregnancy.high_risk or visit.kind == MaternalVisit.Kind.REFERRAL
        subtitle = [pregnancy.org_unit.name, f"{visit.window_start:%Y-%m-%d} 起"]
        if pregnancy.high_risk:
            subtitle.append("高危")
        items[visit.pk] = WorkItem(
            kind=KIND_MATERNAL,
            title=f"{pregnancy.person.name} {visit.get_kind_display()}",
            url=reverse("population:pregnancy_detail", args=[pregnancy.pk]),
            due_on=visit.window_end,
            subtitle=" · ".join(subtitle),
            priority=PRIORITY_HIGH_RISK if high_risk else PRIORITY_MATERNAL,
            village_id=pregnancy.org_unit_id,
            village=pregnancy.org_unit.name,
            person_name=pregnancy.person.name,
        )
    return items


def maternal_source(user, *, today, owned=False) -> Source:
    rows = _maternal_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_MATERNAL,
        rows=rows,
        due=F("window_end"),
        priority=Case(
            When(
                Q(pregnancy__high_risk=True) | Q(kind=MaternalVisit.Kind.REFERRAL),
                then=Value(PRIORITY_HIGH_RISK),
            ),
            default=Value(PRIORITY_MATERNAL),
            output_field=IntegerField(),
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
        village=F("pregnancy__org_unit_id"),
        build=lambda pks: _maternal_build(rows.filter(pk__in=pks)),
    )


def _preconception_rows(user, *, today, owned):
    rows = PreconceptionCheck.objects.filter(done_on__isnull=True, pregnancy__isnull=True)
    return rows_visible_to(user, rows)


def _preconception_build(rows) -> dict[int, WorkItem]:
    return {
        c.pk: WorkItem(
            kind=KIND_PRECONCEPTION,
            title=f"{c.person.name} 孕前优生健康检查",
            url=reverse("population:preconception_detail", args=[c.pk]),
            # A check enrolled while its year's holidays were unknown has no due date yet.
            due_on=c.due_on or c.enrolled_on,
            subtitle=f"{c.org_unit.name} · {c.enrolled_on:%Y-%m-%d} 登记",
            priority=PRIORITY_MATERNAL,
            village_id=c.org_unit_id,
            village=c.org_unit.name,
            person_name=c.person.name,
        )
        for c in rows.select_related("person", "org_unit")
    }


def preconception_source(user, *, today, owned=False) -> Source:
    rows = _preconception_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_PRECONCEPTION,
        rows=rows,
        due=Coalesce(F("due_on"), F("enrolled_on")),
        priority=PRIORITY_MATERNAL,
        title=text(F("person__name"), " 孕前优生健康检查"),
        subtitle=text(F("org_unit__name"), " · ", date_text("enrolled_on"), " 登记"),
        village=F("org_unit_id"),
        build=lambda pks: _preconception_build(rows.filter(pk__in=pks)),
    )


def _certificate_rows(user, *, today, owned):
    rows = MarriageCertificate.objects.filter(
        due_on__isnull=False,
        presented_on__isnull=True,
        record__direction=FloatingRecord.Direction.IN,
        record__ended_on__isnull=True,
    )
    return scope(rows, user, POPULATION_ROLES, via="record__org_unit")


def _certificate_build(rows) -> dict[int, WorkItem]:
    return {
        c.pk: WorkItem(
            kind=KIND_CERTIFICATE,
            title=f"{c.record.person.name} 婚育证明待交验",
            url=reverse("population:floating_detail", args=[c.record_id]),
            due_on=c.due_on,
            subtitle=f"{c.record.org_unit.name} · {c.record.started_on:%Y-%m-%d} 流入",
            priority=PRIORITY_REGISTER,
            village_id=c.record.org_unit_id,
            village=c.record.org_unit.name,
            person_name=c.record.person.name,
        )
        for c in rows.select_related("record__person", "record__org_unit")
        if c.due_on is not None  # filtered in the query; narrows the type
    }


def certificate_source(user, *, today, owned=False) -> Source:
    rows = _certificate_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_CERTIFICATE,
        rows=rows,
        due=F("due_on"),
        priority=PRIORITY_REGISTER,
        title=text(F("record__person__name"), " 婚育证明待交验"),
        subtitle=text(F("record__org_unit__name"), " · ", date_text("record__started_on"), " 流入"),
        village=F("record__org_unit_id"),
        build=lambda pks: _certificate_build(rows.filter(pk__in=pks)),
    )


def _referral_rows(user, *, today, owned):
    rows = Referral.objects.filter(status=Referral.Status.OPEN, due_on__isnull=False)
    if owned:
        # The office the referral was sent to does the work.
        return scope(rows, user, REFERRAL_ROLES, via="to_unit")
    return scope(rows, user, POPULATION_ROLES, via="visit__org_unit")


def _referral_build(rows) -> dict[int, WorkItem]:
    return {
        r.pk: WorkItem(
            kind=KIND_REFERRAL,
            title=f"{r.visit.person.name} {r.get_kind_display()}",
            url=reverse("population:referral_detail", args=[r.pk]),
            due_on=r.due_on,
            subtitle=f"{r.visit.org_unit.name} → {r.to_unit.name}",
            priority=PRIORITY_HIGH_RISK if r.kind == Referral.Kind.MEDICAL else PRIORITY_MATERNAL,
            village_id=r.visit.org_unit_id,
            village=r.visit.org_unit.name,
            person_name=r.visit.person.name,
        )
        for r in rows.select_related("visit__person", "visit__org_unit", "to_unit")
        if r.due_on is not None  # filtered in the query; narrows the type
    }


def referral_source(user, *, today, owned=False) -> Source:
    rows = _referral_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_REFERRAL,
        rows=rows,
        due=F("due_on"),
        priority=Case(
            When(kind=Referral.Kind.MEDICAL, then=Value(PRIORITY_HIGH_RISK)),
            default=Value(PRIORITY_MATERNAL),
            output_field=IntegerField(),
        ),
        title=text(F("visit__person__name"), " ", choice_label("kind", Referral.Kind)),
        subtitle=text(F("visit__org_unit__name"), " → ", F("to_unit__name")),
        village=F("visit__org_unit_id"),
        build=lambda pks: _referral_build(rows.filter(pk__in=pks)),
    )


def _pairing_rows(user, *, today, owned):
    rows = rows_visible_to(user, Pairing.objects.filter(active=True))
    if owned:
        rows = rows.filter(next_due_on__lte=today + _days(INBOX_HORIZON_DAYS))
    return rows


def _pairing_build(rows) -> dict[int, WorkItem]:
    return {
        p.pk: WorkItem(
            kind=KIND_PAIRING,
            title=f"{p.person.name} 志愿者{p.volunteer_name}结对走访",
            url=reverse("population:pairing_detail", args=[p.pk]),
            due_on=p.next_due_on,
            subtitle=f"{p.org_unit.name} · 每 {p.cadence_days} 天",
            priority=PRIORITY_ROUTINE,
            village_id=p.org_unit_id,
            village=p.org_unit.name,
            person_name=p.person.name,
        )
        for p in rows.select_related("person", "org_unit")
    }


def pairing_source(user, *, today, owned=False) -> Source:
    rows = _pairing_rows(user, today=today, owned=owned)
    return Source(
        kind=KIND_PAIRING,
        rows=rows,
        due=F("next_due_on"),
        priority=PRIORITY_ROUTINE,
        title=text(F("person__name"), " 志愿者", F("volunteer_name"), "结对走访"),
        subtitle=text(F("org_unit__name"), " · 每 ", Cast(F("cadence_days"), CharField()), " 天"),
        village=F("org_unit_id"),
        build=lambda pks: _pairing_build(rows.filter(pk__in=pks)),
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
