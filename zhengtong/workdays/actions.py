"""Changes to the working-day calendar. Admin edits go through workdays/admin.py."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from .calendar import WorkCalendar, lock_for_change
from .models import CalendarYear, DeadlineMove, Holiday, Source
from .recompute import Recomputed, recomputers
from .seed import package_days, package_years
from .signals import holidays_loaded


@dataclass(frozen=True)
class LoadResult:
    year: int
    created: int
    updated: int
    deleted: int
    kept_overrides: int


@audited_atomic
def calendar_year_load(*, year: int, actor=None, discard_overrides: bool = False) -> LoadResult:
    """(Re)load one year from the chinesecalendar package; running it twice changes nothing.

    Rows an administrator edited (source admin) are kept unless `discard_overrides` is set, so a
    reload never silently undoes a local correction.
    """
    if year not in package_years():
        raise ValidationError(
            _("年份:chinesecalendar 软件包没有 %(year)s 年的数据,请在系统管理中逐日维护。")
            % {"year": year},
            code="no_package_data",
        )
    wanted = {day: (is_workday, name) for day, is_workday, name in package_days(year)}
    existing = {h.date: h for h in Holiday.objects.filter(date__year=year).select_for_update()}
    created = updated = deleted = kept = 0
    for day, (is_workday, name) in wanted.items():
        row = existing.get(day)
        if row is None:
            Holiday.objects.create(date=day, is_workday=is_workday, name=name, source=Source.SEED)
            created += 1
        elif row.source == Source.ADMIN and not discard_overrides:
            kept += 1
        elif (row.is_workday, row.name, row.source) != (is_workday, name, Source.SEED):
            row.is_workday, row.name = is_workday, name
            row.source, row.updated_by = Source.SEED, None
            row.save(update_fields=["is_workday", "name", "source", "updated_by", "updated_at"])
            updated += 1
    for day, row in existing.items():
        if day in wanted:
            continue
        if row.source == Source.ADMIN and not discard_overrides:
            kept += 1
        else:
            row.delete()
            deleted += 1
    calendar_year, year_created = CalendarYear.objects.get_or_create(
        year=year, defaults={"source": Source.SEED, "note": _("chinesecalendar 内置数据")}
    )
    result = LoadResult(year, created, updated, deleted, kept)
    if year_created or created or updated or deleted:
        if not year_created:
            calendar_year.save(update_fields=["loaded_at"])
        record_event(
            actor=actor,
            action="holidays_loaded",
            target=calendar_year,
            kind=Event.Kind.CREATE if year_created else Event.Kind.UPDATE,
            changes={
                "created": created,
                "updated": updated,
                "deleted": deleted,
                "kept_overrides": kept,
            },
        )
    return result


def deadlines_recompute(*, years, actor=None) -> list[Recomputed]:
    """Recompute every open due date that counts days in `years`, in the caller's transaction.

    Each changed row gets an audit event with its old and new date and 暂定 flag; a date that
    moved earlier is flagged to its owner in 我的待办. Returns the changed rows, for the
    administrator's list of moved deadlines.
    """
    years = {int(y) for y in years}
    if not years:
        return []
    changed: list[Recomputed] = []
    with transaction.atomic():
        lock_for_change()
        calendar = WorkCalendar()
        calendar.for_change = True
        for recomputer in recomputers():
            changed.extend(recomputer(calendar, years))
        for row in changed:
            record_event(
                actor=actor,
                action="due_date_recomputed",
                target=row.target,
                changes={
                    row.field: [row.old_on, row.new_on],
                    "due_provisional": [row.old_provisional, row.new_provisional],
                },
                reason=_("工作日历调整(%(years)s 年)后重新计算期限")
                % {"years": "、".join(str(y) for y in sorted(years))},
            )
        DeadlineMove.objects.bulk_create(
            DeadlineMove(
                owner_id=row.owner_id,
                kind=row.kind,
                title=row.title[:300],
                url=row.url[:300],
                old_on=row.old_on,
                new_on=row.new_on,
            )
            for row in changed
            # Only moves to an earlier date are noticed (row.earlier), for rows with an owner.
            if row.owner_id
            and row.old_on is not None
            and row.new_on is not None
            and row.new_on < row.old_on
        )
    return changed


@dataclass
class ConfirmResult:
    year: int
    created: bool
    changed_days: list  # (date, old mark or "", new mark or "")
    recomputed: list[Recomputed]

    @property
    def moved(self) -> list[Recomputed]:
        return [r for r in self.recomputed if r.moved]


def _mark(workday: bool | None) -> str:
    return "" if workday is None else ("班" if workday else "休")


@audited_atomic
def calendar_year_confirm(*, parsed, actor=None, note: str = "") -> ConfirmResult:
    """Save a parsed notice (or file) as the official year, as one audited change.

    The year's rows are replaced by the notice's days; days the notice names in the year before
    (元旦 from 30 December) are written too. Every open due date counting days in the touched
    years is then recomputed (see recompute.py), in the same transaction.
    """
    lock_for_change()
    year = parsed.year
    touched_years = sorted({year} | {d.date.year for d in parsed.days})
    existing = {
        h.date: h
        for h in Holiday.objects.select_for_update().filter(
            Q(date__year=year) | Q(date__in=[d.date for d in parsed.days])
        )
    }
    wanted = {d.date: d for d in parsed.days}
    changed_days = []
    for day, stale in existing.items():
        if day not in wanted:
            changed_days.append((day, _mark(stale.is_workday), ""))
            stale.delete()
    for day, entry in wanted.items():
        row = existing.get(day)
        if row is None:
            Holiday.objects.create(
                date=day,
                is_workday=entry.is_workday,
                name=entry.name,
                source=Source.NOTICE,
                updated_by=actor,
            )
            changed_days.append((day, "", entry.mark))
        elif (row.is_workday, row.name) != (
            entry.is_workday,
            entry.name,
        ) or row.source != Source.NOTICE:
            if row.is_workday != entry.is_workday:
                changed_days.append((day, _mark(row.is_workday), entry.mark))
            row.is_workday, row.name, row.source, row.updated_by = (
                entry.is_workday,
                entry.name,
                Source.NOTICE,
                actor,
            )
            row.save()
    calendar_year, created = CalendarYear.objects.get_or_create(
        year=year, defaults={"source": Source.NOTICE, "note": note[:200]}
    )
    if not created:
        calendar_year.source = Source.NOTICE
        calendar_year.note = note[:200] or calendar_year.note
        calendar_year.save(update_fields=["source", "note", "loaded_at"])
    changed_days.sort()
    record_event(
        actor=actor,
        action="calendar_year_confirmed",
        target=calendar_year,
        kind=Event.Kind.CREATE if created else Event.Kind.UPDATE,
        changes={
            "status": ["provisional" if created else "official", "official"],
            "days": [
                None,
                [f"{d.date.isoformat()} {d.mark} {d.name}".strip() for d in parsed.days],
            ],
            "changed_days": [
                None,
                [f"{d.isoformat()} {a or '—'}→{b or '—'}" for d, a, b in changed_days],
            ],
        },
        reason=note,
    )
    recomputed = deadlines_recompute(years=touched_years, actor=actor)
    holidays_loaded.send(sender=CalendarYear, years=touched_years, actor=actor)
    return ConfirmResult(year, created, changed_days, recomputed)
