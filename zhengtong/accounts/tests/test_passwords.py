from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from zhengtong.accounts.passwords import CharacterClassValidator, MinimumLengthValidator
from zhengtong.test import PASSWORD, BaseTestCase

URL = "/accounts/password/"
CLASS_MESSAGE = "密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。"


class CharacterClassValidatorTestCase(BaseTestCase):
    def assertRefused(self, password, message):
        with self.assertRaises(ValidationError) as ctx:
            validate_password(password, self.office)
        self.assertIn(message, ctx.exception.messages)

    def test_one_class_is_refused(self):
        self.assertRefused("abcdefgh", CLASS_MESSAGE)

    def test_two_classes_are_refused(self):
        self.assertRefused("abcd1234", CLASS_MESSAGE)

    def test_seven_characters_are_refused_in_chinese_even_with_four_classes(self):
        with self.assertRaises(ValidationError) as ctx:
            MinimumLengthValidator(min_length=8).validate("Ab1!xyz")
        self.assertEqual(ctx.exception.messages, ["密码长度太短,至少需要 8 个字符。"])

    def test_eight_characters_are_long_enough(self):
        MinimumLengthValidator(min_length=8).validate("Ab1!xyzw")

    def test_the_configured_rules_refuse_seven_characters(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_password("Ab1!xyz", self.office)
        self.assertEqual(ctx.exception.error_list[0].code, "password_too_short")

    def test_three_classes_pass_the_class_rule(self):
        """Abcd1234 has three classes; the class rule alone accepts it."""
        CharacterClassValidator().validate("Abcd1234")
        CharacterClassValidator().validate("abcd-1234")
        CharacterClassValidator().validate("ABCD efgh")

    def test_abcd1234_is_still_refused_as_a_common_password(self):
        """The common-password list compares lowercased, so Abcd1234 counts as abcd1234."""
        self.assertRefused("Abcd1234", "这个密码太常见了。")

    def test_an_uncommon_password_with_three_classes_is_accepted(self):
        validate_password("Liuji2026qiao", self.office)
        validate_password("zhong-tong-8899", self.office)


class PasswordChangePageTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.office)

    def change(self, new):
        return self.client.post(
            URL, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )

    def test_the_page_is_chinese_and_states_the_rule(self):
        r = self.client.get(URL)
        self.assertContains(r, "<title>修改密码")
        self.assertContains(r, "至少三类")

    def test_a_single_class_password_is_refused_and_nothing_changes(self):
        r = self.change("abcdefgh")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, CLASS_MESSAGE)
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password(PASSWORD))

    def test_a_two_class_password_is_refused(self):
        r = self.change("abcd1234")
        self.assertContains(r, CLASS_MESSAGE)
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password(PASSWORD))

    def test_a_wrong_old_password_is_refused_in_chinese(self):
        r = self.client.post(
            URL,
            {
                "old_password": "nope",
                "new_password1": "Liuji2026qiao",
                "new_password2": "Liuji2026qiao",
            },
        )
        self.assertContains(r, "你的旧密码不正确。请重新输入。")
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password(PASSWORD))

    def test_a_three_class_password_is_accepted(self):
        r = self.change("Liuji2026qiao")
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password("Liuji2026qiao"))

    def test_the_page_needs_a_login(self):
        self.client.logout()
        r = self.client.get(URL)
        self.assertRedirects(
            r, "/accounts/login/?next=/accounts/password/", fetch_redirect_response=False
        )
