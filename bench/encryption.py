"""What encrypting ID numbers and phones costs, plaintext and encrypted side by side in one run.
A benchmark, not a test.

    .venv/bin/python bench/encryption.py                 # a fresh SQLite file in the temp dir
    BENCH_ROWS=20000 .venv/bin/python bench/encryption.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zt_bench_enc .venv/bin/python bench/encryption.py
    .venv/bin/python bench/encryption.py --before f176527   # also the field code of that commit

Give DATABASE_URL a fresh, empty database (it is migrated; the benchmark's persons are deleted
between and after the passes). Without it, a new SQLite file in the temp dir is used.

Each pass runs the same three operations on the same schema:

1. the import of BENCH_ROWS persons (100,000 by default) through the import job, the code the
   page's worker runs (check pass, then the single-transaction bulk write);
2. the person search by full ID number (POST to the person list, as the page does), median of
   BENCH_REPEAT requests;
3. the person list page (first page, 25 rows), median of BENCH_REPEAT requests.

Each is given in wall-clock time, in CPU time of the benchmark's process (steadier on a busy
machine; on PostgreSQL it leaves out the server's work) and as the number of HMAC-SM3
computations and SM4 openings it made (one search and one list page). A fourth figure, CPU
only, is the ORM's share of the list page: loading its 25 persons and reading their masks.

"Plaintext" is the same code with the cryptography switched off: SM4-GCM sealing and opening
and HMAC-SM3 are monkeypatched to identity functions (the value is stored as its bytes, the
index as the hex of the normalised value), so the difference is what the cryptography costs;
the columns, indexes and queries are the same in both passes.

``--before REV`` adds a third pass between the two: encrypted, with the field code
(``zhengtong/lib/encrypted.py``) of commit REV swapped in for the run, so the table shows the
cost of the current field code and of an earlier one side by side, on the same data.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
# A throwaway database: its audit chain and data keys use the development keys.
os.environ.setdefault("AUDIT_HMAC_DEV_KEY", "True")
os.environ.setdefault("SECRET_KEY", "bench-encryption-only-never-for-a-real-database-0123456789")
WORKDIR = Path(tempfile.gettempdir()) / "zhengtong-encryption-bench"
WORKDIR.mkdir(exist_ok=True)
if not os.environ.get("DATABASE_URL"):
    sqlite = WORKDIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(sqlite)
os.environ["MEDIA_ROOT"] = str(WORKDIR / "media")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhengtong.accounts.models import Membership, OrgUnit, Role, User  # noqa: E402
from zhengtong.lib import encrypted, sm4  # noqa: E402
from zhengtong.lib.datakeys import keys  # noqa: E402
from zhengtong.lib.idcard import make_id_number  # noqa: E402
from zhengtong.people.models import Person  # noqa: E402
from zhengtong.population import imports  # noqa: E402
from zhengtong.population.actions import imports as actions  # noqa: E402
from zhengtong.population.models import ImportJob  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
LIST_URL = "/population/"
START = datetime.date(1950, 1, 1)


def number_of(n: int) -> str:
    # 25,000 birth dates × order codes: distinct, checksum-valid numbers.
    birth = START + datetime.timedelta(days=n % 25000)
    return make_id_number(birth, female=n % 2 == 0, seq=1 + n // 25000)


def make_file(path: Path, rows: int) -> None:
    if path.exists():
        return
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(imports.HEADERS[imports.KIND_PERSONS])
    for n in range(rows):
        phone = f"138{n % 100_000_000:08d}"
        ws.append([f"测试{n}", number_of(n), phone, "基准村", "", "", "已婚", "本地户籍"])
    wb.save(path)


def setup_actor() -> User:
    town = OrgUnit.objects.filter(code="ENC-TOWN").first() or OrgUnit.objects.create(
        code="ENC-TOWN", name="基准镇", kind=OrgUnit.Kind.TOWN
    )
    village = OrgUnit.objects.filter(code="ENC-V").first() or OrgUnit.objects.create(
        code="ENC-V", name="基准村", kind=OrgUnit.Kind.VILLAGE, parent=town
    )
    user, _ = User.objects.get_or_create(
        username="bench-encryption", defaults={"full_name": "基准"}
    )
    Membership.objects.get_or_create(user=user, role=Role.VILLAGE_WORKER, org_unit=village)
    return user


def clear_persons() -> None:
    # A raw delete: a cascading delete would load every person first.
    leftover = Person.objects.filter(org_unit__code="ENC-V")
    leftover._raw_delete(leftover.db)


def vacuum() -> None:
    """Each pass starts from a table without the previous pass's dead rows."""
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "VACUUM")


class Plaintext:
    """SM4 and HMAC-SM3 as identity functions while the block runs."""

    def __enter__(self):
        self.saved = (sm4.seal, sm4.open_sealed, sm4.hmac_sm3)
        sm4.seal = lambda key, data, aad=b"": data
        sm4.open_sealed = lambda key, blob, aad=b"": blob
        sm4.hmac_sm3 = lambda key, data: data
        return self

    def __exit__(self, *exc):
        sm4.seal, sm4.open_sealed, sm4.hmac_sm3 = self.saved


def rebound(function, cls):
    """``function`` with its zero-argument ``super()`` meaning ``cls``'s parents."""
    if "__class__" not in getattr(getattr(function, "__code__", None), "co_freevars", ()):
        return function
    cells = tuple(
        types.CellType(cls) if name == "__class__" else cell
        for name, cell in zip(function.__code__.co_freevars, function.__closure__, strict=True)
    )
    return types.FunctionType(
        function.__code__, function.__globals__, function.__name__, function.__defaults__, cells
    )


class FieldCodeOf:
    """The encrypted-field code of an earlier commit, swapped into the live classes while the
    block runs (the models keep their field objects; their methods are the old ones)."""

    SWAPPED = {
        "_Descriptor": ("__get__", "__set__"),
        "EncryptedField": (
            "from_db_value",
            "get_col",
            "pre_save",
            "get_db_prep_value",
            "to_python",
        ),
        "_Companion": ("pre_save",),
    }

    def __init__(self, rev: str) -> None:
        source = subprocess.run(
            ["git", "show", f"{rev}:zhengtong/lib/encrypted.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.module = types.ModuleType(f"encrypted_at_{rev}")
        exec(compile(source, f"{rev}:zhengtong/lib/encrypted.py", "exec"), self.module.__dict__)
        self.old_classes = {
            name: getattr(self.module, name)
            for name in ("_Descriptor", "EncryptedField", "_Companion")
        }
        # The old code's isinstance checks must recognise the live fields.
        self.module.EncryptedField = encrypted.EncryptedField

    def __enter__(self):
        self.saved = []
        for name, methods in self.SWAPPED.items():
            live = getattr(encrypted, name)
            for method in methods:
                self.saved.append((live, method, live.__dict__.get(method)))
                setattr(live, method, rebound(getattr(self.old_classes[name], method), live))
        return self

    def __exit__(self, *exc):
        for live, method, value in self.saved:
            if value is None:
                delattr(live, method)
            else:
                setattr(live, method, value)


class Counted:
    """Counts the HMAC-SM3 computations and SM4 openings (whatever they are at the time)."""

    def __enter__(self):
        self.hmac = self.opened = 0
        self.saved = hmac_sm3, open_sealed = sm4.hmac_sm3, sm4.open_sealed

        def counted_hmac(key, data):
            self.hmac += 1
            return hmac_sm3(key, data)

        def counted_open(key, blob, aad=b""):
            self.opened += 1
            return open_sealed(key, blob, aad)

        sm4.hmac_sm3, sm4.open_sealed = counted_hmac, counted_open
        return self

    def __exit__(self, *exc):
        sm4.hmac_sm3, sm4.open_sealed = self.saved


def median_ms(client: Client, method: str, url: str, data=None) -> tuple[float, float, int]:
    """Median wall-clock and CPU (this process) milliseconds of REPEAT requests."""
    times, cpu = [], []
    status = 0
    for _ in range(REPEAT):
        t, c = time.perf_counter(), time.process_time()
        response = getattr(client, method)(url, data or {})
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        status = response.status_code
    return statistics.median(times), statistics.median(cpu), status


def one_pass(actor: User, path: Path) -> dict:
    clear_persons()
    vacuum()
    with open(path, "rb") as fh:
        upload = SimpleUploadedFile(path.name, fh.read())
    job = actions.import_job_create(actor=actor, kind="persons", upload=upload, dry_run=False)
    started, cpu = time.perf_counter(), time.process_time()
    with Counted() as calls:
        job = actions.process_job(job.pk)
    out = {
        "import": time.perf_counter() - started,
        "import cpu": time.process_time() - cpu,
        "import hmac": calls.hmac,
        "import open": calls.opened,
    }
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    client = Client()
    client.force_login(actor)
    wanted = number_of(ROWS // 2)
    out["search"], out["search cpu"], status = median_ms(client, "post", LIST_URL, {"q": wanted})
    assert status == 200, status
    # The search finds the person, in both passes: the page shows the number masked.
    with Counted() as calls:
        response = client.post(LIST_URL, {"q": wanted})
    out["search hmac"], out["search open"] = calls.hmac, calls.opened
    assert f"{wanted[:6]}********{wanted[-4:]}" in response.content.decode()
    out["list"], out["list cpu"], status = median_ms(client, "get", LIST_URL)
    assert status == 200, status
    with Counted() as calls:
        client.get(LIST_URL)
    out["list hmac"], out["list open"] = calls.hmac, calls.opened
    out["load cpu"] = load_cpu_ms()
    return out


def load_cpu_ms(loops: int = 200) -> float:
    """CPU milliseconds to load the list's 25 persons as instances and read their masks (the
    ORM's share of the list page), best of three runs of ``loops``."""
    persons = Person.objects.filter(org_unit__code="ENC-V").order_by("name")
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(loops):
            rows = list(persons[:25])
            [(row.id_number_mask, row.phone_mask) for row in rows]
        best = min(best, (time.process_time() - started) / loops * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", metavar="REV", help="also measure the field code of REV")
    args = parser.parse_args()
    before = FieldCodeOf(args.before) if args.before else None
    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_REQUIRED_ROLES = []
    call_command("migrate", verbosity=0)
    actor = setup_actor()
    path = WORKDIR / f"persons-{ROWS}.xlsx"
    make_file(path, ROWS)
    print(
        f"zhengtong encryption bench: {ROWS} persons on {connection.vendor}, "
        f"{REPEAT} requests per page (median)"
    )
    print(
        "plaintext = the same code and schema with SM4-GCM and HMAC-SM3 monkeypatched to "
        "identity functions"
    )
    keys.current_key("pii")  # the data keys exist (and are cached) before either pass
    keys.current_key("blind-index")
    passes = {}
    with Plaintext():
        passes["plaintext"] = one_pass(actor, path)
    if before:
        with before:
            passes[f"enc@{args.before[:9]}"] = one_pass(actor, path)
    passes["encrypted"] = one_pass(actor, path)
    clear_persons()
    names = list(passes)
    ratios = [(f"{name}/plain", name, "plaintext") for name in names[1:]]
    if before:
        ratios.append(("now/before", names[2], names[1]))
    width = max(12, *(len(n) + 2 for n in names + [r[0] for r in ratios]))
    print(f"{'':28}" + "".join(f"{n:>{width}}" for n in names + [r[0] for r in ratios]))
    rows = (
        (f"import of {ROWS} persons (s)", "import", ".1f"),
        ("search by ID number (ms)", "search", ".1f"),
        ("person list page (ms)", "list", ".1f"),
        ("-- CPU of this process:", "", ""),
        ("import (s)", "import cpu", ".1f"),
        ("search (ms)", "search cpu", ".1f"),
        ("list page (ms)", "list cpu", ".1f"),
        ("load 25 persons, ORM (ms)", "load cpu", ".2f"),
        ("-- HMAC-SM3 / SM4 openings:", "", ""),
        ("import HMAC", "import hmac", "d"),
        ("import openings", "import open", "d"),
        ("one search HMAC", "search hmac", "d"),
        ("one search openings", "search open", "d"),
        ("one list page HMAC", "list hmac", "d"),
        ("one list page openings", "list open", "d"),
    )
    for label, key, fmt in rows:
        if not key:
            print(label)
            continue
        cells = [f"{passes[n][key]:{width}{fmt}}" for n in names]
        for _, top, bottom in ratios:
            ratio = passes[top][key] / passes[bottom][key] if passes[bottom][key] else float("nan")
            cells.append(f"{ratio:{width}.2f}")
        print(f"{label:28}" + "".join(cells))


if __name__ == "__main__":
    main()
