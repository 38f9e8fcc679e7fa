"""The SM4/SM3 door: the standard's test vectors, round trips, and refusal of changed data."""

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from zhengtong.lib import sm4


def test_sm4_block_matches_the_standard_example():
    # GB/T 32907-2016, Appendix A.1: one block, key = plaintext.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (
        encryptor.update(key) + encryptor.finalize()
    ).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_matches_the_standard_example():
    # GB/T 32905-2016, Appendix A.1: SM3("abc").
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert (
        digest.finalize().hex()
        == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_seal_round_trip_and_fresh_nonce():
    key = sm4.new_key()
    a = sm4.seal(key, b"370102199003071234", aad=b"people.person.id_number")
    b = sm4.seal(key, b"370102199003071234", aad=b"people.person.id_number")
    assert a != b
    assert sm4.open_sealed(key, a, aad=b"people.person.id_number") == b"370102199003071234"


@pytest.mark.parametrize("change", ["key", "aad", "byte"])
def test_a_changed_blob_key_or_context_does_not_open(change):
    key = sm4.new_key()
    blob = sm4.seal(key, b"13800138000", aad=b"phone")
    if change == "key":
        key = sm4.new_key()
    aad = b"other" if change == "aad" else b"phone"
    if change == "byte":
        blob = blob[:20] + bytes([blob[20] ^ 1]) + blob[21:]
    with pytest.raises(sm4.SealError):
        sm4.open_sealed(key, blob, aad=aad)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        sm4.seal(b"short", b"x")


def test_hmac_sm3_is_keyed():
    assert sm4.hmac_sm3(b"k1", b"x") != sm4.hmac_sm3(b"k2", b"x")
    assert len(sm4.hmac_sm3(b"k1", b"x")) == 32
