"""The 问题台账: raise a problem with a deadline in working days, resolve it, escalate it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.workdays import add_workdays, spans_provisional

from ..models import KeyProject, Problem

MAX_WORKDAYS = 60
MIN_RESOLUTION_CHARS = 5


@audited_atomic
def problem_raise(
    *,
    actor,
    project: KeyProject,
    title: str,
    owning_unit,
    deadline_workdays: int | None = None,
    description: str = "",
    raised_on: datetime.date | None = None,
) -> Problem:
    """Log a problem against a project; it is due `deadline_workdays` working days later."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写问题。"})
    if owning_unit is None:
        raise ValidationError({"owning_unit": "请选择责任单位。"})
    if deadline_workdays is None:
        deadline_workdays = settings.PROBLEM_DEFAULT_WORKDAYS
    if not 1 <= int(deadline_workdays) <= MAX_WORKDAYS:
        raise ValidationError(
            {"deadline_workdays": f"办结时限(工作日)须在 1 到 {MAX_WORKDAYS} 之间。"}
        )
    raised_on = raised_on or timezone.localdate()
    due_on = add_workdays(raised_on, int(deadline_workdays))
    problem = Problem(
        project=project,
        title=title,
        description=(description or "").strip(),
        owning_unit=owning_unit,
        raised_by=actor,
        raised_on=raised_on,
        deadline_workdays=int(deadline_workdays),
        due_on=due_on,
        due_provisional=spans_provisional(raised_on, due_on),
    )
    problem.full_clean()
    problem.save()
    record_event(
        actor=actor,
        action="problem_raised",
        target=problem,
        kind=Event.Kind.CREATE,
        org_unit=project.org_unit,
        changes={
            "project": [None, str(project)],
            "title": [None, title],
            "owning_unit": [None, str(owning_unit)],
            "deadline_workdays": [None, int(deadline_workdays)],
            "due_on": [None, due_on.isoformat()],
        },
    )
    return problem


@audited_atomic
def problem_resolve(*, actor, problem: Problem, resolution_note: str) -> Problem:
    """Close a problem; the note saying how it was solved is required."""
    problem = Problem.objects.select_for_update().select_related("project").get(pk=problem.pk)
    if problem.status == Problem.Status.RESOLVED:
        raise ValidationError({"resolution_note": "该问题已办结。"})
    note = (resolution_note or "").strip()
    if len(note) < MIN_RESOLUTION_CHARS:
        raise ValidationError(
            {"resolution_note": f"办结问题须填写解决情况(至少 {MIN_RESOLUTION_CHARS} 个字)。"}
        )
    problem.status = Problem.Status.RESOLVED
    problem.resolution_note = note
    problem.resolved_on = timezone.localdate()
    problem.resolved_by = actor
    problem.save(
        update_fields=["status", "resolution_note", "resolved_on", "resolved_by", "updated_at"]
    )
    record_event(
        actor=actor,
        action="problem_resolved",
        target=problem,
        org_unit=problem.project.org_unit,
        changes={
            "status": [Problem.Status.OPEN, Problem.Status.RESOLVED],
            "resolution_note": ["", note],
            "resolved_on": [None, problem.resolved_on.isoformat()],
        },
    )
    return problem


@audited_atomic
def problems_escalate(*, today: datetime.date | None = None) -> list[Problem]:
    """Escalate every open problem past its deadline to the project's 帮包 leaders, once."""
    today = today or timezone.localdate()
    overdue = list(
        Problem.objects.select_for_update(of=("self",))
        .filter(status=Problem.Status.OPEN, due_on__lt=today, escalated_at__isnull=True)
        .select_related("project__org_unit")
        .order_by("due_on", "pk")
    )
    from zhengtong.notify.outbox import Recipient, notify

    now = timezone.now()
    for problem in overdue:
        links = list(problem.project.leader_links.select_related("user").order_by("user__username"))
        leaders = [str(link.user) for link in links]
        # The 帮包 leaders hear of it at once (站内消息), not when they next open the page.
        notify(
            event="problem_escalated",
            target=problem,
            recipients=[Recipient.staff(link.user) for link in links],
            context={
                "project": problem.project.name,
                "title": problem.title,
                "due_on": f"{problem.due_on.year}年{problem.due_on.month}月{problem.due_on.day}日",
            },
            dedupe=f"problem:{problem.pk}:escalated",
        )
        problem.escalated_at = now
        problem.save(update_fields=["escalated_at", "updated_at"])
        record_event(
            actor=None,
            action="problem_escalated",
            target=problem,
            org_unit=problem.project.org_unit,
            changes={"escalated_at": [None, now.isoformat()], "escalated_to": [[], leaders]},
            reason=f"超过办结期限 {problem.due_on:%Y-%m-%d} 未解决,升级至帮包领导督办。",
        )
    return overdue
