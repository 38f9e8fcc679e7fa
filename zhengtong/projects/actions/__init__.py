"""Every change of state of the key-project register, one function per change.

Each function takes keyword arguments and the acting user, runs in one transaction and writes
one audit event per change. Views and the API check who may call them (see selectors.py);
the functions check the data. Guidance funds and city works live in their own modules here
(funds.py, works.py) and are imported from there.
"""

from .milestones import milestone_set, milestones_evaluate
from .problems import problem_raise, problem_resolve, problems_escalate
from .register import (
    AMOUNT_CAP,
    REASON_FIELDS,
    REGISTER_FIELDS,
    project_create,
    project_set_leaders,
    project_set_stage,
    project_update,
)
from .reports import report_check, report_submit

__all__ = [
    "AMOUNT_CAP",
    "REASON_FIELDS",
    "REGISTER_FIELDS",
    "milestone_set",
    "milestones_evaluate",
    "problem_raise",
    "problem_resolve",
    "problems_escalate",
    "project_create",
    "project_set_leaders",
    "project_set_stage",
    "project_update",
    "report_check",
    "report_submit",
]
