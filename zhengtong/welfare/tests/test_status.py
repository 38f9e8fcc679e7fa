import time_machine

from ..models import WelfareStatus
from .fixtures import TODAY, WelfareTestCase


@time_machine.travel(TODAY)
class WelfareStatusPageTestCase(WelfareTestCase):
    url = "/welfare/status/edit/"

    def data(self, person, **kw):
        return {"id_number": person.id_number, "name": person.name, "category": "tekun",
                "long_term_dependent": "on", "verified_on": "2025-06-01", **kw}  # fmt: skip

    def test_a_clerk_records_then_corrects_a_status(self):
        person = self.make_person()
        self.client.force_login(self.civil)
        self.assertRedirects(self.client.post(self.url, self.data(person)), "/welfare/status/")
        self.client.post(self.url, self.data(person, category="dibao"))
        status = WelfareStatus.objects.get()
        self.assertEqual((status.category, status.org_unit), ("dibao", self.civil_unit))
        self.assertContains(self.client.get("/welfare/status/"), "低保")

    def test_a_future_verification_date_is_refused_in_chinese(self):
        person = self.make_person()
        self.client.force_login(self.civil)
        r = self.client.post(self.url, self.data(person, verified_on="2025-07-01"))
        self.assertContains(r, "核实日期不能晚于今天", status_code=400)
        self.assertFalse(WelfareStatus.objects.exists())

    def test_a_leader_and_a_social_affairs_clerk_cannot_record(self):
        person = self.make_person()
        for user in (self.leader, self.clerk):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url, self.data(person)).status_code, 403)
        self.assertFalse(WelfareStatus.objects.exists())
