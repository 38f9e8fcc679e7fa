"""How an audit row is sealed: HMAC-SM3 over a canonical form of every column, chained.

GB/T 39786-2021 asks for the integrity of audit records to be protected with a commercial
cryptographic algorithm; SM3 (GB/T 32905) is the hash, HMAC (GB/T 15852.2) makes it keyed.
The key is never in the database, so a person who can write SQL cannot recompute the chain.

Canonical form of one row (version ``zt-audit-v2``), the bytes the HMAC is taken over::

    b"zt-audit-v2\\n" + UTF-8 JSON of {field: value for field in HASHED_FIELDS}

with keys sorted, no whitespace (``separators=(",", ":")``), non-ASCII kept as is, and values
written so that SQLite and PostgreSQL give the same text:

- ``id``, ``actor_id``, ``org_unit_id``: integer or null; the id is sealed so a row cannot be
  moved to another position of the chain.
- ``created_at``: UTC, microseconds, ``2026-12-01T08:30:00.123456Z`` (both databases keep
  microseconds; a naive datetime is refused).
- ``ip``: null, or the address as Django stores it (IPv4 dotted, IPv6 compressed).
- ``changes``: the JSON value after a round trip through the field's encoder (a Decimal becomes
  the string Django stores), object keys sorted, a float with no fraction written as an integer
  (PostgreSQL's jsonb keeps numbers as numeric and gives 1e16 back as an integer).
- every other column: its text as stored; null stays null and is not the same as "".
- ``prev_hash``: the hash of the row before (``""`` for the first row), which makes it a chain.

``hash = HMAC-SM3(key[key_id], canonical)`` as 64 lowercase hex digits. Adding a column to
Event means adding it here under a new version, so rows sealed before keep verifying.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.ipv6 import clean_ipv6_address

SCHEME = "zt-audit-v2"
DIGEST = "sm3"
# Every concrete column of audit.Event except `hash` itself (a test keeps this list complete).
HASHED_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "ip",
    "channel",
    "request_id",
    "kind",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "org_unit_id",
    "changes",
    "reason",
    "key_id",
    "prev_hash",
)
# A public read waiting to enter the chain (audit.PendingEvent) is MACed on insert over the same
# canonical form, under its own label, with every column except `mac` itself: its id (so a row
# cannot be copied under another id unseen), and no chain link (it has no place in the chain
# yet). Sealing it gives an ordinary chain row; the pending MAC is checked first.
PENDING_SCHEME = "zt-audit-pending-v1"
# The columns a pending row carries over into its chain row unchanged.
CARRIED_FIELDS = (
    "created_at",
    "actor_label",
    "ip",
    "channel",
    "request_id",
    "kind",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "org_unit_id",
    "changes",
    "reason",
)
# The MAC covers these in this order: changing either tuple needs a new PENDING_SCHEME.
PENDING_FIELDS = ("id", *CARRIED_FIELDS, "key_id")
MIN_KEY_BYTES = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
DEV_KEY_LABEL = b"zhengtong audit chain development key, never for production"


def sm3_available() -> bool:
    try:
        hashlib.new(DIGEST)
    except ValueError:
        return False
    return True


SM3_MISSING = (
    "本机 Python 所用的 OpenSSL 不支持 SM3 杂凑算法,审计链无法封存。请安装带 SM3 的 OpenSSL"
    "(1.1.1 及以上的默认构建即有)。/ The OpenSSL build Python uses lacks the SM3 hash, so the "
    "audit chain cannot be sealed: install an OpenSSL build with SM3 (any default build of "
    "1.1.1 or later has it)."
)


def require_sm3() -> None:
    if not sm3_available():
        raise ImproperlyConfigured(SM3_MISSING)


# ---------------------------------------------------------------------------------------------
# Canonical form


def _canonical_number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical_json(value):
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return _canonical_number(value)


def canonical_changes(value):
    """The JSON value as the database gives it back, in a form both databases agree on."""
    stored = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return _canonical_json(stored)


def canonical_ip(value):
    if value in (None, ""):
        return None
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return str(value)
    if address.version == 4:
        return str(address)
    return clean_ipv6_address(str(address))


def canonical_datetime(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("审计时间必须带时区。")
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(event, *, fields=HASHED_FIELDS, scheme=SCHEME) -> bytes:
    """The bytes sealed for `event` (an Event, or a historical Event in a migration)."""
    values = {}
    for name in fields:
        value = getattr(event, name)
        if name == "created_at":
            value = canonical_datetime(value)
        elif name == "ip":
            value = canonical_ip(value)
        elif name == "changes":
            value = canonical_changes(value)
        values[name] = value
    text = json.dumps(
        values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return f"{scheme}\n{text}".encode()


def seal(event, key: bytes) -> str:
    return hmac.new(key, canonical_bytes(event), DIGEST).hexdigest()


def mac_pending(pending, key: bytes) -> str:
    """The MAC of a pending public-read row (audit.PendingEvent), taken when it is inserted."""
    data = canonical_bytes(pending, fields=PENDING_FIELDS, scheme=PENDING_SCHEME)
    return hmac.new(key, data, DIGEST).hexdigest()


def sign(key: bytes, label: str, payload: dict) -> str:
    """HMAC-SM3 of a small JSON document (checkpoints), under its own label."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{label}\n{text}".encode(), DIGEST).hexdigest()


# ---------------------------------------------------------------------------------------------
# Keys


class AuditKeyError(ImproperlyConfigured):
    """The audit key configuration is missing or wrong; the message is Chinese, then English."""


def key_fingerprint(key: bytes) -> str:
    """A short public name for a key: it names the key on each row without revealing it."""
    return "k" + hmac.new(key, b"zhengtong audit key id", DIGEST).hexdigest()[:12]


def parse_key(text: str, source: str) -> bytes:
    """Key material written as hex (64+ hex digits) or base64."""
    text = text.strip()
    try:
        if re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
            raw = bytes.fromhex(text)
        else:
            raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise AuditKeyError(
            f"{source} 不是十六进制或 base64 编码的密钥。/ {source} is not a hex or base64 key."
        ) from None
    if len(raw) < MIN_KEY_BYTES:
        raise AuditKeyError(
            f"{source} 太短:至少需要 {MIN_KEY_BYTES} 字节(256 位),现为 {len(raw)} 字节。"
            f"/ {source} is too short: at least {MIN_KEY_BYTES} bytes, got {len(raw)}."
        )
    return raw


def _parse_entry(entry: str, source: str) -> tuple[str, bytes]:
    """`id:material` or `material` (the id is then the key's fingerprint)."""
    key_id, sep, material = entry.strip().rpartition(":")
    if not sep:
        material = key_id
        key_id = ""
    key = parse_key(material, source)
    key_id = key_id.strip() or key_fingerprint(key)
    if not KEY_ID_RE.match(key_id):
        raise AuditKeyError(
            f"{source} 的密钥编号「{key_id}」只能由字母、数字、点、横线和下划线组成(至多 40 个)。"
            f"/ The key id in {source} may use letters, digits, '.', '-', '_' (at most 40)."
        )
    return key_id, key


def _read_file(path: str, source: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        raise AuditKeyError(
            f"{source} 指向的文件 {path} 无法读取。/ Cannot read {source} {path}."
        ) from None


@dataclass(frozen=True)
class Keyring:
    """The key new rows are sealed with, and every key old rows may have been sealed with."""

    current_id: str
    keys: dict[str, bytes] = field(repr=False)
    is_dev: bool = False

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


NO_KEY = (
    "未配置审计链密钥:DEBUG=False 时必须设置 AUDIT_HMAC_KEY(十六进制或 base64,至少 32 字节)"
    "或 AUDIT_HMAC_KEY_FILE(密钥文件路径);可用 `python manage.py audit_key generate` 生成。"
    "仅在开发、演示或测试环境可设 AUDIT_HMAC_DEV_KEY=True 使用由 SECRET_KEY 派生的开发密钥。"
    " / The audit chain key is not configured: with DEBUG=False set AUDIT_HMAC_KEY (hex or "
    "base64, at least 32 bytes) or AUDIT_HMAC_KEY_FILE; `python manage.py audit_key generate` "
    "makes one. Only for development, demos and tests may AUDIT_HMAC_DEV_KEY=True allow a key "
    "derived from SECRET_KEY."
)


def dev_key_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "AUDIT_HMAC_DEV_KEY", False))


def dev_key() -> tuple[str, bytes]:
    key = hmac.new(settings.SECRET_KEY.encode(), DEV_KEY_LABEL, DIGEST).digest()
    return "dev-" + key_fingerprint(key)[1:9], key


def load_keyring() -> Keyring:
    """Read the keys from the settings; raise AuditKeyError with a bilingual message."""
    require_sm3()
    keys: dict[str, bytes] = {}

    def add(key_id: str, key: bytes, source: str) -> None:
        if key_id in keys and keys[key_id] != key:
            raise AuditKeyError(
                f"密钥编号「{key_id}」在 {source} 中对应了另一把密钥。"
                f"/ Key id {key_id!r} names two different keys ({source})."
            )
        keys[key_id] = key

    material = getattr(settings, "AUDIT_HMAC_KEY", "")
    source = "AUDIT_HMAC_KEY"
    key_file: str = getattr(settings, "AUDIT_HMAC_KEY_FILE", "")
    if not material and key_file:
        source = "AUDIT_HMAC_KEY_FILE"
        material = _read_file(key_file, source)
    is_dev = False
    if material:
        current = parse_key(material, source)
        current_id = getattr(settings, "AUDIT_HMAC_KEY_ID", "") or key_fingerprint(current)
        if not KEY_ID_RE.match(current_id):
            raise AuditKeyError(
                f"AUDIT_HMAC_KEY_ID「{current_id}」只能由字母、数字、点、横线和下划线组成。"
                "/ AUDIT_HMAC_KEY_ID may use letters, digits, '.', '-', '_' only."
            )
    elif dev_key_allowed():
        current_id, current = dev_key()
        is_dev = True
    else:
        raise AuditKeyError(NO_KEY)
    add(current_id, current, source)

    old = getattr(settings, "AUDIT_HMAC_OLD_KEYS", "")
    for entry in re.split(r"[,\s]+", old.strip()) if old.strip() else []:
        add(*_parse_entry(entry, "AUDIT_HMAC_OLD_KEYS"), "AUDIT_HMAC_OLD_KEYS")
    if path := getattr(settings, "AUDIT_HMAC_KEYS_FILE", ""):
        for line in _read_file(path, "AUDIT_HMAC_KEYS_FILE").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                add(*_parse_entry(line, "AUDIT_HMAC_KEYS_FILE"), "AUDIT_HMAC_KEYS_FILE")
    return Keyring(current_id=current_id, keys=keys, is_dev=is_dev)


_cache: dict[str, Keyring] = {}


def get_keyring() -> Keyring:
    if "ring" not in _cache:
        _cache["ring"] = load_keyring()
    return _cache["ring"]


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs) -> None:
    if setting.startswith("AUDIT_HMAC") or setting in ("SECRET_KEY", "DEBUG"):
        _cache.clear()


def new_key_hex() -> str:
    return secrets.token_hex(MIN_KEY_BYTES)
