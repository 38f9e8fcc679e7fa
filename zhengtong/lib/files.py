"""The one door for stored files (uploads under MEDIA_ROOT), and the one image normaliser.

Serving (`serve_stored_file`, mounted at /media/<path>):
1. The requested path is checked before anything else: no `..` or `.` segment, no empty
   segment (`//`), no absolute path, no backslash, NUL or control character, no `%` (a path
   still percent-encoded after the server decoded it once is an attack, never a stored name),
   nothing that Unicode NFKC would fold into something else (fullwidth dots and slashes).
2. Its first segment must be a registered prefix (see `register`), and the path must be the
   exact name stored in a row of the model registered for that prefix.
3. On disk, the file must lie under MEDIA_ROOT with no symlink on the way.
4. Public kinds (staff portraits, project progress photos) are served to anyone, and so is a
   file whose kind declares `public_when` and whose owning row it answers True for (the photos
   of an approved 计生采风 post, not those of a draft). Every other file needs a signed-in user to
   whom the owning row is visible through the module's scope door; a kind holding personal data
   writes a read audit event when it is served.
Everything refused is a 404 that writes nothing, so the answer never tells whether a file exists.

Storing: `StoredName` gives every upload `<prefix>/<32 hex>.<ext>`, never the user's file name
nor a month folder; `normalise_image` is the only way an image enters the store (limits bytes
and pixels, decodes it, applies the EXIF orientation, and re-encodes it without any metadata).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mimetypes
import os
import re
import threading
import unicodedata
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import autodiscover_modules

# ---------------------------------------------------------------------------------- names

SAFE_EXT = re.compile(r"^[a-z0-9]{1,8}$")


@deconstructible
class StoredName:
    """`upload_to` for every stored file: `<prefix>/<random 32 hex>.<ext>`.

    The extension is taken from the offered name only when it is one of `extensions`; otherwise
    the first of them is used. The offered name is never kept in the path: keep it as data on the
    row (e.g. `ImportJob.original_name`) where the user wants to see it.
    """

    def __init__(self, prefix: str, extensions: tuple[str, ...] | list[str]) -> None:
        self.prefix = prefix.strip("/")
        self.extensions = tuple(extensions)

    def __call__(self, instance, filename: str) -> str:
        ext = PurePosixPath(str(filename)).suffix.lower().lstrip(".")
        if ext == "jpeg":
            ext = "jpg"
        if not (SAFE_EXT.match(ext) and ext in self.extensions):
            ext = self.extensions[0]
        return f"{self.prefix}/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, StoredName)
            and other.prefix == self.prefix
            and other.extensions == self.extensions
        )

    def __hash__(self) -> int:
        return hash((self.prefix, self.extensions))


def original_file_name(name) -> str:
    """The base name a user gave an upload, printable and at most 255 characters, kept as data
    (shown on the page, offered as the download name); never used as a path."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:]


RANDOM_NAME = re.compile(r"^[a-z]+/[0-9a-f]{32}\.[a-z0-9]{1,8}$")


def is_random_name(name: str) -> bool:
    """True when `name` is of the form StoredName gives."""
    return bool(RANDOM_NAME.match(name or ""))


# ---------------------------------------------------------------------------------- images

# Checked on the decoded image, never on the file name.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_EXTENSIONS = ("jpg", "png", "webp")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class ImageRejected(ValueError):
    """An upload that is not an acceptable image; the message is for the user."""


@dataclass(frozen=True)
class NormalisedImage:
    data: bytes  # re-encoded, without EXIF or other metadata
    ext: str  # jpg, png or webp
    upload_sha256: str  # of the bytes as uploaded: the same picture chosen twice is kept once
    width: int
    height: int

    def as_upload(self, stem: str = "image") -> SimpleUploadedFile:
        return SimpleUploadedFile(f"{stem}.{self.ext}", self.data, CONTENT_TYPES[self.ext])


def _display_name(upload) -> str:
    name = PurePosixPath(str(getattr(upload, "name", "") or "")).name
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > 60:
        name = name[:57] + "…"
    return name or "照片"


def size_label(limit: int) -> str:
    """A byte limit as a user reads it: 10 MB, 512 KB, 100 字节."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit // 1024} KB"
    return f"{limit} 字节"


def _read_limited(upload, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "read"):
        return upload.read(limit + 1)
    return bytes(upload)[: limit + 1]


_DECODING = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Refuse truncated files while decoding an upload. WeasyPrint turns Pillow's global
    LOAD_TRUNCATED_IMAGES on when it is imported, which would let a cut-off upload through as
    a picture padded with grey; the lock keeps two uploads from restoring it out of order."""
    from PIL import ImageFile

    with _DECODING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def normalise_image(upload) -> NormalisedImage:
    """Check an uploaded image and re-encode it, or raise ImageRejected with a Chinese message.

    Limits: settings.UPLOAD_MAX_BYTES (bytes as uploaded) and settings.UPLOAD_MAX_PIXELS
    (width × height, read from the header before anything is decoded, so a small file that
    unpacks to gigabytes is refused without unpacking it). The stored image has the EXIF
    orientation applied and no EXIF (GPS, camera, time), XMP or text chunks.
    """
    from PIL import Image, ImageOps

    name = _display_name(upload)
    limit = settings.UPLOAD_MAX_BYTES
    megabytes = size_label(limit)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ImageRejected(f"照片“{name}”超过 {megabytes} 的大小限制。")
    data = _read_limited(upload, limit)
    if len(data) > limit:
        raise ImageRejected(f"照片“{name}”超过 {megabytes} 的大小限制。")
    if not data:
        raise ImageRejected(f"“{name}”是空文件,不是有效的图片文件。")
    max_pixels = settings.UPLOAD_MAX_PIXELS
    too_many = f"照片“{name}”像素过多(最多 {max_pixels / 10_000:g} 万像素),请缩小后再上传。"
    not_an_image = f"“{name}”不是有效的图片文件。"
    with warnings.catch_warnings(), _strict_decoding():
        # Pillow only warns between its own limit and twice that; here that is a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(too_many) from None
        except Exception:  # UnidentifiedImageError, and whatever a hostile header raises
            raise ImageRejected(not_an_image) from None
        with image:
            if image.format not in IMAGE_FORMATS:
                raise ImageRejected(f"照片“{name}”须为 JPEG、PNG 或 WebP 格式。")
            width, height = image.size
            if width < 1 or height < 1:
                raise ImageRejected(not_an_image)
            if width * height > max_pixels:
                raise ImageRejected(too_many)
            fmt = image.format
            try:
                image.load()
                clean = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ImageRejected(too_many) from None
            except Exception:
                raise ImageRejected(not_an_image) from None
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        options.update(quality=90)
    elif fmt == "WEBP":
        if clean.mode not in ("RGB", "RGBA"):
            clean = clean.convert("RGBA" if "A" in clean.getbands() else "RGB")
        options.update(quality=90)
    elif clean.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        clean = clean.convert("RGBA")
    # A fresh info dict: nothing of the upload's metadata travels to the encoder.
    clean.info = {}
    try:
        clean.save(out, format=fmt, **options)
    except Exception:
        raise ImageRejected(not_an_image) from None
    return NormalisedImage(
        data=out.getvalue(),
        ext=IMAGE_FORMATS[fmt],
        upload_sha256=hashlib.sha256(data).hexdigest(),
        width=clean.width,
        height=clean.height,
    )


class NormalisedImageFormField(forms.ImageField):
    """The form field of every StoredImageField (admin included): refuses what normalise_image
    refuses, as a form error, and hands the model the re-encoded image."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        try:
            image = normalise_image(upload)
        except ImageRejected as exc:
            raise ValidationError(str(exc), code="invalid_image") from None
        return image.as_upload()


class StoredImageField(models.ImageField):
    """An ImageField whose form input goes through normalise_image."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NormalisedImageFormField, **kwargs})


# ---------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class StoredKind:
    """One kind of stored file: the prefix its names start with and the row that owns it.

    `can_read(user, row)` decides for non-public kinds, through the module's scope door.
    `public_when(row)` makes one row's file public (anyone may read it) while it answers True.
    `audit_target(row)` is the record a read event points at; `download_name(row)` the name a
    browser saves the file under (None: shown inline under its stored name).
    """

    prefix: str
    model: str  # "app_label.ModelName"
    field: str
    label: str
    public: bool = False
    personal: bool = False
    can_read: Callable | None = None
    read_action: str = ""
    audit_target: Callable | None = None
    download_name: Callable | None = None
    public_when: Callable | None = None

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_KINDS: dict[str, StoredKind] = {}
_DISCOVERED = False


def register(kind: StoredKind) -> None:
    """Declare a kind of stored file; called from each app's `stored_files.py`."""
    if not kind.public and kind.can_read is None:
        raise ValueError(f"{kind.prefix}: a file that is not public needs can_read")
    if kind.personal and (kind.public or kind.public_when or not kind.read_action):
        raise ValueError(f"{kind.prefix}: a personal file is never public and names a read_action")
    _KINDS[kind.prefix] = kind


def kinds() -> dict[str, StoredKind]:
    """Every registered kind by prefix (each app's `stored_files` module is loaded once)."""
    global _DISCOVERED
    if not _DISCOVERED:
        autodiscover_modules("stored_files")
        _DISCOVERED = True
    return dict(_KINDS)


# ---------------------------------------------------------------------------------- serving

FORBIDDEN_CHARS = re.compile(r"[\x00-\x1f\x7f\\%:*?\"<>|]")


def clean_path(raw) -> tuple[str, ...] | None:
    """The segments of a requested media path, or None when it is not a plain relative path."""
    if not isinstance(raw, str) or not raw or len(raw) > 300:
        return None
    if FORBIDDEN_CHARS.search(raw):
        return None
    if unicodedata.normalize("NFKC", raw) != raw:
        return None
    if raw.startswith("/") or raw.endswith("/"):
        return None
    parts = tuple(raw.split("/"))
    for part in parts:
        # Empty (`//`), `.`, `..` and hidden names are never stored names.
        if not part or part.startswith(".") or part != part.strip():
            return None
    if len(parts) < 2:
        return None
    return parts


def _media_root() -> Path:
    return Path(os.path.realpath(settings.MEDIA_ROOT))


def _file_on_disk(parts: tuple[str, ...]) -> Path | None:
    root = _media_root()
    lexical = root.joinpath(*parts)
    real = Path(os.path.realpath(lexical))
    # A symlink anywhere on the way makes the two differ, whether it leaves the root or not.
    if real != lexical or not real.is_relative_to(root) or not real.is_file():
        return None
    return real


def find_stored_file(user, raw_path) -> tuple[StoredKind, models.Model, Path] | None:
    """(kind, owning row, file) when `user` may read the stored file at `raw_path`, else None."""
    parts = clean_path(raw_path)
    if parts is None:
        return None
    kind = kinds().get(parts[0])
    if kind is None:
        return None
    name = "/".join(parts)
    row = kind.model_class()._default_manager.filter(**{kind.field: name}).first()
    if row is None:
        return None
    if not kind.public and not (kind.public_when is not None and kind.public_when(row)):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        if kind.can_read is None or not kind.can_read(user, row):
            return None
    path = _file_on_disk(parts)
    if path is None:
        return None
    return kind, row, path


def _content_type(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def file_response(
    request: HttpRequest, kind: StoredKind, row, path: Path
) -> HttpResponse | FileResponse:
    """Stream the file, or with settings.MEDIA_ACCEL_REDIRECT_PREFIX hand it to nginx."""
    filename = kind.download_name(row) if kind.download_name else None
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    content_type = _content_type(path)
    if accel:
        relative = path.relative_to(_media_root()).as_posix()
        response: HttpResponse | FileResponse = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(relative)
        if filename:
            response["Content-Disposition"] = _attachment(filename)
    else:
        response = FileResponse(
            path.open("rb"),
            content_type=content_type,
            as_attachment=bool(filename),
            filename=filename or "",
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600" if kind.public else "private, no-store"
    return response


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename)


def serve_stored_file(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """/media/<path>: the only way a stored file leaves the server (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    # `path` is PATH_INFO after /media/ as the server decoded it once; nothing cleans it first.
    found = find_stored_file(request.user, path)
    if found is None:
        raise Http404
    kind, row, file_path = found
    if kind.personal:
        from zhengtong.audit.actions import record_event
        from zhengtong.audit.models import Event

        target = kind.audit_target(row) if kind.audit_target else row
        record_event(
            actor=request.user,
            action=kind.read_action,
            kind=Event.Kind.READ,
            target=target,
            changes={"file": kind.label},
        )
    return file_response(request, kind, row, file_path)


def serve_row_file(
    request: HttpRequest, row: models.Model, field: str
) -> HttpResponse | FileResponse:
    """A module view that hands out the file of a row it already found goes through the door."""
    name = getattr(row, field).name
    if not name:
        raise Http404
    return serve_stored_file(request, name)


# ---------------------------------------------------------------------------------- migrations


def rename_stored_files(
    model,
    *,
    field: str,
    prefix: str,
    extensions: tuple[str, ...],
    images: bool = False,
    keep_original: str | None = None,
) -> int:
    """Give every stored file of `model.field` a random name (and re-encode images); returns
    how many rows changed. Used by data migrations with the historical model, so existing
    deployments lose their guessable names and the EXIF of their photos too.

    `keep_original` names a field that receives the old file name when it is empty.
    """
    root = _media_root()
    namer = StoredName(prefix, extensions)
    changed = 0
    for row in model._default_manager.exclude(**{field: ""}).iterator():
        old = getattr(row, field).name
        if is_random_name(old) and old.startswith(prefix + "/"):
            continue
        new = namer(row, old)
        old_path = Path(os.path.realpath(root / old))
        new_path = root / new
        if old_path.is_relative_to(root) and old_path.is_file():
            new_path.parent.mkdir(parents=True, exist_ok=True)
            moved = False
            if images:
                try:
                    with old_path.open("rb") as fh:
                        image = normalise_image(fh)
                except (ImageRejected, OSError):
                    image = None
                if image is not None:
                    new = f"{prefix}/{PurePosixPath(new).stem}.{image.ext}"
                    new_path = root / new
                    new_path.write_bytes(image.data)
                    old_path.unlink()
                    moved = True
            if not moved:
                os.replace(old_path, new_path)
        updates = {field: new}
        if keep_original and not getattr(row, keep_original):
            updates[keep_original] = PurePosixPath(old).name[:255]
        model._default_manager.filter(pk=row.pk).update(**updates)
        changed += 1
    return changed
