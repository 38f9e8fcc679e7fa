"""Summary tables: the counts the cockpits, work reports and 办事公开 read instead of the rows.

Each table holds, per org unit and day or month (办事公开: per unit, item and month), what its
source rows contribute; a period reads its whole months by month and its ends by day; the
database keeps them in step with the rows in the same transaction (`triggers.py`), whatever
writes them: an action, an import, a bulk load or a correction in the shell. `rebuild.py`
counts them again from the records (`manage.py recount_rollups`); the tests compare the two.

A day or a month is Asia/Shanghai's. The figures are defined once, in `rebuild.py`:

- cases (services.Application, per hall unit): 收件 by receive time; 办结 for 准予 and 不予办理
  by finish time (撤回 not counted); 按时办结 of those, the finish date no later than the due date
  (no due date counts as on time).
- follow-ups (population.FollowUp, per village of the plan): 应访 by due date, 已访 those done.
- cases per handler (月冠军, per hall unit and handling clerk): 办结 and 按时办结 as above, by
  finish month, for the cases that have a handler.
"""

from django.conf import settings
from django.db import models

UNIT = "accounts.OrgUnit"


class CaseDay(models.Model):
    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = "办件日汇总"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "day"], name="rollup_caseday_key"),
        ]
        indexes = [models.Index(fields=["day"], name="rollup_caseday_day_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.day}"


class CaseMonth(models.Model):
    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    received = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = "办件月汇总"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="rollup_casemonth_key"),
        ]
        indexes = [models.Index(fields=["month"], name="rollup_casemonth_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month}"


class CaseItemMonth(models.Model):
    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    received = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = "办件事项月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "item", "month"], name="rollup_caseitemmonth_key"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="rollup_caseitem_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month}"


class FollowUpDay(models.Model):
    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due = models.IntegerField(default=0)
    done = models.IntegerField(default=0)

    class Meta:
        verbose_name = "随访日汇总"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "day"], name="rollup_followupday_key"),
        ]
        indexes = [models.Index(fields=["day"], name="rollup_followupday_day_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.day}"


class FollowUpMonth(models.Model):
    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    due = models.IntegerField(default=0)
    done = models.IntegerField(default=0)

    class Meta:
        verbose_name = "随访月汇总"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="rollup_followupmonth_key"),
        ]
        indexes = [models.Index(fields=["month"], name="rollup_followupmonth_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month}"


class CaseHandlerMonth(models.Model):
    """月冠军's cases per handling clerk: 办结 and 按时办结 by finish month (cases with a handler)."""

    org_unit = models.ForeignKey(UNIT, on_delete=models.CASCADE, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()  # its first day
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = "办件承办人月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "handler", "month"], name="rollup_casehandlermonth_key"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="rollup_casehandler_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.handler_id} {self.month}"
