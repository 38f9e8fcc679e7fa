"""文明家庭 创建: the township's yearly campaign, households nominated by village workers,
evaluated and decided by the township's 计生办, and an audited correction of a decision.

Every function changes state for one `actor`, in one transaction, with one audit event. Input
that breaks a rule raises a ValidationError keyed by the field, in Chinese; nothing is saved.
Views find the rows through the scope door (404 outside it); these functions check again that
the actor may act where the row belongs (PermissionDenied), so no other caller can skip it.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.masking import ID_RE, PHONE_RE, family_name_public
from zhengtong.people.models import Household, HouseholdMember

from ..models import FamilyCampaign, FamilyNomination
from ..selectors import POPULATION_ROLES

DEFAULT_CRITERIA = "\n".join(
    [
        "爱国守法,遵守村规民约",
        "移风易俗,婚事新办、丧事简办",
        "倡树新型婚育观,优生优育、男女平等",
        "家庭和睦,尊老爱幼、邻里互助",
        "勤劳致富,热心公益",
    ]
)
SUMMARY_PUBLIC = "公示摘要将在网上公开,不能含有身份证号、电话号码或家庭成员的姓名。"


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value, field: str, label: str, *, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label}不能为空。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def township_of(unit: OrgUnit) -> OrgUnit | None:
    """The township (镇/街道) above or at `unit`, None when there is none."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.TOWN).order_by("-path").first()


def can_judge(user, campaign: FamilyCampaign) -> bool:
    """The township office (a worker at the campaign's township or above) evaluates and
    decides; a village worker does not."""
    return can_act_in(user, campaign.org_unit, POPULATION_ROLES)


def _require_judge(actor, nomination: FamilyNomination) -> None:
    if not can_judge(actor, nomination.campaign):
        raise PermissionDenied


def _lock(nomination: FamilyNomination) -> FamilyNomination:
    return (
        FamilyNomination.objects.select_for_update(of=("self",))
        .select_related("campaign__org_unit", "household", "org_unit")
        .get(pk=nomination.pk)
    )


@audited_atomic
def family_campaign_create(
    *, actor, org_unit: OrgUnit, year: int, criteria: str, name: str = ""
) -> FamilyCampaign:
    """Open the township's 文明家庭 campaign of `year` with its criteria (one per line)."""
    if not can_act_in(actor, org_unit, POPULATION_ROLES):
        raise PermissionDenied
    if org_unit.kind != OrgUnit.Kind.TOWN:
        raise ValidationError({"org_unit": "文明家庭创建以镇(街道)为单位,请选择镇(街道)。"})
    this_year = _today().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year + 1:
        raise ValidationError({"year": f"年度须在 {this_year - 1} 到 {this_year + 1} 之间。"})
    criteria = _text(criteria, "criteria", "评选条件", max_length=2000)
    name = (name or "").strip() or f"{org_unit.name}{year}年文明家庭创建"
    if len(name) > 100:
        raise ValidationError({"name": "名称不能超过 100 个字。"})
    if FamilyCampaign.objects.filter(org_unit=org_unit, year=year).exists():
        raise ValidationError({"year": f"{org_unit.name} {year} 年已有文明家庭创建活动。"})
    campaign = FamilyCampaign.objects.create(
        org_unit=org_unit, year=year, name=name, criteria=criteria, created_by=actor
    )
    record_event(
        actor=actor,
        action="family_campaign_created",
        kind=Event.Kind.CREATE,
        target=campaign,
        changes={"year": [None, year], "name": [None, name], "criteria": [None, criteria]},
    )
    return campaign


def _check_summary(summary: str, household: Household) -> None:
    """The summary goes on a public page: no ID or phone number, no member's full name."""
    if ID_RE.search(summary) or PHONE_RE.search(summary):
        raise ValidationError({"summary": SUMMARY_PUBLIC})
    names = HouseholdMember.objects.filter(household=household).values_list(
        "person__name", flat=True
    )
    if any(len(name) > 1 and name in summary for name in names):
        raise ValidationError({"summary": SUMMARY_PUBLIC})


@audited_atomic
def family_nominate(
    *, actor, campaign: FamilyCampaign, household: Household, deeds: str, summary: str
) -> FamilyNomination:
    """Nominate a household of the actor's villages, with its 事迹 and the summary the public
    list shows; a household once per campaign."""
    campaign = (
        FamilyCampaign.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=campaign.pk)
    )
    village = household.org_unit
    if not can_act_in(actor, village, POPULATION_ROLES):
        raise ValidationError({"household": "只能推荐本人负责的村的家庭户。"})
    if not village.path.startswith(campaign.org_unit.path):
        raise ValidationError({"household": f"该家庭户不在{campaign.org_unit.name}。"})
    if campaign.year < _today().year:
        raise ValidationError({"campaign": f"{campaign.year} 年的创建活动已结束,不能再推荐。"})
    deeds = _text(deeds, "deeds", "事迹", max_length=2000)
    summary = _text(summary, "summary", "公示摘要", max_length=150)
    _check_summary(summary, household)
    head = (
        HouseholdMember.objects.filter(household=household, relation=HouseholdMember.Relation.HEAD)
        .values_list("person__name", flat=True)
        .first()
    )
    if not head:
        raise ValidationError({"household": "该家庭户还没有登记户主,请先在家庭户中登记户主。"})
    duplicate = "该家庭户已在本次活动中被推荐过。"
    if FamilyNomination.objects.filter(campaign=campaign, household=household).exists():
        raise ValidationError({"household": duplicate})
    nomination = FamilyNomination(
        campaign=campaign,
        household=household,
        org_unit=village,
        family_name=family_name_public(head),
        deeds=deeds,
        summary=summary,
        nominated_by=actor,
        nominated_on=_today(),
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        # Two submissions at once: the other one stored it.
        raise ValidationError({"household": duplicate}) from None
    record_event(
        actor=actor,
        action="family_nominated",
        kind=Event.Kind.CREATE,
        target=nomination,
        changes={
            "campaign": [None, campaign.name],
            "household": [None, household.address],
            "deeds": [None, deeds],
            "summary": [None, summary],
        },
    )
    return nomination


@audited_atomic
def family_evaluate(
    *, actor, nomination: FamilyNomination, passed: bool, opinion: str
) -> FamilyNomination:
    """The township office's 评议: pass or fail against the criteria, with an opinion. The
    nominator does not evaluate their own nomination; a decided one is not re-evaluated."""
    nomination = _lock(nomination)
    _require_judge(actor, nomination)
    if nomination.decided:
        raise ValidationError({"opinion": "已作出决定,不能再评议;如需改动请更正决定。"})
    if nomination.nominated_by_id == actor.pk:
        raise ValidationError(
            {"opinion": "推荐人不能评议自己推荐的家庭,请由镇计生办其他人员评议。"}
        )
    if not isinstance(passed, bool):
        raise ValidationError({"passed": "请选择评议结果。"})
    opinion = _text(opinion, "opinion", "评议意见", max_length=1000)
    before = {
        "status": nomination.status,
        "passed": nomination.passed,
        "opinion": nomination.opinion,
    }
    nomination.passed = passed
    nomination.opinion = opinion
    nomination.status = FamilyNomination.Status.EVALUATED
    nomination.evaluated_by = actor
    nomination.evaluated_on = _today()
    nomination.save(update_fields=["passed", "opinion", "status", "evaluated_by", "evaluated_on"])
    after = {"status": nomination.status, "passed": passed, "opinion": opinion}
    record_event(
        actor=actor,
        action="family_evaluated",
        target=nomination,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return nomination


def _decision(nomination: FamilyNomination, named: bool, reason: str) -> tuple[str, str]:
    if not isinstance(named, bool):
        raise ValidationError({"named": "请选择决定。"})
    if named and not nomination.passed:
        raise ValidationError({"named": "评议未通过的家庭不能评为文明家庭。"})
    reason = _text(reason, "reason", "理由", max_length=1000)
    status = FamilyNomination.Status.NAMED if named else FamilyNomination.Status.NOT_NAMED
    return status, reason


@audited_atomic
def family_decide(
    *, actor, nomination: FamilyNomination, named: bool, reason: str
) -> FamilyNomination:
    """评为文明家庭 or 未评上, with the reason, after the evaluation; final from then on."""
    nomination = _lock(nomination)
    _require_judge(actor, nomination)
    if nomination.decided:
        raise ValidationError({"named": "已作出决定;如需改动请更正决定,并写明更正原因。"})
    if nomination.status != FamilyNomination.Status.EVALUATED:
        raise ValidationError({"named": "须先评议,才能作出决定。"})
    status, reason = _decision(nomination, named, reason)
    before = nomination.status
    nomination.status = status
    nomination.decision_reason = reason
    nomination.decided_by = actor
    nomination.decided_on = _today()
    nomination.save(update_fields=["status", "decision_reason", "decided_by", "decided_on"])
    record_event(
        actor=actor,
        action="family_decided",
        target=nomination,
        changes={"status": [before, status], "decision_reason": [None, reason]},
    )
    return nomination


@audited_atomic
def family_decision_correct(
    *, actor, nomination: FamilyNomination, named: bool, reason: str, correction: str
) -> FamilyNomination:
    """Change a decision already made: the only way, with the reason for the correction kept
    in the audit log beside the old and new decision."""
    nomination = _lock(nomination)
    _require_judge(actor, nomination)
    if not nomination.decided:
        raise ValidationError({"named": "还没有作出决定,无需更正。"})
    status, reason = _decision(nomination, named, reason)
    correction = _text(correction, "correction", "更正原因", max_length=500)
    if status == nomination.status and reason == nomination.decision_reason:
        raise ValidationError({"named": "决定和理由都没有改动。"})
    changes = {}
    if status != nomination.status:
        changes["status"] = [nomination.status, status]
    if reason != nomination.decision_reason:
        changes["decision_reason"] = [nomination.decision_reason, reason]
    nomination.status = status
    nomination.decision_reason = reason
    nomination.decided_by = actor
    nomination.decided_on = _today()
    nomination.save(update_fields=["status", "decision_reason", "decided_by", "decided_on"])
    record_event(
        actor=actor,
        action="family_decision_corrected",
        target=nomination,
        changes=changes,
        reason=correction,
    )
    return nomination
