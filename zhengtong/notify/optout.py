"""退订: a resident's phone that asked for no non-essential SMS.

The opt-out is kept per phone as the phone's blind index (`lib.encrypted.blind_index`) and its
mask, never the number. Which messages still go is decided per event in `SMS_DECISIONS`, the one
table: a notice the law or the resident's own case requires is essential and is sent anyway; a
reminder is not and is kept in the outbox as 已退订未发送. The outbox (`notify()` when it writes a
message, `send_message` just before sending) is the only place that asks; callers never do.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import blind_index, normalise_phone
from zhengtong.lib.masking import mask_phone_internal

from .models import Channel, OptOut

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
OPTED_OUT_NOTE = "收信手机号已退订非必要短信,本条未发送。"


@dataclass(frozen=True)
class Decision:
    essential: bool
    reason: str


# Every event of `events.EVENTS` (a test checks it): does an opted-out phone still get it by SMS?
SMS_DECISIONS: dict[str, Decision] = {
    "case_accepted": Decision(
        True, "受理告知:行政许可法第三十二条,受理须告知申请人,并载明承诺办结日期;属办件通知。"
    ),
    "case_notice": Decision(
        True, "补正告知:行政许可法第三十二条,须一次告知申请人需要补正的全部材料;属办件通知。"
    ),
    "case_done": Decision(True, "办结通知:告知申请人领取办理结果的地点;属办件通知。"),
    "case_refused": Decision(
        True, "不予办理:行政许可法第三十八条,须告知理由和申请复议、提起诉讼的权利;属办件通知。"
    ),
    "payment_approved": Decision(True, "补贴审批发放:告知本人的补贴已审批发放,关系其权益。"),
    "hazard_notice": Decision(
        True, "学校安全隐患通知书:对学校的整改通知,有整改期限,不是对个人的服务短信。"
    ),
    "sms_code": Decision(
        True, "短信验证码:本人刚刚申请,用于确认退订、恢复接收或网上申请时的手机号。"
    ),
    "online_declined": Decision(
        True, "网上申请退回:本人提交的申请未能接件,须告知理由以便补正后重新申请;属办件通知。"
    ),
    "case_handed_over": Decision(True, "办件移交:对工作人员的工作指令,不属于群众可退订的短信。"),
    "problem_escalated": Decision(True, "问题升级督办:对领导的督办指令,不属于群众可退订的短信。"),
    "leave_backup": Decision(True, "A 角请假:对 B 角的代办指令,不属于群众可退订的短信。"),
    "callback_scheduled": Decision(False, "差评回访提醒:提醒性质,退订后不再以短信发送。"),
    "reminder": Decision(False, "待办提醒:提醒性质,退订后不再以短信发送。"),
    "leader_digest": Decision(False, "督办日报:汇总性质的提醒,退订后不再以短信发送。"),
}

# An event missing from the table (a new one not yet decided) respects the opt-out.
UNDECIDED = Decision(False, "未登记的事件,按非必要短信处理。")


def decision_for(event: str) -> Decision:
    return SMS_DECISIONS.get(event, UNDECIDED)


def phone_index(phone: str) -> str | None:
    return blind_index("phone", phone or "")


def is_opted_out(phone: str) -> bool:
    index = phone_index(phone)
    return bool(index) and OptOut.objects.filter(phone_index=index, opted_out=True).exists()


def withheld(*, event: str, channel: str, phone: str) -> bool:
    """True when the message must not go: an SMS of a non-essential event to an opted-out phone."""
    if channel != Channel.SMS or decision_for(event).essential:
        return False
    return is_opted_out(phone)


@audited_atomic
def optout_set(
    *,
    opted_out: bool,
    source: str,
    phone: str = "",
    index: str = "",
    mask: str = "",
    actor=None,
    application=None,
) -> OptOut:
    """Record that a phone opts out of non-essential SMS (or back in); one row per phone.

    The phone is given as the number (`phone`) or, where only its index is known (the public
    page's session), as `index` and `mask`."""
    if phone:
        normal = normalise_phone(phone)
        if not MOBILE_RE.match(normal):
            raise ValidationError({"phone": "手机号码格式不正确,只有手机号码能退订短信。"})
        index, mask = phone_index(normal) or "", mask_phone_internal(normal)
    if not index or not mask:
        raise ValidationError({"phone": "请输入 11 位手机号码。"})
    if source not in OptOut.Source.values:
        raise ValidationError({"source": "退订来源不正确。"})
    row = OptOut.objects.select_for_update().filter(phone_index=index).first()
    before = row.opted_out if row else False
    if row is None:
        row = OptOut(phone_index=index, phone_mask=mask)
    row.opted_out = opted_out
    row.source = source
    row.recorded_by = actor
    row.application = application
    row.changed_at = timezone.now()
    row.save()
    record_event(
        actor=actor,
        action="sms_opted_out" if opted_out else "sms_opted_in",
        target=row,
        kind=Event.Kind.UPDATE,
        changes={
            "phone_mask": [None, row.phone_mask],
            "opted_out": [before, opted_out],
            "source": [None, row.get_source_display()],
        },
    )
    return row
