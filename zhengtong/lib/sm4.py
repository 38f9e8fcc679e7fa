"""SM4 (GB/T 32907-2016) authenticated encryption and HMAC-SM3: the one door for both.

``seal`` encrypts with SM4 in GCM mode (authenticated: a changed byte fails to open) under a
16-byte key; the blob is ``version (1 byte) | nonce (12) | ciphertext | tag (16)``. ``aad`` binds
the blob to its context (a table and column, an archive name) so that a ciphertext moved
elsewhere does not open. ``hmac_sm3`` is the keyed hash (GB/T 32905-2016) for blind indexes
and integrity checks. Key management — where keys come from, how they are wrapped and
rotated — lives with the callers; this module only turns bytes into bytes.
"""

from __future__ import annotations

import hmac as _hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
VERSION = 1


class SealError(ValueError):
    """The blob is not ours, was changed, or the key is wrong."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"SM4 key must be {KEY_BYTES} bytes, got {len(key)}")


def seal(key: bytes, data: bytes, aad: bytes = b"") -> bytes:
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(data) + encryptor.finalize()
    return bytes([VERSION]) + nonce + body + encryptor.tag


def open_sealed(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    _check_key(key)
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != VERSION:
        raise SealError("not an SM4 sealed blob")
    nonce = blob[1 : 1 + NONCE_BYTES]
    tag = blob[-TAG_BYTES:]
    body = blob[1 + NONCE_BYTES : -TAG_BYTES]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise SealError("SM4 blob failed authentication (wrong key or changed data)") from exc


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = _crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def same_digest(a: bytes, b: bytes) -> bool:
    return _hmac.compare_digest(a, b)
