"""What encrypting ID numbers and phones costs, plaintext and encrypted side by side in one run.
A benchmark, not a test.

    .venv/bin/python bench/encryption.py                 # a fresh SQLite file in the temp dir
    BENCH_ROWS=20000 .venv/bin/python bench/encryption.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zt_bench_enc .venv/bin/python bench/encryption.py

Give DATABASE_URL a fresh, empty database (it is migrated; the benchmark's persons are deleted
between and after the passes). Without it, a new SQLite file in the temp dir is used.

Each pass runs the same three operations on the same schema:

1. the import of BENCH_ROWS persons (100,000 by default) through the import job, the code the
   page's worker runs (check pass, then the single-transaction bulk write);
2. the person search by full ID number (POST to the person list, as the page does), median of
   BENCH_REPEAT requests;
3. the person list page (first page, 25 rows), median of BENCH_REPEAT requests.

"Plaintext" is the same code with the cryptography switched off: SM4-GCM sealing and opening
and HMAC-SM3 are monkeypatched to identity functions (the value is stored as its bytes, the
index as the hex of the normalised value), so the difference is what the cryptography costs;
the columns, indexes and queries are the same in both passes.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhengtong.settings"
# A throwaway database: its audit chain and data keys use the development keys.
os.environ.setdefault("AUDIT_HMAC_DEV_KEY", "True")
os.environ.setdefault("SECRET_KEY", "bench-encryption-only-never-for-a-real-database-0123456789")
WORKDIR = Path(tempfile.gettempdir()) / "zhengtong-encryption-bench"
if not os.environ.get("DATABASE_URL"):
    sqlite = WORKDIR / "bench.sqlite3"
    WORKDIR.mkdir(exist_ok=True)
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
from zhengtong.lib import sm4  # noqa: E402
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


def median_ms(client: Client, method: str, url: str, data=None) -> tuple[float, int]:
    times = []
    status = 0
    for _ in range(REPEAT):
        t = time.perf_counter()
        response = getattr(client, method)(url, data or {})
        times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
    return statistics.median(times), status


def one_pass(actor: User, path: Path) -> dict:
    clear_persons()
    with open(path, "rb") as fh:
        upload = SimpleUploadedFile(path.name, fh.read())
    job = actions.import_job_create(actor=actor, kind="persons", upload=upload, dry_run=False)
    started = time.perf_counter()
    job = actions.process_job(job.pk)
    import_s = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    client = Client()
    client.force_login(actor)
    wanted = number_of(ROWS // 2)
    search_ms, status = median_ms(client, "post", LIST_URL, {"q": wanted})
    assert status == 200, status
    # The search finds the person, in both passes: the page shows the number masked.
    response = client.post(LIST_URL, {"q": wanted})
    assert f"{wanted[:6]}********{wanted[-4:]}" in response.content.decode()
    list_ms, status = median_ms(client, "get", LIST_URL)
    assert status == 200, status
    return {"import": import_s, "search": search_ms, "list": list_ms}


def main() -> None:
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
    with Plaintext():
        plain = one_pass(actor, path)
    encrypted = one_pass(actor, path)
    clear_persons()
    print(f"{'':28}{'plaintext':>12}{'encrypted':>12}{'ratio':>8}")
    rows = (
        (f"import of {ROWS} persons (s)", "import", "{:12.1f}"),
        ("search by ID number (ms)", "search", "{:12.1f}"),
        ("person list page (ms)", "list", "{:12.1f}"),
    )
    for label, key, fmt in rows:
        ratio = encrypted[key] / plain[key] if plain[key] else float("nan")
        print(f"{label:28}{fmt.format(plain[key])}{fmt.format(encrypted[key])}{ratio:8.2f}")


if __name__ == "__main__":
    main()
