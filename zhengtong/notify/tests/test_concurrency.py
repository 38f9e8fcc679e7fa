"""Two workers, two web processes: real threads on their own PostgreSQL connections."""

import datetime
import threading
import time
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from zhengtong.jobs.models import Job
from zhengtong.notify.events import ensure_default_templates
from zhengtong.notify.models import Message, State
from zhengtong.notify.outbox import Recipient, notify
from zhengtong.notify.sms import SmsResult
from zhengtong.notify.tasks import send_message

OFFICE_HOURS = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONTEXT = {"name": "刘芳", "receipt_no": "BM001", "item": "测试证明", "due_on": "2026年11月27日"}


def in_threads(*targets) -> list:
    """Run each target in its own thread (its own connection); re-raise the first error."""
    errors: list[BaseException] = []

    def run(target):
        try:
            target()
        except BaseException as exc:  # noqa: BLE001  (reported to the test below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]
    return threads


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
class ConcurrentOutboxTestCase(TransactionTestCase):
    def setUp(self) -> None:
        ensure_default_templates()

    def test_the_same_change_saved_at_once_twice_makes_one_message_and_one_job(self) -> None:
        start = threading.Barrier(2)

        def save(dawdle: float):
            def run() -> None:
                start.wait(5)
                with transaction.atomic():
                    notify(
                        event="case_accepted",
                        target=None,
                        recipients=[Recipient.resident("13805351234", "刘芳")],
                        context=CONTEXT,
                        dedupe="case:BM001:case_accepted",
                    )
                    time.sleep(dawdle)  # the other insert waits on this uncommitted row

            return run

        in_threads(save(0.4), save(0.0))
        self.assertEqual(Message.objects.count(), 1)
        message = Message.objects.get()
        jobs = Job.objects.filter(task_path=send_message.module_path)
        self.assertEqual(jobs.count(), 1)
        self.assertEqual(jobs.get().args_kwargs["args"], [message.pk])

    def test_a_rolled_back_change_queues_no_job(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            notify(
                event="case_accepted",
                target=None,
                recipients=[Recipient.resident("13805351234", "刘芳")],
                context=CONTEXT,
                dedupe="case:BM002:case_accepted",
            )
            raise RuntimeError("业务操作失败")
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Job.objects.filter(task_path=send_message.module_path).exists())

    def test_two_workers_running_the_same_message_send_it_once(self) -> None:
        message = notify(
            event="case_accepted",
            target=None,
            recipients=[Recipient.resident("13805351234", "刘芳")],
            context=CONTEXT,
            dedupe="case:BM003:case_accepted",
        )[0]
        calls = []

        def slow_send(sms):
            calls.append(sms.phone)
            time.sleep(0.4)
            return SmsResult.sent(f"p-{len(calls)}")

        start = threading.Barrier(2)

        def work() -> None:
            start.wait(5)
            send_message.call(message.pk)

        with (
            time_machine.travel(OFFICE_HOURS, tick=True),
            mock.patch("zhengtong.notify.tasks.get_backend") as backend,
        ):
            backend.return_value.send.side_effect = slow_send
            in_threads(work, work)
        message.refresh_from_db()
        self.assertEqual(calls, ["13805351234"])
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(message.attempts, 1)
