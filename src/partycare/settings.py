"""Django settings for partycare.

Everything deployment-specific comes from the environment (PARTYCARE_* and DATABASE_URL); the defaults give an
embedded SQLite install under ./var that works offline on a branch-office laptop.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from partycare.common.keys import load_or_create_key

SRC_DIR = Path(__file__).resolve().parent
REPO_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(os.environ.get("PARTYCARE_DATA_DIR", REPO_DIR / "var")).resolve()


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("PARTYCARE_DEBUG", False)
SECRET_KEY = os.environ.get("PARTYCARE_SECRET_KEY") or load_or_create_key(DATA_DIR / "secret.key", kind="django")
# Sensitive fields (ID numbers, phones, talk notes) are encrypted with keys of their own, never SECRET_KEY, so a
# leaked session key does not expose them. The first key encrypts; all keys decrypt (rotation).
FIELD_ENCRYPTION_KEYS = [
    k.strip()
    for k in (
        os.environ.get("PARTYCARE_FIELD_KEYS") or load_or_create_key(DATA_DIR / "field.keys", kind="fernet")
    ).split(",")
    if k.strip()
]
# Keyed hash for exact-match search on encrypted values (blind index).
BLIND_INDEX_KEY = os.environ.get("PARTYCARE_INDEX_KEY") or load_or_create_key(DATA_DIR / "index.key", kind="django")

ALLOWED_HOSTS = [h for h in os.environ.get("PARTYCARE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PARTYCARE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "partycare.common",
    "partycare.audit",
    "partycare.accounts",
    "partycare.orgs",
    "partycare.members",
    "partycare.policy",
    "partycare.care",
    "partycare.obligations",
    "partycare.web",
    "partycare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partycare.urls"
WSGI_APPLICATION = "partycare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partycare.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'partycare.sqlite3'}",
        conn_max_age=int(os.environ.get("PARTYCARE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling: 5 failures per username+IP lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("PARTYCARE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end libraries come from the npm registry (package-lock.json); only their dist folders are served.
NODE_MODULES = REPO_DIR / "node_modules"
STATICFILES_DIRS = [
    (f"vendor/{name}", NODE_MODULES / package / dist)
    for name, package, dist in [
        ("htmx", "htmx.org", "dist"),
        ("bootstrap", "bootstrap", "dist"),
        ("bootstrap-icons", "bootstrap-icons", "font"),
    ]
    if (NODE_MODULES / package / dist).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "partycare.api.errors.structured_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "partycare API",
    "DESCRIPTION": "党内激励关怀帮扶 API; every answer is limited to the caller scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets are served from the installed sidecar package: offline installs have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background work: the database backend needs nothing else; set PARTYCARE_REDIS_URL to move the queue to RQ on Redis
# when one machine is not enough (run `partycare worker` on as many machines as needed).
REDIS_URL = os.environ.get("PARTYCARE_REDIS_URL", "")
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "PARTYCARE_TASK_BACKEND", "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

EMAIL_BACKEND = os.environ.get("PARTYCARE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PARTYCARE_FROM_EMAIL", "partycare@localhost")
SMS_BACKEND = os.environ.get("PARTYCARE_SMS_BACKEND", "partycare.obligations.sms.ConsoleSmsBackend")
# The daily sweep is enqueued by the worker once the business day has begun (Asia/Shanghai).
DAILY_SWEEP_HOUR = int(os.environ.get("PARTYCARE_DAILY_SWEEP_HOUR", "1"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("PARTYCARE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARTYCARE_LOG_LEVEL", "WARNING")},
}
