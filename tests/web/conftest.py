from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import partycare

CATALOGUE = Path(partycare.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session")
def english_catalogue() -> Path:
    """The compiled English catalogue. `make bootstrap` compiles it; a bare `pytest` run compiles it here if stale."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            pytest.fail("msgfmt (Debian package gettext) is needed to compile the English catalogue")
        # Written aside and renamed, so parallel workers never read a half-written catalogue.
        fd, tmp = tempfile.mkstemp(dir=compiled.parent, suffix=".mo")
        os.close(fd)
        subprocess.run(["msgfmt", "--check-format", "-o", tmp, str(CATALOGUE)], check=True)
        os.replace(tmp, compiled)
    return compiled
