"""Hostile uploads on every upload of the system get a Chinese form error, never a 500, and
leave nothing stored; accepted images are re-encoded without EXIF under random names.

Uploads: site photos of a monthly report (projects), home-visit photos (population), staff
portraits (accounts, admin form) and population import files (the stored name only; reading
the xlsx is tested in population/tests/test_imports.py).
"""

import datetime
import io
import shutil
import struct
import tempfile
import zlib
from pathlib import Path
from unittest import mock

import openpyxl
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.test import override_settings
from PIL import ExifTags, Image

from zhengtong.accounts.models import User
from zhengtong.lib import files
from zhengtong.population import imports
from zhengtong.population.models import HomeVisit, ImportJob, VisitPhoto
from zhengtong.population.tests.test_visits_fixtures import NOW, CareTestCase
from zhengtong.projects.models import ProgressPhoto, ProgressReport, Stage
from zhengtong.projects.tests.test_register import project

GPS = {1: "N", 2: (36.0, 18.0, 7.56), 3: "E", 4: (116.0, 14.0, 57.48)}


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 1-bit PNG of width × height black pixels: about 48 KB that unpack to 400 Mpx."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


BOMB = bomb_png()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" * 64


def _truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 80).save(buffer, "PNG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


TRUNCATED = _truncated_png()


def gps_jpeg(size=(40, 20)) -> bytes:
    """A phone photo: GPS position, camera make and orientation 6 (turn 90° to view)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def hostile_files() -> list[tuple[str, SimpleUploadedFile, str]]:
    """(label, upload, the Chinese message the user gets)."""
    return [
        ("decompression bomb", SimpleUploadedFile("site.png", BOMB, "image/png"), "像素过多"),
        ("not an image", SimpleUploadedFile("site.jpg", b"hello, world", "image/jpeg"), "不是有效"),
        ("exe renamed .png", SimpleUploadedFile("setup.png", EXE, "image/png"), "不是有效"),
        ("empty file", SimpleUploadedFile("empty.png", b"", "image/png"), "空文件"),
        ("truncated PNG", SimpleUploadedFile("cut.png", TRUNCATED, "image/png"), "不是有效"),
    ]


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


class UploadTestCase(CareTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=self.root)
        override.enable()
        self.addCleanup(override.disable)


class NormaliseImageTestCase(UploadTestCase):
    def test_the_bomb_is_48_kb_and_refused_before_decoding(self) -> None:
        self.assertLess(len(BOMB), 50_000)
        with self.assertRaisesMessage(files.ImageRejected, "最多 4000 万像素"):
            files.normalise_image(SimpleUploadedFile("b.png", BOMB))

    @override_settings(UPLOAD_MAX_PIXELS=100)
    def test_the_pixel_limit_comes_from_the_settings(self) -> None:
        with self.assertRaisesMessage(files.ImageRejected, "像素过多"):
            files.normalise_image(SimpleUploadedFile("a.jpg", gps_jpeg(size=(20, 10))))

    def test_exif_is_dropped_and_the_orientation_applied(self) -> None:
        image = files.normalise_image(SimpleUploadedFile("a.jpg", gps_jpeg()))
        stored = Image.open(io.BytesIO(image.data))
        self.assertEqual(stored.size, (20, 40))  # turned as the phone meant it
        self.assertEqual(dict(stored.getexif()), {})
        self.assertNotIn(b"PhoneMaker", image.data)

    def test_png_text_chunks_and_webp_exif_are_dropped(self) -> None:
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "home of 371524199005010026")
        exif = Image.Exif()
        exif[ExifTags.IFD.GPSInfo] = GPS
        for fmt, extra in (("PNG", {"pnginfo": info, "exif": exif}), ("WEBP", {"exif": exif})):
            with self.subTest(fmt=fmt):
                buffer = io.BytesIO()
                Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, fmt, **extra)
                image = files.normalise_image(SimpleUploadedFile("a", buffer.getvalue()))
                self.assertNotIn(b"371524", image.data)
                self.assertEqual(dict(Image.open(io.BytesIO(image.data)).getexif()), {})

    def test_a_truncated_image_is_refused_even_after_a_pdf_was_rendered(self) -> None:
        """WeasyPrint switches Pillow to accepting truncated files; uploads stay strict."""
        from PIL import ImageFile

        with mock.patch.object(ImageFile, "LOAD_TRUNCATED_IMAGES", True):
            with self.assertRaisesMessage(files.ImageRejected, "不是有效的图片文件"):
                files.normalise_image(SimpleUploadedFile("cut.png", TRUNCATED))
            self.assertTrue(ImageFile.LOAD_TRUNCATED_IMAGES)

    def test_a_gif_is_refused_by_its_content_not_its_name(self) -> None:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, "GIF")
        with self.assertRaisesMessage(files.ImageRejected, "JPEG、PNG 或 WebP"):
            files.normalise_image(SimpleUploadedFile("a.png", buffer.getvalue()))


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
class ProgressPhotoUploadTestCase(UploadTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-1", self.company, stage=Stage.UNDER_CONSTRUCTION)
        self.url = f"/projects/{self.project.pk}/reports/new/"
        self.client.force_login(self.liaison)

    def post(self, photo):
        data = {"month": "2026-10", "investment": "250000", "physical_progress": "30"}
        return self.client.post(self.url, {**data, "photos": [photo]})

    def test_hostile_photos_get_a_form_error_and_nothing_is_stored(self) -> None:
        for label, upload, message in hostile_files():
            with self.subTest(label):
                r = self.post(upload)
                self.assertContains(r, message, status_code=r.status_code)
                self.assertIn(r.status_code, (200, 400))
                self.assertFalse(ProgressReport.objects.exists())
                self.assertEqual(stored_files(self.root), [])

    def test_a_public_site_photo_is_stored_without_gps_under_a_random_name(self) -> None:
        r = self.post(SimpleUploadedFile("IMG_2026_工地.jpg", gps_jpeg(), "image/jpeg"))
        self.assertRedirects(r, self.project.get_absolute_url())
        photo = ProgressPhoto.objects.get()
        self.assertRegex(photo.image.name, r"^progress/[0-9a-f]{32}\.jpg$")
        on_disk = (self.root / photo.image.name).read_bytes()
        self.assertNotIn(b"PhoneMaker", on_disk)
        stored = Image.open(io.BytesIO(on_disk))
        self.assertEqual(stored.getexif().get_ifd(ExifTags.IFD.GPSInfo), {})
        self.assertEqual(dict(stored.getexif()), {})
        self.assertEqual(stored.size, (20, 40))
        served = self.client.get(photo.image.url)  # public: anyone gets the clean copy
        self.assertEqual(b"".join(served.streaming_content), on_disk)


@time_machine.travel(NOW, tick=False)
class VisitPhotoUploadTestCase(UploadTestCase):
    def post(self, photo):
        self.client.force_login(self.east_worker)
        data = {"visited_on": "2026-06-14", "place": "家中", "outcome": "情况良好"}
        return self.client.post(
            f"/population/visits/new/?person={self.east_woman.pk}", {**data, "photos": [photo]}
        )

    def test_hostile_photos_get_a_400_with_a_chinese_error_and_nothing_is_stored(self) -> None:
        for label, upload, message in hostile_files():
            with self.subTest(label):
                r = self.post(upload)
                self.assertContains(r, message, status_code=400)
                self.assertFalse(HomeVisit.objects.exists())
                self.assertEqual(stored_files(self.root), [])

    def test_a_visit_photo_is_stored_without_exif_under_a_random_name(self) -> None:
        r = self.post(SimpleUploadedFile("张丽家门口.jpg", gps_jpeg(), "image/jpeg"))
        self.assertEqual(r.status_code, 302)
        photo = VisitPhoto.objects.get()
        self.assertRegex(photo.image.name, r"^visits/[0-9a-f]{32}\.jpg$")
        stored = Image.open(self.root / photo.image.name)
        self.assertEqual(dict(stored.getexif()), {})


class StaffPhotoFormTestCase(UploadTestCase):
    """The admin's user form uses the model field's form field, as this form does."""

    def form(self, upload):
        form_class = modelform_factory(User, fields=["photo"])
        return form_class(data={}, files={"photo": upload}, instance=self.office)

    def test_hostile_portraits_are_form_errors_and_nothing_is_stored(self) -> None:
        for label, upload, message in hostile_files():
            with self.subTest(label):
                form = self.form(upload)
                self.assertFalse(form.is_valid())
                self.assertIn(message, form.errors["photo"][0])
                self.assertEqual(stored_files(self.root), [])

    def test_a_portrait_is_re_encoded_and_stored_under_a_random_name(self) -> None:
        form = self.form(SimpleUploadedFile("赵主任.jpg", gps_jpeg(), "image/jpeg"))
        self.assertTrue(form.is_valid(), form.errors)
        form.save()
        self.office.refresh_from_db()
        self.assertRegex(self.office.photo.name, r"^staff/[0-9a-f]{32}\.jpg$")
        stored = Image.open(self.root / self.office.photo.name)
        self.assertEqual(dict(stored.getexif()), {})
        self.assertEqual(stored.size, (20, 40))

    def test_the_admin_change_form_shows_the_chinese_error(self) -> None:
        self.client.force_login(self.admin)
        url = f"/admin/accounts/user/{self.office.pk}/change/"
        page = self.client.get(url)
        form = page.context["adminform"].form
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or name in ("photo", "password"):
                continue
            if isinstance(value, (list, tuple)):
                value = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, datetime.datetime):
                data[f"{name}_0"] = value.strftime("%Y-%m-%d")
                data[f"{name}_1"] = value.strftime("%H:%M:%S")
                continue
            if isinstance(value, bool) and not value:
                continue
            data[name] = value
        for prefix in ("memberships",):
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": "0",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": "1000",
                }
            )
        data["photo"] = SimpleUploadedFile("big.png", BOMB, "image/png")
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "像素过多")
        self.assertEqual(stored_files(self.root), [])


class ImportFileNameTestCase(UploadTestCase):
    def test_the_import_file_is_stored_under_a_random_name_and_keeps_its_original_name(self):
        wb = openpyxl.Workbook(write_only=True)
        wb.create_sheet().append(imports.HEADERS[imports.KIND_PERSONS])
        buffer = io.BytesIO()
        wb.save(buffer)
        self.client.force_login(self.east_worker)
        upload = SimpleUploadedFile("../../东村 2026 名单.xlsx", buffer.getvalue())
        r = self.client.post(
            "/population/imports/",
            {"kind": imports.KIND_PERSONS, "file": upload, "dry_run": "on"},
        )
        job = ImportJob.objects.get()
        self.assertRedirects(r, f"/population/imports/{job.pk}/", fetch_redirect_response=False)
        self.assertRegex(job.file.name, r"^imports/[0-9a-f]{32}\.xlsx$")
        self.assertEqual(job.original_name, "东村 2026 名单.xlsx")
        self.assertEqual(stored_files(self.root), [self.root / job.file.name])


class RenameStoredFilesTestCase(UploadTestCase):
    """The data migrations' helper: files stored under the old guessable names."""

    def test_old_import_and_visit_files_get_random_names_and_photos_lose_their_exif(self):
        old_import = "imports/2026/12/东村名单_Ab3dE9x.xlsx"
        (self.root / "imports/2026/12").mkdir(parents=True)
        (self.root / old_import).write_bytes(b"xlsx bytes")
        job = ImportJob.objects.create(
            kind="person", org_unit=self.east_village, created_by=self.east_worker
        )
        ImportJob.objects.filter(pk=job.pk).update(file=old_import)
        visit = HomeVisit.objects.create(
            person=self.east_woman,
            org_unit=self.east_village,
            visited_by=self.east_worker,
            visited_on=datetime.date(2026, 6, 1),
            place="家中",
            outcome="好",
        )
        old_photo = "visits/2026/12/0123456789abcdef.jpg"
        (self.root / "visits/2026/12").mkdir(parents=True)
        (self.root / old_photo).write_bytes(gps_jpeg())
        photo = VisitPhoto.objects.create(visit=visit, sha256="c" * 64, image=old_photo)
        missing = VisitPhoto.objects.create(
            visit=visit, sha256="d" * 64, image="visits/2026/12/gone.png"
        )

        self.assertEqual(
            files.rename_stored_files(
                ImportJob,
                field="file",
                prefix="imports",
                extensions=("xlsx",),
                keep_original="original_name",
            ),
            1,
        )
        self.assertEqual(
            files.rename_stored_files(
                VisitPhoto,
                field="image",
                prefix="visits",
                extensions=files.IMAGE_EXTENSIONS,
                images=True,
            ),
            2,
        )
        job.refresh_from_db()
        photo.refresh_from_db()
        missing.refresh_from_db()
        self.assertRegex(job.file.name, r"^imports/[0-9a-f]{32}\.xlsx$")
        self.assertEqual(job.original_name, "东村名单_Ab3dE9x.xlsx")
        self.assertEqual((self.root / job.file.name).read_bytes(), b"xlsx bytes")
        self.assertFalse((self.root / old_import).exists())
        self.assertRegex(photo.image.name, r"^visits/[0-9a-f]{32}\.jpg$")
        self.assertEqual(dict(Image.open(self.root / photo.image.name).getexif()), {})
        self.assertFalse((self.root / old_photo).exists())
        self.assertRegex(missing.image.name, r"^visits/[0-9a-f]{32}\.png$")
        # Run again: nothing left to rename.
        self.assertEqual(
            files.rename_stored_files(
                VisitPhoto,
                field="image",
                prefix="visits",
                extensions=files.IMAGE_EXTENSIONS,
                images=True,
            ),
            0,
        )
        self.client.force_login(self.east_worker)
        self.assertEqual(self.client.get(f"/media/{old_import}").status_code, 404)
        self.assertEqual(self.client.get(f"/media/{job.file.name}").status_code, 200)

    def test_a_portrait_saved_by_code_gets_a_random_name_too(self) -> None:
        self.office.photo.save("any name.png", ContentFile(b"x"), save=False)
        self.assertTrue(files.is_random_name(self.office.photo.name))
