"""限时办结: due = acceptance date + promised working days + the working days the clock stood
still for 补正; the year the holiday data lacks instead when it cannot be counted."""

import datetime
from typing import Any

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from ..models import (
    Application,
    Pause,
)


def set_due(application: Application, calendar: WorkCalendar | None = None) -> None:
    """due = acceptance date + promised + paused working days, or the year the data lacks."""
    calendar = calendar or WorkCalendar()
    days = application.item.promised_workdays + application.paused_workdays
    accepted_on = application.accepted_on
    assert accepted_on is not None, "only an accepted application has a due date"
    try:
        due_on = calendar.add_workdays(accepted_on, days)
        application.due_on = due_on
        application.due_provisional = calendar.spans_provisional(accepted_on, due_on)
        application.calendar_missing_year = None
    except HolidayDataMissing as exc:
        application.due_on = None
        application.calendar_missing_year = exc.year


def close_pause(application: Application, today: datetime.date) -> Pause | None:
    """End the open pause today and add its working days to the case; None when none is open."""
    pause = application.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        return None
    pause.ended_on = today
    try:
        pause.workdays = max(WorkCalendar().workdays_between(pause.started_on, today), 0)
    except HolidayDataMissing as exc:
        # The days cannot be counted; the case reports the gap instead of a wrong due date.
        pause.workdays = 0
        application.calendar_missing_year = exc.year
    pause.save(update_fields=["ended_on", "workdays"])
    application.paused_workdays += pause.workdays
    return pause


def due_change(application: Application) -> dict:
    changes: dict[str, list[Any]] = {"due_on": [None, application.due_on]}
    if application.due_provisional:
        changes["due_provisional"] = [None, True]
    if application.calendar_missing_year:
        changes["calendar_missing_year"] = [None, application.calendar_missing_year]
    return changes


@audited_atomic
def applications_fill_due_dates(*, actor) -> int:
    """Compute the due dates that waited for holiday data, once the year is maintained.

    Run after loading a new year's calendar; returns how many cases got a due date.
    """
    calendar = WorkCalendar()
    filled = 0
    qs = Application.objects.select_for_update().filter(
        status=Application.Status.ACCEPTED, calendar_missing_year__isnull=False
    )
    for application in qs.select_related("item"):
        missing = application.calendar_missing_year
        set_due(application, calendar)
        if application.due_on is None:
            continue
        application.save(
            update_fields=["due_on", "due_provisional", "calendar_missing_year", "updated_at"]
        )
        record_event(
            actor=actor,
            action="application_due_computed",
            target=application,
            changes={
                "due_on": [None, application.due_on],
                "calendar_missing_year": [missing, None],
            },
        )
        filled += 1
    return filled
