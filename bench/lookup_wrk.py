"""The public lookup (办件查询) under gunicorn and wrk: requests/s before and after, side by side.

Not a test: it asserts nothing about time. It needs PostgreSQL, `wrk` and nothing else:

    createdb -h 127.0.0.1 -U postgres zhengtong_lookup
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_lookup \\
        .venv/bin/python bench/lookup_wrk.py

It migrates the database and loads the demo when it has no cases (a few minutes, once), then
for each code path starts gunicorn on 127.0.0.1 with `deploy/gunicorn.conf.py` (2 workers ×
5 threads by default, DEBUG=False, TRUSTED_PROXY=True as behind nginx), warms it up and runs
`wrk -c 8 -t 2 -d 20s` against `/public/lookup/`. The Lua script cycles the demo's receipt
numbers with their right phone digits (and every seventh with wrong ones, which answers "未找到")
and sends each client address five times in X-Real-IP (nginx's header; the throttle allows 10
per address per 10 minutes), so the figures measure lookups, not 429s; every answer that is not
200 is counted and printed.

"before" is the code of a git ref (`BENCH_BEFORE_REF`, default the merge base of `main` and this
checkout, so both run on the same schema: there a lookup appends its audit row under the chain
lock), exported to a temporary directory and run with the same virtualenv
and database; "after" is this checkout (the row goes to the pending table, no lock). After the
runs the pending rows are sealed into the chain, timed, and `audit_verify` checks the whole chain.

| variable | default | meaning |
|---|---|---|
| `BENCH_DATABASE_URL` | — (required) | the PostgreSQL database, built on first use |
| `BENCH_BEFORE_REF` | merge base with `main` | the git ref measured as "before"; `-` to skip |
| `BENCH_DURATION` | `20s` | wrk's `-d` |
| `BENCH_CONNECTIONS` / `BENCH_THREADS` | `8` / `2` | wrk's `-c` / `-t` |
| `GUNICORN_WORKERS` / `GUNICORN_THREADS` | `2` / `5` | as in deploy/ |
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORT = int(os.environ.get("BENCH_PORT", "8731"))
# A fixed key of the bench only, so the demo's audit seals stay valid from run to run.
BENCH_SECRET_KEY = "bench-lookup-not-a-secret-0123456789abcdefghijklmnop"

LUA = r"""
local proofs = { %(proofs)s }
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  n = 0
  non200 = 0
  statuses = ""
end

function request()
  n = n + 1
  local proof = proofs[(n * 7 + tid) %% #proofs + 1]
  local last4 = proof[2]
  if n %% 7 == 0 then last4 = "0000" end
  -- Each client address makes five lookups; the limit is 10 per 10 minutes.
  local a = math.floor(n / 5)
  local ip = string.format("10.%%d.%%d.%%d", %(run)d * 16 + tid, math.floor(a / 256) %% 256, a %% 256)
  return wrk.format("GET", "/public/lookup/?receipt_no=" .. proof[1] .. "&phone_last4=" .. last4,
                    { ["X-Real-IP"] = ip })
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if not string.find(statuses, tostring(status)) then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    seen = seen .. thread:get("statuses")
  end
  io.write(string.format("NON200 %%d %%s\n", bad, seen))
  io.write(string.format("LATENCY %%.3f %%.3f %%.3f\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def env_for(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=BENCH_SECRET_KEY,
        AUDIT_HMAC_DEV_KEY="True",
        DEBUG="False",
        TRUSTED_PROXY="True",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", "2"),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "5"),
        OTP_REQUIRED_ROLES="",
    )
    env.pop("REPLICA_DATABASE_URL", None)
    return env


def manage(env: dict, *args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def sql(env: dict, query: str) -> list[tuple]:
    code = (
        "import django,json,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','zhengtong.settings');"
        "django.setup();from django.db import connection;c=connection.cursor();"
        f"c.execute({query!r});print(json.dumps([list(r) for r in c.fetchall()], default=str))"
    )
    done = subprocess.run(
        [str(PYTHON), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    import json

    return [tuple(r) for r in json.loads(done.stdout)]


def ensure_demo(env: dict) -> None:
    manage(env, "migrate", "-v0")
    if sql(env, "SELECT count(*) FROM services_application")[0][0] == 0:
        print("loading the demo into the bench database (once)…", flush=True)
        manage(env, "seed_demo")


def proofs(env: dict) -> list[tuple[str, str]]:
    rows = sql(
        env,
        "SELECT receipt_no, applicant_phone_last4 FROM services_application "
        "WHERE applicant_phone_last4 <> '' ORDER BY receipt_no",
    )
    if not rows:
        sys.exit("the demo has no cases with a phone number")
    return [(r[0], r[1]) for r in rows]


def merge_base() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "main", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip()[:12] if done.returncode == 0 else "main"


def export_ref(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def wait_ready(proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited; see its log in the bench's temporary directory")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/public/lookup/", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit("gunicorn did not answer in time")


def wrk(lua: Path, duration: str) -> dict:
    cmd = [
        "wrk",
        "-c",
        os.environ.get("BENCH_CONNECTIONS", "8"),
        "-t",
        os.environ.get("BENCH_THREADS", "2"),
        "-d",
        duration,
        "-s",
        str(lua),
        f"http://127.0.0.1:{PORT}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non200 = re.search(r"NON200 (\d+) ?(.*)", out)
    p50, p99, worst = (float(x) for x in re.search(r"LATENCY (\S+) (\S+) (\S+)", out).groups())
    return {
        "rps": rps,
        "requests": total,
        "non200": int(non200.group(1)),
        "statuses": non200.group(2).strip(),
        "p50": p50,
        "p99": p99,
        "max": worst,
    }


def measure(name: str, tree: Path, env: dict, run: int, work: Path, pairs) -> dict:
    lua = work / f"lookup-{name}.lua"
    body = ", ".join(f'{{"{r}", "{p}"}}' for r, p in pairs)
    lua.write_text(LUA % {"proofs": body, "run": run}, encoding="utf-8")
    warm = work / f"warm-{name}.lua"
    warm.write_text(LUA % {"proofs": body, "run": run + 8}, encoding="utf-8")
    log = open(work / f"gunicorn-{name}.log", "w")  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "zhengtong.wsgi"],
        cwd=tree,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(proc)
        wrk(warm, "3s")
        return wrk(lua, os.environ.get("BENCH_DURATION", "20s"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("set BENCH_DATABASE_URL to an empty (or earlier bench) PostgreSQL database")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed")
    env = env_for(database_url)
    ensure_demo(env)
    pairs = proofs(env)
    ref = os.environ.get("BENCH_BEFORE_REF") or merge_base()
    if ref == "-":
        ref = ""
    results: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="zt-lookup-bench-") as tmp:
        work = Path(tmp)
        # Each run uses its own client addresses, so no run inherits another's counters.
        stamp = int(time.time()) % 8
        if ref:
            before = export_ref(ref, work / "before")
            results.append((f"before ({ref})", measure("before", before, env, stamp, work, pairs)))
        results.append(("after (this tree)", measure("after", ROOT, env, stamp + 1, work, pairs)))
    workers, threads = env["GUNICORN_WORKERS"], env["GUNICORN_THREADS"]
    print(
        f"\n办件查询 /public/lookup/ · gunicorn {workers} workers × {threads} threads · "
        f"wrk -c {os.environ.get('BENCH_CONNECTIONS', '8')} -t {os.environ.get('BENCH_THREADS', '2')}"
        f" -d {os.environ.get('BENCH_DURATION', '20s')} · {len(pairs)} receipt numbers\n"
    )
    print(f"{'code path':<22}{'req/s':>9}{'requests':>10}{'non-200':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in results:
        print(
            f"{name:<22}{r['rps']:>9.1f}{r['requests']:>10}{r['non200']:>9}"
            f"{r['p50']:>9.1f}{r['p99']:>9.1f}  {r['statuses']}"
        )
    if len(results) == 2:
        print(f"\nratio after / before: {results[1][1]['rps'] / results[0][1]['rps']:.2f}×")
    waiting = sql(env, "SELECT count(*) FROM audit_pendingevent")[0][0]
    started = time.monotonic()
    out = manage(env, "audit_verify", "--no-checkpoint")
    print(
        f"\naudit_verify (seals {waiting} pending rows first, then checks every row) in "
        f"{time.monotonic() - started:.1f} s:\n{out.strip()}"
    )


if __name__ == "__main__":
    main()
