"""A real worker process killed with `kill -9` in the middle of a job, then a second worker.

The workers run `manage.py worker` against a database both can reach: the PostgreSQL test
database (DATABASE_URL=postgres://…), or on SQLite a migrated file of its own. The job must end
failed with the reason (or, for a retry-safe task, run again and succeed) — never stay RUNNING.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase

from zhengtong.jobs.errors import LOST_REASON

ROOT = pathlib.Path(settings.BASE_DIR)
WAIT = 90  # seconds before a step counts as stuck


class KilledWorkerTestCase(TransactionTestCase):
    tmp: tempfile.TemporaryDirectory

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        env = {
            **os.environ,
            "DEBUG": "True",
            "AUDIT_HMAC_DEV_KEY": "True",
            "AUDIT_CHECKPOINT_DIR": cls.tmp.name,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
            env["DATABASE_URL"] = (
                f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(pathlib.Path(cls.tmp.name) / "worker.sqlite3")
            cls.manage(env, "migrate", "--noinput", "-v0")
        cls.env = env

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()
        super().tearDownClass()

    @classmethod
    def manage(cls, env, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
        if done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} 失败:{done.stderr[-2000:]}")
        return done.stdout

    def python(self, code: str) -> dict:
        out = self.manage(self.env, "shell", "-v0", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def enqueue(self, task: str, marker: str) -> str:
        code = (
            f"import json; from zhengtong.jobs.tests.tasks import {task}; "
            f"print(json.dumps({{'id': {task}.enqueue({marker!r}, 600).id}}))"
        )
        return self.python(code)["id"]

    def job(self, job_id: str) -> dict:
        code = (
            "import json; from zhengtong.jobs.models import Job; "
            f"j = Job.objects.get(pk={job_id!r}); "
            "print(json.dumps({'state': j.state, 'message': j.error_message, "
            "'attempts': j.attempts, 'result': j.return_value}))"
        )
        return self.python(code)

    def start_worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--no-schedule",
                "--interval",
                "0.2",
                "--heartbeat",
                "0.5",
                "--stale-after",
                "3",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_for(self, what: str, check) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.3)
        self.fail(f"等待超时:{what}")

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill_mid_job(self, task: str) -> str:
        marker = pathlib.Path(self.tmp.name) / f"{task}.started"
        job_id = self.enqueue(task, str(marker))
        first = self.start_worker()
        try:
            self.wait_for("第一个工作进程开始执行任务", marker.exists)
            self.assertEqual(self.job(job_id)["state"], "running")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        self.assertEqual(first.returncode, -signal.SIGKILL)
        return job_id

    def test_a_job_cut_off_by_kill_9_ends_failed_with_its_reason(self) -> None:
        job_id = self.kill_mid_job("wait_then_finish")
        self.assertEqual(self.job(job_id)["state"], "running")  # nobody has noticed yet
        second = self.start_worker()
        try:
            self.wait_for("中断的任务被标记为失败", lambda: self.job(job_id)["state"] != "running")
        finally:
            self.stop(second)
        job = self.job(job_id)
        self.assertEqual(job["state"], "failed")
        self.assertEqual(job["message"], LOST_REASON)

    def test_a_retry_safe_job_cut_off_by_kill_9_runs_again(self) -> None:
        job_id = self.kill_mid_job("retry_safe_wait")
        second = self.start_worker()
        try:
            self.wait_for(
                "中断的任务重新执行完成", lambda: self.job(job_id)["state"] == "succeeded"
            )
        finally:
            self.stop(second)
        job = self.job(job_id)
        self.assertEqual(job["attempts"], 2)
        self.assertEqual(job["result"], "第二次尝试完成")
