"""Training classes (技能培训/创业培训) and their trainees: one person once per class, attendance
never more than the class's sessions, completion (结业) only with enough attendance."""

import datetime
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.actions import person_get_or_register

from ..models import Trainee, TrainingClass
from ._common import EARLIEST_DATE, acting_unit, require_edit, text, today

MAX_SESSIONS = 500
MAX_CLASS_DAYS = 366
# 结业 needs at least 80% attendance, the usual bar for 职业技能培训补贴.
COMPLETION_MIN_ATTENDANCE = Decimal("0.8")
CLASS_FIELDS = ["name", "kind", "start_on", "end_on", "sessions"]
TRAINEE_FIELDS = ["attended_sessions", "completed"]


def _check_class(*, name, kind, start_on, end_on, sessions) -> str:
    name = text(name, field="name", label="班次名称", max_length=100)
    if kind not in TrainingClass.Kind.values:
        raise ValidationError({"kind": "请选择培训类型(技能培训或创业培训)。"})
    if not isinstance(start_on, datetime.date):
        raise ValidationError({"start_on": "请填写开班日期。"})
    if not isinstance(end_on, datetime.date):
        raise ValidationError({"end_on": "请填写结业日期。"})
    if start_on < EARLIEST_DATE:
        raise ValidationError({"start_on": f"开班日期不能早于 {EARLIEST_DATE:%Y年%m月%d日}。"})
    if start_on > today() + datetime.timedelta(days=366):
        raise ValidationError({"start_on": "开班日期不能晚于一年以后。"})
    if end_on < start_on:
        raise ValidationError({"end_on": "结业日期不能早于开班日期。"})
    if (end_on - start_on).days > MAX_CLASS_DAYS:
        raise ValidationError({"end_on": "一期培训班不能超过一年。"})
    if not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS:
        raise ValidationError({"sessions": f"课时应在 1 至 {MAX_SESSIONS} 次之间。"})
    return name


@audited_atomic
def training_class_create(
    *, actor, name: str, kind: str, start_on, end_on, sessions: int, org_unit=None
) -> TrainingClass:
    """Open a class; it may be planned up to a year ahead."""
    org_unit = acting_unit(actor, org_unit)
    name = _check_class(name=name, kind=kind, start_on=start_on, end_on=end_on, sessions=sessions)
    training_class = TrainingClass.objects.create(
        name=name, kind=kind, org_unit=org_unit, start_on=start_on, end_on=end_on, sessions=sessions
    )
    record_event(
        actor=actor,
        action="training_class_created",
        kind=Event.Kind.CREATE,
        target=training_class,
        changes=snapshot(training_class, CLASS_FIELDS),
    )
    return training_class


@audited_atomic
def training_class_update(
    *, actor, training_class: TrainingClass, name, kind, start_on, end_on, sessions
) -> TrainingClass:
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_edit(actor, training_class.org_unit)
    name = _check_class(name=name, kind=kind, start_on=start_on, end_on=end_on, sessions=sessions)
    most = max(training_class.trainees.values_list("attended_sessions", flat=True), default=0)
    if sessions < most:
        raise ValidationError({"sessions": f"已有学员出勤 {most} 次,课时不能少于 {most} 次。"})
    before = snapshot(training_class, CLASS_FIELDS)
    training_class.name, training_class.kind, training_class.sessions = name, kind, sessions
    training_class.start_on, training_class.end_on = start_on, end_on
    changes = diff(before, snapshot(training_class, CLASS_FIELDS))
    if changes:
        training_class.save(update_fields=CLASS_FIELDS)
        record_event(
            actor=actor, action="training_class_updated", target=training_class, changes=changes
        )
    return training_class


@audited_atomic
def trainee_enrol(
    *, actor, training_class: TrainingClass, id_number: str, name: str, phone: str = ""
) -> Trainee:
    """Enrol a person once; a second enrolment in the same class is refused."""
    training_class = (
        TrainingClass.objects.select_for_update()
        .select_related("org_unit")
        .get(pk=training_class.pk)
    )
    require_edit(actor, training_class.org_unit)
    person = person_get_or_register(actor=actor, id_number=id_number, name=name, phone=phone)
    if Trainee.objects.filter(training_class=training_class, person=person).exists():
        raise ValidationError(
            {"id_number": f"{person.name}已在“{training_class.name}”报名,同一人不能重复报名。"}
        )
    trainee = Trainee.objects.create(training_class=training_class, person=person)
    record_event(
        actor=actor,
        action="trainee_enrolled",
        kind=Event.Kind.CREATE,
        target=trainee,
        org_unit=training_class.org_unit,
        changes={"training_class": [None, str(training_class)], "person": [None, str(person)]},
    )
    return trainee


def completion_threshold(sessions: int) -> int:
    """The fewest sessions attended that allow 结业 (80% of the sessions, rounded up)."""
    return int((Decimal(sessions) * COMPLETION_MIN_ATTENDANCE).to_integral_value(ROUND_CEILING))


@audited_atomic
def trainee_update(*, actor, trainee: Trainee, attended_sessions: int, completed: bool) -> Trainee:
    """Record attendance and completion; 结业 needs the class started and 80% attendance."""
    trainee = (
        Trainee.objects.select_for_update()
        .select_related("training_class__org_unit", "person")
        .get(pk=trainee.pk)
    )
    training_class = trainee.training_class
    require_edit(actor, training_class.org_unit)
    sessions = training_class.sessions
    if not isinstance(attended_sessions, int) or attended_sessions < 0:
        raise ValidationError({"attended_sessions": "出勤次数不能为负数。"})
    if attended_sessions > sessions:
        raise ValidationError({"attended_sessions": f"出勤次数不能超过本班课时 {sessions} 次。"})
    if attended_sessions and training_class.start_on > today():
        raise ValidationError({"attended_sessions": "培训班尚未开班,不能登记出勤。"})
    if completed:
        needed = completion_threshold(sessions)
        if attended_sessions < needed:
            raise ValidationError({"completed": f"出勤不足 {needed} 次(课时的 80%),不能结业。"})
    before = snapshot(trainee, TRAINEE_FIELDS)
    trainee.attended_sessions = attended_sessions
    trainee.completed = bool(completed)
    changes = diff(before, snapshot(trainee, TRAINEE_FIELDS))
    if changes:
        trainee.save(update_fields=TRAINEE_FIELDS)
        record_event(
            actor=actor,
            action="trainee_updated",
            target=trainee,
            org_unit=training_class.org_unit,
            changes=changes,
        )
    return trainee
