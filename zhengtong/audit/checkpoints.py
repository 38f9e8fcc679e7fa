"""Signed checkpoints of the audit chain, kept outside the database.

A chain can only prove that its rows belong together; deleting the newest rows leaves a shorter
chain that is still intact. A checkpoint remembers, outside the events table, how far the chain
reached: the id and hash of its newest row and the number of rows up to it, signed with
HMAC-SM3 under the current audit key. `audit_verify` checks the chain against every checkpoint.

Each checkpoint is one JSON line appended to ``AUDIT_CHECKPOINT_DIR/checkpoints.jsonl`` (the
file is fsynced) and written to the log (logger ``zhengtong.audit.checkpoint``), so a copy lives
wherever the log is shipped. A line::

    {"count": 120, "created_at": "2026-12-01T08:30:00.123456Z", "event_id": 120,
     "hash": "…64 hex…", "key_id": "k1a2b3c4d5e6f", "signature": "…64 hex…", "v": 1}

``signature = HMAC-SM3(key[key_id], "zt-audit-checkpoint-v1\\n" + the other fields as sorted,
compact JSON)``.
"""

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .sealing import canonical_datetime, get_keyring, sign

LABEL = "zt-audit-checkpoint-v1"
FILENAME = "checkpoints.jsonl"
logger = logging.getLogger("zhengtong.audit.checkpoint")


class CheckpointError(Exception):
    """A checkpoint could not be written; the message is Chinese."""


@dataclass(frozen=True)
class Checkpoint:
    line: int
    event_id: int
    hash: str
    count: int
    created_at: str
    key_id: str


@dataclass(frozen=True)
class BadLine:
    line: int
    message: str


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILENAME


def write_checkpoint(*, event_id: int, hash: str, count: int) -> dict:
    """Append one signed checkpoint to the file and the log; return what was written."""
    ring = get_keyring()
    payload = {
        "v": 1,
        "event_id": event_id,
        "hash": hash,
        "count": count,
        "created_at": canonical_datetime(timezone.now()),
        "key_id": ring.current_id,
    }
    record = {**payload, "signature": sign(ring.current, LABEL, payload)}
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path = checkpoint_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        raise CheckpointError(
            f"审计检查点无法写入 {path}。请检查 AUDIT_CHECKPOINT_DIR 的权限。"
        ) from None
    logger.info("审计检查点 audit checkpoint %s", line)
    return record


def read_checkpoints() -> tuple[list[Checkpoint], list[BadLine]]:
    """Every checkpoint in the file whose signature holds, and the lines that do not."""
    path = checkpoint_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except OSError:
        raise CheckpointError(
            f"审计检查点文件 {path} 无法读取。请检查 AUDIT_CHECKPOINT_DIR。"
        ) from None
    ring = get_keyring()
    good, bad = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            signature = record.pop("signature")
            cp = Checkpoint(
                line=number,
                event_id=int(record["event_id"]),
                hash=str(record["hash"]),
                count=int(record["count"]),
                created_at=str(record["created_at"]),
                key_id=str(record["key_id"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            bad.append(
                BadLine(number, f"检查点文件第 {number} 行无法解析:检查点文件被改动或损坏。")
            )
            continue
        key = ring.get(cp.key_id)
        if key is None:
            bad.append(
                BadLine(
                    number,
                    f"检查点文件第 {number} 行的密钥编号「{cp.key_id}」不在密钥环中,无法核对其签名。",
                )
            )
        elif signature != sign(key, LABEL, record):
            bad.append(BadLine(number, f"检查点文件第 {number} 行的签名无效:检查点被改动。"))
        else:
            good.append(cp)
    return good, bad
