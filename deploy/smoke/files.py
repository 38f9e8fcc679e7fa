"""Stored files for the smoke test, made through the app's own door, after seed_demo.

A public file: a site photo of a key project's monthly report (re-encoded by normalise_image,
named by StoredName, as report_submit stores one). A protected file: the photo of a home visit
logged by the village worker of 刘集村 through home_visit_record. Writes what check.py needs as
JSON to the path given as the first argument: the two URLs, the bytes' sha256 and who may read
the protected one.
"""

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import django

# Run as a script from the project directory: the project package sits two levels up.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengtong.settings")
django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from zhengtong.accounts.models import User  # noqa: E402
from zhengtong.lib.files import normalise_image  # noqa: E402
from zhengtong.people.models import Person  # noqa: E402
from zhengtong.population.actions.care import home_visit_record  # noqa: E402
from zhengtong.projects.models import ProgressPhoto, ProgressReport  # noqa: E402

READER = "village1"
VILLAGE = "LIUJI-LJ"


def png(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def sha256_of(field) -> str:
    with field.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


report = ProgressReport.objects.order_by("pk").first()
image = normalise_image(png((200, 40, 40), "现场.png"))
public = ProgressPhoto(report=report, sha256=image.upload_sha256, caption="冒烟测试")
public.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
public.save()

reader = User.objects.get(username=READER)
person = Person.objects.filter(org_unit__code=VILLAGE, merged_into=None).order_by("pk").first()
visit, _ = home_visit_record(
    actor=reader,
    person=person,
    visited_on=timezone.localdate(),
    place="冒烟测试",
    outcome="冒烟测试:检查受保护文件的发放。",
    photos=[png((40, 40, 200), "走访.png")],
)
protected = visit.photos.get()

with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump(
        {
            "public_url": public.image.url,
            "public_sha256": sha256_of(public.image),
            "protected_url": protected.image.url,
            "protected_name": protected.image.name,
            "protected_sha256": sha256_of(protected.image),
            "reader": READER,
        },
        fh,
    )
