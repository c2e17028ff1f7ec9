"""Settings, read from the environment once, failing loudly on a bad value.

Every knob a deployment turns is an environment variable (see docs/configuration.md);
nothing here reads a file or a database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("REGULUS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


DEBUG = env_bool("REGULUS_DEBUG", False)
# The test runner needs no production secrets; pytest is detected so that a bare `pytest` works.
TESTING = env_bool("REGULUS_TESTING", "pytest" in sys.modules)

# A development key is allowed only while DEBUG or testing; production must set its own.
_DEV_SECRET = "regulus-dev-only-secret-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("REGULUS_SECRET_KEY") or ""
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("REGULUS_SECRET_KEY must be set when REGULUS_DEBUG is off")
    SECRET_KEY = _DEV_SECRET

# SM4 key (32 hex characters) for encrypted personal fields, and the key of their lookup hash.
FIELD_ENCRYPTION_KEY = os.environ.get("REGULUS_FIELD_KEY") or ""
if not FIELD_ENCRYPTION_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("REGULUS_FIELD_KEY (32 hex characters) must be set")
    FIELD_ENCRYPTION_KEY = "0123456789abcdef0123456789abcdef"
if len(FIELD_ENCRYPTION_KEY) != 32:
    raise ImproperlyConfigured("REGULUS_FIELD_KEY must be 32 hex characters (an SM4 key)")
try:
    bytes.fromhex(FIELD_ENCRYPTION_KEY)
except ValueError as exc:
    raise ImproperlyConfigured("REGULUS_FIELD_KEY must be hexadecimal") from exc

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("REGULUS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("REGULUS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "regulus.core",
    "regulus.registry",
    "regulus.licensing",
    "regulus.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "regulus.core.middleware.RequestContextMiddleware",
    "regulus.core.middleware.ApiErrorShapeMiddleware",
    "regulus.core.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regulus.urls"
WSGI_APPLICATION = "regulus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "regulus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regulus.core.context_processors.shell",
            ],
        },
    }
]

# Database: DATABASE_URL, default an SQLite file under var/ in WAL mode.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'regulus.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        conn_max_age=env_int("REGULUS_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY;PRAGMA mmap_size=1073741824"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "regulus.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# 等保 2.0: lock an account after 5 failed logins for 15 minutes; 30 minutes idle logs out.
AXES_FAILURE_LIMIT = env_int("REGULUS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("REGULUS_LOGIN_COOLOFF_MINUTES", 15) / 60
# Lock the account, not the address: a district office sits behind one NAT address, and
# locking it would shut out every colleague because one mistyped a password.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
SESSION_COOKIE_AGE = env_int("REGULUS_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("REGULUS_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere: every script is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# The UI is Chinese whatever the browser asks for: no LocaleMiddleware.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "regulus" / "static"]
MEDIA_ROOT = Path(os.environ.get("REGULUS_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "regulus_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "REGULUS_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Uploads: the limit of one attachment, in megabytes (licensing materials, imports).
UPLOAD_MAX_MB = env_int("REGULUS_UPLOAD_MAX_MB", 20)
# SQLite: the page cache of the connection that runs an entity import, in megabytes
# (registry.importing: the random B-tree inserts into a big table need it; memory is bounded
# by this, not by the file's size).
IMPORT_CACHE_MB = env_int("REGULUS_IMPORT_CACHE_MB", 128)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The public portal's own address, printed in certificate QR codes.
PORTAL_BASE_URL = os.environ.get("REGULUS_PORTAL_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("REGULUS_LOG_LEVEL", "WARNING")},
}
