"""Reads of the service hall, and the single place deciding who sees and handles a case.

Window clerks (`Role.WINDOW_CLERK`) see the cases of the halls under their units. Handling is
narrower: the clerk who handles a case acts on it ("self"); while that clerk is on recorded
leave, the B of a post whose A is that clerk acts for them ("b_for_a"). Nobody else acts.
"""

import datetime
import re

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.models import Role, User
from zhengtong.accounts.scope import can_act_in, has_role, scope, scope_q
from zhengtong.audit.models import Event
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.inbox.registry import Deadline, deadline
from zhengtong.workdays import WorkCalendar

from .models import (
    Application,
    DutyEntry,
    Leave,
    Material,
    Pause,
    Post,
    Rectification,
    ServiceItem,
)

CASE_ROLES = [Role.WINDOW_CLERK]

SITUATION_KEYS = ("hukou", "marital_status", "child_order")


def condition_matches(condition: dict, situation: dict) -> bool:
    """True when every key of `condition` is met by `situation`; an unknown fact meets nothing.

    A list in the condition means "one of these"; any other value must be equal.
    """
    for key, wanted in (condition or {}).items():
        if key not in situation or situation[key] in (None, ""):
            return False
        value = situation[key]
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def required_materials(item: ServiceItem, situation: dict | None) -> list[Material]:
    """The item's materials whose condition the applicant's situation meets, in guide order.

    Uses prefetched `item.materials` when present, so a catalog page asks nothing more.
    """
    situation = situation or {}
    return [m for m in item.materials.all() if condition_matches(m.condition, situation)]


def active_items() -> QuerySet:
    return ServiceItem.objects.filter(is_active=True).prefetch_related("materials")


def _absent_a_users(user, today: datetime.date) -> QuerySet:
    """Ids of the A clerks for whom `user` is B and who are on leave `today` (a subquery)."""
    on_leave = Leave.objects.filter(user=OuterRef("a_user"), start_on__lte=today, end_on__gte=today)
    return Post.objects.filter(b_user=user).filter(Exists(on_leave)).values("a_user")


def is_on_leave(user, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return Leave.objects.filter(user=user, start_on__lte=today, end_on__gte=today).exists()


def applications_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Cases of the halls under the user's window-clerk units; nothing for any other role."""
    if qs is None:
        qs = Application.objects.all()
    return scope(qs, user, CASE_ROLES)


def phone_ends_with(queryset: QuerySet, digits: str) -> Q:
    """The condition "the applicant phone ends with ``digits``" (4 or more digits).

    The phone is encrypted: the stored last four narrow the cases down, and a longer ending is
    checked on the decrypted phones of those few.
    """
    last4 = Q(applicant_phone_last4=digits[-4:])
    if len(digits) == 4:
        return last4
    pks = [
        pk
        for pk, phone in queryset.filter(last4).values_list("pk", "applicant_phone")
        if re.sub(r"\D", "", phone).endswith(digits)
    ]
    return Q(pk__in=pks)


def get_application_for_user(user, receipt_no: str, *, purpose: str = "详情") -> Application:
    """The case with this receipt number, its read audited (`purpose`: 详情, 受理回执 PDF…);
    404 when it does not exist or is not visible, audited as denied."""
    qs = applications_visible_to(user).select_related(
        "item", "org_unit", "applicant", "first_responder", "handler", "home_visit__visited_by"
    )
    application = qs.filter(receipt_no=receipt_no).first()
    if application is None:
        record_denied(actor=user, model=Application, pk=receipt_no)
        raise Http404
    record_read(actor=user, target=application, purpose=purpose)
    return application


def acting_as(user, application: Application, today: datetime.date | None = None) -> str | None:
    """ "self" when the user handles the case, "b_for_a" when they stand in for its absent
    handler as that clerk's B, None when they may not act on it."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not can_act_in(user, application.org_unit, CASE_ROLES):
        return None
    if application.handler_id == user.pk:
        return "self"
    today = today or timezone.localdate()
    if _absent_a_users(user, today).filter(a_user=application.handler_id).exists():
        return "b_for_a"
    return None


# Earliest due first; cases without a due date (pending, calendar gap) after them, oldest
# first. Unless told, SQLite sorts NULLs first and PostgreSQL last, so say it.
QUEUE_ORDER = (F("due_on").asc(nulls_last=True), "received_at", "pk")


def queue_for(user, today: datetime.date | None = None) -> QuerySet:
    """Open cases the user handles, plus those of absent A clerks the user is B for.

    Rows carry `for_absent_a` (True where the user acts as B 代 A), in QUEUE_ORDER.
    """
    today = today or timezone.localdate()
    if not has_role(user, *CASE_ROLES):
        return Application.objects.none()
    absent = _absent_a_users(user, today)
    qs = applications_visible_to(user).filter(status__in=Application.OPEN_STATUSES)
    return (
        qs.filter(Q(handler=user) | Q(handler__in=absent))
        .annotate(for_absent_a=~Q(handler=user))
        .select_related("item", "org_unit", "applicant", "first_responder", "handler")
        .order_by(*QUEUE_ORDER)
    )


def applications_overdue(qs: QuerySet, today: datetime.date) -> QuerySet:
    """Open cases past their due date whose clock is running.

    A case paused for 补正 before its due date is not overdue: its due date moves out when the
    applicant supplements. One paused after it was already overdue stays overdue.

    The pause test is a subquery, not a join, so a case with several pauses is listed once.
    """
    paused_late = Pause.objects.filter(
        application=OuterRef("pk"), ended_on__isnull=True, started_on__gt=OuterRef("due_on")
    )
    late = Q(status=Application.Status.ACCEPTED) | Q(
        Exists(paused_late), status=Application.Status.PAUSED
    )
    return qs.filter(due_on__lt=today).filter(late)


def calendar_gap_message(year: int) -> str:
    """A case accepted before this calendar version without a due date: it gets one at the next
    calendar change (see services/due_dates.py); nothing here is addressed to an administrator."""
    return _("办结期限待计算(%(year)s 年)。") % {"year": year}


def due_state(
    application: Application,
    calendar: WorkCalendar | None = None,
    *,
    today: datetime.date | None = None,
) -> Deadline:
    """The case's countdown in the inbox colours; "unknown" with a reason when it has none."""
    if not application.is_open:
        return Deadline("done")
    if application.calendar_missing_year:
        return Deadline("unknown", message=calendar_gap_message(application.calendar_missing_year))
    if application.status == Application.Status.PENDING:
        return Deadline("unknown", message=_("待补正材料,尚未受理,未开始计时。"))
    if application.status == Application.Status.PAUSED:
        return Deadline("unknown", message=_("等待申请人补正,暂停计时。"))
    return deadline(application.due_on, today=today, calendar=calendar)


def application_timeline(application: Application) -> QuerySet:
    """The case's audit events in time order: the one history of a case (its changes; who
    read it is in the audit log, not in the case's history)."""
    return (
        Event.objects.filter(
            target_type=Application._meta.label_lower, target_id=str(application.pk)
        )
        .exclude(kind__in=[Event.Kind.READ, Event.Kind.DENIED])
        .order_by("created_at", "id")
    )


def rectifications_open_for(user) -> QuerySet:
    """Open rectifications the user owns."""
    if not getattr(user, "is_authenticated", False):
        return Rectification.objects.none()
    return (
        Rectification.objects.filter(owner=user, done_at__isnull=True)
        .select_related("rating__application__item")
        .order_by("due_on", "pk")
    )


def hall_clerks(user) -> QuerySet[User]:
    """Window clerks of the halls where `user` is a window clerk."""
    q = scope_q(user, [Role.WINDOW_CLERK], via="memberships__org_unit")
    return (
        User.objects.filter(q, memberships__role=Role.WINDOW_CLERK, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


def hall_posts(user) -> QuerySet:
    """The window posts of the halls under the user's window-clerk units."""
    return scope(Post.objects.all(), user, CASE_ROLES)


def leaves_visible_to(user) -> QuerySet:
    """Recorded leave of the clerks of the user's halls."""
    return Leave.objects.filter(user__in=hall_clerks(user))


def duty_entries_visible_to(user) -> QuerySet:
    """The roster entries of the posts of the user's halls."""
    return DutyEntry.objects.filter(post__in=hall_posts(user))


def rectifications_visible_to(user) -> QuerySet:
    """Rectifications of bad ratings of the cases the user sees."""
    return Rectification.objects.filter(rating__application__in=applications_visible_to(user))
