"""Where the master key comes from, and the data keys it unwraps.

The master key (16 bytes, SM4) is never in the database:

- ``DATA_MASTER_KEY``: the key in hex (32 hex digits), or
- ``DATA_MASTER_KEY_FILE``: a file holding it in hex (kept off the database host's backups);
- ``DATA_KEY_PROVIDER``: the dotted path of a class whose instances ``wrap`` and ``unwrap`` data
  keys elsewhere (a KMS or an HSM); it replaces the two settings above.
- Neither, with ``AUDIT_HMAC_DEV_KEY=True`` or ``DEBUG=True``: a development master key derived
  from ``SECRET_KEY``, as the audit chain's development key is. ``check --deploy`` refuses it.

A data key is wrapped with ``aad = b"datakey:<purpose>:<version>"``, so a wrapped key copied to
another row does not unwrap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, transaction
from django.utils.module_loading import import_string

from zhengtong.lib import sm4

DEV_KEY_LABEL = b"zhengtong data master key for development, never for production"
# A change of any of these (tests) forgets the provider and the unwrapped keys.
SETTINGS = (
    "DATA_MASTER_KEY",
    "DATA_MASTER_KEY_FILE",
    "DATA_KEY_PROVIDER",
    "SECRET_KEY",
    "DEBUG",
    "AUDIT_HMAC_DEV_KEY",
)


class DataKeyError(RuntimeError):
    """The master key is missing or wrong, or a data key cannot be unwrapped."""


class MissingDataKey(DataKeyError):
    """No stored data key of that purpose and version."""


class KeyProvider(Protocol):
    key_id: str
    is_dev: bool

    def wrap(self, key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, blob: bytes, aad: bytes) -> bytes: ...


NO_KEY = (
    "未配置数据主密钥:DEBUG=False 时必须设置 DATA_MASTER_KEY(32 位十六进制)或 "
    "DATA_MASTER_KEY_FILE(密钥文件路径),或用 DATA_KEY_PROVIDER 接入密钥管理系统;"
    '可用 `python -c "import secrets; print(secrets.token_hex(16))"` 生成。'
    "仅在开发、演示或测试环境可设 AUDIT_HMAC_DEV_KEY=True 使用由 SECRET_KEY 派生的开发主密钥。"
    " / The data master key is not configured: set DATA_MASTER_KEY (32 hex digits) or "
    "DATA_MASTER_KEY_FILE, or DATA_KEY_PROVIDER for a KMS. Only for development, demos and "
    "tests may AUDIT_HMAC_DEV_KEY=True allow a master key derived from SECRET_KEY."
)


def fingerprint(key: bytes) -> str:
    return "sm4-" + sm4.hmac_sm3(key, b"zhengtong data master key fingerprint")[:6].hex()


class MasterKeyProvider:
    """Wraps data keys with SM4-GCM under a master key held by this process."""

    def __init__(self, key: bytes, *, is_dev: bool = False) -> None:
        self.key = key
        self.is_dev = is_dev
        self.key_id = ("dev-" if is_dev else "") + fingerprint(key)

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        return sm4.seal(self.key, key, aad)

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        return sm4.open_sealed(self.key, blob, aad)


def dev_key_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "AUDIT_HMAC_DEV_KEY", False))


def dev_master_key() -> bytes:
    return sm4.hmac_sm3(settings.SECRET_KEY.encode(), DEV_KEY_LABEL)[: sm4.KEY_BYTES]


def parse_master_key(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise DataKeyError(f"{source} 不是十六进制。/ {source} is not hexadecimal.") from None
    if len(key) != sm4.KEY_BYTES:
        raise DataKeyError(
            f"{source} 应为 {sm4.KEY_BYTES} 字节({sm4.KEY_BYTES * 2} 位十六进制),"
            f"实为 {len(key)} 字节。/ {source} must be {sm4.KEY_BYTES} bytes, got {len(key)}."
        )
    return key


def load_provider() -> KeyProvider:
    """Build the provider from the settings; raise DataKeyError with a bilingual message."""
    if path := getattr(settings, "DATA_KEY_PROVIDER", ""):
        try:
            return import_string(path)()
        except ImportError as exc:
            raise DataKeyError(
                f"DATA_KEY_PROVIDER「{path}」无法导入:{exc} / cannot import {path!r}."
            ) from exc
    if text := getattr(settings, "DATA_MASTER_KEY", ""):
        return MasterKeyProvider(parse_master_key(text, "DATA_MASTER_KEY"))
    if path := getattr(settings, "DATA_MASTER_KEY_FILE", ""):
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataKeyError(
                f"无法读取 DATA_MASTER_KEY_FILE「{path}」:{exc.__class__.__name__}。"
                f"/ Cannot read DATA_MASTER_KEY_FILE {path!r}."
            ) from exc
        return MasterKeyProvider(parse_master_key(text, "DATA_MASTER_KEY_FILE"))
    if dev_key_allowed():
        return MasterKeyProvider(dev_master_key(), is_dev=True)
    raise DataKeyError(NO_KEY)


# --- Data keys ------------------------------------------------------------------------------
# Unwrapped keys are kept per process. A key is cached only once its row is committed, so a
# rolled-back transaction (or test) never leaves a key behind that the database does not hold:
# a key this process made waits for its commit (`_pending`); a row read that this process did
# not make is another transaction's, already committed, and is cached at once (so a request
# that runs inside a transaction does not read the key table for every value).

_lock = threading.Lock()
_cache: dict[tuple[str, int], bytes] = {}
_current: dict[str, int] = {}
_pending: set[tuple[str, int]] = set()
# Keys this process made in a transaction still open: that transaction encrypts with them (it
# sees their rows). Live only while their commit callback is still queued on the connection,
# which a rollback (of the transaction or of the savepoint that made them) removes.
_made: dict[tuple[str, int], tuple[bytes, object]] = {}
_provider: KeyProvider | None = None


def clear_cache() -> None:
    global _provider
    with _lock:
        _cache.clear()
        _current.clear()
        _pending.clear()
        _made.clear()
        _provider = None


def provider() -> KeyProvider:
    global _provider
    if _provider is None:
        _provider = load_provider()
    return _provider


def _aad(purpose: str, version: int) -> bytes:
    return f"datakey:{purpose}:{version}".encode()


def _remember(purpose: str, version: int, key: bytes, *, current: bool, made: bool) -> None:
    def store() -> None:
        with _lock:
            _pending.discard((purpose, version))
            _made.pop((purpose, version), None)
            _cache[(purpose, version)] = key
            if current and version >= _current.get(purpose, 0):
                _current[purpose] = version

    if not connection.in_atomic_block:
        store()
    elif made:
        with _lock:
            _pending.add((purpose, version))
            _made[(purpose, version)] = (key, store)
        transaction.on_commit(store)
    elif (purpose, version) not in _pending:
        store()  # a committed row: not made by this process's open transaction


def _unwrap(row) -> bytes:
    prov = provider()
    try:
        return prov.unwrap(bytes(row.wrapped), _aad(row.purpose, row.version))
    except sm4.SealError as exc:
        raise DataKeyError(
            f"数据密钥「{row.purpose}」第 {row.version} 版无法解开:它由主密钥 "
            f"{row.master_key_id} 包裹,当前主密钥为 {prov.key_id}。请检查 DATA_MASTER_KEY / "
            f"DATA_MASTER_KEY_FILE 是否为加密这些数据时所用的那把。"
            f"/ Data key {row.purpose!r} version {row.version} does not unwrap: it was wrapped "
            f"by master key {row.master_key_id}, the configured one is {prov.key_id}."
        ) from exc


def _made_here(purpose: str) -> dict[int, bytes]:
    """The keys of ``purpose`` made by this thread's open transaction (see ``_made``)."""
    if not _made:
        return {}
    queued = {id(entry[1]) for entry in connection.run_on_commit}
    return {
        version: key
        for (p, version), (key, store) in list(_made.items())
        if p == purpose and id(store) in queued
    }


def get_key(purpose: str, version: int) -> bytes:
    """The data key of one version (to decrypt what it sealed)."""
    if (key := _cache.get((purpose, version))) is not None:
        return key
    if (key := _made_here(purpose).get(version)) is not None:
        return key
    from .models import DataKey

    row = DataKey.objects.filter(purpose=purpose, version=version).first()
    if row is None:
        raise MissingDataKey(
            f"找不到数据密钥「{purpose}」第 {version} 版。"
            f"/ Data key {purpose!r} version {version} is not in the database."
        )
    key = _unwrap(row)
    _remember(purpose, version, key, current=False, made=False)
    return key


def current_key(purpose: str) -> tuple[int, bytes]:
    """The newest version of a purpose's data key (made on first use) and the key."""
    if made := _made_here(purpose):
        newest = max(made)
        return newest, made[newest]
    version = _current.get(purpose)
    if version is not None and (key := _cache.get((purpose, version))) is not None:
        return version, key
    from .models import DataKey

    row = DataKey.objects.filter(purpose=purpose).order_by("-version").first()
    if row is None:
        return new_version(purpose)
    key = _unwrap(row)
    _remember(purpose, row.version, key, current=True, made=False)
    return row.version, key


def new_version(purpose: str) -> tuple[int, bytes]:
    """Make the next version of a purpose's key; it becomes the one that encrypts."""
    from .models import DataKey

    prov = provider()
    while True:
        last = DataKey.objects.filter(purpose=purpose).order_by("-version").first()
        version = last.version + 1 if last else 1
        key = sm4.new_key()
        try:
            with transaction.atomic():
                DataKey.objects.create(
                    purpose=purpose,
                    version=version,
                    wrapped=prov.wrap(key, _aad(purpose, version)),
                    master_key_id=prov.key_id,
                )
        except IntegrityError:
            continue  # another process made this version first: take the next one
        _remember(purpose, version, key, current=True, made=True)
        return version, key


def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in SETTINGS:
        clear_cache()


def connect_signals() -> None:
    setting_changed.connect(_on_setting_changed, dispatch_uid="datakeys-settings")
