"""Przystań settings: one module, driven by environment variables (see .env.example).

Defaults are safe for production (DEBUG off, HTTPS only, secure cookies); the demo (`make run`)
and the tests loosen only what they must, through the same variables.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PRZYSTAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The demo flag allows `seed_demo` to create demo users with published passwords.
DEMO = env_bool("PRZYSTAN_DEMO", False)
# Behind TLS (production) cookies are Secure and HTTP is redirected; the demo serves plain http.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY or SECRET_KEY_FILE "
            "(DEBUG is off, so Przystań refuses to start without it)."
        )
    SECRET_KEY = "dev-only-" + secrets.token_urlsafe(40)
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 50 random characters.")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# models.W040: SQLite has no INCLUDE columns in an index. The outcome report's covering index of
# the stays (shelters.Stay, "shelters_stay_report") is for PostgreSQL, where it is built whole; on
# SQLite it is an index of its key columns, which is what the warning says on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "guardian",
    "simple_history",
    "axes",
    # The second factor (accounts/second_factor.py): authenticator apps (TOTP) and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "privacy",
    "audit",
    "cases",
    "shelters",
    "activation",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads the body (CSRF's check does, in process_view).
    "config.uploads.RequestSizeLimitMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    # After the timeout (an expired session signs out first): until the second factor is
    # given, every page but the sign-in and second-factor pages sends to them.
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.NoStoreMiddleware",
    "privacy.middleware.SubjectErasedMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# The vault (privacy/). Keys come from PRZYSTAN_KEKS, PRZYSTAN_INDEX_KEY, PRZYSTAN_AUDIT_KEY (or
# their _FILE variants), checked by privacy/checks.py; see docs/privacy.md.
PRZYSTAN_DEK_CACHE_SECONDS = env_int("PRZYSTAN_DEK_CACHE_SECONDS", 60, minimum=0, maximum=3600)
# Outcome statistics: a count from 1 to this minus 1 is shown as "<N" (issue 12, docs/measures.md).
PRZYSTAN_REPORT_THRESHOLD = env_int("PRZYSTAN_REPORT_THRESHOLD", 5, minimum=2, maximum=100)
# The index columns are signed 32-bit integers (PostgreSQL `integer`), so at most 31 bits.
PRZYSTAN_BLIND_INDEX_BITS = env_int("PRZYSTAN_BLIND_INDEX_BITS", 16, minimum=8, maximum=31)
PRZYSTAN_ERASURE_LEDGER = Path(
    env_str("PRZYSTAN_ERASURE_LEDGER", str(VAR_DIR / "erasure-ledger.jsonl"))
)
# The access log's anchors (audit/anchors.py): `anchor_access_log` (a timer) appends the signed
# chain head to this file, kept outside the database, and sends it to syslog when an address is
# given (/dev/log or host:port for UDP; empty: no syslog). See docs/privacy.md.
PRZYSTAN_ANCHOR_FILE = Path(
    env_str("PRZYSTAN_ANCHOR_FILE", str(VAR_DIR / "access-log-anchors.jsonl"))
)
PRZYSTAN_ANCHOR_SYSLOG = env_str("PRZYSTAN_ANCHOR_SYSLOG", "")
# A person's export package (GDPR art. 15 and 20, privacy/export): an encrypted ZIP kept here,
# outside MEDIA_ROOT and never served by the web server, until it is downloaded or this many
# hours pass (`manage.py purge_exports` on a timer deletes what is left).
PRZYSTAN_EXPORT_DIR = Path(env_str("PRZYSTAN_EXPORT_DIR", str(VAR_DIR / "exports")))
PRZYSTAN_EXPORT_HOURS = env_int("PRZYSTAN_EXPORT_HOURS", 24, minimum=1, maximum=168)

# Case files: emergency (break-glass) access lasts this long; plans are reviewed this often.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 12, minimum=1, maximum=72)
PLAN_REVIEW_DAYS = env_int("PLAN_REVIEW_DAYS", 14, minimum=1, maximum=365)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
# Uploads (config/uploads.py). A form's fields other than files: the longest (an assessment's
# ten notes of 2,000 characters) is about 120 kB percent-encoded; more is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Files are kept in memory by our handler, which stops keeping one at DOCUMENT_MAX_BYTES and
# never writes a temporary file to disk (Django's handlers would, in clear, past this size).
FILE_UPLOAD_HANDLERS = ["config.uploads.LimitedUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES
# A whole request: one document and the form around it. A larger Content-Length is answered
# 413 before the body is read (config.uploads.RequestSizeLimitMiddleware); the reverse proxy's
# client_max_body_size should say the same (docs/operations.md).
REQUEST_MAX_BYTES = DOCUMENT_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE

# Database: the embedded SQLite file for the demo; PostgreSQL (DATABASE_URL) for production and CI.
_default_db = f"sqlite:///{VAR_DIR / 'przystan.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured(
        "DATABASE_URL must start with sqlite:// or postgres:// (Przystań supports those two)."
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for the write lock instead of failing: check-ins are serialised by SQLite's lock.
    # WAL with synchronous=NORMAL: a commit (one per access-log row) no longer waits for several
    # fsyncs; a power cut may lose the newest commits, never corrupt the file. The demo's trade-off;
    # production runs PostgreSQL (docs/benchmarks.md).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Django's own cursors bind on the client and never prepare; this lets the few statements
    # compiled once per process (config/compiled.py) be prepared on the server, once per
    # connection (psycopg refuses to prepare anything while the threshold is None, Django's
    # default). Behind PgBouncer in transaction mode, set its max_prepared_statements.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
# A read replica for the reports (config/routers.py): a streaming replica of the same PostgreSQL
# database, read by the outcome reports only; every write and every other read stays on default.
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    if not _replica_url.startswith(("postgres:", "postgresql:")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must start with postgres://.")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60)
    # Never created nor migrated by the tests: the replica follows the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
PRZYSTAN_REPORTS_DATABASE = "replica" if _replica_url else "default"
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
# The access log's chains (audit/services.py): appends that meet a busy chain head take the next
# free one, so up to this many append at once. PostgreSQL: 8; SQLite writes one at a time and
# always uses one chain, whatever this says.
PRZYSTAN_ACCESS_LOG_CHAINS = env_int(
    "PRZYSTAN_ACCESS_LOG_CHAINS",
    1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 8,
    minimum=1,
    maximum=64,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a signed-in person's roles and second factor's condition
    # with their row (one statement a request instead of three).
    "accounts.backends.StaffBackend",
    # Only for the sessions signed in before StaffBackend (it refuses what StaffBackend refused).
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id with parameters measured on our servers (accounts/hashers.py, docs/operations.md).
PASSWORD_HASHERS = [
    "accounts.hashers.PrzystanArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8, maximum=64)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: idle timeout and absolute lifetime are enforced by accounts.middleware.
SESSION_IDLE_TIMEOUT = timedelta(
    minutes=env_int("SESSION_IDLE_MINUTES", 15, minimum=1, maximum=24 * 60)
)
SESSION_MAX_AGE = timedelta(hours=env_int("SESSION_MAX_HOURS", 12, minimum=1, maximum=7 * 24))
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Django's database sessions, whose read also brings the vault's erasure epoch
# (privacy/sessions.py).
SESSION_ENGINE = "privacy.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_HTTPONLY = True
# Flash messages live in the session (the database), never in a cookie: Django's default keeps
# them in a signed but readable cookie, and a message may name a person ("room 4 for ...").
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): a username from one address is locked after N failures for a cool-off,
# never for good, so nobody can lock night staff out permanently by guessing.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# The second factor (django-otp): the issuer an authenticator app shows beside the account;
# TOTP codes of the previous, current or next 30 seconds are accepted, each once. A wrong code
# delays the next try on that device (1, 2, 4, 8... seconds, django-otp's throttling) and
# counts towards the LOGIN_FAILURE_LIMIT above (accounts/second_factor.py).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Przystań")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Never show the secret keys of the devices in Django's admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-guardian: no anonymous user row; object permissions only where granted.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS_ONLY
# A monitor on the server itself may ask over plain http (docs/operations.md, "Health check").
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", HTTPS_ONLY)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A strict policy: our own scripts and styles only, nothing inline, no third-party hosts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Languages: Polish by default (not from the browser's Accept-Language), English on request.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Short dates as 27.11.2026 in Polish (config/formats/pl/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Warsaw")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# E-mail: console in the demo; a real SMTP server from the environment in production.
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587, minimum=1, maximum=65535),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            }.items()
            if value is not None
        }
        if env_str("EMAIL_HOST")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "przystan@localhost")

# Logging: to the console, with exception messages and local values stripped (they may carry
# personal data); the request id ties a log line to the error page a user reports. JSON lines
# (one object a line, for journald or a log collector) unless PRZYSTAN_LOG_FORMAT=text; text is
# the default with DEBUG on (docs/operations.md, "Logs").
LOG_FORMAT = env_choice("PRZYSTAN_LOG_FORMAT", "text" if DEBUG else "json", {"json", "text"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "config.logging.PrivacyFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["privacy"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
