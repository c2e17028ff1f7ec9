"""Settings, read from the environment once, failing loudly on a bad value.

Every knob a deployment turns is an environment variable (see docs/configuration.md);
nothing here reads a file or a database.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Any

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


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """A rate limit "COUNT/PERIOD": `10/h`, `120/m`, `30/15m` (30 per 15 minutes); `off`
    disables it. Returns (count, seconds), or None when off."""
    raw = (os.environ.get(name) or default).strip().lower()
    if raw == "off":
        return None
    count, _, period = raw.partition("/")
    multiple, unit = period[:-1], period[-1:]
    if (
        not count.isdigit()
        or int(count) < 1
        or unit not in RATE_UNITS
        or (multiple and (not multiple.isdigit() or int(multiple) < 1))
    ):
        raise ImproperlyConfigured(
            f"{name} must be COUNT/PERIOD such as 10/h, 120/m or 30/15m (units s, m, h, d), "
            f"or off, not {raw!r}"
        )
    return int(count), int(multiple or 1) * RATE_UNITS[unit]


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
elif not (DEBUG or TESTING) and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own rule for a strong key (check security.W009), enforced: a short or repetitive
    # key signs sessions and password-reset links that can be forged by guessing it.
    raise ImproperlyConfigured(
        "REGULUS_SECRET_KEY must be at least 50 characters with at least 5 different ones "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
elif SECRET_KEY == _DEV_SECRET and not (DEBUG or TESTING):
    raise ImproperlyConfigured("REGULUS_SECRET_KEY is the development key: set your own")

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

# HMAC-SM3 key of the operation log's chain (64 hex characters, core.audit): without it, whoever
# can write to the database can rewrite a row and rebuild every hash after it. Kept out of the
# database, like the field key; docs/audit-chain.md says where and why.
AUDIT_KEY = os.environ.get("REGULUS_AUDIT_KEY") or ""
if not AUDIT_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("REGULUS_AUDIT_KEY (64 hex characters) must be set")
    AUDIT_KEY = "a0d17c4a1b0e5f3e2d9c8b7a69584736251403f2e1d0c9b8a79685746352413f"
# Keys the chain was signed with before the current one (comma-separated): `verify_audit`
# needs them to check the rows written before a key change; new rows use AUDIT_KEY.
AUDIT_PREVIOUS_KEYS = [
    k.strip() for k in os.environ.get("REGULUS_AUDIT_PREVIOUS_KEYS", "").split(",") if k.strip()
]
for _name, _key in [("REGULUS_AUDIT_KEY", AUDIT_KEY)] + [
    ("REGULUS_AUDIT_PREVIOUS_KEYS", k) for k in AUDIT_PREVIOUS_KEYS
]:
    if len(_key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in _key):
        raise ImproperlyConfigured(f"{_name} must be 64 hex characters (a 256-bit HMAC-SM3 key)")
# The append-only file where `regulus tick` anchors the chain's head once a day, outside the
# database (core.audit; docs/audit-chain.md: keep it on another machine's log or WORM storage).
AUDIT_ANCHOR_FILE = Path(
    os.environ.get("REGULUS_AUDIT_ANCHOR_FILE") or VAR_DIR / "audit-anchors.txt"
)

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
    "regulus.inspections",
    "regulus.credit",
    "regulus.portal",
    "regulus.complaints",
    "regulus.enforcement",
    "regulus.equipment",
    "regulus.canteens",
]

# The first two wrap every answer, also those the others make: HX-Request in Vary (core.htmx),
# and the one shape of errors (core.middleware).
MIDDLEWARE = [
    "regulus.core.middleware.RequestIdMiddleware",
    "regulus.core.middleware.ReplicaReadsMiddleware",
    "regulus.core.middleware.HtmxCacheMiddleware",
    "regulus.core.middleware.ErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "regulus.core.middleware.RequestContextMiddleware",
    "regulus.core.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# A refused CSRF check: a Chinese page (the API answers its own, regulus.api).
CSRF_FAILURE_VIEW = "regulus.core.views.csrf_failure"

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
                "regulus.core.context_processors.public",
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
    PG_OPTIONS = DATABASES["default"].setdefault("OPTIONS", {})
    # The search index's pending list (registry migration 0009): every search that uses the
    # index reads all of it, so the application's own writes merge it into the index whenever
    # it passes 64 kB (PostgreSQL's least, ~200 entities); an import raises the limit for its
    # own transaction only.
    PG_OPTIONS["options"] = " ".join(
        [PG_OPTIONS.get("options", ""), "-c gin_pending_list_limit=64kB"]
    ).strip()
# A PostgreSQL streaming replica for the reads of GET requests (regulus.core.replica;
# docs/scale-out.md). Tests mirror it onto the primary.
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL,
        conn_max_age=env_int("REGULUS_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# After a write, the same client reads from the primary for this long (read-your-writes).
REPLICA_STICKY_SECONDS = env_int("REGULUS_REPLICA_STICKY_SECONDS", 15)
DATABASE_ROUTERS = ["regulus.core.replica.ReplicaRouter"]
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

# 等保 2.0: lock a login after 5 failures for 15 minutes; 30 minutes idle logs out.
# core.lockout: the 5 are per username and client address (locking the username alone let
# anyone lock anyone out; locking the address alone would shut out a district office behind
# one NAT address); a username's failures from all addresses together lock it everywhere at
# REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT, a guess spread over many addresses.
AXES_FAILURE_LIMIT = env_int("REGULUS_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = env_int("REGULUS_LOGIN_COOLOFF_MINUTES", 15) / 60
if AXES_FAILURE_LIMIT < 1 or LOGIN_ACCOUNT_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "REGULUS_LOGIN_FAILURE_LIMIT must be 1 or more and REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT "
        "above it"
    )
if AXES_COOLOFF_TIME <= 0:
    raise ImproperlyConfigured("REGULUS_LOGIN_COOLOFF_MINUTES must be 1 or more")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "regulus.core.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "regulus.core.lockout.lockout_response"
# The client address of a login attempt: one rule for the whole application (core.context).
AXES_CLIENT_IP_CALLABLE = "regulus.core.context.request_client_ip"
AXES_USERNAME_CALLABLE = "regulus.core.context.login_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
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
CACHES: dict[str, dict[str, Any]]
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

# Rate limits of the public portal, per client address (regulus.core.throttle), each counted
# in fixed windows; a refused request counts for nothing and changes nothing.
_lookup_target = env_rate("REGULUS_RATE_PORTAL_LOOKUP_TARGET_FAILURES", "5/h")
THROTTLE_RATES = {
    # Wrong application number + phone pairs. Only failures count, so an applicant who checks
    # their own application every few minutes is never refused. 10 an hour lets a family
    # behind one home router mistype a number a few times; over it, wrong pairs are refused
    # and correct ones still answered (portal.limits.guarded_progress_lookup), so that others'
    # slips behind a shared address never lock an applicant out.
    "portal_lookup_failure": env_rate("REGULUS_RATE_PORTAL_LOOKUP_FAILURES", "10/h"),
    # Wrong pairs of one address naming one application number, and (a second count) giving
    # one phone: a guess at one application, or at one person's applications (numbers are
    # sequential), is held to 5 tries an hour, like a login; a correct pair counts on neither.
    "portal_lookup_number_failure": _lookup_target,
    "portal_lookup_phone_failure": _lookup_target,
    # Wrong pairs of one address at which it is refused every lookup: a script spreading its
    # guesses over many numbers and phones. Five times the address limit, far past any office
    # or family behind one address.
    "portal_lookup_ceiling": env_rate("REGULUS_RATE_PORTAL_LOOKUP_CEILING", "50/h"),
    # Applications created. A busy agency (代办机构) files a handful an hour from one office;
    # 20 an hour is beyond any honest pace and stops a script filling the acceptance queue.
    # Forms sent back with errors do not count.
    "portal_submit": env_rate("REGULUS_RATE_PORTAL_SUBMIT", "20/h"),
    # Material files stored on the portal (corrections after submission). A correction notice
    # lists a few materials, each a few files; 60 an hour bounds the disk a script can fill
    # to 60 x REGULUS_UPLOAD_MAX_MB an hour per address. Rejected files do not count.
    "portal_upload": env_rate("REGULUS_RATE_PORTAL_UPLOAD", "60/h"),
    # Certificate searches and verifications (page and API). An inspector or a shop checking
    # QR codes by hand does a few a minute, and many phones share a carrier's address:
    # 120 a minute leaves them room and still stops a scraper walking the number space.
    "portal_certificate": env_rate("REGULUS_RATE_PORTAL_CERTIFICATE", "120/m"),
    # Enterprise lookups (a search or an entity's page). A person checking a shop or a
    # supplier looks up a few in a minute; 30 a minute, 20 names a search, keeps a script
    # from copying the register through the portal.
    "portal_entity": env_rate("REGULUS_RATE_PORTAL_ENTITY", "30/m"),
    # 12315 complaints and reports filed on the portal. A consumer files one or two; 10 an
    # hour from one address leaves a family or an office room and stops a flood.
    "complaints_submit": env_rate("REGULUS_RATE_COMPLAINTS_SUBMIT", "10/h"),
    # Wrong number + query-code pairs of the complaints' progress lookup.
    "complaints_lookup_failure": env_rate("REGULUS_RATE_COMPLAINTS_LOOKUP_FAILURES", "10/h"),
    # Wrong USCC + portal-code pairs of a business answering its ODR complaints (the code
    # itself locks after a few wrong tries; this stops one address trying many USCCs).
    "complaints_odr_login_failure": env_rate("REGULUS_RATE_COMPLAINTS_ODR_LOGIN_FAILURES", "10/h"),
    # Wrong 亮码检查 codes (a visit code that names no check, a wrong rating code). An entity
    # mistypes one or two; 10 an hour stops a script guessing the 6-digit rating codes.
    "inspections_visit_failure": env_rate("REGULUS_RATE_INSPECTIONS_VISIT_FAILURES", "10/h"),
}
# 12315 cluster alert: this many items against one respondent within the window (days) raise
# an alert on the dispatchers' and handlers' home page (a prepaid-card shop that closes).
COMPLAINTS_CLUSTER_THRESHOLD = env_int("REGULUS_COMPLAINTS_CLUSTER_THRESHOLD", 5)
COMPLAINTS_CLUSTER_DAYS = env_int("REGULUS_COMPLAINTS_CLUSTER_DAYS", 7)
# Similar items against the same respondent (the dispatcher's hint): within this many days
# either side, facts alike by character bigrams at least this share (percent, Dice).
COMPLAINTS_SIMILAR_DAYS = env_int("REGULUS_COMPLAINTS_SIMILAR_DAYS", 30)
COMPLAINTS_SIMILAR_PERCENT = env_int("REGULUS_COMPLAINTS_SIMILAR_PERCENT", 40)
# How many reverse proxies (nginx, a load balancer) stand in front of the application and
# append to X-Forwarded-For. 0: the client is REMOTE_ADDR and X-Forwarded-For is ignored (it
# is whatever the client wrote). N: the client is the N-th entry from the right.
TRUSTED_PROXY_COUNT = env_int("REGULUS_TRUSTED_PROXIES", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("REGULUS_TRUSTED_PROXIES must be 0 or more")
# Networks never counted (CIDR, comma-separated): the service hall's self-service terminals or
# the bureau's own network, where many honest applicants share one address.
THROTTLE_EXEMPT_NETWORKS = [
    n.strip() for n in os.environ.get("REGULUS_THROTTLE_EXEMPT", "").split(",") if n.strip()
]
for _network in THROTTLE_EXEMPT_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"REGULUS_THROTTLE_EXEMPT must be comma-separated networks such as 10.8.0.0/16, "
            f"not {_network!r}"
        ) from exc
# Prepended to every counter's cache key (tests give each test its own, so counts do not
# carry from one test to the next).
THROTTLE_KEY_PREFIX = "throttle"

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
# The ceiling of an uploaded Office file's (.docx, .xlsx) decompressed size, in megabytes:
# its members' declared sizes and what is actually read (core.files.ooxml_problem).
UPLOAD_UNZIPPED_MAX_MB = env_int("REGULUS_UPLOAD_UNZIPPED_MAX_MB", 200)
# SQLite: the page cache of the connection that runs an entity import, in megabytes
# (registry.importing: the random B-tree inserts into a big table need it; memory is bounded
# by this, not by the file's size).
IMPORT_CACHE_MB = env_int("REGULUS_IMPORT_CACHE_MB", 128)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The public portal's own address, printed in certificate QR codes.
PORTAL_BASE_URL = os.environ.get("REGULUS_PORTAL_BASE_URL", "http://127.0.0.1:8000")

# -- Periodic sweeps (`regulus tick`, regulus.core.tick; docs/configuration.md) ---------------
# An entity import job with no progress for this many minutes is marked failed: its worker
# died. It must exceed the longest wait in the task queue behind other imports.
IMPORT_STALE_MINUTES = env_int("REGULUS_IMPORT_STALE_MINUTES", 30)
# A checked import preview nobody confirmed or cancelled is cancelled after this many days,
# and its upload (personal data) and error report deleted.
IMPORT_PREVIEW_DAYS = env_int("REGULUS_IMPORT_PREVIEW_DAYS", 7)
# The upload and error report of a finished import (done or failed) are kept this many days for
# the user to download and fix the bad rows, then deleted: the file holds personal data.
IMPORT_FILES_DAYS = env_int("REGULUS_IMPORT_FILES_DAYS", 30)
for _name, _value in (
    ("REGULUS_IMPORT_STALE_MINUTES", IMPORT_STALE_MINUTES),
    ("REGULUS_IMPORT_PREVIEW_DAYS", IMPORT_PREVIEW_DAYS),
    ("REGULUS_IMPORT_FILES_DAYS", IMPORT_FILES_DAYS),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more, not {_value}")
# SQLite only: the file `regulus tick` locks so that two runs never overlap. Empty: beside the
# database file (`<database>.tick-lock`). PostgreSQL uses an advisory lock instead.
TICK_LOCK_FILE = os.environ.get("REGULUS_TICK_LOCK_FILE", "")

# -- Operations (regulus.core.ops: /healthz, /readyz, /ops/metrics) --------------------------
# /readyz fails when the oldest due background task has waited longer than this (the task
# worker is down or stuck), or when a file system the instance writes to has less free space.
READY_QUEUE_MAX_SECONDS = env_int("REGULUS_READY_QUEUE_MAX_SECONDS", 300)
READY_DISK_MIN_MB = env_int("REGULUS_READY_DISK_MIN_MB", 500)

# Every record's message is one line, whatever a URL or an input put into it
# (regulus.core.logsafe). `json` (the default in production) writes one JSON object a line
# with the request's id (core.middleware.RequestIdMiddleware), for a log collector; `text`
# writes the same records for a person reading a terminal.
LOG_FORMAT = os.environ.get("REGULUS_LOG_FORMAT") or ("text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"REGULUS_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "regulus.core.logsafe.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "regulus.core.logsafe.EscapingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        },
        "json": {"()": "regulus.core.logsafe.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("REGULUS_LOG_LEVEL", "WARNING")},
}
