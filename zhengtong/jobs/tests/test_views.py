"""/jobs/: what the administrator sees and does, and that nobody else does."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus

from zhengtong.audit.models import Event
from zhengtong.jobs.errors import LOST_REASON
from zhengtong.jobs.models import LOST_PATH, Job, JobRetry, JobState, WorkerHeartbeat
from zhengtong.test import BaseTestCase, make_user

from .tasks import explode, note

URL = "/jobs/"


def failed(task, *args, message="出错了") -> Job:
    result = task.enqueue(*args)
    Job.objects.filter(pk=result.id).update(
        status=TaskResultStatus.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        worker_ids=["vm-1-abc"],
        exception_class_path="builtins.ValueError",
        traceback=f'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: {message}\n',
    )
    return Job.objects.get(pk=result.id)


class JobPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def test_the_admin_sees_jobs_in_chinese_with_errors_and_workers(self) -> None:
        queued = Job.objects.get(pk=note.enqueue("甲").id)
        broken = failed(explode, "坏了", message="导入文件格式不对")
        lost = Job.objects.get(pk=note.enqueue("乙").id)
        Job.objects.filter(pk=lost.pk).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=LOST_PATH,
            traceback=f"{LOST_PATH}: {LOST_REASON}",
        )
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="vm-1-abc", host="app1", pid=4242, started_at=now, seen_at=now
        )
        WorkerHeartbeat.objects.create(
            worker_id="vm-2-def",
            host="app2",
            pid=77,
            started_at=now,
            seen_at=now - datetime.timedelta(minutes=5),
        )
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "测试:记下参数")
        self.assertContains(r, "测试:出错")
        self.assertContains(r, "排队中")
        self.assertContains(r, "ValueError")
        self.assertContains(r, "导入文件格式不对")
        self.assertContains(r, LOST_REASON)
        self.assertContains(r, "工作进程中断")
        self.assertContains(r, "app1 进程 4242")
        self.assertContains(r, "在线")
        self.assertContains(r, "app2 进程 77")
        self.assertContains(r, "审计链检查点(每 10 分钟)")
        self.assertContains(r, f"/jobs/{broken.pk}/retry/")
        self.assertContains(r, f"/jobs/{queued.pk}/cancel/")
        self.assertNotContains(r, f"/jobs/{queued.pk}/retry/")
        self.assertContains(r, 'href="/jobs/"')  # the menu entry

    def test_the_state_filter(self) -> None:
        queued = Job.objects.get(pk=note.enqueue("甲").id)
        broken = failed(explode, "坏了")
        r = self.client.get(URL, {"state": JobState.FAILED})
        self.assertContains(r, f"/jobs/{broken.pk}/retry/")
        self.assertNotContains(r, f"/jobs/{queued.pk}/cancel/")
        r = self.client.get(URL, {"state": JobState.QUEUED})
        self.assertNotContains(r, f"/jobs/{broken.pk}/retry/")
        self.assertContains(r, f"/jobs/{queued.pk}/cancel/")
        r = self.client.get(URL, {"state": "nonsense"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "没有这个状态。")
        self.assertNotContains(r, f"/jobs/{queued.pk}/cancel/")

    def test_the_page_runs_a_fixed_number_of_queries(self) -> None:
        failed(explode, "x")
        note.enqueue("a")
        self.client.get(URL)
        with CaptureQueriesContext(connection) as before:
            self.client.get(URL)
        for i in range(10):
            failed(explode, str(i))
            JobRetry.objects.create(
                original=failed(explode, f"r{i}"),
                retried_as=Job.objects.get(pk=note.enqueue(str(i)).id),
            )
        with self.assertNumQueries(len(before.captured_queries)):
            r = self.client.get(URL)
        self.assertContains(r, "已重试")

    def test_retry_queues_the_same_call_again_once_and_is_audited(self) -> None:
        broken = failed(explode, "参数一")
        r = self.client.post(f"/jobs/{broken.pk}/retry/", {"next_query": "state=failed"})
        self.assertRedirects(r, "/jobs/?state=failed", fetch_redirect_response=False)
        again = JobRetry.objects.get(original=broken).retried_as
        self.assertEqual(again.state, JobState.QUEUED)
        self.assertEqual(again.task_path, broken.task_path)
        self.assertEqual(again.args_kwargs, {"args": ["参数一"], "kwargs": {}})
        event = Event.objects.get(action="job_retried")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.target_id, str(broken.pk))
        self.assertEqual(event.target_repr, "测试:出错")
        # Twice: refused, nothing more queued.
        r = self.client.post(f"/jobs/{broken.pk}/retry/", follow=True)
        self.assertContains(r, "该任务已经重试过")
        self.assertEqual(Job.objects.count(), 2)
        self.assertNotContains(r, f"/jobs/{broken.pk}/retry/")

    def test_only_failed_jobs_are_retried(self) -> None:
        queued = Job.objects.get(pk=note.enqueue("甲").id)
        r = self.client.post(f"/jobs/{queued.pk}/retry/", follow=True)
        self.assertContains(r, "只有失败或已取消的任务可以重试。")
        self.assertEqual(Job.objects.count(), 1)
        self.assertFalse(Event.objects.filter(action="job_retried").exists())

    def test_cancel_a_queued_job_but_not_a_running_one(self) -> None:
        queued = Job.objects.get(pk=note.enqueue("甲").id)
        r = self.client.post(f"/jobs/{queued.pk}/cancel/", follow=True)
        self.assertContains(r, "已取消:测试:记下参数")
        queued.refresh_from_db()
        self.assertEqual(queued.state, JobState.CANCELLED)
        self.assertEqual(Event.objects.get(action="job_cancelled").target_id, str(queued.pk))
        r = self.client.get(URL, {"state": JobState.CANCELLED})
        self.assertContains(r, "已由吴管理取消")

        running = Job.objects.get(pk=note.enqueue("乙").id)
        Job.objects.filter(pk=running.pk).update(status=TaskResultStatus.RUNNING)
        r = self.client.post(f"/jobs/{running.pk}/cancel/", follow=True)
        self.assertContains(r, "任务已开始运行或已结束,无法取消。")
        running.refresh_from_db()
        self.assertEqual(running.state, JobState.RUNNING)
        self.assertEqual(Event.objects.filter(action="job_cancelled").count(), 1)

    def test_an_unknown_job_is_404_and_get_is_refused(self) -> None:
        r = self.client.post("/jobs/00000000-0000-0000-0000-000000000000/retry/")
        self.assertEqual(r.status_code, 404)
        broken = failed(explode, "x")
        self.assertEqual(self.client.get(f"/jobs/{broken.pk}/retry/").status_code, 405)
        self.assertFalse(JobRetry.objects.exists())


class JobPagePermissionsTestCase(BaseTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        broken = failed(explode, "x")
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        r = self.client.post(f"/jobs/{broken.pk}/retry/")
        self.assertIn("/accounts/login/", r["Location"])
        self.assertFalse(JobRetry.objects.exists())

    def test_other_staff_get_403_by_url_and_by_job_id(self) -> None:
        broken = failed(explode, "x")
        queued = Job.objects.get(pk=note.enqueue("甲").id)
        staff_no_role = make_user("staffonly", is_staff=True)
        for user in (self.auditor, self.leader, self.clerk, staff_no_role):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403, user)
            self.assertEqual(self.client.post(f"/jobs/{broken.pk}/retry/").status_code, 403)
            self.assertEqual(self.client.post(f"/jobs/{queued.pk}/cancel/").status_code, 403)
            r = self.client.get("/")
            self.assertNotContains(r, 'href="/jobs/"')
        self.assertFalse(JobRetry.objects.exists())
        queued.refresh_from_db()
        self.assertEqual(queued.state, JobState.QUEUED)
