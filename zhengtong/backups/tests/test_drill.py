"""The restore drill: seed, back up, destroy, restore, and compare every row and every file.

Runs the real commands in child processes against file databases (SQLite always, PostgreSQL
when DATABASE_URL points at one; the PG test creates and drops its own databases).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

from zhengtong.lib import sm4

ROOT = Path(__file__).resolve().parents[3]
SEED = """
from django.contrib.auth import get_user_model
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
User = get_user_model()
for i in range(5):
    with audited_atomic():
        user = User.objects.create_user(username=f"drill{i}", password="x", first_name="演练")
        record_event(actor=None, action="演练建号", target=user)
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def _ok(env: dict[str, str], *args: str) -> str:
    done = _run(env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _dump_tables(env: dict[str, str]) -> str:
    return _ok(
        env,
        "shell",
        "-c",
        "import json;from zhengtong.backups.archive import table_checksums;"
        "print(json.dumps(table_checksums(), sort_keys=True))",
    )


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _drill(tmp_path: Path, url: str, fresh_url: str, drop) -> None:
    base = {
        **os.environ,
        "AUDIT_HMAC_DEV_KEY": "True",
        "DEBUG": "True",
        "DJANGO_SETTINGS_MODULE": "zhengtong.settings",
        # The drill's own chain: the checkout's checkpoints belong to another database.
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }
    key = tmp_path / "backup.key"
    key.write_text(sm4.new_key().hex())
    media = tmp_path / "media"
    (media / "uploads" / "2026").mkdir(parents=True)
    (media / "uploads" / "2026" / "申请表.pdf").write_bytes(os.urandom(300_000))
    (media / "readme.txt").write_text("政通")
    env = {**base, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "BACKUP_KEY_FILE": str(key)}
    _ok(env, "migrate", "-v0")
    _ok(env, "shell", "-c", SEED)
    before_rows, before_files = _dump_tables(env), _files(media)
    archive = tmp_path / "site.ztbk"
    _ok(env, "backup", "--output", str(archive))
    assert _run(env, "backup", "--verify", str(archive)).returncode == 0

    # Destroy the site, then bring it back on an empty database and an empty media dir.
    drop()
    new_media = tmp_path / "restored-media"
    restored = {**env, "DATABASE_URL": fresh_url, "MEDIA_ROOT": str(new_media)}
    out = _ok(restored, "restore", str(archive))
    assert "已恢复" in out
    assert _dump_tables(restored) == before_rows
    assert _files(new_media) == before_files
    assert '"rows": 5' in before_rows  # the seeded users are part of what was compared
    _ok(restored, "audit_verify", "--no-checkpoint")

    # A second restore over the now full target is refused unless forced.
    again = _run(restored, "restore", str(archive))
    assert again.returncode == 1
    assert "不是空的" in again.stderr
    _ok(restored, "restore", "--force", str(archive))

    # Wrong key, damaged and reordered archives are refused with a clear message.
    other = tmp_path / "other.key"
    other.write_text(sm4.new_key().hex())
    wrong = _run({**env, "BACKUP_KEY_FILE": str(other)}, "backup", "--verify", str(archive))
    assert wrong.returncode == 1
    assert "密钥错误" in wrong.stderr
    damaged = tmp_path / "damaged.ztbk"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    bad = _run(env, "backup", "--verify", str(damaged))
    assert bad.returncode == 1
    assert "已损坏" in bad.stderr
    cut = tmp_path / "cut.ztbk"
    cut.write_bytes(archive.read_bytes()[: len(data) - 100])
    assert _run(env, "backup", "--verify", str(cut)).returncode == 1
    plain = _run({**env, "BACKUP_KEY_FILE": ""}, "backup", "--verify", str(archive))
    assert plain.returncode == 1
    assert "已加密" in plain.stderr


def test_restore_drill_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "site.sqlite3"
    fresh = tmp_path / "new.sqlite3"
    _drill(tmp_path, f"sqlite:///{db}", f"sqlite:///{fresh}", db.unlink)


PG_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs DATABASE_URL on PostgreSQL")
def test_restore_drill_on_postgresql(tmp_path: Path) -> None:
    cfg = dj_database_url.parse(PG_URL)
    names = [f"zt_drill_{uuid.uuid4().hex[:8]}", f"zt_drill_{uuid.uuid4().hex[:8]}"]
    server = [
        "-h",
        str(cfg["HOST"] or "127.0.0.1"),
        "-p",
        str(cfg["PORT"] or 5432),
        "-U",
        cfg["USER"],
    ]
    env = {**os.environ, **({"PGPASSWORD": cfg["PASSWORD"]} if cfg.get("PASSWORD") else {})}
    urls = [PG_URL.rsplit("/", 1)[0] + "/" + name for name in names]
    for name in names:
        subprocess.run(["createdb", *server, name], env=env, check=True)

    def drop() -> None:
        subprocess.run(["dropdb", "--if-exists", *server, names[0]], env=env, check=True)

    try:
        _drill(tmp_path, urls[0], urls[1], drop)
    finally:
        for name in names:
            subprocess.run(["dropdb", "--if-exists", *server, name], env=env, check=False)
