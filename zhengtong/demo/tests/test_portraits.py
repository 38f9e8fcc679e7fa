import tempfile
from unittest import mock

from django.test import TestCase, override_settings

from zhengtong.accounts.models import User
from zhengtong.demo.org import ensure_user

NO_FONTS = mock.patch("zhengtong.demo.org.cjk_font_files", return_value=())


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class DemoPortraitTestCase(TestCase):
    def fonts(self, files):
        return mock.patch("zhengtong.lib.fonts.cjk_font_files", return_value=files)

    def test_installing_a_cjk_font_redraws_the_portrait(self) -> None:
        with self.fonts(()), NO_FONTS, mock.patch("zhengtong.demo.org.AVATAR_FONTS", []):
            user = ensure_user(actor=None, username="p1", full_name="王晓明", photo=True)
        plain = user.photo.name
        with self.fonts(("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)):
            ensure_user(actor=None, username="p1", full_name="王晓明", photo=True)
        user = User.objects.get(username="p1")
        self.assertNotEqual(user.photo.name, plain)
        self.assertTrue(user.photo.storage.exists(user.photo.name))

    def test_the_same_fonts_reuse_the_portrait(self) -> None:
        first = ensure_user(actor=None, username="p2", full_name="李华", photo=True).photo.name
        ensure_user(actor=None, username="p2", full_name="李华", photo=True)
        self.assertEqual(User.objects.get(username="p2").photo.name, first)
