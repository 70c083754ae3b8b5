"""Personal data encrypted at rest: AES-256-GCM tokens and keyed digests for lookups by equality.

A token is `x1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The key id (8 hex digits of a hash of the key) says
which key wrote the row, so rotation can read rows under the previous key and a row under an unknown key fails
with a clear message instead of returning garbage.

Digests are HMAC-SHA256 under a key derived from the current data key (HKDF), so there is one secret to keep;
rotation re-encrypts every row and recomputes its digests in the same write.

The bench measures intake with and without encryption by swapping `encrypt`/`decrypt` for the identity
(`plaintext_for_benchmark`); the model fields call them through this module so the swap reaches them.
"""

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "x1"
NONCE_BYTES = 12
KEY_BYTES = 32


class DataKeyError(RuntimeError):
    """The data key is missing or malformed, or a row was written under a key this installation does not hold."""


@dataclass(frozen=True)
class Keyring:
    current: bytes
    previous: tuple[bytes, ...] = ()

    def by_id(self, kid: str) -> bytes | None:
        return next((key for key in (self.current, *self.previous) if key_id(key) == kid), None)


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"xiuhua data key id\x00" + key).hexdigest()[:8]


def parse_key(text: str, source: str) -> bytes:
    """A key as configured: base64 of 32 random bytes (`openssl rand -base64 32`)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise DataKeyError(f"{source} 不是 base64 编码的密钥") from exc
    if len(key) != KEY_BYTES:
        raise DataKeyError(f"{source} 应为 32 字节密钥的 base64（当前 {len(key)} 字节）")
    return key


def new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


@cache
def keyring() -> Keyring:
    from django.conf import settings

    current = parse_key(settings.XIUHUA_DATA_KEY, "XIUHUA_DATA_KEY")
    previous = tuple(
        parse_key(text, "XIUHUA_DATA_KEY_PREVIOUS") for text in settings.XIUHUA_DATA_KEY_PREVIOUS.split(",") if text
    )
    return Keyring(current, previous)


@cache
def _digest_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"xiuhua lookup digest v1")
    return hkdf.derive(keyring().current)


def forget_keys() -> None:
    """Drop the cached keys (after the settings changed: rotation, tests)."""
    keyring.cache_clear()
    _digest_key.cache_clear()


def is_token(value: str) -> bool:
    return value.startswith(PREFIX + ":") and value.count(":") == 2


def encrypt(plain: str) -> str:
    key = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), None)
    return f"{PREFIX}:{key_id(key)}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    if not is_token(token):
        raise DataKeyError("数据库中的个人信息不是加密格式：请先运行 `xiuhua migrate`（迁移会加密已有数据）")
    _, kid, body = token.split(":")
    key = keyring().by_id(kid)
    if key is None:
        raise DataKeyError(
            f"个人信息由密钥 {kid} 加密，而当前配置的密钥是 {key_id(keyring().current)}："
            "请设置正确的 XIUHUA_DATA_KEY，轮换期间把旧密钥放在 XIUHUA_DATA_KEY_PREVIOUS"
        )
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag as exc:
        raise DataKeyError(f"个人信息密文已损坏或被篡改（密钥 {kid}）") from exc


def normalise_phone(phone: str) -> str:
    """Digits only, without the +86/0086 country prefix: «+86 138-1234-5678» is «13812345678»."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def keyed_digest(text: str) -> str:
    """The keyed HMAC-SHA256 lookup key of a text (under the key derived from the current data key)."""
    return hmac.new(_digest_key(), text.encode(), hashlib.sha256).hexdigest()


def phone_digest(phone: str) -> str:
    """The lookup key of a phone number; "" for no number (so blanks never count as the same caller)."""
    digits = normalise_phone(phone)
    if not digits:
        return ""
    return keyed_digest(digits)


@contextmanager
def plaintext_for_benchmark() -> Iterator[None]:
    """Store personal data unencrypted for the duration (bench only: measures what encryption costs)."""
    global encrypt, decrypt
    saved = encrypt, decrypt
    encrypt = decrypt = _identity
    try:
        yield
    finally:
        encrypt, decrypt = saved


def _identity(value: str) -> str:
    return value
