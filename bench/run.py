"""How much the key-project pages cost on top of their own SQL. A benchmark, not a test.

Builds N projects of this year with 12 monthly reports each (a full year of rows for the
queries to read, whatever today's month) in a database of its own, then times each page through Django's test client and, side by side,
the very SQL statements that page ran, executed raw on the same connection. The ratio
page/SQL is the price of the ORM, the view and the template.

    make bench                                   # 1000 projects, SQLite file in the temp dir
    BENCH_PROJECTS=5000 make bench
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_bench make bench

The benchmark never touches DATABASE_URL or the demo database: it uses BENCH_DATABASE_URL
(create that database first) or a SQLite file of its own.
"""

import datetime
import os
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
# A throwaway database: its audit chain is sealed with the development key.
os.environ.setdefault("AUDIT_HMAC_DEV_KEY", "True")
os.environ.pop("DATABASE_URL", None)
if url := os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = url
else:
    os.environ["SQLITE_PATH"] = str(Path(tempfile.gettempdir()) / "zhengtong-bench.sqlite3")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns when collectstatic has not run; the benchmark serves no static files.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhengtong.accounts.models import Membership, OrgUnit, Role, User  # noqa: E402
from zhengtong.projects.models import (  # noqa: E402
    KeyProject,
    ListEntry,
    ProgressReport,
    ProjectLeader,
    ProjectList,
    Sector,
    Stage,
)

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "1000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
COMPANIES = 50
LEADERS = 6
PREFIX = "BENCH-"
DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (?:WITH(?:OUT)? HOLD )?FOR (.*)$', re.S)


def build(year: int) -> User:
    """Bench rows, created once; a later run with a larger N adds the missing projects."""
    zone = OrgUnit.objects.filter(code=f"{PREFIX}ZONE").first()
    if zone is None:
        zone = OrgUnit.objects.create(code=f"{PREFIX}ZONE", name="基准测试开发区", kind="zone")
    companies = []
    for i in range(COMPANIES):
        unit = OrgUnit.objects.filter(code=f"{PREFIX}CO{i:03d}").first()
        if unit is None:
            unit = OrgUnit.objects.create(
                code=f"{PREFIX}CO{i:03d}", name=f"基准测试企业{i:03d}", kind="company", parent=zone
            )
        companies.append(unit)
    sector, _ = Sector.objects.get_or_create(
        code="bench", defaults={"name": "基准测试", "plate": Sector.Plate.MAIN}
    )
    reader, created = User.objects.get_or_create(username="bench-reader")
    if created:
        Membership.objects.create(user=reader, org_unit=zone, role=Role.LEADER)
        Membership.objects.create(user=reader, org_unit=zone, role=Role.PROJECT_OFFICE)
    leaders = []
    for i in range(LEADERS):
        leader, created = User.objects.get_or_create(
            username=f"bench-leader{i}", defaults={"full_name": f"基准领导{i}"}
        )
        if created:
            Membership.objects.create(user=leader, org_unit=zone, role=Role.LEADER)
        leaders.append(leader)

    have = KeyProject.objects.filter(code__startswith=PREFIX).count()
    if have >= PROJECTS:
        return reader
    stages = [Stage.UNDER_CONSTRUCTION] * 6 + [Stage.NOT_STARTED, Stage.SURVEY, Stage.COMPLETED]
    with transaction.atomic():
        new = KeyProject.objects.bulk_create(
            [
                KeyProject(
                    code=f"{PREFIX}{i:05d}",
                    name=f"基准测试项目{i:05d}",
                    year=year,
                    sector=sector,
                    category=KeyProject.Category.INDUSTRY,
                    org_unit=companies[i % COMPANIES],
                    total_investment=Decimal(100_000_000 + i * 10_000),
                    stage=stages[i % len(stages)],
                    is_example=True,
                )
                for i in range(have, PROJECTS)
            ],
            batch_size=500,
        )
        new = list(KeyProject.objects.filter(code__startswith=PREFIX).order_by("code")[have:])
        # The bench projects are planned on this year's list (the demo's, when seeded).
        project_list, _ = ProjectList.objects.get_or_create(
            year=year,
            defaults={
                "title": ProjectList.default_title(year),
                "status": ProjectList.Status.APPROVED,
            },
        )
        last = project_list.entries.order_by("-position").values_list("position", flat=True)
        start = (last.first() or 0) + 1
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    project_list=project_list,
                    project=p,
                    position=start + n,
                    annual_plan=Decimal(12_000_000 + ((have + n) % 97) * 10_000),
                    remaining_investment=p.total_investment,
                )
                for n, p in enumerate(new)
            ],
            batch_size=500,
        )
        ProjectLeader.objects.bulk_create(
            [
                ProjectLeader(project=p, user=leaders[(n + k) % LEADERS])
                for n, p in enumerate(new)
                for k in range(1 + n % 2)
            ],
            batch_size=1000,
        )
        ProgressReport.objects.bulk_create(
            [
                ProgressReport(
                    project=p,
                    month=datetime.date(year, m, 1),
                    investment=Decimal(800_000 + (n * 7 + m * 13) % 50 * 10_000),
                    physical_progress=Decimal(m * 8),
                    submitted_by=reader,
                )
                for n, p in enumerate(new)
                for m in range(1, 13)
            ],
            batch_size=2000,
        )
    return reader


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def plain(sql: str) -> str:
    """A server-side cursor's DECLARE (PostgreSQL's .iterator()) as the SELECT it wraps."""
    if match := DECLARE.match(sql):
        return match.group(1)
    return sql


def measure(client: Client, url: str) -> tuple[int, float, float]:
    """(queries, page ms, raw SQL ms) for one URL, medians over REPEAT runs."""
    response = client.get(url)  # warm caches: templates, query compilation, the DB's pages
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = [plain(q["sql"]) for q in captured.captured_queries]

    def page() -> None:
        client.get(url)

    def raw() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return len(statements), median_ms(page, REPEAT), median_ms(raw, REPEAT)


def main() -> None:
    call_command("migrate", verbosity=0)
    year = timezone.localdate().year
    started = time.perf_counter()
    reader = build(year)
    built = time.perf_counter() - started
    client = Client()
    client.force_login(reader)
    vendor = connection.vendor
    where = connection.settings_dict["NAME"]
    print(f"zhengtong bench: {PROJECTS} projects × 12 reports ({year}) on {vendor} ({where})")
    print(f"data ready in {built:.1f} s; medians of {REPEAT} runs\n")
    urls = [
        ("project list, page 1", f"/projects/?year={year}"),
        ("project list, behind only", f"/projects/?year={year}&flag=behind"),
        ("project list, page 20", f"/projects/?year={year}&page=20"),
        ("summary API", "/api/v1/projects/summary/"),
        ("cockpit data", "/projects/cockpit/data/"),
    ]
    print(f"{'page':<26}{'queries':>8}{'page ms':>10}{'SQL ms':>10}{'page/SQL':>10}")
    for label, url in urls:
        queries, page_ms, sql_ms = measure(client, url)
        ratio = page_ms / sql_ms if sql_ms else float("inf")
        print(f"{label:<26}{queries:>8}{page_ms:>10.1f}{sql_ms:>10.1f}{ratio:>9.1f}×")


if __name__ == "__main__":
    main()
