"""The seeded catalog and the rule that picks an applicant's materials from their situation."""

from zhengtong.services.models import ServiceItem
from zhengtong.services.selectors import condition_matches, required_materials

from .fixtures import CaseTestCase


def codes(materials) -> list[str]:
    return [m.code for m in materials]


class SeededCatalogTestCase(CaseTestCase):
    def test_the_seed_items_are_kept_inactive_with_the_reason_in_their_notes(self) -> None:
        """生育服务证 and 流动人口婚育证明 stay for historical cases, marked as replaced."""
        permit = ServiceItem.objects.get(code="SYZ")
        proof = ServiceItem.objects.get(code="HYZM")
        self.assertEqual((permit.name, permit.is_active), ("生育服务证", False))
        self.assertIn("生育登记", permit.notes)
        self.assertEqual((proof.name, proof.is_active), ("流动人口婚育证明", False))
        self.assertIn("电子化", proof.notes)
        self.assertIn("国务院令第 555 号", proof.legal_basis)

    def test_todays_items_are_active(self) -> None:
        active = set(ServiceItem.objects.filter(is_active=True).values_list("code", flat=True))
        self.assertTrue({"SYDJ", "YEBT"} <= active)

    def test_every_seeded_item_is_complete_enough_for_a_service_guide(self) -> None:
        """Each has materials, a positive time limit, steps, a legal basis and no fee."""
        for item in ServiceItem.objects.filter(code__in=["SYDJ", "YEBT", "SYZ", "HYZM"]):
            with self.subTest(item=item.code):
                self.assertGreaterEqual(item.materials.count(), 1)
                self.assertGreater(item.promised_workdays, 0)
                self.assertGreaterEqual(len(item.procedure), 3)
                self.assertTrue(item.legal_basis)
                self.assertEqual(item.fee, "不收费")
                self.assertTrue(item.window)

    def test_the_childcare_subsidy_amount_is_data_with_the_local_standard_caveat(self) -> None:
        item = ServiceItem.objects.get(code="YEBT")
        self.assertIn("3600", item.eligibility)
        self.assertIn("以当地最新公布标准为准", item.notes)
        self.assertIn("育儿补贴制度实施方案", item.legal_basis)


class RequiredMaterialsTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.registration = ServiceItem.objects.get(code="SYDJ")

    def test_the_same_situation_gives_the_same_list(self) -> None:
        situation = {"hukou": "local", "marital_status": "married"}
        first = required_materials(self.registration, situation)
        second = required_materials(self.registration, dict(situation))
        self.assertEqual(codes(first), codes(second))

    def test_a_married_local_couple_brings_the_marriage_certificate_but_no_residence_permit(
        self,
    ) -> None:
        got = codes(
            required_materials(self.registration, {"hukou": "local", "marital_status": "married"})
        )
        self.assertEqual(got, ["id_cards", "hukou_book", "marriage_cert", "pledge"])

    def test_a_floating_couple_also_brings_the_residence_permit(self) -> None:
        got = codes(
            required_materials(
                self.registration, {"hukou": "floating", "marital_status": "married"}
            )
        )
        self.assertIn("residence_permit", got)

    def test_a_remarried_couple_adds_the_statement_on_earlier_children(self) -> None:
        married = required_materials(self.registration, {"marital_status": "married"})
        remarried = required_materials(self.registration, {"marital_status": "remarried"})
        self.assertNotEqual(codes(married), codes(remarried))
        self.assertIn("children_statement", codes(remarried))

    def test_an_unknown_situation_requires_only_the_unconditional_materials(self) -> None:
        got = codes(required_materials(self.registration, {}))
        self.assertEqual(got, ["id_cards", "hukou_book", "pledge"])

    def test_child_order_decides_the_second_birth_approval_of_the_old_permit(self) -> None:
        permit = ServiceItem.objects.get(code="SYZ")
        first = codes(required_materials(permit, {"child_order": 1}))
        second = codes(required_materials(permit, {"child_order": 2}))
        self.assertNotIn("second_birth_approval", first)
        self.assertIn("second_birth_approval", second)

    def test_a_condition_value_must_be_one_of_a_list_or_equal(self) -> None:
        self.assertTrue(condition_matches({}, {}))
        self.assertTrue(condition_matches({"hukou": "local"}, {"hukou": "local"}))
        self.assertFalse(condition_matches({"hukou": "local"}, {"hukou": "floating"}))
        self.assertFalse(condition_matches({"child_order": [2, 3]}, {"child_order": 1}))
        self.assertFalse(condition_matches({"hukou": "local"}, {}))


class CatalogAdminTestCase(CaseTestCase):
    def test_an_administrator_edits_the_catalog_in_the_admin(self) -> None:
        self.client.force_login(self.admin)
        r = self.client.get("/admin/services/serviceitem/")
        self.assertContains(r, "生育登记")
        item = ServiceItem.objects.get(code="SYDJ")
        r = self.client.get(f"/admin/services/serviceitem/{item.pk}/change/")
        self.assertContains(r, "夫妻双方居民身份证")

    def test_a_window_clerk_has_no_admin(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.get("/admin/services/serviceitem/")
        self.assertNotEqual(r.status_code, 200)


class NothingForAdministratorsOnCitizensPapersTestCase(CaseTestCase):
    """The guide and the 办证服务告知书 carry the item's 温馨提示, never its configuration notes."""

    def test_the_seeded_items_keep_configuration_remarks_apart(self) -> None:
        for code in ("SYDJ", "YEBT"):
            item = ServiceItem.objects.get(code=code)
            self.assertNotIn("示例值", item.notes)
            self.assertIn("示例值", item.admin_notes)
            page = self.client.get(f"/public/guide/{item.code}/")
            self.assertContains(page, item.notes)
            self.assertNotContains(page, "示例值")
            self.assertNotContains(page, item.admin_notes)
