"""Employment records (城镇新增就业, 就业困难人员再就业, 农村劳动力转移) and the registered
unemployment rate of a period.

A person counts once per kind per calendar year: the annual figures are counts of people, so a
second record of the same kind in the same year is refused instead of inflating the total.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.actions import person_get_or_register

from ..models import EmploymentRecord, UnemploymentFigure
from ._common import acting_unit, past_date, text, today

MIN_WORKING_AGE = 16  # 劳动法 Art. 15: no employment under 16.
UNEMPLOYMENT_TARGET = Decimal("3.00")  # ≤ 3% registered unemployment, the zone's annual target.
FIGURE_FIELDS = ["registered_unemployed", "labour_force"]


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@audited_atomic
def employment_record_create(
    *,
    actor,
    id_number: str,
    name: str,
    kind: str,
    employed_on: datetime.date,
    employer: str,
    phone: str = "",
    org_unit=None,
) -> EmploymentRecord:
    """Register one person placed in work; the person is found or registered by ID number."""
    org_unit = acting_unit(actor, org_unit)
    if kind not in EmploymentRecord.Kind.values:
        raise ValidationError({"kind": "请选择就业类别。"})
    past_date(employed_on, field="employed_on", label="就业日期")
    employer = text(employer, field="employer", label="就业单位/转移去向", max_length=200)
    person = person_get_or_register(actor=actor, id_number=id_number, name=name, phone=phone)
    if _age_on(person.birth_date, employed_on) < MIN_WORKING_AGE:
        raise ValidationError({"employed_on": "就业日期时该人员未满 16 周岁,不能登记就业。"})
    # Lock the person so two clerks cannot both count them in the same year.
    type(person).objects.select_for_update().filter(pk=person.pk).first()
    same_year = EmploymentRecord.objects.filter(
        person=person, kind=kind, employed_on__year=employed_on.year
    ).first()
    if same_year is not None:
        raise ValidationError(
            {
                "id_number": (
                    f"{person.name} {employed_on.year} 年已有"
                    f"{EmploymentRecord.Kind(kind).label}登记"
                    f"({same_year.employed_on:%Y-%m-%d}),同一人同一类别每年只统计一次。"
                )
            }
        )
    record = EmploymentRecord.objects.create(
        person=person,
        org_unit=org_unit,
        kind=kind,
        employed_on=employed_on,
        employer=employer,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="employment_recorded",
        kind=Event.Kind.CREATE,
        target=record,
        changes=snapshot(record, ["person", "kind", "employed_on", "employer"]),
    )
    return record


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def unemployment_rate(unemployed: int, labour_force: int) -> Decimal | None:
    """Registered unemployment rate in percent, two decimals, half up; None without a labour force."""
    if not labour_force:
        return None
    rate = Decimal(unemployed) * 100 / Decimal(labour_force)
    return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def exceeds_target(rate: Decimal | None) -> bool:
    return rate is not None and rate > UNEMPLOYMENT_TARGET


@audited_atomic
def unemployment_figure_record(
    *,
    actor,
    period: datetime.date,
    registered_unemployed: int,
    labour_force: int,
    org_unit=None,
) -> UnemploymentFigure:
    """Record (or correct) the registered unemployment of one month; the rate is computed."""
    org_unit = acting_unit(actor, org_unit)
    if not isinstance(period, datetime.date):
        raise ValidationError({"period": "请填写统计期。"})
    period = first_of_month(period)
    if period > first_of_month(today()):
        raise ValidationError({"period": "统计期不能晚于本月。"})
    past_date(period, field="period", label="统计期")
    if registered_unemployed is None or registered_unemployed < 0:
        raise ValidationError({"registered_unemployed": "城镇登记失业人数不能为负数。"})
    if labour_force is None or labour_force < 1:
        raise ValidationError({"labour_force": "城镇从业及登记失业人数必须大于 0。"})
    if registered_unemployed > labour_force:
        raise ValidationError(
            {"registered_unemployed": "城镇登记失业人数不能超过城镇从业及登记失业人数。"}
        )
    figure = (
        UnemploymentFigure.objects.select_for_update()
        .filter(org_unit=org_unit, period=period)
        .first()
    )
    if figure is None:
        figure = UnemploymentFigure.objects.create(
            org_unit=org_unit,
            period=period,
            registered_unemployed=registered_unemployed,
            labour_force=labour_force,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="unemployment_figure_recorded",
            kind=Event.Kind.CREATE,
            target=figure,
            changes=snapshot(figure, ["period", *FIGURE_FIELDS]),
        )
        return figure
    before = snapshot(figure, FIGURE_FIELDS)
    figure.registered_unemployed = registered_unemployed
    figure.labour_force = labour_force
    changes = diff(before, snapshot(figure, FIGURE_FIELDS))
    if not changes:
        return figure
    figure.save(update_fields=FIGURE_FIELDS)
    record_event(
        actor=actor, action="unemployment_figure_corrected", target=figure, changes=changes
    )
    return figure
