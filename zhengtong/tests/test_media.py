"""Uploaded files: staff photos are public (on-duty board), everything else needs a login."""

import shutil
import tempfile
from pathlib import Path

from django.test import override_settings

from zhengtong.test import BaseTestCase


class MediaAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        (self.root / "staff").mkdir()
        (self.root / "progress").mkdir()
        (self.root / "staff" / "a.png").write_bytes(b"staff")
        (self.root / "progress" / "site.png").write_bytes(b"site")
        override = override_settings(MEDIA_ROOT=self.root)
        override.enable()
        self.addCleanup(override.disable)

    def test_a_staff_photo_is_public(self) -> None:
        r = self.client.get("/media/staff/a.png")
        self.assertEqual(r.status_code, 200)

    def test_a_site_photo_needs_a_login(self) -> None:
        r = self.client.get("/media/progress/site.png")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/media/progress/site.png").status_code, 200)

    def test_a_home_visit_photo_is_never_served_by_its_path(self) -> None:
        """Visit photos go through the village-scoped view of the population module."""
        (self.root / "visits").mkdir()
        (self.root / "visits" / "v.png").write_bytes(b"visit")
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/media/visits/v.png").status_code, 404)

    def test_a_path_outside_the_media_folder_is_refused(self) -> None:
        self.client.force_login(self.office)
        for url in ("/media/../settings.py", "/media/%2e%2e/settings.py", "/media/staff/../../x"):
            with self.subTest(url=url):
                # 400 (suspicious path) or 404, never the file.
                self.assertIn(self.client.get(url).status_code, (400, 404))
