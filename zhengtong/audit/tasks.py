"""Background tasks of the audit log: the checks `audit_verify` and `audit_checkpoint` run,
and the minute's sealing of public reads into the chain.

They run the commands themselves (the logic and its Chinese messages live there); a broken
chain ends the job failed with the command's message, which the administrator sees on /jobs/.
"""

import io

from django.core.management import call_command

from zhengtong.audit.actions import seal_pending
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


@task("公众查询记录入链", retry_safe=True)
def audit_seal_pending() -> str:
    """Seal the public reads written since the last run into the chain (every minute)."""
    with acting(channel="job"):
        result = seal_pending()
    message = f"已将 {result.sealed} 条待入链记录封存入链。"
    if result.refused:
        message += f"另有 {len(result.refused)} 条校验值不符,未予入链;请运行 audit_verify 查明。"
    return message
