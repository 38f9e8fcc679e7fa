import re

from django.core.management import call_command

from zhengtong.test import BaseTestCase


class ApiSchemaTestCase(BaseTestCase):
    def test_the_schema_is_openapi_3_and_lists_the_project_endpoints(self) -> None:
        r = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(r.status_code, 200)
        schema = r.json()
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in [
            "/api/v1/projects/",
            "/api/v1/projects/summary/",
            "/api/v1/projects/oc4ids/",
            "/api/v1/projects/{id}/",
            "/api/v1/projects/{id}/reports/",
        ]:
            self.assertIn(path, schema["paths"])
        report = schema["paths"]["/api/v1/projects/{id}/reports/"]["post"]
        self.assertIn("201", report["responses"])
        self.assertIn("requestBody", report)

    def test_the_schema_generates_without_warnings_or_errors(self) -> None:
        """`spectacular --fail-on-warn --validate` exits non-zero on any warning or invalid output."""
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


class ApiDocsTestCase(BaseTestCase):
    def test_swagger_ui_loads_only_local_static_files(self) -> None:
        r = self.client.get("/api/docs/")
        self.assertEqual(r.status_code, 200)
        html = r.content.decode()
        sources = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)["']""", html)
        self.assertTrue(any("swagger-ui" in s for s in sources), sources)
        for source in sources:
            self.assertFalse(source.startswith(("http:", "https:", "//")), source)
        self.assertNotIn("cdn", html.lower())
        self.assertIn("/static/drf_spectacular_sidecar/", html)
