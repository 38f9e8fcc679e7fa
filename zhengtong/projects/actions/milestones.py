"""Milestones (立项/开工/主体完工/竣工/投产) with OC4IDS statuses.

A milestone is met once it has a date met, even a late one (OC4IDS keeps a late meeting as
`met`; `Milestone.is_late` tells them apart). Without a date met it is notMet once its due date
has passed, and scheduled before that.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import KeyProject, Milestone

FIELDS = ["code", "due_on", "met_on", "status", "note"]


def status_for(due_on: datetime.date, met_on: datetime.date | None, today: datetime.date) -> str:
    if met_on is not None:
        return Milestone.Status.MET
    if due_on < today:
        return Milestone.Status.NOT_MET
    return Milestone.Status.SCHEDULED


@audited_atomic
def milestone_set(
    *,
    actor,
    project: KeyProject,
    code: str,
    due_on: datetime.date,
    met_on: datetime.date | None = None,
    note: str = "",
) -> Milestone:
    """Create or update the milestone `code` of a project and set its status as of today."""
    if code not in Milestone.Code.values:
        raise ValidationError({"code": "节点类型无效。"})
    if due_on is None:
        raise ValidationError({"due_on": "请填写计划日期。"})
    today = timezone.localdate()
    if met_on is not None and met_on > today:
        raise ValidationError({"met_on": "实际日期不能晚于今天。"})
    existing = Milestone.objects.select_for_update().filter(project=project, code=code).first()
    created = existing is None
    if existing is None:
        milestone = Milestone(project=project, code=code)
        before = {}
    else:
        milestone = existing
        before = snapshot(milestone, FIELDS)
    milestone.due_on = due_on
    milestone.met_on = met_on
    milestone.note = (note or "").strip()
    milestone.status = status_for(due_on, met_on, today)
    milestone.full_clean()
    milestone.save()
    changes = diff(before, snapshot(milestone, FIELDS))
    if changes:
        record_event(
            actor=actor,
            action="milestone_set",
            target=milestone,
            kind=Event.Kind.CREATE if created else Event.Kind.UPDATE,
            org_unit=project.org_unit,
            changes=changes,
        )
    return milestone


@audited_atomic
def milestones_evaluate(*, today: datetime.date | None = None) -> list[Milestone]:
    """Bring every milestone's status up to date; returns those whose status changed."""
    today = today or timezone.localdate()
    changed = []
    S = Milestone.Status
    stale = (
        (Q(met_on__isnull=False) & ~Q(status=S.MET))
        | (Q(met_on__isnull=True, due_on__lt=today) & ~Q(status=S.NOT_MET))
        | (Q(met_on__isnull=True, due_on__gte=today) & ~Q(status=S.SCHEDULED))
    )
    milestones = (
        Milestone.objects.select_for_update(of=("self",))
        .filter(stale)
        .select_related("project__org_unit")
    )
    for milestone in milestones.order_by("pk"):
        status = status_for(milestone.due_on, milestone.met_on, today)
        if status == milestone.status:
            continue
        old = milestone.status
        milestone.status = status
        milestone.save(update_fields=["status"])
        record_event(
            actor=None,
            action="milestone_status_changed",
            target=milestone,
            org_unit=milestone.project.org_unit,
            changes={"status": [old, status]},
        )
        changed.append(milestone)
    return changed
