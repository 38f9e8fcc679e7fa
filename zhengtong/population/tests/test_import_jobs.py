"""The population import as a job of the engine: cancelled while it checks (nothing written),
run again after a cancel or a crash, ended by the reaper when its worker died twice, and its
progress polling never keeps the session alive."""

import datetime

import time_machine
from django.utils import timezone

from zhengtong.audit.models import Event
from zhengtong.jobs.models import Job, WorkerHeartbeat
from zhengtong.jobs.reaper import reap_lost_jobs
from zhengtong.people.models import Person
from zhengtong.population.actions import imports as actions
from zhengtong.population.models import ImportJob
from zhengtong.population.tests.test_imports import (
    PERSON_HEADERS,
    TODAY,
    ImportTestCase,
    person_row,
    xlsx,
)


@time_machine.travel(TODAY, tick=False)
class ImportJobTestCase(ImportTestCase):
    def queued(self, rows: int = 3, dry_run: bool = False) -> ImportJob:
        upload = xlsx(PERSON_HEADERS, [person_row(n) for n in range(1, rows + 1)])
        with self.captureOnCommitCallbacks(execute=True):
            return self.create(upload, dry_run=dry_run)

    def test_a_committed_upload_queues_the_import_task(self) -> None:
        job = self.queued()
        task = Job.objects.get(task_path="zhengtong.population.tasks.run_import")
        self.assertEqual(task.args_kwargs["args"], [job.pk])

    def test_a_queued_import_cancelled_never_runs_and_can_run_again(self) -> None:
        job = self.queued()
        actions.import_job_cancel(actor=self.worker, job=job)
        job = self.run_job(job)
        self.assertEqual(job.status, ImportJob.Status.CANCELLED)
        self.assertFalse(Person.objects.exists())
        self.assertTrue(Event.objects.filter(action="population_import_cancelled").exists())
        again = actions.import_job_retry(actor=self.worker, job=job)
        done = self.run_job(again)
        self.assertEqual((done.status, Person.objects.count()), (ImportJob.Status.DONE, 3))

    def test_cancelled_while_checking_it_stops_and_writes_nothing(self) -> None:
        job = self.queued(rows=2500)  # progress every 500 rows, the job state every 1000
        seen = []

        def cancel_midway(processed, total):
            seen.append(processed)
            if len(seen) == 1:  # the person presses 取消导入 while the rows are checked
                actions.import_job_cancel(actor=self.worker, job=ImportJob.objects.get(pk=job.pk))

        job = self.run_job(job, progress=cancel_midway)
        self.assertEqual(job.status, ImportJob.Status.CANCELLED)
        self.assertEqual(seen, [500])  # stopped at the next progress report (row 1000)
        self.assertFalse(Person.objects.exists())

    def test_a_finished_or_writing_import_cannot_be_cancelled(self) -> None:
        from django.core.exceptions import ValidationError

        job = self.run_job(self.queued())
        with self.assertRaises(ValidationError):
            actions.import_job_cancel(actor=self.worker, job=job)
        writing = self.queued()
        ImportJob.objects.filter(pk=writing.pk).update(
            status=ImportJob.Status.RUNNING, total_rows=3, processed_rows=3
        )
        with self.assertRaises(ValidationError) as ctx:
            actions.import_job_cancel(actor=self.worker, job=writing)
        self.assertIn("正在写入", str(ctx.exception))

    def test_a_file_with_wrong_rows_is_not_run_again_unchanged(self) -> None:
        from django.core.exceptions import ValidationError

        bad = person_row(2)
        bad[1] = "12345"  # not an ID number
        upload = xlsx(PERSON_HEADERS, [person_row(1), bad])
        job = self.run_job(self.create(upload))
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertFalse(actions.retryable(job))
        with self.assertRaises(ValidationError):
            actions.import_job_retry(actor=self.worker, job=job)

    def test_a_job_whose_worker_died_twice_ends_failed_with_the_reason(self) -> None:
        job = self.queued()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        long_ago = timezone.now() - datetime.timedelta(minutes=10)
        WorkerHeartbeat.objects.create(
            worker_id="dead", host="h", pid=1, started_at=long_ago, seen_at=long_ago
        )
        Job.objects.filter(task_path="zhengtong.population.tasks.run_import").update(
            status="RUNNING", started_at=long_ago, worker_ids=["dead", "dead"]
        )
        reap_lost_jobs(stale_after=60)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("工作进程中断", job.errors[0]["message"])
        self.assertTrue(actions.retryable(job))

    def test_the_page_cancels_and_retries_for_its_village_only(self) -> None:
        job = self.queued()
        url = f"/population/imports/{job.pk}/"
        self.client.force_login(self.worker)
        self.assertContains(self.client.get(url), "取消导入")
        self.client.post(url + "cancel/")
        self.assertEqual(ImportJob.objects.get(pk=job.pk).status, ImportJob.Status.CANCELLED)
        r = self.client.post(url + "retry/")
        new = ImportJob.objects.exclude(pk=job.pk).get()
        self.assertRedirects(r, f"/population/imports/{new.pk}/")
        from zhengtong.accounts.models import Role
        from zhengtong.test import make_user

        west = make_user("west", memberships=[(Role.VILLAGE_WORKER, self.west_village)])
        self.client.force_login(west)
        self.assertEqual(self.client.post(f"/population/imports/{new.pk}/cancel/").status_code, 404)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.post(f"/population/imports/{new.pk}/cancel/").status_code, 403)

    def test_progress_polling_does_not_keep_the_session_alive(self) -> None:
        job = self.queued()
        self.client.force_login(self.worker)
        url = f"/population/imports/{job.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "X-Zt-Poll")
        poll = self.client.get(url, headers={"HX-Request": "true", "X-Zt-Poll": "1"})
        self.assertEqual(poll.status_code, 200)
        self.assertNotIn("sessionid", poll.cookies)  # no refreshed session cookie
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)
        with time_machine.travel(later, tick=False):
            polled = self.client.get(url, headers={"HX-Request": "true", "X-Zt-Poll": "1"})
            self.assertNotIn("sessionid", polled.cookies)  # not even after a minute
            person = self.client.get(url)
        self.assertIn("sessionid", person.cookies)  # a person's request is activity
