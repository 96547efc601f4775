"""Encryption of sensitive fields and keyed hashes for searching them by exact value."""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong or rotated-away key must be loud, never silently empty
        raise ValueError("encrypted value cannot be decrypted with the configured keys") from exc


def blind_index(value: str) -> str:
    """Deterministic keyed hash: equal inputs match, but the hash reveals nothing without the key."""
    normalised = value.strip().upper()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def reset_cache() -> None:
    _fernet.cache_clear()
