"""One backup archive: the database, the media store and a manifest of what they must contain.

The archive is a tar with ``manifest.json``, ``database.dump`` (pg_dump custom format on
PostgreSQL, an SQLite file otherwise) and ``media/``. The manifest holds per-table row counts
and a checksum of each table's rows in primary-key order, computed the same way on both
backends, and a sha256 per stored file. With a key the tar is sealed with SM4 in chunks; each
chunk's index (and whether it is the last) is its aad, so reordered, dropped or cut chunks fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections

from zhengtong.lib import sm4

MAGIC = b"ZTBACKUP-SM4-1\n"
CHUNK = 4 * 1024 * 1024
SCRATCH = "backup_scratch"


class BackupError(Exception):
    """A backup or restore cannot go on; the message is Chinese and English for the operator."""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_key() -> bytes | None:
    """The SM4 key from BACKUP_KEY (hex) or BACKUP_KEY_FILE (hex text or 16 raw bytes)."""
    text = os.environ.get("BACKUP_KEY", "").strip()
    path = os.environ.get("BACKUP_KEY_FILE", "").strip()
    if not text and path:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise BackupError(
                f"读不到备份密钥文件 {path}(cannot read BACKUP_KEY_FILE): {exc}"
            ) from None
        text = raw.decode("ascii", "replace").strip() if len(raw) != sm4.KEY_BYTES else raw.hex()
    if not text:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != sm4.KEY_BYTES:
        raise BackupError(
            "备份密钥应为 32 位十六进制(backup key must be 16 bytes as 32 hex digits)"
        )
    return key


# --- table checksums -------------------------------------------------------------------------


def _norm(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_checksums(alias: str = "default") -> dict[str, dict[str, Any]]:
    """Row count and sha256 of every table's rows in pk order, the same on SQLite and PG."""
    result: dict[str, dict[str, Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        columns = [f.attname for f in meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        rows = model._base_manager.using(alias).order_by("pk").values_list(*columns)
        for row in rows.iterator(chunk_size=2000):
            digest.update("\x1f".join(_norm(v) for v in row).encode() + b"\x1e")
            count += 1
        result[meta.db_table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def media_checksums(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    if not root.exists():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256")
        files[path.relative_to(root).as_posix()] = digest.hexdigest()
    return files


# --- database dump and load ------------------------------------------------------------------


def _pg_url(settings: dict[str, Any], name: str | None = None) -> list[str]:
    args = ["-h", str(settings.get("HOST") or "127.0.0.1"), "-p", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["-U", settings["USER"]]
    return [*args, "-d", name or settings["NAME"]]


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {cmd[0]},请安装 PostgreSQL 客户端工具(pg_dump/pg_restore not found)"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败({cmd[0]} failed): {done.stderr.strip()[:500]}")


def _dump_database(alias: str, target: Path) -> str:
    conn = connections[alias]
    settings = conn.settings_dict
    if conn.vendor == "postgresql":
        _run(
            ["pg_dump", "-Fc", "--no-owner", "-f", str(target), *_pg_url(settings)],
            _pg_env(settings),
        )
        return "postgresql"
    if conn.vendor != "sqlite":
        raise BackupError(f"不支持的数据库 {conn.vendor}(unsupported database)")
    conn.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        conn.connection.backup(dest)
    finally:
        dest.close()
    return "sqlite"


def _database_empty(settings: dict[str, Any], vendor: str) -> bool:
    if vendor == "sqlite":
        path = Path(str(settings["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return True
    alias = f"backup_probe_{uuid.uuid4().hex[:8]}"
    connections.databases[alias] = dict(settings)
    try:
        return not connections[alias].introspection.table_names()
    finally:
        connections[alias].close()
        del connections.databases[alias]


def _load_database(dump: Path, settings: dict[str, Any], vendor: str, force: bool) -> None:
    if vendor == "postgresql":
        cmd = ["pg_restore", "--no-owner", "--exit-on-error"]
        if force:
            cmd += ["--clean", "--if-exists"]
        _run([*cmd, *_pg_url(settings), str(dump)], _pg_env(settings))
        return
    target = Path(str(settings["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()


# --- archive and encryption ------------------------------------------------------------------


def _seal_file(key: bytes, plain: Path, out: Path) -> None:
    size = plain.stat().st_size
    total = max(1, -(-size // CHUNK))
    with plain.open("rb") as src, out.open("wb") as dst:
        dst.write(MAGIC)
        for index in range(total):
            last = index == total - 1
            blob = sm4.seal(key, src.read(CHUNK), aad=f"{index}:{int(last)}".encode())
            dst.write(struct.pack(">I", len(blob)) + blob)
            if total > 4 and index % 16 == 0:
                _progress(f"加密中 encrypting {index + 1}/{total}")


def _open_file(key: bytes | None, sealed: Path, out: Path) -> None:
    if key is None:
        raise BackupError(
            "备份已加密,请设置 BACKUP_KEY_FILE(archive is encrypted; set BACKUP_KEY_FILE)"
        )
    with sealed.open("rb") as src, out.open("wb") as dst:
        src.read(len(MAGIC))
        index = 0
        while True:
            head = src.read(4)
            if not head:
                raise BackupError("备份文件不完整(archive is truncated)")
            blob = src.read(struct.unpack(">I", head)[0])
            plain = None
            for last in (0, 1):
                try:
                    plain = sm4.open_sealed(key, blob, aad=f"{index}:{last}".encode())
                except sm4.SealError:
                    continue
                break
            if plain is None:
                raise BackupError("密钥错误或备份文件已损坏(wrong key or damaged archive)")
            dst.write(plain)
            if last:
                if src.read(1):
                    raise BackupError("备份文件已损坏(archive is damaged: data after the end)")
                return
            index += 1


def create_backup(output: Path, alias: str = "default", media_root: Path | None = None) -> dict:
    from django.conf import settings

    media = Path(media_root or settings.MEDIA_ROOT)
    key = load_key()
    with tempfile.TemporaryDirectory(prefix="zt-backup-") as tmp:
        work = Path(tmp)
        _progress("导出数据库 dumping database")
        vendor = _dump_database(alias, work / "database.dump")
        _progress("计算各表校验值 checksumming tables")
        manifest: dict[str, Any] = {
            "format": 1,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "vendor": vendor,
            "tables": table_checksums(alias),
            "files": media_checksums(media),
        }
        plain = work / "archive.tar" if key else output
        _progress(f"打包 {len(manifest['files'])} 个文件 archiving")
        with tarfile.open(plain, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / "database.dump", arcname="database.dump")
            for name in manifest["files"]:
                tar.add(media / name, arcname=f"media/{name}")
        if key:
            _seal_file(key, plain, output)
    return manifest


def _unpack(archive: Path, work: Path) -> dict:
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}(archive not found)")
    with archive.open("rb") as fh:
        sealed = fh.read(len(MAGIC)) == MAGIC
    tar_path = archive
    if sealed:
        tar_path = work / "archive.tar"
        _open_file(load_key(), archive, tar_path)
    try:
        with tarfile.open(tar_path, "r") as tar:
            tar.extractall(work / "x", filter="data")
        manifest = json.loads((work / "x" / "manifest.json").read_text())
    except (tarfile.TarError, OSError, ValueError, KeyError):
        raise BackupError("备份文件已损坏或不是本系统的备份(damaged or foreign archive)") from None
    if not (work / "x" / "database.dump").is_file():
        raise BackupError("备份文件中缺少数据库(archive has no database)")
    return manifest


def restore_backup(
    archive: Path, settings_dict: dict[str, Any], media_root: Path, force: bool = False
) -> dict:
    vendor = "postgresql" if "postgresql" in settings_dict["ENGINE"] else "sqlite"
    with tempfile.TemporaryDirectory(prefix="zt-restore-") as tmp:
        work = Path(tmp)
        _progress("解开备份 unpacking")
        manifest = _unpack(archive, work)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"备份来自 {manifest['vendor']},目标是 {vendor}(archive and target database differ)"
            )
        if not force:
            if not _database_empty(settings_dict, vendor):
                raise BackupError(
                    "目标数据库不是空的,加 --force 覆盖(target database is not empty)"
                )
            if media_root.exists() and any(media_root.iterdir()):
                raise BackupError(
                    "目标 MEDIA_ROOT 不是空的,加 --force 覆盖(target MEDIA_ROOT is not empty)"
                )
        _progress("恢复数据库 restoring database")
        _load_database(work / "x" / "database.dump", settings_dict, vendor, force)
        _progress(f"恢复 {len(manifest['files'])} 个文件 restoring files")
        source = work / "x" / "media"
        for name in manifest["files"]:
            dest = media_root / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, dest)
    return manifest


def summary(manifest: dict[str, Any]) -> str:
    rows = sum(t["rows"] for t in manifest["tables"].values())
    return f"{len(manifest['tables'])} 张表共 {rows} 行,{len(manifest['files'])} 个文件"


# --- verification ----------------------------------------------------------------------------


def _scratch_settings(base: dict[str, Any], tmp: Path) -> dict[str, Any]:
    settings = dict(base)
    if "postgresql" in base["ENGINE"]:
        settings["NAME"] = f"zt_backup_verify_{uuid.uuid4().hex[:10]}"
        _run(["createdb", *_pg_url(base, settings["NAME"])[:-2], settings["NAME"]], _pg_env(base))
    else:
        settings["NAME"] = str(tmp / "verify.sqlite3")
    settings.setdefault("TEST", {})
    return settings


def _drop_scratch(settings: dict[str, Any]) -> None:
    if "postgresql" in settings["ENGINE"]:
        _run(
            ["dropdb", "--if-exists", *_pg_url(settings)[:-2], settings["NAME"]], _pg_env(settings)
        )


def _database_url(settings: dict[str, Any]) -> str:
    if "postgresql" in settings["ENGINE"]:
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    return f"sqlite:///{settings['NAME']}"


def verify_backup(archive: Path, alias: str = "default") -> list[str]:
    """Restore into a scratch database and media dir, compare with the manifest; return problems."""
    base = connections[alias].settings_dict
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="zt-verify-") as tmp:
        work = Path(tmp)
        scratch = _scratch_settings(base, work)
        try:
            manifest = restore_backup(archive, scratch, work / "media")
            connections.databases[SCRATCH] = scratch
            try:
                _progress("核对各表 comparing tables")
                actual = table_checksums(SCRATCH)
            finally:
                connections[SCRATCH].close()
                del connections.databases[SCRATCH]
            for table, expected in sorted(manifest["tables"].items()):
                got = actual.get(table)
                if got is None:
                    problems.append(f"缺少数据表 {table}")
                elif got != expected:
                    problems.append(
                        f"数据表 {table} 不一致:应有 {expected['rows']} 行,恢复后 {got['rows']} 行"
                    )
            files = media_checksums(work / "media")
            for name, digest in sorted(manifest["files"].items()):
                if files.get(name) != digest:
                    problems.append(f"文件 {name} 缺失或内容不一致")
            _progress("校验恢复后的审计链 checking the audit chain")
            env = {
                **os.environ,
                "DATABASE_URL": _database_url(scratch),
                "MEDIA_ROOT": str(work / "media"),
            }
            manage = Path(__file__).resolve().parents[2] / "manage.py"
            done = subprocess.run(
                [sys.executable, str(manage), "audit_verify", "--no-checkpoint"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                problems.append(
                    "恢复后的审计链校验未通过:" + (done.stderr or done.stdout).strip()[:500]
                )
        finally:
            _drop_scratch(scratch)
    return problems
