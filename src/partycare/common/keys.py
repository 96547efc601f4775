"""Key material for an embedded install: created once under the data directory, then reused.

Production sets the keys through the environment instead; this only keeps a laptop install working offline.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, *, kind: str) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(os.urandom(32)).decode() if kind == "fernet" else secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
