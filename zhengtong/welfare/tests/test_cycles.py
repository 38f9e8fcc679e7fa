import datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event

from ..actions import cycle_approve, cycle_create, payment_add, payment_remove
from ..models import Payment, PaymentCycle
from .fixtures import TODAY, WelfareTestCase

JUNE = datetime.date(2025, 6, 1)


@time_machine.travel(TODAY)
@override_settings(NURSING_SUBSIDY_RATES={"2": "100", "3": "200"})
class CycleTestCase(WelfareTestCase):
    def setUp(self):
        super().setUp()
        self.p3 = self.eligible_person(seq=1, name="张老汉", level_adl=40)
        self.p2 = self.eligible_person(seq=2, name="李老汉", level_adl=50)
        self.young = self.make_person(age=58, seq=3, name="王中年")
        self.make_status(self.young)
        self.assess(self.young)

    def test_a_cycle_pays_each_eligible_person_by_level(self):
        cycle = cycle_create(actor=self.civil, month=datetime.date(2025, 6, 20))
        self.assertEqual(cycle.month, JUNE)
        amounts = dict(cycle.payments.values_list("person__name", "amount"))
        self.assertEqual(amounts, {"张老汉": Decimal("200.00"), "李老汉": Decimal("100.00")})
        self.assertEqual(cycle.rates, {"2": "100", "3": "200"})
        self.assertEqual(Event.objects.filter(action="payment_cycle_created").count(), 1)

    @override_settings(NURSING_SUBSIDY_RATES={"2": "150", "3": "300"})
    def test_amounts_come_from_configuration(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        self.assertEqual(
            sorted(cycle.payments.values_list("amount", flat=True)),
            [Decimal("150.00"), Decimal("300.00")],
        )

    def test_a_second_cycle_for_the_month_is_refused(self):
        cycle_create(actor=self.civil, month=JUNE)
        with self.assertRaisesMessage(ValidationError, "2025年06月的发放批次已存在"):
            cycle_create(actor=self.civil, month=datetime.date(2025, 6, 30))

    def test_a_payment_for_an_ineligible_person_is_refused(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        with self.assertRaises(ValidationError) as ctx:
            payment_add(actor=self.civil, cycle=cycle, person=self.young)
        self.assertIn("年龄未满60周岁", " ".join(ctx.exception.message_dict["person"]))
        self.assertFalse(cycle.payments.filter(person=self.young).exists())

    def test_a_second_payment_for_one_person_is_refused(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        with self.assertRaisesMessage(ValidationError, "不能重复发放"):
            payment_add(actor=self.civil, cycle=cycle, person=self.p3)
        self.assertEqual(cycle.payments.filter(person=self.p3).count(), 1)

    def test_approval_tells_each_recipient_with_a_mobile_number(self):
        from zhengtong.notify.events import ensure_default_templates
        from zhengtong.notify.models import Message

        ensure_default_templates()
        self.p3.phone = "13905351234"
        self.p3.save(update_fields=["phone"])
        cycle = cycle_create(actor=self.civil, month=JUNE)
        with self.captureOnCommitCallbacks(execute=False):
            cycle_approve(actor=self.civil, cycle=cycle)
        message = Message.objects.get(event="payment_approved")
        self.assertEqual((message.channel, message.phone), ("sms", "13905351234"))
        self.assertIn("2025年6月的护理补贴200.00元", message.text)
        self.assertNotIn("张老汉", message.text)  # the name is masked in an SMS
        self.assertEqual(Message.objects.count(), 1)  # 李老汉 has no number on record
        self.assertEqual(message.template_code, "SMS_SUBSIDY_APPROVED")  # a provider needs one

    def test_an_approved_cycle_is_frozen(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        payment = cycle.payments.get(person=self.p2)
        payment_remove(actor=self.civil, payment=payment, reason="户籍迁出")
        cycle_approve(actor=self.civil, cycle=cycle)
        cycle.refresh_from_db()
        self.assertEqual(cycle.status, PaymentCycle.Status.APPROVED)
        self.assertEqual(cycle.approved_by, self.civil)
        with self.assertRaisesMessage(ValidationError, "已审批"):
            payment_add(actor=self.civil, cycle=cycle, person=self.p2)
        with self.assertRaisesMessage(ValidationError, "已审批"):
            payment_remove(actor=self.civil, payment=cycle.payments.get(), reason="x")
        with self.assertRaisesMessage(ValidationError, "已审批"):
            cycle_approve(actor=self.civil, cycle=cycle)
        self.assertEqual(cycle.payments.count(), 1)

    def test_a_leader_cannot_change_a_cycle(self):
        with self.assertRaises(PermissionDenied):
            cycle_create(actor=self.leader, month=JUNE)
        cycle = cycle_create(actor=self.civil, month=JUNE)
        with self.assertRaises(PermissionDenied):
            cycle_approve(actor=self.leader, cycle=cycle)

    def test_pages_create_review_and_approve(self):
        self.client.force_login(self.civil)
        r = self.client.post("/welfare/cycles/", {"month": "2025-06"})
        cycle = PaymentCycle.objects.get()
        self.assertRedirects(r, f"/welfare/cycles/{cycle.pk}/")
        page = self.client.get(r.url)
        self.assertContains(page, "张老汉")
        self.assertContains(page, "共 2 人,合计 300.00元")
        r = self.client.post(
            f"/welfare/cycles/{cycle.pk}/payments/", {"id_number": self.young.id_number}
        )
        self.assertContains(r, "年龄未满60周岁", status_code=400)
        self.client.post(f"/welfare/cycles/{cycle.pk}/approve/")
        cycle.refresh_from_db()
        self.assertEqual(cycle.status, "approved")
        r = self.client.post(
            f"/welfare/cycles/{cycle.pk}/payments/", {"id_number": self.p3.id_number}
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(cycle.payments.count(), 2)

    def test_a_leader_reads_cycles_but_gets_403_on_changes(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(f"/welfare/cycles/{cycle.pk}/"), "张老汉")
        self.assertNotContains(self.client.get(f"/welfare/cycles/{cycle.pk}/"), "审批发放名单")
        self.assertEqual(self.client.post(f"/welfare/cycles/{cycle.pk}/approve/").status_code, 403)
        self.assertEqual(
            self.client.post("/welfare/cycles/", {"month": "2025-07"}).status_code, 403
        )
        self.assertEqual(PaymentCycle.objects.get().status, "draft")

    def test_a_social_affairs_clerk_cannot_see_or_change_cycles(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/welfare/cycles/").status_code, 403)
        self.assertIn(self.client.get(f"/welfare/cycles/{cycle.pk}/").status_code, (403, 404))
        r = self.client.post(f"/welfare/cycles/{cycle.pk}/approve/")
        self.assertIn(r.status_code, (403, 404))
        with self.assertRaises(PermissionDenied):
            cycle_create(actor=self.clerk, month=JUNE)

    def test_the_payment_list_runs_a_fixed_number_of_queries(self):
        cycle = cycle_create(actor=self.civil, month=JUNE)
        self.client.force_login(self.civil)
        with CaptureQueriesContext(connection) as ctx:
            self.client.get(f"/welfare/cycles/{cycle.pk}/")
        for seq in range(10, 14):
            payment_add(actor=self.civil, cycle=cycle, person=self.eligible_person(seq=seq))
        self.assertEqual(Payment.objects.count(), 6)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get(f"/welfare/cycles/{cycle.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            self.client.get("/welfare/cycles/")
        cycle_create(actor=self.civil, month=datetime.date(2025, 5, 1))
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get("/welfare/cycles/")
