import datetime
from decimal import Decimal

import time_machine

from zhengtong.audit.models import Event
from zhengtong.people.models import Household, HouseholdMember
from zhengtong.population.actions import care
from zhengtong.population.models import Assistance

from .test_visits_fixtures import NOW, TODAY, CareTestCase, make_person

URL = "/population/assistance/new/"


@time_machine.travel(NOW, tick=False)
class AssistanceTestCase(CareTestCase):
    def setUp(self) -> None:
        super().setUp()
        household = Household.objects.create(
            org_unit=self.east_village,
            address="东村 1 组",
            special_family=Household.SpecialFamily.LOST_ONLY_CHILD,
        )
        HouseholdMember.objects.create(
            household=household, person=self.east_woman, relation=HouseholdMember.Relation.HEAD
        )
        self.west_child = make_person(
            "李小宝", self.west_village, seq=30, female=False, birth=datetime.date(2016, 3, 1)
        )

    def data(self, **extra) -> dict:
        data = {
            "category": "money",
            "program": "计生特殊家庭扶助",
            "content": "春节慰问金",
            "amount": "1200.50",
            "given_on": "2026-06-10",
        }
        data.update(extra)
        return data

    def test_money_is_recorded_as_a_decimal_amount(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(f"{URL}?person={self.east_woman.pk}", self.data())
        self.assertRedirects(r, "/population/assistance/")
        row = Assistance.objects.get()
        self.assertEqual(row.amount, Decimal("1200.50"))
        self.assertEqual(row.org_unit, self.east_village)
        self.assertEqual(row.given_by, self.east_worker)
        self.assertEqual(Event.objects.filter(action="assistance_recorded").count(), 1)
        r = self.client.get("/population/assistance/")
        self.assertContains(r, "1200.50")
        self.assertContains(r, self.east_woman.masked_id)
        self.assertNotContains(r, self.east_woman.id_number)

    def test_goods_and_services_need_no_amount_and_children_qualify(self) -> None:
        care.assistance_record(
            actor=self.west_worker,
            person=self.west_child,
            category="service",
            program="单亲家庭儿童关爱",
            content="暑期托管服务包",
            given_on=TODAY,
        )
        self.assertIsNone(Assistance.objects.get().amount)

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"{URL}?person={self.east_woman.pk}"
        cases = [
            (self.data(amount=""), "资金类帮扶须填写金额(元)。"),
            (self.data(amount="0"), "金额(元)须大于 0。"),
            (self.data(amount="-5"), "金额(元)须大于 0。"),
            (self.data(amount="12.345"), "金额(元)最多保留两位小数。"),
            (self.data(amount="十元"), "金额(元)不是有效的数字。"),
            (self.data(given_on="2026-06-16"), "发放日期不能晚于今天。"),
            (self.data(program=""), "项目不能为空。"),
        ]
        for data, message in cases:
            self.assertContains(self.client.post(url, data), message, status_code=400)
        self.client.force_login(self.west_worker)
        r = self.client.post(URL, self.data(id_number=self.west_woman.id_number))
        self.assertContains(r, "计生助福对象", status_code=400)
        self.assertFalse(Assistance.objects.exists())

    def test_another_villages_person_is_404_and_rows_stay_hidden(self) -> None:
        care.assistance_record(
            actor=self.west_worker,
            person=self.west_child,
            category="goods",
            program="儿童关爱",
            content="书包",
            given_on=TODAY,
        )
        self.client.force_login(self.east_worker)
        r = self.client.post(f"{URL}?person={self.west_child.pk}", self.data())
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "李小宝", status_code=404)
        r = self.client.post(URL, self.data(id_number=self.west_child.id_number))
        self.assertContains(r, "本辖区未登记该人员", status_code=400)
        self.assertNotContains(self.client.get("/population/assistance/"), "李小宝")
        self.assertEqual(Assistance.objects.count(), 1)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.town_worker)
        care.assistance_record(
            actor=self.east_worker,
            person=self.east_woman,
            category="goods",
            program="慰问",
            content="米面油",
            given_on=TODAY,
        )
        queries = self.queries_of("/population/assistance/")
        for seq in range(40, 70):
            child = make_person(
                f"儿童{seq}", self.east_village, seq=seq, birth=datetime.date(2015, 1, 1)
            )
            care.assistance_record(
                actor=self.east_worker,
                person=child,
                category="money",
                program="助学",
                content="助学金",
                amount=Decimal("500"),
                given_on=TODAY,
            )
        with self.assertNumQueries(queries):
            r = self.client.get("/population/assistance/")
        self.assertContains(r, "第 1 / 2 页")
