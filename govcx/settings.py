"""govcx settings: one module, every value from the environment (django-environ).

Production mode is the default: DEBUG is off, a SECRET_KEY must be given, cookies are
secure and HSTS is on. `make demo` and the test suite set GOVCX_DEV=1, which allows a
development secret and plain-HTTP cookies on loopback.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEV = env.bool("GOVCX_DEV", default=False)
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key" if DEV else environ.Env.NOTSET)
# Key for hashing customer identifiers (email, phone) for matching; never the SECRET_KEY.
IDENTITY_HASH_KEY = env.str(
    "IDENTITY_HASH_KEY", default="dev-only-identity-key" if DEV else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "govcx.core",
    "govcx.customers",
    "govcx.feedback",
    "govcx.metrics",
    "govcx.contact",
    "govcx.assist",
    "govcx.journeys",
    "govcx.improve",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govcx.core.middleware.StaffLocaleMiddleware",  # Django's, plus ?lang= on staff pages
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govcx.core.middleware.SecureHeadersMiddleware",
]

ROOT_URLCONF = env.str("ROOT_URLCONF", default="govcx.urls")  # bench/ adds a ceiling view
WSGI_APPLICATION = "govcx.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govcx" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govcx.core.notifications.notifications_context",
            ],
        },
    }
]

# --- database: SQLite (WAL) by default, PostgreSQL by DATABASE_URL -----------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'govcx.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # synchronous=FULL: a commit returns only once the WAL is on disk, so an acknowledged
    # submission survives an OS crash or a power cut too, as on PostgreSQL (fsync on).
    # NORMAL (SQLITE_SYNCHRONOUS=NORMAL) survives a process crash (SIGKILL) but an OS crash
    # can lose the last commits; it is faster (docs/benchmarks.md, "Ingest").
    SQLITE_SYNCHRONOUS = env.str("SQLITE_SYNCHRONOUS", default="FULL").upper()
    if SQLITE_SYNCHRONOUS not in ("NORMAL", "FULL"):
        raise ImproperlyConfigured(
            f"SQLITE_SYNCHRONOUS must be FULL or NORMAL, not {SQLITE_SYNCHRONOUS!r}")
    DATABASES["default"]["OPTIONS"] = {
        # WAL: readers never block the writer. IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};"
            " PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
            " PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# PostgreSQL: the public submission's INSERT is a prepared statement, parsed and planned once
# per connection (feedback.services._response_insert); Django's own queries are never
# prepared. Turn it off (0) behind PgBouncer in transaction mode unless that is 1.22 or later
# with max_prepared_statements above 0, the default since 1.24 (docs/benchmarks.md, "Ingest").
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# SQLite: rows stored by several request threads of the server at the same moment are
# committed together (govcx.core.group_commit); PostgreSQL groups commits by itself.
SQLITE_GROUP_COMMIT = env.bool("SQLITE_GROUP_COMMIT", default=True)
# The web worker freezes what its start-up created out of the garbage collector's reach
# (govcx/wsgi.py), so a full collection does not walk those ~240,000 objects with the GIL held.
GC_FREEZE = env.bool("GC_FREEZE", default=True)
# Persistent connections on both backends: opening a SQLite connection re-runs the PRAGMAs
# and, when the last one closes, checkpoints the WAL; measured in docs/benchmarks.md.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://govcx")}

TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"
        )
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "govcx" / "locale"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- static files: our own, plus USWDS from node_modules (installed by `make assets`) -----
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # var/ also holds the SQLite file
STATICFILES_DIRS = [
    BASE_DIR / "govcx" / "static",
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email and SMS --------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="govcx <no-reply@govcx.localhost>")
SMS_BACKEND = env.str("SMS_BACKEND", default="govcx.core.sms.FileBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms")

# --- public endpoints: rate limits (requests per minute) -------------------------------------
RATELIMIT_SUBMIT_PER_CLIENT = env.str("RATELIMIT_SUBMIT_PER_CLIENT", default="30/m")
RATELIMIT_SUBMIT_PER_TOUCHPOINT = env.str("RATELIMIT_SUBMIT_PER_TOUCHPOINT", default="6000/m")
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
# Behind a proxy, the header that carries the client address (e.g. HTTP_X_FORWARDED_FOR).
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="REMOTE_ADDR")
# Contact centre: a person who comes back within this many days reopens a resolved case;
# FCR counts a re-contact within this many days (docs/metrics.md).
CASE_REOPEN_DAYS = env.int("CASE_REOPEN_DAYS", default=7)
FCR_WINDOW_DAYS = env.int("FCR_WINDOW_DAYS", default=7)
# KPI benchmarks rank a service only among services with at least this many observations
KPI_BENCHMARK_MIN_N = env.int("KPI_BENCHMARK_MIN_N", default=11)
# the public transparency pages and open data are cached this long (0: not cached)
TRANSPARENCY_CACHE_SECONDS = env.int("TRANSPARENCY_CACHE_SECONDS", default=300)
# Share of resolved cases whose customer gets an A-11 survey invitation (0–1).
CASE_SURVEY_SAMPLE_RATE = env.float("CASE_SURVEY_SAMPLE_RATE", default=1.0)
# Trained models (topic suggestion), one file per agency.
MODEL_DIR = Path(env.str("MODEL_DIR", default=str(BASE_DIR / "var" / "models")))
# The assistant's public chat API (govcx/assist/views_chat.py)
RATELIMIT_CHAT_PER_CLIENT = env.str("RATELIMIT_CHAT_PER_CLIENT", default="30/m")
RATELIMIT_CHAT_POLL = env.str("RATELIMIT_CHAT_POLL", default="120/m")
ASSIST_CHAT_ORIGINS = env.list("ASSIST_CHAT_ORIGINS", default=[])
# Parquet snapshots of large agencies' journey events (govcx/journeys/sources.py)
JOURNEY_CACHE_DIR = Path(env.str("JOURNEY_CACHE_DIR", default=str(BASE_DIR / "var" / "journey-cache")))
# SMS numbers: {"+12025550100": {"agency": "slug", "auth_token_env": "TWILIO_TOKEN_X"}}.
SMS_NUMBERS = env.json("SMS_NUMBERS", default={})
RATELIMIT_SMS_PER_SENDER = env.str("RATELIMIT_SMS_PER_SENDER", default="20/m")
# Email inboxes: {"help@benefits.example.gov": "agency-slug"}.
CONTACT_INBOXES = env.json("CONTACT_INBOXES", default={})
# Public survey endpoints keep each touchpoint (with its live survey version) in process
# memory for this many seconds, so a change to a touchpoint (deactivation, allowed origins)
# reaches every server process within this time. 0 turns the cache off.
PUBLIC_CACHE_SECONDS = env.float("PUBLIC_CACHE_SECONDS", default=5.0)
# Submissions are counted into the rollups by a background catch-up queued at most this
# often per process (readers of the rollups catch up first anyway): the dashboards' lag
# when nobody is looking, and the bound on catch-up tasks queued per process.
ROLLUP_CATCH_UP_SECONDS = env.int("ROLLUP_CATCH_UP_SECONDS", default=2)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEV:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
