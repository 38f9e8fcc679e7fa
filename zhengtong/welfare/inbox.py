"""我的待办 for 民政 clerks: reassessments falling due and payment cycles waiting for approval.

Two queries whatever the number of rows: the latest assessment of each person due within
`WELFARE_REASSESS_HORIZON_DAYS` (default 30) or overdue, and the draft cycles.
"""

import datetime

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import scope, unit_paths
from zhengtong.inbox.registry import InboxItem

from .models import Assessment, PaymentCycle
from .selectors import month_end

KIND_REASSESS = "能力复评"
KIND_CYCLE = "护理补贴审批"


def reassessments_due(qs, *, until: datetime.date):
    """The latest assessment of each person in `qs` whose reassessment is due by `until`."""
    latest = (
        Assessment.objects.filter(person=OuterRef("person"))
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    return (
        qs.filter(id=Subquery(latest), reassess_due_on__lte=until)
        .select_related("person")
        .order_by("reassess_due_on", "id")
    )


def inbox_items(user) -> list[InboxItem]:
    # Only clerks act on these; a leader reads the pages but has nothing to do here.
    if not unit_paths(user, [Role.DEPT_CLERK]):
        return []
    assessments = scope(Assessment.objects.all(), user, [Role.DEPT_CLERK])
    horizon = int(getattr(settings, "WELFARE_REASSESS_HORIZON_DAYS", 30))
    until = timezone.localdate() + datetime.timedelta(days=horizon)
    items = [
        InboxItem(
            kind=KIND_REASSESS,
            title=f"{a.person.name} 能力复评({a.level}级)",
            url=reverse("welfare:assessment_detail", args=[a.pk]),
            due_on=a.reassess_due_on,
            subtitle=f"上次评估 {a.assessed_on:%Y-%m-%d}",
        )
        for a in reassessments_due(assessments, until=until)
    ]
    cycles = scope(PaymentCycle.objects.all(), user, [Role.DEPT_CLERK]).filter(
        status=PaymentCycle.Status.DRAFT
    )
    items.extend(
        InboxItem(
            kind=KIND_CYCLE,
            title=f"{c.month:%Y年%m月} 护理补贴发放名单待审批",
            url=reverse("welfare:cycle_detail", args=[c.pk]),
            due_on=month_end(c.month),
        )
        for c in cycles
    )
    return items
