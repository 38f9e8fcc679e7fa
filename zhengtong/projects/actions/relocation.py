"""城中村改造 and 农村新型社区: programmes, their dated progress entries and corrections.

Every figure is a sum of entries. After any entry or correction the sums stay in order:
签约 ≤ 应拆迁户数, 已拆迁 ≤ 签约, 搬迁入住 ≤ 已拆迁, 安置房建成 ≤ 安置房套数. The check locks
the programme row so two entries recorded at the same moment cannot both pass it. Views decide
who may call.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import KeyProject, RelocationEntry, RelocationProgramme
from .funds import clean_past_date

COUNTS = ["signed", "demolished", "built", "moved_in"]
ENTRY_FIELDS = ["recorded_on", *COUNTS, "note"]
PROGRAMME_FIELDS = ["kind", "name", "villages", "project", "households", "housing_units"]
COUNT_MAX = 1_000_000

LABELS = {
    "signed": gettext_lazy("签约户数"),
    "demolished": gettext_lazy("已拆迁户数"),
    "built": gettext_lazy("安置房建成套数"),
    "moved_in": gettext_lazy("搬迁入住户数"),
}


def _count(value, *, field: str, label, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("%(label)s必须是整数。") % {"label": label}})
    if value < minimum:
        if minimum:
            raise ValidationError({field: _("%(label)s必须大于 0。") % {"label": label}})
        raise ValidationError({field: _("%(label)s不能为负数。") % {"label": label}})
    if value > COUNT_MAX:
        raise ValidationError({field: _("%(label)s过大。") % {"label": label}})
    return value


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("说明不能超过 200 个字。")})
    return note


@audited_atomic
def programme_create(
    *,
    actor,
    org_unit,
    kind: str,
    name: str,
    villages: str,
    households: int,
    housing_units: int = 0,
    project: KeyProject | None = None,
) -> RelocationProgramme:
    """Register a programme kept by `org_unit`, with its households and resettlement flats."""
    if kind not in RelocationProgramme.Kind.values:
        raise ValidationError({"kind": _("请选择类型。")})
    name = (name or "").strip()
    villages = (villages or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称不能超过 100 个字。")})
    if not villages:
        raise ValidationError({"villages": _("请填写涉及村(片区)。")})
    if len(villages) > 200:
        raise ValidationError({"villages": _("涉及村(片区)不能超过 200 个字。")})
    households = _count(households, field="households", label=_("应拆迁户数"), minimum=1)
    housing_units = _count(housing_units, field="housing_units", label=_("安置房套数"))
    if RelocationProgramme.objects.filter(org_unit=org_unit, name=name).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的项目。") % {"name": name}})
    programme = RelocationProgramme.objects.create(
        org_unit=org_unit,
        kind=kind,
        name=name,
        villages=villages,
        project=project,
        households=households,
        housing_units=housing_units,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="relocation_programme_created",
        target=programme,
        kind=Event.Kind.CREATE,
        changes={k: [None, v] for k, v in snapshot(programme, PROGRAMME_FIELDS).items()},
        org_unit=org_unit,
    )
    return programme


def totals(programme: RelocationProgramme, *, exclude: RelocationEntry | None = None) -> dict:
    """The sums of the programme's entries (one query), without `exclude` when given."""
    entries = programme.entries.all()
    if exclude is not None:
        entries = entries.exclude(pk=exclude.pk)
    sums = entries.aggregate(**{k: Sum(k) for k in COUNTS})
    return {k: sums[k] or 0 for k in COUNTS}


def _check(programme: RelocationProgramme, before: dict, after: dict, verb: str) -> None:
    """Refuse sums out of order, naming the numbers: "登记后累计签约 1205 户,超过…"."""
    n = {"verb": verb}
    errors: dict[str, str] = {}
    if after["signed"] > programme.households:
        errors["signed"] = _(
            "签约:%(verb)s累计签约 %(after)s 户,超过应拆迁户数 %(limit)s 户(已签约 %(before)s 户)。"
        ) % {
            **n,
            "after": after["signed"],
            "limit": programme.households,
            "before": before["signed"],
        }
    if after["demolished"] > after["signed"]:
        errors["demolished"] = _(
            "已拆迁:%(verb)s累计拆迁 %(after)s 户,超过累计签约 %(limit)s 户(已拆迁 %(before)s 户)。"
        ) % {
            **n,
            "after": after["demolished"],
            "limit": after["signed"],
            "before": before["demolished"],
        }
    if after["moved_in"] > after["demolished"]:
        errors["moved_in"] = _(
            "搬迁入住:%(verb)s累计入住 %(after)s 户,超过累计拆迁 %(limit)s 户(已入住 %(before)s 户)。"
        ) % {
            **n,
            "after": after["moved_in"],
            "limit": after["demolished"],
            "before": before["moved_in"],
        }
    if after["built"] > programme.housing_units:
        errors["built"] = _(
            "安置房建成:%(verb)s累计建成 %(after)s 套,超过安置房套数 %(limit)s 套(已建成 %(before)s 套)。"
        ) % {
            **n,
            "after": after["built"],
            "limit": programme.housing_units,
            "before": before["built"],
        }
    if errors:
        raise ValidationError(errors)


def _clean_counts(counts: dict) -> dict:
    cleaned = {k: _count(counts.get(k, 0), field=k, label=LABELS[k]) for k in COUNTS}
    if not any(cleaned.values()):
        raise ValidationError(_("请至少填写一项进度(签约、拆迁、建成或入住)。"))
    return cleaned


def _clean_entry(recorded_on, note, **counts) -> tuple[dict, datetime.date, str]:
    """An entry's counts, date and note as typed, checked; the refusals name each field."""
    return (
        _clean_counts(counts),
        clean_past_date(recorded_on, field="recorded_on", label=_("日期")),
        _note(note),
    )


def _lock(programme: RelocationProgramme) -> RelocationProgramme:
    return (
        RelocationProgramme.objects.select_for_update()
        .select_related("org_unit")
        .get(pk=programme.pk)
    )


@audited_atomic
def progress_record(
    *,
    actor,
    programme: RelocationProgramme,
    recorded_on: datetime.date,
    signed: int = 0,
    demolished: int = 0,
    built: int = 0,
    moved_in: int = 0,
    note: str = "",
) -> RelocationEntry:
    """Record what was done on `recorded_on`; the programme's sums stay in order."""
    counts, recorded_on, note = _clean_entry(
        recorded_on, note, signed=signed, demolished=demolished, built=built, moved_in=moved_in
    )
    # Lock the programme so two entries recorded at once see each other's counts.
    programme = _lock(programme)
    before = totals(programme)
    after = {k: before[k] + counts[k] for k in COUNTS}
    _check(programme, before, after, _("登记后"))
    entry = RelocationEntry.objects.create(
        programme=programme, recorded_on=recorded_on, note=note, created_by=actor, **counts
    )
    record_event(
        actor=actor,
        action="relocation_progress_recorded",
        target=entry,
        kind=Event.Kind.CREATE,
        changes={k: [None, v] for k, v in snapshot(entry, ["programme", *ENTRY_FIELDS]).items()},
        org_unit=programme.org_unit,
    )
    return entry


@audited_atomic
def entry_correct(
    *,
    actor,
    entry: RelocationEntry,
    recorded_on: datetime.date,
    signed: int = 0,
    demolished: int = 0,
    built: int = 0,
    moved_in: int = 0,
    note: str = "",
    reason: str = "",
) -> RelocationEntry:
    """Correct an entry's date, counts or note, giving a reason; the sums stay in order."""
    counts, recorded_on, note = _clean_entry(
        recorded_on, note, signed=signed, demolished=demolished, built=built, moved_in=moved_in
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("更正原因不能超过 200 个字。")})
    programme = _lock(entry.programme)
    entry = RelocationEntry.objects.select_for_update().get(pk=entry.pk)
    others = totals(programme, exclude=entry)
    before = {k: others[k] + getattr(entry, k) for k in COUNTS}
    after = {k: others[k] + counts[k] for k in COUNTS}
    _check(programme, before, after, _("更正后"))
    old = snapshot(entry, ENTRY_FIELDS)
    entry.recorded_on = recorded_on
    entry.note = note
    for k, v in counts.items():
        setattr(entry, k, v)
    changes = diff(old, snapshot(entry, ENTRY_FIELDS))
    if not changes:
        return entry
    entry.save(update_fields=ENTRY_FIELDS)
    record_event(
        actor=actor,
        action="relocation_entry_corrected",
        target=entry,
        changes=changes,
        reason=reason,
        org_unit=programme.org_unit,
    )
    return entry
