"""Time and peak memory of the population import on a large file. A benchmark, not a test.

Writes an xlsx of N persons (100,000 by default, streamed with openpyxl's write-only mode),
then runs one import job through `process_job` — the same code the web page's thread and
`run_imports` run: the checking pass, then the single-transaction write — and prints the time
of each pass, the rows per second and the peak memory:

- peak RSS of the process (`resource.getrusage`, includes Python, Django and openpyxl);
- with BENCH_TRACEMALLOC=1, the peak of Python allocations during the job (slower).

    .venv/bin/python bench/import_bench.py                     # SQLite file in the temp dir
    BENCH_ROWS=20000 .venv/bin/python bench/import_bench.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_bench \\
        .venv/bin/python bench/import_bench.py

Like bench/run.py it never touches DATABASE_URL or the demo database; every run starts by
deleting the persons a previous run imported.
"""

import datetime
import os
import resource
import sys
import tempfile
import time
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
    os.environ["SQLITE_PATH"] = str(Path(tempfile.gettempdir()) / "zhengtong-import-bench.sqlite3")
WORKDIR = Path(tempfile.gettempdir()) / "zhengtong-import-bench"
os.environ["MEDIA_ROOT"] = str(WORKDIR / "media")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

import openpyxl  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from zhengtong.accounts.models import Membership, OrgUnit, Role, User  # noqa: E402
from zhengtong.lib.idcard import make_id_number  # noqa: E402
from zhengtong.people.models import Person  # noqa: E402
from zhengtong.population import imports  # noqa: E402
from zhengtong.population.actions import imports as actions  # noqa: E402
from zhengtong.population.models import ImportJob  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"


def rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_file(path: Path, rows: int) -> None:
    if path.exists():
        return
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(imports.HEADERS[imports.KIND_PERSONS])
    start = datetime.date(1950, 1, 1)
    for n in range(rows):
        # 25,000 birth dates × 4 order codes = 100,000 distinct, checksum-valid numbers.
        birth = start + datetime.timedelta(days=n % 25000)
        number = make_id_number(birth, female=n % 2 == 0, seq=1 + n // 25000)
        ws.append([f"测试{n}", number, "13805350000", "基准村", "", "", "已婚", "本地户籍"])
    wb.save(path)


def setup_actor() -> User:
    town = OrgUnit.objects.filter(code="BENCH-TOWN").first() or OrgUnit.objects.create(
        code="BENCH-TOWN", name="基准镇", kind=OrgUnit.Kind.TOWN
    )
    if not OrgUnit.objects.filter(code="BENCH-V").exists():
        OrgUnit.objects.create(
            code="BENCH-V", name="基准村", kind=OrgUnit.Kind.VILLAGE, parent=town
        )
    village = OrgUnit.objects.get(code="BENCH-V")
    user, _ = User.objects.get_or_create(username="bench-importer", defaults={"full_name": "基准"})
    Membership.objects.get_or_create(user=user, role=Role.VILLAGE_WORKER, org_unit=village)
    return user


def main() -> None:
    WORKDIR.mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    actor = setup_actor()
    # A raw delete: Django's cascading delete would load 100,000 persons into memory first.
    leftover = Person.objects.filter(org_unit__code="BENCH-V")
    leftover._raw_delete(leftover.db)
    path = WORKDIR / f"persons-{ROWS}.xlsx"
    t = time.perf_counter()
    make_file(path, ROWS)
    print(
        f"zhengtong import bench: {ROWS} persons on {vendor}; file {path.stat().st_size / 2**20:.1f} MiB"
    )
    print(f"file ready in {time.perf_counter() - t:.1f} s; RSS before the job {rss_mib():.0f} MiB")

    with open(path, "rb") as fh:
        upload = SimpleUploadedFile(path.name, fh.read())
    job = actions.import_job_create(actor=actor, kind="persons", upload=upload, dry_run=False)
    del upload
    marks = {}
    real_check_stream = imports.PersonsImporter.check_stream

    def check_stream(self, *args, **kwargs):
        try:
            return real_check_stream(self, *args, **kwargs)
        finally:
            marks["checked"] = time.perf_counter()

    imports.PersonsImporter.check_stream = check_stream  # type: ignore[method-assign]

    if TRACE:
        import tracemalloc

        tracemalloc.start()
    started = time.perf_counter()
    job = actions.process_job(job.pk)
    finished = time.perf_counter()
    traced = None
    if TRACE:
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    checked = marks.get("checked", finished)
    print(f"count+check {checked - started:7.1f} s  ({ROWS / (checked - started):,.0f} rows/s)")
    print(f"write pass  {finished - checked:7.1f} s  ({ROWS / (finished - checked):,.0f} rows/s)")
    print(f"total       {finished - started:7.1f} s; created {job.created_rows} persons")
    print(f"peak RSS of the process {rss_mib():.0f} MiB")
    if traced is not None:
        print(f"peak Python allocations during the job (tracemalloc) {traced:.1f} MiB")


if __name__ == "__main__":
    main()
