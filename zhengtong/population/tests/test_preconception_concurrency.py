"""Two workers enrolling the same woman for the pre-pregnancy check, or registering her
pregnancy, at once: one record, and the others get the Chinese refusal, never a server error."""

import datetime
import threading
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.people.models import Person
from zhengtong.population.actions.maternal import preconception_enrol, pregnancy_register
from zhengtong.population.models import PreconceptionCheck, Pregnancy
from zhengtong.test import make_id_number, make_unit, make_user

THREADS = 4


@skipUnless(connection.vendor == "postgresql", "needs concurrent writers; SQLite serialises them")
class ConcurrentEnrolTestCase(TransactionTestCase):
    def setUp(self):
        K = OrgUnit.Kind
        town = make_unit("刘集镇", "LIUJI", K.TOWN)
        village = make_unit("东村", "LIUJI-E", K.VILLAGE, town)
        workers = [
            make_user(f"w{n}", memberships=[(Role.VILLAGE_WORKER, village)]) for n in range(THREADS)
        ]
        birth = datetime.date(1992, 4, 1)
        woman = Person.objects.create(
            id_number=make_id_number(birth, female=True, seq=7),
            name="张丽",
            sex=Person.Sex.FEMALE,
            birth_date=birth,
            org_unit=village,
        )
        self.workers, self.woman = workers, woman

    def race(self, action, field: str) -> list[str]:
        """`action(worker)` in THREADS threads at once; the refusals of `field`."""
        start = threading.Barrier(THREADS)
        refused, errors = [], []

        def work(n):
            try:
                start.wait()
                action(self.workers[n])
            except ValidationError as exc:
                refused.append(exc.message_dict[field][0])
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(refused), THREADS - 1)
        return refused

    def test_concurrent_enrolments_make_one_check(self):
        refused = self.race(
            lambda worker: preconception_enrol(
                actor=worker, person=self.woman, enrolled_on=timezone.localdate()
            ),
            "enrolled_on",
        )
        self.assertEqual(PreconceptionCheck.objects.count(), 1)
        self.assertTrue(all("已有待检查的登记" in m for m in refused), refused)

    def test_concurrent_registrations_make_one_pregnancy(self):
        lmp = timezone.localdate() - datetime.timedelta(days=60)
        refused = self.race(
            lambda worker: pregnancy_register(actor=worker, person=self.woman, lmp=lmp), "lmp"
        )
        self.assertEqual(Pregnancy.objects.count(), 1)
        self.assertTrue(all("请勿重复登记" in m for m in refused), refused)
