"""Two window clerks take the same online application at the same instant: exactly one wins and
becomes its first responder, one case is opened, the other clerk is told who took it."""

import datetime
import io
import tempfile
import threading
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, override_settings
from PIL import Image

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.services.actions.online import online_submit, online_take
from zhengtong.services.models import Application, Material, OnlineApplication, ServiceItem
from zhengtong.test import make_id_number, make_unit, make_user


def jpeg() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 90, 200)).save(data, format="JPEG")
    return SimpleUploadedFile("id.jpg", data.getvalue(), "image/jpeg")


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="zt-online-race-"))
class TakeRaceTestCase(TransactionTestCase):
    def setUp(self) -> None:
        county = make_unit("东阿县", "371524", OrgUnit.Kind.COUNTY)
        self.town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN, county)
        self.clerks = [
            make_user(f"clerk_{n}", full_name=name, memberships=[(Role.WINDOW_CLERK, self.town)])
            for n, name in (("x", "甲"), ("y", "乙"))
        ]
        self.item = ServiceItem.objects.create(
            code="TESTW",
            name="网上测试证明",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=5,
        )
        Material.objects.create(item=self.item, code="id", name="身份证")
        self.submission = online_submit(
            item_code="TESTW",
            hall=self.town,
            name="卢婉清",
            id_number=make_id_number(datetime.date(1996, 5, 17), female=True, seq=77),
            phone="13905358812",
            photos={"id": [jpeg()]},
        )

    def test_exactly_one_of_two_clerks_taking_at_once_wins(self) -> None:
        barrier = threading.Barrier(2)
        won: list = []
        refused: list[str] = []
        errors: list = []

        def take(clerk) -> None:
            try:
                barrier.wait(timeout=10)
                submission = OnlineApplication.objects.get(pk=self.submission.pk)
                won.append((clerk, online_take(actor=clerk, submission=submission)))
            except ValidationError as exc:
                refused.extend(exc.messages)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=take, args=(c,)) for c in self.clerks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(len(won), 1)
        self.assertEqual(len(refused), 1)
        winner, application = won[0]
        self.assertIn(f"该网上申请已由{winner.display_name}接件", refused[0])
        self.assertEqual(Application.objects.count(), 1)
        case = Application.objects.get()
        self.assertEqual(case.first_responder, winner)
        self.assertEqual(case.receipt_no, self.submission.receipt_no)
        submission = OnlineApplication.objects.get()
        self.assertEqual((submission.taken_by, submission.application), (winner, case))
