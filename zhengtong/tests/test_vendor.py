"""The vendored front-end files are the recorded releases, and every one is recorded."""

import hashlib
import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
ROW = re.compile(r"^\| (\S+) \| [^|]+ \| ([0-9][\w.-]*) \| [^|]+ \| ([0-9a-f]{64}) \|$")


def recorded() -> dict[str, str]:
    rows = {}
    for line in (VENDOR / "VENDOR.md").read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line.strip()):
            rows[match.group(1)] = match.group(3)
    return rows


def test_every_vendored_file_is_recorded_with_its_checksum():
    rows = recorded()
    files = {
        str(path.relative_to(VENDOR))
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name != "VENDOR.md"
    }
    assert files, "no vendored files found"
    assert files == set(rows), (
        f"listed but missing: {set(rows) - files}; unlisted: {files - set(rows)}"
    )
    for name, digest in rows.items():
        actual = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name}: sha256 {actual} is not the recorded {digest}"
