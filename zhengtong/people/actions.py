"""Changes to the person registry. One person per ID number, whichever module meets them first."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.lib.idcard import parse_id_number

from .models import Person


@transaction.atomic
def person_get_or_register(
    *, actor, id_number: str, name: str, phone: str = "", org_unit=None
) -> Person:
    """The person with this ID number, registered now if unknown.

    A known person keeps their record; a different name for the same number is refused, since
    it means one of the two is wrong.
    """
    try:
        parsed = parse_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    if len(name) > 50:
        raise ValidationError({"name": "姓名不能超过 50 个字。"})
    existing = Person.objects.filter(id_number=parsed.number).first()
    if existing is not None:
        if existing.name != name:
            raise ValidationError({"name": "姓名与该身份证号码已登记的姓名不一致,请核对。"})
        return existing
    person = Person(
        id_number=parsed.number,
        name=name,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        phone=(phone or "").strip(),
        org_unit=org_unit,
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Registered by a concurrent request between the check and the insert.
        return Person.objects.get(id_number=parsed.number)
    record_event(
        actor=actor,
        action="person_registered",
        kind=Event.Kind.CREATE,
        target=person,
        changes={"id_number": [None, person.id_number], "name": [None, person.name]},
    )
    return person
