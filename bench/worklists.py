"""What 我的待办 and the work lists cost in a city's database, before and after a change.
A benchmark, not a test.

Run it on a PostgreSQL database that holds the demo and a generated city:

    createdb -h 127.0.0.1 -U postgres zhengtong_city
    export AUDIT_HMAC_DEV_KEY=True DEBUG=True DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_city
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py generate_city --scale 0.05
    BENCH_DATABASE_URL=$DATABASE_URL .venv/bin/python bench/worklists.py --before 95b92ea

The city generator writes residents, not work. The first run adds, once, open follow-ups of
its own (purpose "基准随访"): BENCH_AREA_ITEMS (default 5 700, the open items the township
office of a city township has) in the villages of the demo's 刘集镇, half of them owned by
jishengban, due from 40 days ago to 80 days ahead; and one follow-up per BENCH_CITY_EVERY
(default 4) residents of the generated villages, so the table is much larger than the area.

Each page is fetched BENCH_REPEAT times (default 15) as jishengban through Django's test
client; the median and p95 (ms), the query count, the time of those queries (ms, one request)
and the number of items are printed. `--before REV` runs the same
measurement on the code of the git revision REV (extracted with `git archive` into a temporary
directory, same database) and prints both side by side.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
os.environ.setdefault("AUDIT_HMAC_DEV_KEY", "True")
if url := os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = url
else:
    sys.exit("BENCH_DATABASE_URL: the PostgreSQL database with the demo and a generated city.")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhengtong.accounts.models import OrgUnit, User  # noqa: E402
from zhengtong.people.models import Person  # noqa: E402
from zhengtong.population.models import FollowUp, FollowUpPlan  # noqa: E402

USER = "jishengban"
PAGES = [("work list, this week", "/population/work/?list=week"), ("我的待办", "/")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
AREA_ITEMS = int(os.environ.get("BENCH_AREA_ITEMS", "5700"))
CITY_EVERY = int(os.environ.get("BENCH_CITY_EVERY", "4"))
PURPOSE = "基准随访"


def fill() -> str:
    """The bench's follow-ups, added once."""
    user = User.objects.get(username=USER)
    if FollowUpPlan.objects.filter(purpose=PURPOSE).exists():
        return "bench follow-ups already there"
    today = timezone.localdate()
    town = user.memberships.first().org_unit
    area = list(OrgUnit.objects.filter(path__startswith=town.path, kind=OrgUnit.Kind.VILLAGE))
    area_persons = list(Person.objects.filter(org_unit__in=area).values_list("pk", "org_unit_id"))
    city_persons = list(
        Person.objects.filter(
            org_unit__kind=OrgUnit.Kind.VILLAGE, org_unit__code__startswith="city"
        )
        .order_by("pk")
        .values_list("pk", "org_unit_id")[::CITY_EVERY]
    )
    other = User.objects.exclude(pk=user.pk).order_by("pk").first()
    rows = []
    for n in range(AREA_ITEMS):
        person, village = area_persons[n % len(area_persons)]
        rows.append((person, village, user if n % 2 == 0 else other, n))
    rows += [(p, v, other, n) for n, (p, v) in enumerate(city_persons)]
    with transaction.atomic():
        plans = FollowUpPlan.objects.bulk_create(
            [
                FollowUpPlan(
                    person_id=person,
                    org_unit_id=village,
                    kind=FollowUpPlan.Kind.PHONE if n % 3 else FollowUpPlan.Kind.HOME,
                    interval_days=90,
                    owner=owner,
                    purpose=PURPOSE,
                )
                for person, village, owner, n in rows
            ],
            batch_size=5000,
        )
        FollowUp.objects.bulk_create(
            [
                FollowUp(plan=plan, due_on=today + datetime.timedelta(days=(n * 7) % 121 - 40))
                for plan, (_, _, _, n) in zip(plans, rows, strict=True)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would give them a minute later: without them the
        # planner takes the new tables for empty and loops over them.
        cursor.execute("ANALYZE population_followupplan, population_followup")
    return f"added {AREA_ITEMS} follow-ups in {town.name} and {len(city_persons)} in the city"


def measure() -> dict:
    setup_test_environment()  # the response's context: the item count
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username=USER))
    out = {}
    for label, path in PAGES:
        client.get(path)  # warm: the calendar, the templates
        captured: list[float] = []

        def timed(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - started) * 1000)

        with connection.execute_wrapper(timed):
            r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        page = r.context["page"] if r.context else None
        out[label] = {
            "median": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "queries": len(captured),
            "sql": sum(captured),
            "items": page.paginator.count if page is not None else None,
        }
    return out


def before(rev: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="zt-bench-before-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        (Path(tmp) / "bench").mkdir(exist_ok=True)
        script = Path(tmp) / "bench" / "worklists.py"
        script.write_text(Path(__file__).read_text())
        done = subprocess.run(
            [sys.executable, str(script), "--json"], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="git revision to measure side by side")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure()))
        return
    print(fill())
    print(
        f"{Person.objects.count():,} persons, {FollowUp.objects.count():,} follow-ups, "
        f"{FollowUp.objects.filter(status=FollowUp.Status.SCHEDULED).count():,} open; "
        f"{connection.vendor}, {REPEAT} requests each, as {USER}"
    )
    old = before(args.before) if args.before else None
    new = measure()

    def cell(figures: dict | None) -> str:
        if figures is None:
            return ""
        return (
            f"{figures['median']:8.1f} {figures['p95']:8.1f} {figures['queries']:4d} "
            f"{figures.get('sql', 0):7.1f} {figures['items'] or 0:6d}"
        )

    head = "  median      p95    q  sql ms  items"
    print(f"{'page':24} {'before ' + args.before if old else '':>38} | {'after':>38}")
    print(f"{'':24} {head if old else '':>38} | {head:>38}")
    for label, _ in PAGES:
        print(f"{label:24} {cell(old and old[label]):>38} | {cell(new[label]):>38}")
    if old:
        for label, _ in PAGES:
            print(f"{label}: {old[label]['median'] / new[label]['median']:.1f}× faster (median)")


if __name__ == "__main__":
    main()
