import re

from django.conf import settings
from django.test import SimpleTestCase

DEPLOY = settings.BASE_DIR / "deploy"


class DeployFilesTestCase(SimpleTestCase):
    def test_the_example_environment_names_every_setting(self) -> None:
        source = (settings.BASE_DIR / "zhengtong" / "settings.py").read_text()
        read = set(re.findall(r'(?:environ\.get|envbool)\("([A-Z0-9_]+)"', source))
        listed = set(
            re.findall(r"^#? ?([A-Z0-9_]+)=", (DEPLOY / "zhengtong.env.example").read_text(), re.M)
        )
        self.assertEqual(read - listed, set())

    def test_nginx_takes_no_larger_body_than_it_must(self) -> None:
        site = (DEPLOY / "nginx-zhengtong.conf").read_text()
        limit_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
        self.assertGreaterEqual(limit_mb * 1024 * 1024, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        self.assertGreaterEqual(limit_mb * 1024 * 1024, settings.UPLOAD_MAX_BYTES)

    def test_the_gunicorn_access_log_has_no_query_string(self) -> None:
        config = (DEPLOY / "gunicorn.conf.py").read_text()
        self.assertNotIn("%(q)s", config)
        self.assertNotIn("%(r)s", config)
