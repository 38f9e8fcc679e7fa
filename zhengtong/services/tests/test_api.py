import datetime

import time_machine

from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.services.models import Application, ServiceItem
from zhengtong.test import make_id_number
from zhengtong.workdays import add_workdays

from .fixtures import SHANGHAI, PublicTestCase

ITEMS = "/api/v1/services/items/"
APPLICATIONS = "/api/v1/services/applications/"


class ItemListApiTestCase(PublicTestCase):
    def test_anyone_reads_the_catalog_with_materials_and_time_limits(self) -> None:
        r = self.client.get(ITEMS)
        self.assertEqual(r.status_code, 200)
        item = next(i for i in r.json() if i["code"] == "T-SYZ")
        self.assertEqual(item["promised_workdays"], 5)
        self.assertEqual(item["legal_workdays"], 20)
        self.assertEqual(item["procedure"], ["窗口受理", "审核", "发证"])
        self.assertEqual(item["guide_url"], "/public/guide/T-SYZ/")
        self.assertEqual(
            [(m["code"], m["condition_text"]) for m in item["materials"]],
            [
                ("ID", "所有申请人"),
                ("MARRIAGE", "已婚或再婚"),
                ("FLOAT", "流动人口(外地户籍);生育第二个孩子或生育第三个孩子"),
            ],
        )

    def test_inactive_items_are_left_out(self) -> None:
        ServiceItem.objects.filter(pk=self.item.pk).update(is_active=False)
        self.assertNotIn("T-SYZ", [i["code"] for i in self.client.get(ITEMS).json()])

    def test_the_query_count_does_not_grow_with_the_catalog(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            self.client.get(ITEMS)
        for n in range(3):
            ServiceItem.objects.create(
                code=f"T-Y{n}",
                name="事项",
                department="镇",
                legal_basis="依据",
                promised_workdays=2,
            )
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(ITEMS)


@time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI), tick=False)
class ApplicationCreateApiTestCase(PublicTestCase):
    def payload(self, **changes):
        data = {
            "item": "T-SYZ",
            "applicant": {
                "name": "刘娟",
                "id_number": make_id_number(datetime.date(1995, 6, 7), female=True, seq=123),
                "phone": "13912345678",
            },
            "materials": ["ID", "MARRIAGE"],
            "situation": {"hukou": "local", "marital_status": "married", "child_order": 1},
        }
        data.update(changes)
        return data

    def submit(self, data, user=None):
        self.client.force_login(user or self.clerk_a)
        return self.client.post(APPLICATIONS, data, content_type="application/json")

    def test_complete_materials_are_accepted_with_a_due_date(self) -> None:
        r = self.submit(self.payload())
        self.assertEqual(r.status_code, 201, r.content)
        data = r.json()
        self.assertEqual(data["status"], "accepted")
        self.assertEqual(data["due_on"], add_workdays(datetime.date(2026, 11, 18), 5).isoformat())
        self.assertEqual(data["missing_materials"], [])
        self.assertEqual(data["first_responder"]["name"], "张敏")
        self.assertEqual(data["first_responder"]["window"], "3号窗口")
        case = Application.objects.get(receipt_no=data["receipt_no"])
        self.assertEqual(case.first_responder, self.clerk_a)
        self.assertTrue(
            Event.objects.filter(action="application_received", target_id=str(case.pk)).exists()
        )

    def test_incomplete_materials_get_the_notices_full_list(self) -> None:
        r = self.submit(
            self.payload(
                materials=[],
                situation={"hukou": "floating", "marital_status": "married", "child_order": 2},
            )
        )
        self.assertEqual(r.status_code, 201, r.content)
        data = r.json()
        self.assertEqual(data["status"], "pending")
        self.assertIsNone(data["due_on"])
        self.assertEqual(
            data["missing_materials"],
            [
                {"code": "ID", "name": "夫妻双方身份证"},
                {"code": "MARRIAGE", "name": "结婚证"},
                {"code": "FLOAT", "name": "婚育证明"},
            ],
        )

    def test_only_window_clerks_may_take_in_cases(self) -> None:
        for user in [self.town_leader, self.office, self.outsider, self.admin]:
            r = self.submit(self.payload(), user=user)
            self.assertEqual(r.status_code, 403, user)
        self.client.logout()
        r = self.client.post(APPLICATIONS, self.payload(), content_type="application/json")
        self.assertIn(r.status_code, (401, 403))
        self.assertFalse(Application.objects.exists())

    def assert_refused(self, response, field, text) -> None:
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(text, str(response.json()[field]))
        self.assertFalse(Application.objects.exists())
        self.assertFalse(Person.objects.filter(name="刘娟").exists())

    def test_an_unknown_item_code_is_refused_naming_the_field(self) -> None:
        self.assert_refused(self.submit(self.payload(item="NOPE")), "item", "不存在")

    def test_a_material_of_another_item_is_refused(self) -> None:
        self.assert_refused(
            self.submit(self.payload(materials=["ID", "HUKOU-BOOK"])), "materials", "HUKOU-BOOK"
        )

    def test_a_bad_id_number_is_refused(self) -> None:
        good = make_id_number(datetime.date(1995, 6, 7), female=True, seq=123)
        wrong_check_digit = good[:17] + ("1" if good[17] != "1" else "2")
        applicant = {"name": "刘娟", "id_number": wrong_check_digit, "phone": "13912345678"}
        self.assert_refused(self.submit(self.payload(applicant=applicant)), "id_number", "校验位")

    def test_missing_fields_get_chinese_messages(self) -> None:
        r = self.submit({"item": "T-SYZ", "materials": []})
        self.assert_refused(r, "applicant", "申请人:必填。")
        r = self.submit(self.payload(applicant={"name": "刘娟"}))
        self.assertEqual(r.json()["applicant"]["id_number"], ["身份证号码:必填。"])
        r = self.submit(self.payload(materials="ID"))
        self.assert_refused(r, "materials", "材料:应为材料编码的列表。")


@time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI), tick=False)
class ApplicationDetailApiTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        from zhengtong.services.actions.intake import application_intake

        self.case = application_intake(
            actor=self.clerk_a,
            item_code="T-SYZ",
            applicant={
                "name": "刘娟",
                "id_number": make_id_number(datetime.date(1995, 6, 7), female=True, seq=123),
                "phone": "13912345678",
            },
            materials=["ID"],
            situation={"hukou": "local", "marital_status": "married", "child_order": 1},
        )
        self.url = f"{APPLICATIONS}{self.case.receipt_no}/"

    def test_a_clerk_of_the_hall_reads_the_case_with_its_timeline(self) -> None:
        self.client.force_login(self.clerk_b)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["status"], "pending")
        self.assertEqual(data["first_responder"], "张敏")
        self.assertEqual([e["action"] for e in data["timeline"]], ["application_received"])
        self.assertEqual(data["notices"][0]["materials"], [{"code": "MARRIAGE", "name": "结婚证"}])
        self.assertEqual(data["received_materials"], [{"code": "ID", "name": "夫妻双方身份证"}])
        self.assertEqual(data["applicant_phone"], "139****5678")
        self.assertNotIn(self.case.applicant.id_number, r.content.decode())

    def test_the_case_is_404_outside_the_hall_and_for_other_roles(self) -> None:
        for user in [self.other_clerk, self.town_leader, self.leader, self.auditor, self.outsider]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)
        self.client.force_login(self.clerk_a)
        self.assertEqual(self.client.get(f"{APPLICATIONS}NOPE/").status_code, 404)


@time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI), tick=False)
class LookupApiTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_case(receipt_no="LIUJI202611020009")

    def test_the_lookup_answers_anonymously_with_the_card(self) -> None:
        r = self.client.get(
            "/api/v1/services/lookup/", {"receipt_no": "LIUJI202611020009", "phone_last4": "5678"}
        )
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual((data["status"], data["applicant"]), ("accepted", "张**"))
        self.assertEqual(data["first_responder"]["staff_no"], "LJ-003")

    def test_a_wrong_phone_is_answered_as_an_unknown_number(self) -> None:
        wrong = self.client.get(
            "/api/v1/services/lookup/", {"receipt_no": "LIUJI202611020009", "phone_last4": "1111"}
        )
        unknown = self.client.get(
            "/api/v1/services/lookup/", {"receipt_no": "LIUJI209912310001", "phone_last4": "5678"}
        )
        self.assertEqual((wrong.status_code, wrong.content), (unknown.status_code, unknown.content))
        self.assertEqual(wrong.status_code, 404)

    def test_bad_digits_get_a_chinese_message(self) -> None:
        r = self.client.get("/api/v1/services/lookup/", {"receipt_no": "X", "phone_last4": "12a4"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["phone_last4"], ["手机号后四位:请输入 4 位数字。"])


class ServiceApiSchemaTestCase(PublicTestCase):
    def test_the_schema_lists_the_service_endpoints(self) -> None:
        r = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        paths = r.json()["paths"]
        for path in [
            "/api/v1/services/items/",
            "/api/v1/services/applications/",
            "/api/v1/services/applications/{receipt_no}/",
            "/api/v1/services/lookup/",
        ]:
            self.assertIn(path, paths)
        self.assertIn("201", paths["/api/v1/services/applications/"]["post"]["responses"])
        self.assertIn("429", paths["/api/v1/services/lookup/"]["get"]["responses"])
