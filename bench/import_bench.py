"""Time and peak memory of the population import on a large file, before and after. A benchmark.

Writes an xlsx of N persons (100,000 by default, streamed with openpyxl's write-only mode),
then runs one import job through `process_job` — the same code the web page's thread and
`run_imports` run — once with the code of the revision BENCH_BEFORE (default: where this
branch left main, `git merge-base main HEAD`, exported with `git archive`) and once with the
code of this checkout, each in a fresh process of its own, and prints side by side:

- the time of the job and the rows per second (wall clock, as a user waits);
- the CPU seconds of the Python process (the database server's share is not in it), which
  says how much of a difference is ours when other work shares the machine;
- the peak RSS of that process (`resource.getrusage`: Python, Django, openpyxl and the job);
- the load average when the side started (the bench cannot make a busy machine quiet).

    .venv/bin/python bench/import_bench.py                     # SQLite file in the temp dir
    BENCH_ROWS=20000 .venv/bin/python bench/import_bench.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_bench \\
        .venv/bin/python bench/import_bench.py
    BENCH_BEFORE=none ...                                      # this checkout only

Like bench/run.py it never touches DATABASE_URL or the demo database; each side starts by
deleting the persons a previous run imported.
"""

import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = Path(tempfile.gettempdir()) / "zhengtong-import-bench"
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))


def configure(tree: Path) -> None:
    """Settings for a throwaway database, with `tree`'s code first on the path."""
    sys.path.insert(0, str(tree))
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
    # A throwaway database: its audit chain is sealed with the development key.
    os.environ.setdefault("AUDIT_HMAC_DEV_KEY", "True")
    # Development settings (the data keys of a throwaway database, like the tests).
    os.environ.setdefault("DEBUG", "True")
    os.environ.pop("DATABASE_URL", None)
    if url := os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["SQLITE_PATH"] = str(WORKDIR / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(WORKDIR / "media")

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_file(path: Path, rows: int) -> None:
    import openpyxl

    from zhengtong.lib.idcard import make_id_number
    from zhengtong.population import imports

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


def setup_actor():
    from zhengtong.accounts.models import Membership, OrgUnit, Role, User

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


def one_side(tree: Path, path: Path) -> dict:
    """Run one import job of `path` with `tree`'s code (this process is that side)."""
    configure(tree)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengtong.people.models import Person
    from zhengtong.population.actions import imports as actions
    from zhengtong.population.models import ImportJob

    actor = setup_actor()
    # A raw delete: Django's cascading delete would load 100,000 persons into memory first.
    leftover = Person.objects.filter(org_unit__code="BENCH-V")
    leftover._raw_delete(leftover.db)
    with open(path, "rb") as fh:
        upload = SimpleUploadedFile(path.name, fh.read())
    job = actions.import_job_create(actor=actor, kind="persons", upload=upload, dry_run=False)
    del upload
    load = os.getloadavg()[0]
    cpu, started = time.process_time(), time.perf_counter()
    job = actions.process_job(job.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    assert job.created_rows == ROWS, job.created_rows
    return {"seconds": seconds, "cpu": cpu, "rss": rss_mib(), "load": load}


def export(rev: str) -> Path:
    """The tree of `rev` (its tracked files), exported once into the bench directory."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = WORKDIR / f"tree-{commit}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> None:
    WORKDIR.mkdir(exist_ok=True)
    if len(sys.argv) == 4 and sys.argv[1] == "--side":
        print(json.dumps(one_side(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    before = (
        os.environ.get("BENCH_BEFORE")
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "main", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    configure(ROOT)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    connection.close()
    path = WORKDIR / f"persons-{ROWS}.xlsx"
    t = time.perf_counter()
    make_file(path, ROWS)
    size = path.stat().st_size / 2**20
    print(f"zhengtong import bench: {ROWS:,} persons on {vendor}; file {size:.1f} MiB")
    print(f"file ready in {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPUs")
    sides = [] if before == "none" else [(f"before ({before[:7]})", export(before))]
    sides.append(("after (this tree)", ROOT))
    results = {}
    for label, tree in sides:
        out = subprocess.run(
            [sys.executable, __file__, "--side", str(tree), str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=str(tree),
        ).stdout
        results[label] = json.loads(out.strip().splitlines()[-1])
    print(
        f"{'':20} {'job s':>8} {'rows/s':>9} {'CPU s':>8} {'CPU rows/s':>11} "
        f"{'peak RSS':>9} {'load':>5}"
    )
    for label, r in results.items():
        print(
            f"{label:20} {r['seconds']:8.1f} {ROWS / r['seconds']:9,.0f} {r['cpu']:8.1f} "
            f"{ROWS / r['cpu']:11,.0f} {r['rss']:6.0f} MiB {r['load']:5.1f}"
        )
    if len(results) == 2:
        old, new = results.values()
        print(
            f"{'after / before':20} {new['seconds'] / old['seconds']:8.2f} "
            f"{old['seconds'] / new['seconds']:8.2f}x {new['cpu'] / old['cpu']:8.2f} "
            f"{old['cpu'] / new['cpu']:10.2f}x {new['rss'] / old['rss']:8.2f}x"
        )


if __name__ == "__main__":
    main()
