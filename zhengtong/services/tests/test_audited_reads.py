"""Every page, PDF and API answer showing a case writes exactly one audited read row, through
the door `get_application_for_user()`; another township's clerk gets 404 and a denied row."""

from zhengtong.audit.models import Event
from zhengtong.services.models import Application

from .fixtures import PageTestCase


class CaseReadAuditTestCase(PageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.make_case(
            status=Application.Status.APPROVED, certificate_no="SY2026000001"
        )
        base = f"/services/{self.case.receipt_no}/"
        self.urls = {
            "详情": base,
            "受理回执 PDF": f"{base}receipt.pdf",
            "办证服务告知书 PDF": f"{base}service-notice.pdf",
            "证件 PDF": f"{base}certificate.pdf",
            "接口": f"/api/v1/services/applications/{self.case.receipt_no}/",
        }

    def reads(self):
        return Event.objects.filter(kind=Event.Kind.READ, target_type="services.application")

    def test_each_view_of_a_case_writes_exactly_one_read_row(self) -> None:
        self.client.force_login(self.clerk_a)
        for purpose, url in self.urls.items():
            with self.subTest(url=url):
                before = set(self.reads().values_list("pk", flat=True))
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                new = self.reads().exclude(pk__in=before)
                self.assertEqual(new.count(), 1)
                read = new.get()
                self.assertEqual(read.actor, self.clerk_a)
                self.assertEqual(read.target_id, str(self.case.pk))
                self.assertEqual(read.org_unit, self.town)
                self.assertEqual(read.changes["purpose"], purpose)
                self.assertEqual(read.action, "application_viewed")

    def test_another_townships_clerk_gets_404_a_denied_row_and_no_read_row(self) -> None:
        self.client.force_login(self.other_clerk)
        for url in self.urls.values():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(self.reads().exists())
        denied = Event.objects.filter(kind=Event.Kind.DENIED, actor=self.other_clerk)
        self.assertEqual(denied.count(), len(self.urls))
        self.assertEqual({d.target_id for d in denied}, {self.case.receipt_no})

    def test_reads_stay_out_of_the_cases_own_history(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.get(self.urls["详情"])
        r = self.client.get(self.urls["接口"])
        self.assertNotIn("application_viewed", [e["action"] for e in r.json()["timeline"]])

    def test_the_case_list_writes_one_read_row_naming_how_many_cases_it_showed(self) -> None:
        self.make_case(serial=2)
        self.client.force_login(self.clerk_a)
        self.assertEqual(self.client.get("/services/?scope=all").status_code, 200)
        row = Event.objects.get(action="application_list_viewed")
        self.assertEqual((row.kind, row.actor), (Event.Kind.READ, self.clerk_a))
        self.assertEqual(row.changes["count"], 2)
        self.assertEqual(row.changes["purpose"], "全部办件")
