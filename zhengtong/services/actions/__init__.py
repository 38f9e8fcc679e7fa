"""Every change of a case, a leave, a duty roster or a rating: one transaction, one audit event
each, one module per concern:

- intake.py: 收件登记 and the one-time notice (一次性告知) of every missing material;
- handling.py: 补交材料, 补正告知 (the clock stops) and 移交 (首问负责: the receiving clerk stays
  `first_responder` for life; handovers move `handler` only);
- decisions.py: 办结, 不予办理, 撤回;
- clock.py: 限时办结 (due = acceptance date + promised + paused working days) and the due dates
  that waited for a year's holiday data;
- leave.py: A/B roles (B acts for A while A is on leave; the event says "on_behalf_of" A);
- duty.py: 挂牌上岗; ratings.py: 好差评 and 差评整改; numbering.py: receipt and certificate
  numbers; common.py: what the case actions share.

The hall's own code imports from those modules. The names below are for callers outside the
module that reach the actions as `services.actions.<name>` (the demo data builder).
"""

from .decisions import application_approve, application_refuse, application_withdraw
from .duty import duty_assign
from .handling import application_request_correction, application_supplement
from .intake import application_intake
from .leave import leave_record
from .ratings import rating_submit, rectification_close

__all__ = [
    "application_approve",
    "application_intake",
    "application_refuse",
    "application_request_correction",
    "application_supplement",
    "application_withdraw",
    "duty_assign",
    "leave_record",
    "rating_submit",
    "rectification_close",
]
