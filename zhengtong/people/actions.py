"""Changes to the person registry. One person per ID number, whichever module meets them first."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import index_lookup, match
from zhengtong.lib.idcard import parse_id_number

from .models import Person


@audited_atomic
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
    existing = match(Person.objects.all(), "id_number", parsed.number).first()
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
        return Person.objects.get(**index_lookup(Person, "id_number", parsed.number))
    record_event(
        actor=actor,
        action="person_registered",
        kind=Event.Kind.CREATE,
        target=person,
        changes={"id_number": [None, person.id_number], "name": [None, person.name]},
    )
    return person


# Village workers keep the resident registry; the scope of the role is the scope of the record.
REGISTRY_ROLES = [Role.VILLAGE_WORKER]
EDITABLE_FIELDS = [
    "name",
    "phone",
    "org_unit",
    "hukou_type",
    "hukou_address",
    "current_address",
    "marital_status",
]


class DuplicatePerson(ValidationError):
    """A second record for a known ID number; `existing` is the record already kept."""

    def __init__(self, message, existing: Person):
        super().__init__({"id_number": [message]})
        self.existing = existing


def _clean_text(value, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def _clean_person_fields(data: dict) -> dict:
    cleaned = {
        "name": _clean_text(data.get("name"), "name", "姓名", max_length=50, required=True),
        "phone": _clean_text(data.get("phone"), "phone", "联系电话", max_length=20),
        "hukou_address": _clean_text(
            data.get("hukou_address"), "hukou_address", "户籍地", max_length=200
        ),
        "current_address": _clean_text(
            data.get("current_address"), "current_address", "现居住地", max_length=200
        ),
    }
    if cleaned["phone"] and not cleaned["phone"].replace("-", "").isdigit():
        raise ValidationError({"phone": "联系电话只能包含数字和连字符。"})
    marital = data.get("marital_status") or ""
    if marital not in Person.MaritalStatus.values:
        raise ValidationError({"marital_status": "婚姻状况不在可选范围内。"})
    cleaned["marital_status"] = marital
    hukou_type = data.get("hukou_type") or Person.HukouType.LOCAL
    if hukou_type not in Person.HukouType.values:
        raise ValidationError({"hukou_type": "户籍类别不在可选范围内。"})
    cleaned["hukou_type"] = hukou_type
    return cleaned


def _require_unit(actor, org_unit, field: str = "org_unit") -> None:
    if org_unit is None:
        raise ValidationError({field: "请选择所属村/镇。"})
    if not can_act_in(actor, org_unit, REGISTRY_ROLES):
        raise ValidationError({field: "您无权在该村/镇登记或修改人员。"})


@audited_atomic
def person_register(
    *,
    actor,
    id_number: str,
    name: str,
    org_unit,
    phone: str = "",
    hukou_type: str = Person.HukouType.LOCAL,
    hukou_address: str = "",
    current_address: str = "",
    marital_status: str = "",
) -> Person:
    """Register a resident of `org_unit`; sex and birth date come from the ID number.

    A number already registered is refused (`DuplicatePerson`, which carries the existing record
    so the page can link to it): one person, one record.
    """
    try:
        parsed = parse_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    fields = _clean_person_fields(
        {
            "name": name,
            "phone": phone,
            "hukou_type": hukou_type,
            "hukou_address": hukou_address,
            "current_address": current_address,
            "marital_status": marital_status,
        }
    )
    _require_unit(actor, org_unit)
    existing = match(Person.objects.all(), "id_number", parsed.number).first()
    if existing is not None:
        raise DuplicatePerson("该身份证号码已登记,不能重复登记。", existing)
    person = Person(
        id_number=parsed.number, sex=parsed.sex, birth_date=parsed.birth_date, org_unit=org_unit
    )
    for key, value in fields.items():
        setattr(person, key, value)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Registered by a concurrent request between the check and the insert.
        existing = Person.objects.get(**index_lookup(Person, "id_number", parsed.number))
        raise DuplicatePerson("该身份证号码已登记,不能重复登记。", existing) from None
    record_event(
        actor=actor,
        action="person_registered",
        kind=Event.Kind.CREATE,
        target=person,
        changes=diff({}, snapshot(person, ["id_number", *EDITABLE_FIELDS])),
    )
    return person


@audited_atomic
def person_update(*, actor, person: Person, **data) -> Person:
    """Change a person's editable fields (never the ID number, sex or birth date)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "该项不能修改。"})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id is not None:
        raise ValidationError("该记录已合并到另一条记录,不能修改。")
    _require_unit(actor, person.org_unit)
    before = snapshot(person, EDITABLE_FIELDS)
    merged = {k: getattr(person, k) for k in EDITABLE_FIELDS if k != "org_unit"}
    merged.update({k: v for k, v in data.items() if k != "org_unit"})
    fields = _clean_person_fields(merged)
    if "org_unit" in data and data["org_unit"] != person.org_unit:
        # Moving within the user's own area is an edit; to another township is a transfer.
        _require_unit(actor, data["org_unit"])
        fields["org_unit"] = data["org_unit"]
    for key, value in fields.items():
        setattr(person, key, value)
    changes = diff(before, snapshot(person, EDITABLE_FIELDS))
    if not changes:
        return person
    person.save(update_fields=[*changes, "updated_at"])
    record_event(actor=actor, action="person_updated", target=person, changes=changes)
    return person


def _person_relations():
    """Every foreign key (and one-to-one) pointing at Person, from any app."""
    return [
        rel
        for rel in Person._meta.related_objects
        if rel.field.concrete and (rel.one_to_many or rel.one_to_one)
    ]


@audited_atomic
def persons_merge(*, actor, keep: Person, duplicate: Person, reason: str) -> Person:
    """Fold `duplicate` into `keep`: every row pointing at the duplicate moves to `keep`, the
    duplicate stays (hidden, `merged_into` set) for history. Needs write access to both and a
    reason, which the audit log keeps."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写合并原因。"})
    if len(reason) > 500:
        raise ValidationError({"reason": "合并原因不能超过 500 个字。"})
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": "不能与同一条记录合并。"})
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError({"duplicate": "其中一条记录已被合并,不能再次合并。"})
    for person, field in ((keep, "keep"), (duplicate, "duplicate")):
        if not can_act_in(actor, person.org_unit, REGISTRY_ROLES):
            raise ValidationError({field: "您无权修改其中一条记录,请由共同的上级单位合并。"})
    moved: dict[str, int] = {}
    for rel in _person_relations():
        model, name = rel.related_model, rel.field.name
        rows = model._base_manager.filter(**{name: duplicate})
        if rel.one_to_one:
            # A one-to-one (household membership): the kept record's own row wins.
            if model._base_manager.filter(**{name: keep}).exists():
                count = rows.count()
                if count:
                    rows.delete()
                    moved[f"{model._meta.label_lower}:dropped"] = count
                continue
        try:
            with transaction.atomic():
                count = rows.update(**{name: keep})
        except IntegrityError:
            raise ValidationError(
                {
                    "duplicate": f"两条记录在「{model._meta.verbose_name}」中有冲突的数据,"
                    "请先处理后再合并。"
                }
            ) from None
        if count:
            moved[model._meta.label_lower] = count
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    record_event(
        actor=actor,
        action="persons_merged",
        target=duplicate,
        reason=reason,
        changes={"merged_into": [None, keep.pk], "moved": moved},
    )
    return keep
