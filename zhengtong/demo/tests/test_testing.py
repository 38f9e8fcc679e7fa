"""The demo built once per test run: each test that asks for it gets the demo as built, whatever
the test before it wrote and committed."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Sum

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.audit.actions import record_event
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.projects.models import KeyProject

TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# What each round found before it wrote, by round.
FOUND: dict[int, dict] = {}


def rows_per_table() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", [1, 2])
def test_a_test_that_writes_to_the_demo_leaves_the_next_one_the_demo_as_built(round_) -> None:
    """Both rounds commit their writes (a transactional test); the second still finds the demo
    as built: the same rows, the same next id, an intact audit chain, the demo password."""
    with time_machine.travel(TODAY, tick=False):
        output = seed_demo(at=TODAY)
        assert "658.00亿元" in output
        projects = KeyProject.objects.filter(year=2026)
        assert projects.count() == 44
        assert projects.aggregate(s=Sum("total_investment"))["s"] == 65800000000
        assert not KeyProject.objects.filter(name__startswith="已改名").exists()
        assert not OrgUnit.objects.filter(code="ISOLATION-CHECK").exists()
        leader = User.objects.get(username="leader")
        assert leader.check_password(DEMO_PASSWORD)
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        assert "完整" in out.getvalue()
        # The content types the cache hands out are the rows in the table.
        ct = ContentType.objects.get_for_model(KeyProject)
        assert ContentType.objects.filter(pk=ct.pk, model="keyproject").exists()

        found = {"rows": rows_per_table()}
        # Writes a test might make, all committed: a row, a change, a password, an audit row.
        unit = OrgUnit.objects.create(name="隔离检查单位", code="ISOLATION-CHECK", kind="company")
        found["next_id"] = unit.pk
        project = projects.order_by("pk").first()
        KeyProject.objects.filter(pk=project.pk).update(name=f"已改名{project.name}")
        leader.set_password("another-password-1")
        leader.save()
        record_event(actor=leader, action="isolation_check", target=unit)
        FOUND[round_] = found

    if round_ == 2 and 1 in FOUND:
        assert found == FOUND[1]
