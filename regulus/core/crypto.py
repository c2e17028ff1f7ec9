"""国密 primitives: SM3 hashes, HMAC-SM3, and SM4 encryption of sensitive personal fields.

Fields hold `base64(iv || SM4-CBC(PKCS7(value)))`; exact lookups go through a keyed SM3 hash
(HMAC-SM3) stored beside them, so an ID number can be found without being decryptable from
the index.
"""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import models


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _key() -> bytes:
    return bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


@dataclass(frozen=True)
class MacKey:
    """An HMAC-SM3 key and its public name: `id` (a fingerprint of the key) says which key
    signed something without revealing the key."""

    secret: bytes
    id: str

    def sign(self, data: bytes) -> str:
        return hmac_sm3_hex(self.secret, data)


@functools.cache
def mac_key(hex_secret: str) -> MacKey:
    secret = bytes.fromhex(hex_secret)
    return MacKey(secret=secret, id=hmac_sm3_hex(secret, b"regulus key id")[:16])


def keyed_hash(value: str) -> str:
    """HMAC-SM3 of a value under the field key: the lookup column of an encrypted field."""
    return hmac_sm3_hex(_key(), value.encode())


def sm4_encrypt(plain: str) -> str:
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(_key()), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


def sm4_decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    iv, body = raw[:16], raw[16:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.CBC(iv)).decryptor()
    data = decryptor.update(body) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


ENCRYPTED_PREFIX = "sm4:"


class EncryptedTextField(models.TextField):
    """A text field stored SM4-encrypted. Pair it with a `CharField(max_length=64)` filled by
    `keyed_hash(value)` for exact lookups (the service that writes the row fills both)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return ENCRYPTED_PREFIX + sm4_encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or not str(value).startswith(ENCRYPTED_PREFIX):
            return value
        return sm4_decrypt(str(value)[len(ENCRYPTED_PREFIX) :])

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
            return sm4_decrypt(value[len(ENCRYPTED_PREFIX) :])
        return value
