"""The health record (健康档案) of a person: every encounter in date order.

Entries come from each module's own rows (no second history table): floating-population moves,
婚育证明, follow-ups, contraception reports, pregnancies and their visits, check-ups, 健康义诊
findings, home visits, referrals, 计生助福, pairing visits, service-hall cases and transfers. An entry recorded by another
township than the person's current one carries its source unit. The old owner of a transferred
person sees the history up to the transfer only. One query per source: a fixed count.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.people.models import Person

from . import models as m
from .selectors import read_cutoff_for


@dataclass
class Entry:
    day: datetime.date
    kind: str  # a short category label: 随访, 孕产, 查体 …
    title: str
    detail: str = ""
    unit: OrgUnit | None = None
    source: str = ""  # the recording unit when it is another township
    pending: bool = False  # a window or follow-up still to do
    url: str = ""
    sort_key: tuple = field(default=(), repr=False)


def _township_paths() -> list[tuple[str, OrgUnit]]:
    towns = OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN).only("id", "name", "path")
    return sorted(((t.path, t) for t in towns), key=lambda pair: -len(pair[0]))


def _township(unit: OrgUnit | None, towns) -> OrgUnit | None:
    if unit is None:
        return None
    for path, town in towns:
        if unit.path.startswith(path):
            return town
    return unit


def _safe_reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _entries(person: Person) -> list[Entry]:
    out: list[Entry] = []
    for r in m.FloatingRecord.objects.filter(person=person).select_related("org_unit"):
        link = _safe_reverse("population:floating_detail", r.pk)
        out.append(
            Entry(
                r.started_on,
                "流动",
                f"{r.get_direction_display()}:{r.place}",
                r.employer,
                r.org_unit,
                url=link,
            )
        )
        if r.ended_on:
            label = "返回" if r.direction == m.FloatingRecord.Direction.OUT else "离开"
            out.append(
                Entry(
                    r.ended_on,
                    "流动",
                    f"{label}(结束{r.get_direction_display()})",
                    "",
                    r.org_unit,
                    url=link,
                )
            )
    for c in m.MarriageCertificate.objects.filter(record__person=person).select_related(
        "record__org_unit"
    ):
        unit = c.record.org_unit
        if c.presented_on:
            out.append(
                Entry(
                    c.presented_on,
                    "婚育证明",
                    "交验婚育证明",
                    f"{c.marital_status};{c.fertility};{c.contraception}",
                    unit,
                )
            )
        elif c.due_on:
            out.append(Entry(c.due_on, "婚育证明", "婚育证明待交验", "", unit, pending=True))
    for f in m.FollowUp.objects.filter(plan__person=person).select_related(
        "plan__org_unit", "done_by"
    ):
        plan = f.plan
        if f.status == m.FollowUp.Status.DONE:
            out.append(
                Entry(
                    f.done_on or f.due_on,
                    "随访",
                    f"{plan.get_kind_display()}:{plan.purpose}",
                    f.outcome,
                    plan.org_unit,
                )
            )
        elif f.status == m.FollowUp.Status.SKIPPED:
            out.append(
                Entry(
                    f.due_on,
                    "随访",
                    f"{plan.get_kind_display()}(已跳过)",
                    f.skip_reason,
                    plan.org_unit,
                )
            )
        else:
            out.append(
                Entry(
                    f.due_on,
                    "随访",
                    f"{plan.get_kind_display()}:{plan.purpose}",
                    "",
                    plan.org_unit,
                    pending=True,
                )
            )
    for report in m.ContraceptionReport.objects.filter(person=person).select_related("org_unit"):
        text = f"避孕节育报告单 {report.period_start:%Y-%m-%d}~{report.period_end:%Y-%m-%d}"
        day = report.verified_on or report.received_on or report.period_end
        out.append(
            Entry(
                day,
                "报告单",
                f"{text}({report.get_status_display()})",
                report.method,
                report.org_unit,
                pending=report.status == m.ContraceptionReport.Status.EXPECTED,
            )
        )
    for p in m.Pregnancy.objects.filter(person=person).select_related("org_unit"):
        out.append(
            Entry(
                p.lmp,
                "孕产",
                "孕产期登记(末次月经)",
                f"预产期 {p.edd:%Y-%m-%d}" + (",高危" if p.high_risk else ""),
                p.org_unit,
            )
        )
        if p.delivered_on:
            out.append(Entry(p.delivered_on, "孕产", "分娩", "", p.org_unit))
    for v in m.MaternalVisit.objects.filter(pregnancy__person=person).select_related(
        "pregnancy__org_unit"
    ):
        unit = v.pregnancy.org_unit
        if v.done_on:
            out.append(Entry(v.done_on, "孕产", v.get_kind_display(), v.note, unit))
        else:
            out.append(
                Entry(
                    v.window_end,
                    "孕产",
                    f"{v.get_kind_display()}(窗口 {v.window_start:%m-%d}~{v.window_end:%m-%d})",
                    "",
                    unit,
                    pending=True,
                )
            )
    for t in m.CampaignTarget.objects.filter(person=person).select_related("campaign", "org_unit"):
        if t.attended_on:
            out.append(Entry(t.attended_on, "查体", t.campaign.name, t.result, t.org_unit))
        else:
            out.append(
                Entry(
                    t.campaign.end_on,
                    "查体",
                    f"{t.campaign.name}(未到检)",
                    "",
                    t.org_unit,
                    pending=t.campaign.end_on >= timezone.localdate(),
                )
            )
    for visit in m.ClinicAttendance.objects.filter(person=person).select_related(
        "clinic", "org_unit"
    ):
        detail = f"{visit.items}:{visit.result}"
        if visit.advice:
            detail += f";建议/转诊:{visit.advice}"
        title = "健康义诊" + ("(育龄妇女免费健康检查)" if visit.women_check else "")
        out.append(
            Entry(
                visit.clinic.held_on,
                "义诊",
                f"{title}:{visit.clinic.place}",
                detail,
                visit.org_unit,
                url=_safe_reverse("population:clinic_detail", visit.clinic_id),
            )
        )
    for home in m.HomeVisit.objects.filter(person=person).select_related("org_unit", "visited_by"):
        out.append(
            Entry(
                home.visited_on,
                "走访",
                f"入户走访:{home.place}",
                f"{home.outcome}({home.visited_by.get_full_name() or home.visited_by})",
                home.org_unit,
            )
        )
    for referral in m.Referral.objects.filter(visit__person=person).select_related(
        "visit__org_unit", "to_unit"
    ):
        out.append(
            Entry(
                referral.visit.visited_on,
                "转介",
                f"{referral.get_kind_display()}转介 → {referral.to_unit}",
                referral.result or referral.note,
                referral.visit.org_unit,
                pending=referral.status == m.Referral.Status.OPEN,
            )
        )
    for a in m.Assistance.objects.filter(person=person).select_related("org_unit"):
        amount = f" {a.amount} 元" if a.amount is not None else ""
        out.append(
            Entry(
                a.given_on,
                "助福",
                f"{a.get_category_display()}:{a.program}",
                f"{a.content}{amount}",
                a.org_unit,
            )
        )
    for pv in m.PairingVisit.objects.filter(pairing__person=person).select_related(
        "pairing__org_unit"
    ):
        out.append(
            Entry(
                pv.visited_on,
                "结对",
                f"志愿者 {pv.pairing.volunteer_name} 走访",
                pv.note,
                pv.pairing.org_unit,
            )
        )
    for move in m.Transfer.objects.filter(person=person).select_related("from_unit", "to_unit"):
        out.append(
            Entry(
                timezone.localdate(move.transferred_at),
                "转移",
                f"属地转移:{move.from_unit} → {move.to_unit}",
                move.reason,
                move.from_unit,
            )
        )
    from zhengtong.services.models import Application

    for app in Application.objects.filter(applicant=person).select_related("item", "org_unit"):
        out.append(
            Entry(
                timezone.localdate(app.received_at),
                "办件",
                f"{app.item.name}({app.get_status_display()})",
                app.receipt_no,
                app.org_unit,
            )
        )
    return out


def person_timeline(person: Person, user) -> list[Entry]:
    """The person's encounters in date order (oldest first), as `user` may see them."""
    cutoff = read_cutoff_for(user, person)
    cutoff_day = timezone.localdate(cutoff) if cutoff else None
    towns = _township_paths()
    home = _township(person.org_unit, towns)
    entries = []
    for entry in _entries(person):
        if cutoff_day is not None and entry.day > cutoff_day:
            continue
        town = _township(entry.unit, towns)
        if entry.unit is not None and town != home:
            entry.source = str(entry.unit) if town == entry.unit else f"{town} {entry.unit}"
        entries.append(entry)
    entries.sort(key=lambda e: (e.day, e.pending, e.kind))
    return entries
