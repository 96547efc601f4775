"""Settings for the test suite: fixed keys, a throwaway data dir, fast hashing, tasks run inline."""

import atexit
import os
import shutil
import tempfile

if "PARTYCARE_DATA_DIR" not in os.environ:
    _scratch = tempfile.mkdtemp(prefix="partycare-test-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["PARTYCARE_DATA_DIR"] = _scratch
os.environ.setdefault("PARTYCARE_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
# A fixed Fernet key so failures are reproducible; never used outside tests.
os.environ.setdefault("PARTYCARE_FIELD_KEYS", "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy0wMDA=")
os.environ.setdefault("PARTYCARE_INDEX_KEY", "test-index-key")
os.environ.setdefault("PARTYCARE_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from partycare.settings import *  # noqa: F403
from partycare.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

# Argon2 is the production hasher (asserted in tests through PRODUCTION_PASSWORD_HASHERS); MD5 keeps tests fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "partycare.obligations.sms.LocmemSmsBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
