"""Pick the wheelhouse of the release bundle (called by deploy/build-dist).

    dist_wheels.py REQUIREMENTS CACHE WHEELS

REQUIREMENTS is `uv export` of the lock with hashes; CACHE holds what `pip wheel` fetched and
built. For each requirement that applies to this interpreter and platform, the wheel whose
sha256 the lock names is copied to WHEELS. A package the lock knows only as source must have
been built here into a pure-Python wheel (`-none-any`); its line in REQUIREMENTS then pins that
wheel's sha256 instead (its source was checked against the lock when pip fetched it). A package
that would need a compiler on the target, or a wheel missing, stops the build.
"""

import hashlib
import re
import shutil
import sys
from pathlib import Path

from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def blocks(text: str) -> list[list[str]]:
    """The requirement entries: a `name==version ; marker \\` line and its hash lines."""
    out: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace() and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def main(requirements: Path, cache: Path, wheels: Path) -> None:
    wheel_files = sorted(cache.glob("*.whl"))
    by_hash = {hashlib.sha256(w.read_bytes()).hexdigest(): w for w in wheel_files}
    lines: list[str] = []
    copied = built = 0
    for entry in blocks(requirements.read_text()):
        head = entry[0].rstrip(" \\")
        spec, _, marker = head.partition(";")
        name, _, version = spec.strip().partition("==")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            lines.extend(entry)
            continue
        hashes = set(HASH.findall("\n".join(entry)))
        wheel = next((by_hash[h] for h in hashes if h in by_hash), None)
        if wheel is None:
            local = [
                w
                for w in wheel_files
                if parse_wheel_filename(w.name)[0] == canonicalize_name(name)
                and str(parse_wheel_filename(w.name)[1]) == version
            ]
            pure = [w for w in local if w.name.endswith("-none-any.whl")]
            if not pure:
                found = ", ".join(w.name for w in local) or "没有"
                sys.exit(
                    f"build-dist: {name}=={version} 没有可用的预编译 wheel(找到:{found});"
                    f"安装时需要编译器,不能离线安装。"
                )
            wheel = pure[0]
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            entry = [f"{head} \\", f"    --hash=sha256:{digest}"]
            entry.insert(0, f"# {name}: built here from its checked source (no wheel published)")
            built += 1
        shutil.copy2(wheel, wheels / wheel.name)
        copied += 1
        lines.extend(entry)
    requirements.write_text("\n".join(lines) + "\n")
    print(f"   {copied} wheels ({built} built here from pure-Python source)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
