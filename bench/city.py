"""What the pages people use most cost in a city, next to what they cost in the demo.

A benchmark, not a test (issue 13). On PostgreSQL it builds two databases from scratch:

* the demo database: `migrate` + `seed_demo`;
* the city database: a copy of the demo database (CREATE DATABASE … TEMPLATE) plus
  `generate_city --scale $BENCH_SCALE --parent 371500`, so the demo's own accounts
  (village1, jishengban, clerk_a, office, leader, mayor) look at the same rows of their own
  and the city's millions of rows lie around them; the mayor's city contains the whole city.

Then, in-process through Django's test client (no server), for every page: the median and
p95 page time over BENCH_REPEAT requests, the number of queries, the raw time of the page's
main query (its slowest statement, run again on the same connection) and the scan nodes of its
plan (EXPLAIN ANALYZE), side by side with the demo database and the ratio city/demo.

    make bench-city                       # BENCH_SCALE=0.05, about 60 000 residents, 100 000 cases
    BENCH_SCALE=0.1 make bench-city
    BENCH_REUSE=1 make bench-city         # measure the databases built by the last run again

Settings: BENCH_PG (server URL without a database, default postgres://postgres@127.0.0.1:5432),
BENCH_DEMO_DB and BENCH_CITY_DB (database names, dropped and rebuilt unless BENCH_REUSE=1),
BENCH_SCALE (default 0.05), BENCH_REPEAT (default 15, at least 15). DATABASE_URL is never read.
"""

import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DEMO_DB = os.environ.get("BENCH_DEMO_DB", "zhengtong_bench_demo")
CITY_DB = os.environ.get("BENCH_CITY_DB", "zhengtong_bench_city")
SCALE = float(os.environ.get("BENCH_SCALE", "0.05"))
REPEAT = max(15, int(os.environ.get("BENCH_REPEAT", "15")))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")
DEMO_CITY = "371500"
DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (?:WITH(?:OUT)? HOLD )?FOR (.*)$', re.S)
SCAN = re.compile(
    r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)"
    r"(?: Backward)?(?: using \w+)? on \w+)"
)


# The tables that grow with the city: the plan column shows how each page's main query reads them.
LARGE = {
    "people_person",
    "people_household",
    "people_householdmember",
    "population_floatingrecord",
    "population_followupplan",
    "population_followup",
    "services_application",
    "services_rating",
    "services_pause",
    "services_rectification",
    "projects_progressreport",
    "projects_problem",
    "projects_keyproject",
    "audit_event",
}


def url_of(db: str) -> str:
    return f"{SERVER}/{db}"


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = url_of(db)
    env.setdefault("AUDIT_HMAC_DEV_KEY", "True")
    env.setdefault("OTP_REQUIRED_ROLES", "")
    return env


def manage(db: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env_for(db),
        check=True,
        stdout=subprocess.DEVNULL if args[0] != "generate_city" else None,
    )


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def build() -> None:
    started = time.perf_counter()
    for db in (CITY_DB, DEMO_DB):
        admin_sql(f'DROP DATABASE IF EXISTS "{db}"')
    admin_sql(f'CREATE DATABASE "{DEMO_DB}"')
    manage(DEMO_DB, "migrate", "--noinput", "--verbosity", "0")
    manage(DEMO_DB, "seed_demo")
    demo_done = time.perf_counter()
    print(f"demo database {DEMO_DB} ready in {demo_done - started:.0f} s", flush=True)
    admin_sql(f'CREATE DATABASE "{CITY_DB}" TEMPLATE "{DEMO_DB}"')
    manage(CITY_DB, "generate_city", "--scale", str(SCALE), "--parent", DEMO_CITY)
    print(f"city database {CITY_DB} ready in {time.perf_counter() - demo_done:.0f} s", flush=True)


# ------------------------------------------------------------------------ measuring (child)


def pages(today: datetime.date) -> list[tuple[str, str | None, str]]:
    """(label, username or None for anonymous, URL) of every page the issue lists."""
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    this_month = today.strftime("%Y-%m")
    return [
        ("person list (village1)", "village1", "/population/"),
        ("floating list (village1)", "village1", "/population/floating/"),
        ("work list week (jishengban)", "jishengban", "/population/work/?list=week"),
        ("我的待办 (jishengban)", "jishengban", "/"),
        ("我的待办 (clerk_a)", "clerk_a", "/"),
        ("case list (clerk_a, hall)", "clerk_a", "/services/?scope=all"),
        ("overdue list (clerk_a)", "clerk_a", "/services/?scope=all&overdue=on"),
        ("project list (office)", "office", "/projects/"),
        ("problem ledger (office)", "office", "/projects/problems/"),
        ("leader cockpit data", "leader", "/reports/cockpit/data/"),
        ("mayor cockpit data", "mayor", "/reports/cockpit/data/"),
        ("work report (leader)", "leader", "/reports/work-report/"),
        ("work report (mayor)", "mayor", "/reports/work-report/"),
        ("办事公开 last month, all", None, f"/public/disclosure/?month={last_month}"),
        ("办事公开 last month, 刘集镇", None, f"/public/disclosure/?month={last_month}&hall=LIUJI"),
        ("办事公开 this month, all", None, f"/public/disclosure/?month={this_month}"),
        ("public lookup", None, "LOOKUP"),
        ("audit log, 拒绝 only (auditor)", "auditor", "/audit/?kind=denied"),
    ]


def plain(sql: str) -> str:
    if match := DECLARE.match(sql):
        return match.group(1)
    return sql


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def measure_all() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zhengtong.accounts.models import User
    from zhengtong.services.models import Application

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    lookup: dict[str, str] = {}
    counter = iter(range(10**9))

    def request(client: Client, url: str):
        if url == "LOOKUP":
            # A fresh client address each time: the throttle is per address.
            n = next(counter)
            address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            return client.get("/public/lookup/", lookup, REMOTE_ADDR=address)
        return client.get(url)

    def main_query(statements: list[str]) -> tuple[float, str, str]:
        """(raw ms, plan summary, SQL) of the slowest SELECT among `statements`."""
        slowest, worst = -1.0, ""
        with connection.cursor() as cursor:
            for sql in statements:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                start = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                spent = time.perf_counter() - start
                if spent > slowest:
                    slowest, worst = spent, sql
            if not worst:
                return 0.0, "", ""
            times = []
            for _ in range(5):
                start = time.perf_counter()
                cursor.execute(worst)
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + worst)
            plan = [row[0] for row in cursor.fetchall()]
        scans = []
        for line in plan:
            for found in SCAN.findall(line):
                if found not in scans:
                    scans.append(found)
        # Only the tables that grow with the city; sequential scans first.
        scans = [s for s in scans if s.rsplit(" on ", 1)[1] in LARGE] or scans[:1]
        scans.sort(key=lambda s: "Seq Scan" not in s)
        return statistics.median(times), "; ".join(scans[:3]), worst

    def use(db: str) -> None:
        """Point the default connection at `db` (and forget what the cache holds)."""
        connection.close()
        connection.settings_dict["NAME"] = db
        cache.clear()

    def one(label: str, username: str | None, url: str) -> dict:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for _ in range(2):
            response = request(client, url)
            assert response.status_code == 200, (label, url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            request(client, url)
        statements = [plain(q["sql"]) for q in captured.captured_queries]
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            request(client, url)
            times.append((time.perf_counter() - start) * 1000)
        sql_ms, plan, sql = main_query(statements)
        return {
            "label": label,
            "queries": len(statements),
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "sql_ms": sql_ms,
            "plan": plan,
            "sql": sql,
        }

    # Each page on the demo, then at once on the city: the two medians see the same machine.
    results = []
    for label, username, url in pages(timezone.localdate()):
        pair = {}
        for name, db in (("demo", DEMO_DB), ("city", CITY_DB)):
            use(db)
            if url == "LOOKUP":
                case = Application.objects.filter(org_unit__code="LIUJI").order_by("pk").first()
                lookup.update(
                    receipt_no=case.receipt_no, phone_last4=str(case.applicant_phone)[-4:]
                )
            pair[name] = one(label, username, url)
        results.append(pair)
    print(json.dumps(results, ensure_ascii=False))


def run_child() -> list[dict]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure"],
        env=env_for(DEMO_DB),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def counts(db: str) -> str:
    import psycopg

    tables = [
        ("people_person", "persons"),
        ("services_application", "cases"),
        ("population_followup", "follow-ups"),
        ("audit_event", "audit events"),
        ("projects_keyproject", "projects"),
        ("projects_progressreport", "reports"),
    ]
    with psycopg.connect(url_of(db)) as conn:
        parts = []
        for table, name in tables:
            (n,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            parts.append(f"{n:,} {name}")
    return ", ".join(parts)


def main() -> None:
    if not REUSE:
        build()
    print(f"\nzhengtong bench-city on PostgreSQL, city at --scale {SCALE}")
    print(f"  demo: {counts(DEMO_DB)}")
    print(f"  city: {counts(CITY_DB)}")
    print(f"  page times: median and p95 of {REPEAT} requests through the test client\n")
    pairs = run_child()
    head = (
        f"{'page':<30}{'queries':>9}{'demo ms':>9}{'city ms':>9}{'p95':>8}"
        f"{'city/demo':>10}{'SQL ms':>8}{'page/SQL':>9}  main query plan (city)"
    )
    print(head)
    print("-" * len(head))
    for pair in pairs:
        base, row = pair["demo"], pair["city"]
        ratio = row["median"] / base["median"] if base["median"] else float("inf")
        over_sql = row["median"] / row["sql_ms"] if row["sql_ms"] else float("inf")
        queries = f"{base['queries']}/{row['queries']}"
        print(
            f"{row['label']:<30}{queries:>9}{base['median']:>9.1f}{row['median']:>9.1f}"
            f"{row['p95']:>8.1f}{ratio:>9.2f}×{row['sql_ms']:>8.1f}{over_sql:>8.1f}×"
            f"  {row['plan'] or '—'}"
        )
    if os.environ.get("BENCH_SQL"):
        for pair in pairs:
            row = pair["city"]
            print(f"\n-- {row['label']} ({row['sql_ms']:.1f} ms)\n{row['sql']}")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        measure_all()
    else:
        main()
