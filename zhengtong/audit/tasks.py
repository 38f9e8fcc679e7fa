"""Background tasks of the audit log: the checks `audit_verify` and `audit_checkpoint` run.

They run the commands themselves (the logic and its Chinese messages live there); a broken
chain ends the job failed with the command's message, which the administrator sees on /jobs/.
"""

import io

from django.core.management import call_command

from zhengtong.audit.context import acting
from zhengtong.jobs.registry import task


def _run(command: str) -> str:
    out = io.StringIO()
    with acting(channel="job"):
        call_command(command, stdout=out)
    return out.getvalue().strip()


@task("审计链完整性校验", retry_safe=True)
def audit_verify() -> str:
    return _run("audit_verify")


@task("审计链检查点", retry_safe=True)
def audit_checkpoint() -> str:
    return _run("audit_checkpoint")
