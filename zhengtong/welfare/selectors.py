"""Who sees and changes welfare rows, and the reads shared by views, actions and stats.

Rows carry `org_unit` = the department that keeps them (民政局). A 部门经办 of that department
sees and changes them; a 区领导 reads everything below the zone and changes nothing. A clerk of
another department (社会事业局) keeps no welfare rows: lists are closed to them (403) and rows
are not found (404).
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from zhengtong.accounts.models import Membership, OrgUnit, Role
from zhengtong.accounts.scope import can_act_in, has_role, scope, unit_paths
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import parse_id_number

from .models import Assessment, AssessmentScale, WelfareStatus

VIEW_ROLES = [Role.DEPT_CLERK, Role.LEADER]
EDIT_ROLES = [Role.DEPT_CLERK]
MIN_AGE = 60
SUBSIDY_LEVELS = (2, 3)
SUBSIDY_CATEGORIES = (WelfareStatus.Category.DIBAO, WelfareStatus.Category.TEKUN)
DEFAULT_RATES = {"2": "100", "3": "200"}
# A new assessment uses MZ/T 039-2013 unless the assessors choose another active scale: the seed's
# subsidy condition (能力等级为2-3级), the amounts by level (NURSING_SUBSIDY_RATES) and the census
# are written in its four levels. GB/T 42195-2022 (five levels, 0–90 points) can be chosen on the
# form; its levels decide the subsidy only once the office sets which of them qualify and at
# what amount (SUBSIDY_LEVELS_BY_VERSION and the rates).
DEFAULT_SCALE_CODE = "MZ/T 039-2013"
SUBSIDY_LEVELS_BY_VERSION = {"MZ/T 039-2013": SUBSIDY_LEVELS}


def keeper_unit_codes() -> tuple:
    return tuple(getattr(settings, "WELFARE_KEEPER_UNIT_CODES", ("ZONE-MZJ",)))


def subsidy_rates() -> dict:
    """Monthly nursing subsidy in 元 by ability level, from `NURSING_SUBSIDY_RATES`."""
    rates = getattr(settings, "NURSING_SUBSIDY_RATES", DEFAULT_RATES)
    return {str(level): str(amount) for level, amount in rates.items()}


# ------------------------------------------------------------------------------- access


def keeping_unit_for(user) -> OrgUnit | None:
    """The 民政 department where `user` files welfare rows, or None when they may not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = user.__dict__.get("_welfare_unit", False)
    if cached is not False:
        return cached
    membership = (
        Membership.objects.filter(
            user=user, role=Role.DEPT_CLERK, org_unit__code__in=keeper_unit_codes()
        )
        .select_related("org_unit")
        .order_by("org_unit__path")
        .first()
    )
    unit = membership.org_unit if membership else None
    user.__dict__["_welfare_unit"] = unit
    return unit


def can_view_welfare(user) -> bool:
    """A 民政 clerk or a zone leader; a clerk of another department is not a welfare reader."""
    if has_role(user, Role.LEADER):
        return True
    if not has_role(user, Role.DEPT_CLERK):
        return False
    return keeping_unit_for(user) is not None


def can_keep_welfare(user) -> bool:
    """A 民政 clerk who files welfare rows (the gate of the forms that make them)."""
    return keeping_unit_for(user) is not None


def require_keeping_unit(user) -> OrgUnit:
    unit = keeping_unit_for(user)
    if unit is None:
        raise PermissionDenied
    return unit


def can_edit_row(user, org_unit) -> bool:
    return can_act_in(user, org_unit, EDIT_ROLES)


def require_edit(user, org_unit) -> None:
    if not can_edit_row(user, org_unit):
        raise PermissionDenied


def rows_visible_to(user, qs: QuerySet, *, via: str = "org_unit") -> QuerySet:
    """`qs` narrowed to what `user` may read: own department, or the zone for a leader."""
    return scope(qs, user, VIEW_ROLES, via=via)


def get_for_user(user, qs: QuerySet, pk, *, purpose: str = "详情"):
    """The row `pk` of `qs` when `user` may read it, the read audited (every welfare row is about
    named residents); 404 otherwise, audited as denied."""
    try:
        row = rows_visible_to(user, qs).filter(pk=pk).first()
    except (ValueError, TypeError):
        row = None
    if row is None:
        record_denied(actor=user, model=qs.model, pk=pk)
        raise Http404
    record_read(actor=user, target=row, purpose=purpose)
    return row


def find_known_person_for_user(user, id_number: str, *, purpose: str):
    """The person with this (normalised) ID number that this office knows — a welfare status or
    an assessment it keeps — the read audited; None when the office knows nobody by it."""
    from zhengtong.people.models import Person

    known = Q(welfare_status__in=rows_visible_to(user, WelfareStatus.objects.all()))
    known |= Q(assessments__in=rows_visible_to(user, Assessment.objects.all()))
    person = (
        match(Person.objects.filter(known), "id_number", id_number)
        .select_related("org_unit")
        .distinct()
    ).first()
    if person is not None:
        record_read(actor=user, target=person, purpose=purpose, org_unit=keeping_unit_for(user))
    return person


def active_scale(pk=None) -> AssessmentScale:
    """The scale a new assessment uses: the active one chosen by id (or by its code, e.g.
    "GB/T 42195-2022"), else the default. Anything else typed in the address is the default."""
    if pk not in (None, ""):
        text = str(pk).strip()
        chosen = (
            AssessmentScale.objects.filter(
                **({"pk": int(text)} if text.isdigit() else {"code": text}), active=True
            ).first()
            if len(text) <= 50
            else None
        )
        if chosen is not None:
            return chosen
    return AssessmentScale.objects.get(code=DEFAULT_SCALE_CODE)


def active_scales() -> list[AssessmentScale]:
    return list(AssessmentScale.objects.filter(active=True).order_by("-code"))


# ------------------------------------------------------------------------------- dates


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus calendar months, clamped to the month's last day (08-31 + 6 → 02-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# ------------------------------------------------------------------------------- eligibility


def latest_assessments(persons_qs: QuerySet, *, on: datetime.date) -> dict:
    """{person id: latest Assessment on or before `on`} in one query."""
    latest = (
        Assessment.objects.filter(person=OuterRef("person"), assessed_on__lte=on)
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    rows = Assessment.objects.filter(person__in=persons_qs, id=Subquery(latest))
    return {a.person_id: a for a in rows}


def judge(person, status: WelfareStatus | None, assessment: Assessment | None, *, on):
    """(eligible, reasons) from facts already loaded; every unmet condition gives one reason.

    The rule (FEATURES WL2): age ≥ 60 from the ID number ∧ 低保 or 特困 ∧ 生活长期不能自理 ∧
    散居 (not living in an institution) ∧ the latest assessment's level ∈ {2, 3}.
    """
    reasons = []
    age = parse_id_number(person.id_number).age_on(on)
    if age < MIN_AGE:
        reasons.append(f"年龄未满{MIN_AGE}周岁(按身份证号码计算为{age}周岁)。")
    if status is None:
        reasons.append("未登记救助身份:需为城乡低保或特困(城市三无/农村五保)人员。")
    else:
        if status.category not in SUBSIDY_CATEGORIES:
            label = status.get_category_display() if status.category else "无"
            reasons.append(f"救助类别为“{label}”,需为城乡低保或特困(城市三无/农村五保)人员。")
        if not status.long_term_dependent:
            reasons.append("未认定为生活长期不能自理。")
        if status.in_institution:
            reasons.append("已入住养老机构,护理补贴仅发给散居老人。")
    version = assessment.scale_version or DEFAULT_SCALE_CODE if assessment else ""
    if assessment is None:
        reasons.append("没有能力评估记录,需评估为2级或3级。")
    elif version not in SUBSIDY_LEVELS_BY_VERSION:
        reasons.append(
            f"最近一次能力评估({assessment.assessed_on:%Y-%m-%d})按 {version} 评定;"
            f"护理补贴的等级条件(2级或3级)按 {DEFAULT_SCALE_CODE} 规定,"
            f"需按 {DEFAULT_SCALE_CODE} 评估。"
        )
    elif assessment.level not in SUBSIDY_LEVELS_BY_VERSION[version]:
        reasons.append(
            f"最近一次能力评估({assessment.assessed_on:%Y-%m-%d})为{assessment.level}级,"
            "需为2级或3级。"
        )
    return (not reasons, reasons)


def eligibility(person, on: datetime.date) -> tuple[bool, list[str]]:
    """Whether `person` qualifies for the nursing subsidy on `on`, and why not."""
    status = WelfareStatus.objects.filter(person=person).first()
    assessment = (
        Assessment.objects.filter(person=person, assessed_on__lte=on)
        .order_by("-assessed_on", "-id")
        .first()
    )
    return judge(person, status, assessment, on=on)


def eligible_people(statuses: QuerySet, *, on: datetime.date) -> list[tuple]:
    """[(status, latest assessment)] of the eligible among `statuses`, in two queries."""
    rows = list(statuses.select_related("person").order_by("person__name", "person_id"))
    latest = latest_assessments(
        WelfareStatus.objects.filter(pk__in=[s.pk for s in rows]).values("person_id"), on=on
    )
    found = []
    for status in rows:
        assessment = latest.get(status.person_id)
        ok, _reasons = judge(status.person, status, assessment, on=on)
        if ok:
            found.append((status, assessment))
    return found


def user_unit_paths(user) -> list[str]:
    return unit_paths(user, VIEW_ROLES)
