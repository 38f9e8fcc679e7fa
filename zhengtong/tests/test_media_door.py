"""The stored-file door (/media/…, zhengtong/lib/files.py) as an attacker and as its users see it.

The traversal table is sent through Django's WSGI handler with an environ built here, so no
test client cleans the path: PATH_INFO is what a server hands over, either decoded once (as
gunicorn and wsgiref do with `curl --path-as-is`) or left as sent.
"""

import datetime
import io
import os
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, models
from django.test import Client, override_settings
from PIL import Image

from zhengtong.audit.models import Event
from zhengtong.lib import files
from zhengtong.population.models import HomeVisit, ImportJob, VisitPhoto
from zhengtong.population.tests.test_visits_fixtures import CareTestCase
from zhengtong.projects.models import ProgressPhoto, ProgressReport, Stage
from zhengtong.projects.tests.test_register import project

SECRET = (
    b"371524199005010026,\xe5\xbc\xa0\xe4\xb8\xbd,13700001111"  # an import row: ID, name, phone
)
OUTSIDE = b"root:x:0:0:outside-the-media-root"


def png_bytes(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


# Request targets as a client sends them. {p}: the prefix under attack; {own}: a real file of
# that prefix; {s}: a personal file of another kind; {bs}: {s} with backslashes; {out}: a file
# beside MEDIA_ROOT, relative to it.
VARIANTS = [
    ("raw dot-dot", "{p}/../{s}"),
    ("encoded dots", "{p}/%2e%2e/{s}"),
    ("encoded dots, upper case", "{p}/%2E%2E/{s}"),
    ("one dot encoded", "{p}/.%2e/{s}"),
    ("encoded slash", "{p}/..%2f{s}"),
    ("encoded slash, upper case", "{p}/..%2F{s}"),
    ("everything encoded", "{p}%2f%2e%2e%2f{s}"),
    ("encoded backslash", "{p}/..%5c{s}"),
    ("raw backslashes", "{p}\\..\\{bs}"),
    ("double-encoded dots", "{p}/%252e%252e/{s}"),
    ("double-encoded slash", "{p}/..%252f{s}"),
    ("overlong UTF-8 dots (2 bytes)", "{p}/%c0%ae%c0%ae/{s}"),
    ("overlong UTF-8 dots (3 bytes)", "{p}/%e0%80%ae%e0%80%ae/{s}"),
    ("overlong UTF-8 slash", "{p}/..%c0%af{s}"),
    ("fullwidth dots", "{p}/%ef%bc%8e%ef%bc%8e/{s}"),
    ("fullwidth slash", "{p}/..%ef%bc%8f{s}"),
    ("one-dot leader dots", "{p}/%e2%80%a4%e2%80%a4/{s}"),
    ("IIS %u encoding", "{p}/%u002e%u002e/{s}"),
    ("double slash", "{p}//../{s}"),
    ("dot segment first", "{p}/./../{s}"),
    ("Tomcat ..;", "{p}/..;/{s}"),
    ("four dots", "{p}/..../{s}"),
    ("out of MEDIA_ROOT", "{p}/../../{out}"),
    ("out of MEDIA_ROOT, encoded", "{p}/%2e%2e/%2e%2e/{out}"),
    ("absolute path", "/etc/passwd"),
    ("absolute path, encoded", "%2fetc%2fpasswd"),
    ("Windows drive", "C:%5cWindows%5cwin.ini"),
    ("NUL after a real name", "{own}%00.png"),
    ("NUL before the traversal", "{p}/%00/../{s}"),
    ("raw NUL", "{p}/../{s}\x00"),
    ("another kind's file under this prefix", "{p}/{s}"),
    ("leading dot segment", "./{s}"),
    ("real name with a trailing slash", "{own}/"),
    ("real name with a trailing space", "{own}%20"),
]


def path_infos(target: str) -> list[str]:
    """PATH_INFO values for a request target: decoded once like a server does, and as sent."""
    decoded = unquote(f"/media/{target}", encoding="latin-1")
    raw = f"/media/{target}"
    return [decoded] if decoded == raw else [decoded, raw]


class DoorTestCase(CareTestCase):
    """Four stored files, one of each kind, in a temporary MEDIA_ROOT:
    a portrait of the office (staff/), a site photo (progress/), a photo of a home visit in 东村
    (visits/) and an import file of 东村 (imports/); plus a file outside MEDIA_ROOT."""

    def setUp(self) -> None:
        super().setUp()
        base = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, base, ignore_errors=True)
        self.root = base / "media"
        self.root.mkdir()
        (base / "outside").mkdir()
        (base / "outside" / "secret.txt").write_bytes(OUTSIDE)
        override = override_settings(MEDIA_ROOT=self.root, MEDIA_ACCEL_REDIRECT_PREFIX="")
        override.enable()
        self.addCleanup(override.disable)

        self.office.photo.save("portrait.png", ContentFile(png_bytes()), save=True)
        self.project = project("KP-9", self.company, stage=Stage.UNDER_CONSTRUCTION)
        report = ProgressReport.objects.create(
            project=self.project,
            month=datetime.date(2026, 10, 1),
            investment=Decimal("1000"),
            physical_progress=Decimal("10"),
            submitted_by=self.liaison,
        )
        self.site = ProgressPhoto(report=report, sha256="a" * 64)
        self.site.image.save("site.png", ContentFile(png_bytes((0, 90, 0))), save=True)
        self.visit = HomeVisit.objects.create(
            person=self.east_woman,
            org_unit=self.east_village,
            visited_by=self.east_worker,
            visited_on=datetime.date(2026, 6, 1),
            place="家中",
            outcome="情况良好",
        )
        self.visit_photo = VisitPhoto(visit=self.visit, sha256="b" * 64)
        self.visit_photo.image.save("v.png", ContentFile(png_bytes((0, 0, 90))), save=True)
        self.job = ImportJob(
            kind="person",
            org_unit=self.east_village,
            created_by=self.east_worker,
            original_name="东村人员名单.xlsx",
        )
        self.job.file.save("东村人员名单.xlsx", ContentFile(SECRET), save=True)
        self.names = {
            "staff": self.office.photo.name,
            "progress": self.site.image.name,
            "visits": self.visit_photo.image.name,
            "imports": self.job.file.name,
        }

    # -- helpers

    def session_of(self, user) -> str:
        """A session cookie for `user`, made once per test (logging in writes its own event)."""
        sessions = self.__dict__.setdefault("_sessions", {})
        if user.pk not in sessions:
            client = Client()  # one client per user: a second login would end the first session
            client.force_login(user)
            sessions[user.pk] = client.cookies["sessionid"].value
        return sessions[user.pk]

    def written(self) -> int:
        """Audit rows other than logins."""
        return Event.objects.exclude(kind=Event.Kind.LOGIN).count()

    def wsgi_get(self, path_info: str, user=None, method: str = "GET"):
        """(status code, headers, body) of a request handed to Django's WSGI handler as is."""
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path_info,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if user is not None:
            environ["HTTP_COOKIE"] = f"sessionid={self.session_of(user)}"
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = dict(headers)

        # As the test client does: keep the test's transaction open across the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = WSGIHandler()(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return captured["status"], captured["headers"], body

    def targets(self, prefix: str) -> list[tuple[str, str]]:
        secret = self.names["visits" if prefix == "imports" else "imports"]
        values = {
            "p": prefix,
            "own": self.names[prefix],
            "s": secret,
            "bs": secret.replace("/", "\\"),
            "out": "outside/secret.txt",
        }
        return [(label, template.format(**values)) for label, template in VARIANTS]


class TraversalTableTestCase(DoorTestCase):
    def assert_table_refused(self, prefix: str) -> None:
        """Every variant, anonymous and as a worker of another village, is a 404 that leaks
        nothing and writes no audit row."""
        events = self.written()
        sent = 0
        for label, target in self.targets(prefix):
            for path_info in path_infos(target):
                for user in (None, self.west_worker):
                    with self.subTest(variant=label, path=path_info, user=str(user)):
                        status, _, body = self.wsgi_get(path_info, user)
                        self.assertEqual(status, 404)
                        self.assertNotIn(SECRET, body)
                        self.assertNotIn(OUTSIDE, body)
                        self.assertNotIn(b"\x89PNG", body)
                    sent += 1
        self.assertEqual(self.written() - events, 0)
        self.assertGreaterEqual(len(VARIANTS), 20)
        self.assertGreater(sent, 2 * len(VARIANTS))

    def test_staff_prefix_refuses_every_traversal(self) -> None:
        self.assert_table_refused("staff")

    def test_progress_prefix_refuses_every_traversal(self) -> None:
        self.assert_table_refused("progress")

    def test_visits_prefix_refuses_every_traversal(self) -> None:
        self.assert_table_refused("visits")

    def test_imports_prefix_refuses_every_traversal(self) -> None:
        self.assert_table_refused("imports")

    def test_a_symlink_inside_media_root_is_refused_under_every_prefix(self) -> None:
        """A stored name that is a symlink (to a file outside, or to another kind's file) is 404,
        even for public kinds, even to the owner of the row."""
        outside = self.root.parent / "outside" / "secret.txt"
        inside = self.root / self.names["imports"]
        rows = {
            "staff": (self.office, "photo"),
            "progress": (self.site, "image"),
            "visits": (self.visit_photo, "image"),
            "imports": (self.job, "file"),
        }
        events = self.written()
        for prefix, (row, field) in rows.items():
            for label, pointee in (("outside", outside), ("inside", inside)):
                name = f"{prefix}/{('e' if label == 'outside' else 'f') * 32}.png"
                link = self.root / name
                link.unlink(missing_ok=True)
                os.symlink(pointee, link)
                type(row).objects.filter(pk=row.pk).update(**{field: name})
                for user in (None, self.west_worker, self.east_worker):
                    with self.subTest(prefix=prefix, link=label, user=str(user)):
                        status, _, body = self.wsgi_get(f"/media/{name}", user)
                        self.assertEqual(status, 404)
                        self.assertNotIn(OUTSIDE, body)
                        self.assertNotIn(SECRET, body)
        self.assertEqual(self.written(), events)

    def test_a_file_on_disk_without_a_row_is_not_served(self) -> None:
        """Only names stored on a row are files; a file dropped into the folder is not."""
        stray = self.root / "staff" / ("d" * 32 + ".png")
        stray.write_bytes(png_bytes())
        self.assertEqual(self.wsgi_get(f"/media/staff/{stray.name}")[0], 404)

    def test_an_unregistered_prefix_is_not_served(self) -> None:
        (self.root / "other").mkdir()
        (self.root / "other" / "x.png").write_bytes(png_bytes())
        self.assertEqual(self.wsgi_get("/media/other/x.png", self.east_worker)[0], 404)

    def test_only_get_and_head_are_answered(self) -> None:
        for method in ("POST", "PUT", "DELETE"):
            with self.subTest(method=method):
                status, _, _ = self.wsgi_get(f"/media/{self.names['staff']}", method=method)
                self.assertIn(status, (403, 404))  # 403: CSRF refuses an unsafe method first


class PublicFilesTestCase(DoorTestCase):
    def test_a_staff_portrait_is_served_to_anyone_without_an_audit_row(self) -> None:
        events = self.written()
        status, headers, body = self.wsgi_get(f"/media/{self.names['staff']}")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "image/png")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertTrue(body.startswith(b"\x89PNG"))
        self.assertEqual(self.written(), events)

    def test_a_progress_photo_is_served_to_anyone(self) -> None:
        r = self.client.get(f"/media/{self.names['progress']}")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(b"".join(r.streaming_content).startswith(b"\x89PNG"))

    def test_the_staff_card_links_the_portrait_through_the_door(self) -> None:
        url = self.office.photo.url
        self.assertRegex(url, r"^/media/staff/[0-9a-f]{32}\.png$")
        self.assertEqual(self.client.get(url).status_code, 200)


class PersonalFilesTestCase(DoorTestCase):
    def test_a_visit_photo_is_served_to_the_worker_of_that_village_and_audited(self) -> None:
        url = f"/media/{self.names['visits']}"
        status, headers, body = self.wsgi_get(url, self.east_worker)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"\x89PNG"))
        self.assertEqual(headers["Cache-Control"], "private, no-store")
        event = Event.objects.get(action="home_visit_photo_viewed")
        self.assertEqual(event.kind, Event.Kind.READ)
        self.assertEqual(event.actor, self.east_worker)
        self.assertEqual(event.target_type, "population.homevisit")
        self.assertEqual(event.target_id, str(self.visit.pk))
        self.assertEqual(event.org_unit, self.east_village)

    def test_the_township_worker_sees_the_visit_photo_too(self) -> None:
        self.assertEqual(self.wsgi_get(f"/media/{self.names['visits']}", self.town_worker)[0], 200)

    def test_a_visit_photo_is_404_for_another_village_anonymous_and_other_roles(self) -> None:
        url = f"/media/{self.names['visits']}"
        events = self.written()
        for user in (None, self.west_worker, self.office, self.admin, self.auditor):
            with self.subTest(user=str(user)):
                status, _, body = self.wsgi_get(url, user)
                self.assertEqual(status, 404)
                self.assertNotIn(b"\x89PNG", body)
        self.assertEqual(self.written(), events)

    def test_the_visit_page_serves_its_photo_through_the_door(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/visits/{self.visit.pk}/photos/{self.visit_photo.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(b"".join(r.streaming_content).startswith(b"\x89PNG"))
        self.assertEqual(Event.objects.filter(action="home_visit_photo_viewed").count(), 1)

    def test_an_import_file_is_served_to_its_unit_under_its_original_name_and_audited(self):
        status, headers, body = self.wsgi_get(f"/media/{self.names['imports']}", self.east_worker)
        self.assertEqual(status, 200)
        self.assertEqual(body, SECRET)
        self.assertIn("attachment", headers["Content-Disposition"])
        self.assertIn("filename*=utf-8''%E4%B8%9C%E6%9D%91", headers["Content-Disposition"])
        event = Event.objects.get(action="population_import_file_downloaded")
        self.assertEqual((event.kind, event.actor), (Event.Kind.READ, self.east_worker))
        self.assertEqual(event.target_id, str(self.job.pk))

    def test_an_import_file_is_404_for_another_village_and_anonymous(self) -> None:
        events = self.written()
        for user in (None, self.west_worker, self.clerk, self.admin):
            with self.subTest(user=str(user)):
                status, _, body = self.wsgi_get(f"/media/{self.names['imports']}", user)
                self.assertEqual(status, 404)
                self.assertNotIn(SECRET, body)
        self.assertEqual(self.written(), events)

    def test_the_import_page_links_the_file_under_its_original_name(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/imports/{self.job.pk}/")
        self.assertContains(r, f'href="/media/{self.names["imports"]}"')
        self.assertContains(r, "东村人员名单.xlsx")

    @override_settings(MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media/")
    def test_with_an_accel_prefix_nginx_sends_the_file_after_the_same_checks(self) -> None:
        status, headers, body = self.wsgi_get(f"/media/{self.names['imports']}", self.east_worker)
        self.assertEqual(status, 200)
        self.assertEqual(headers["X-Accel-Redirect"], f"/protected-media/{self.names['imports']}")
        self.assertEqual(body, b"")
        self.assertEqual(
            Event.objects.filter(action="population_import_file_downloaded").count(), 1
        )
        status, headers, _ = self.wsgi_get(f"/media/{self.names['imports']}", self.west_worker)
        self.assertEqual(status, 404)
        self.assertNotIn("X-Accel-Redirect", headers)


class RegistryTestCase(DoorTestCase):
    def test_every_file_field_stores_random_names_under_a_registered_prefix(self) -> None:
        """A new upload field that forgets the door fails here (and its files are never served)."""
        kinds = files.kinds()
        seen = set()
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.FileField):
                    continue
                with self.subTest(field=f"{model._meta.label}.{field.name}"):
                    self.assertIsInstance(field.upload_to, files.StoredName)
                    kind = kinds[field.upload_to.prefix]
                    self.assertEqual((kind.model, kind.field), (model._meta.label, field.name))
                    if isinstance(field, models.ImageField):
                        self.assertIsInstance(field, files.StoredImageField)
                    seen.add(field.upload_to.prefix)
        self.assertEqual(seen, set(kinds))
        self.assertEqual(
            seen,
            {
                "staff",
                "progress",
                "visits",
                "imports",
                "reports",
                "online",
                "casephotos",
                "signatures",
                "deliveries",
                "caifeng",
            },
        )
        self.assertEqual({p for p, k in kinds.items() if k.public}, {"staff", "progress"})

    def test_stored_names_are_random_and_keep_no_user_file_name(self) -> None:
        for prefix, name in self.names.items():
            with self.subTest(prefix=prefix):
                self.assertTrue(files.is_random_name(name), name)
                self.assertTrue(name.startswith(prefix + "/"))
        self.assertNotIn("东村", self.names["imports"])
        self.assertEqual(self.job.original_name, "东村人员名单.xlsx")
