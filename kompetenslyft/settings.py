"""Settings for Kompetenslyft, read from the environment.

Development defaults need nothing set; production (``DJANGO_DEBUG`` unset or false and
``KOMPETENSLYFT_ENV=production``) requires ``DJANGO_SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KOMPETENSLYFT_VAR_DIR", ROOT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("KOMPETENSLYFT_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # static files come through WhiteNoise, DEBUG on or off
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "kompetenslyft.core",
    "kompetenslyft.org",
    "kompetenslyft.competence",
    "kompetenslyft.assessment",
    "kompetenslyft.learning",
    "kompetenslyft.evaluation",
    "kompetenslyft.indicators",
    "kompetenslyft.search",
    "kompetenslyft.costs",
    "kompetenslyft.successcases",
    "kompetenslyft.recommend",
    "kompetenslyft.knowledge",
    "kompetenslyft.followup",
    "kompetenslyft.lrs",
    "kompetenslyft.microlearning",
    "kompetenslyft.signin",
    "kompetenslyft.retention",
    "kompetenslyft.dataprotection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "kompetenslyft.core.middleware.PermissionsPolicyMiddleware",
    # /xapi/ (the LRS: HTTP Basic per request, JSON) skips the middlewares below.
    "kompetenslyft.lrs.middleware.XapiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kompetenslyft.core.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kompetenslyft.urls"
WSGI_APPLICATION = "kompetenslyft.wsgi.application"

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
                "kompetenslyft.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "kompetenslyft.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each worker thread keeps its connection (and its page cache): opening one per request
    # cost about a tenth of a page's CPU time at 50,000 people.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("KOMPETENSLYFT_SQLITE_CONN_MAX_AGE", "600"))
    # wal_autocheckpoint: the commit that fills the WAL copies it into the database (and syncs);
    # at SQLite's 1,000 pages that was every few LRS batches and about half of a batch's time.
    # 10,000 pages (~40 MB) copies each hot index page once per many commits.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file too (not memory): the browser tests' live server then has connections
    # of its own in each thread, as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("KOMPETENSLYFT_TEST_SQLITE") or str(VAR_DIR / "test-kompetenslyft.sqlite3")
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # No JIT compilation: a page's aggregates over 50,000 rows pass its cost threshold and
    # spent 100–150 ms compiling to save a few (measured with EXPLAIN ANALYZE on the bench).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kompetenslyft.core.auth.UsernameOrEmailBackend",
    # Sign-in through an organisation's OpenID Connect provider (signin/, ADR 0015); the
    # provider's settings are the organisation's, not global ones.
    "kompetenslyft.signin.oidc.OrganisationOIDCBackend",
]
OIDC_AUTHENTICATION_CALLBACK_URL = "signin:callback"
# The second factor (TOTP, django-otp) for password log-in: leads where their organisation's
# sign-in settings require it; operators (staff, superusers) when this is set.
KOMPETENSLYFT_OPERATOR_SECOND_FACTOR = env_bool("KOMPETENSLYFT_OPERATOR_SECOND_FACTOR", default=False)
OTP_TOTP_ISSUER = "Kompetenslyft"
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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
# Failures count per account, whatever spelling or address was typed (core.auth.lockout_key),
# and from every client address together. Not per client address: a municipality's staff often
# share one public address, and a user agent or cookie cannot be rotated around an account key
# (hence axes.W006 is silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "kompetenslyft.core.auth.lockout_key"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# WhiteNoise serves STATIC_ROOT (after `collectstatic`) from the app itself, so the demo and
# simple deployments run with DEBUG off; with DEBUG on it finds the files in the apps directly.
WHITENOISE_USE_FINDERS = DEBUG
CSRF_FAILURE_VIEW = "kompetenslyft.core.views.csrf_failure"
# Form widgets (a select's options above all) are rendered with Django's own Jinja2 widget
# templates: the template language took most of a filter form's time (71 options, 0.25 of a
# 0.45 s profile of the sessions list). Pages stay Django templates; so do the admin's widgets.
FORM_RENDERER = "kompetenslyft.core.form_renderer.FastFormRenderer"

# --- E-mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kompetenslyft@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Background tasks -----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KOMPETENSLYFT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "1"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# A session ends after this long without a request (a working day by default).
SESSION_COOKIE_AGE = int(float(os.environ.get("KOMPETENSLYFT_SESSION_IDLE_HOURS", "8")) * 3600)
KOMPETENSLYFT_SESSION_REFRESH_SECONDS = 300  # core.middleware.SessionIdleMiddleware

# --- Product settings -----------------------------------------------------------------
KOMPETENSLYFT_PAGE_SIZE = 50
KOMPETENSLYFT_BASE_URL = os.environ.get("KOMPETENSLYFT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# cmi5 content from another host name (e.g. https://content.example.org, pointing at this server):
# the AU's scripts get an origin of their own there, without the platform's cookies. Empty: the
# platform's own host, in a strict sandbox (scripts that touch cookies or storage fail there).
KOMPETENSLYFT_CMI5_CONTENT_URL = os.environ.get("KOMPETENSLYFT_CMI5_CONTENT_URL", "").rstrip("/")
# The largest xAPI attachment part the LRS stores (multipart/mixed statements; the whole request
# is limited by DATA_UPLOAD_MAX_MEMORY_SIZE).
KOMPETENSLYFT_LRS_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("KOMPETENSLYFT_LRS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
)
# Password links: at most this many requests per hour per e-mail address and per client address.
KOMPETENSLYFT_PASSWORD_LINKS_PER_ADDRESS = int(
    os.environ.get("KOMPETENSLYFT_PASSWORD_LINKS_PER_ADDRESS", "3")
)
KOMPETENSLYFT_PASSWORD_LINKS_PER_CLIENT = int(
    os.environ.get("KOMPETENSLYFT_PASSWORD_LINKS_PER_CLIENT", "100")
)
KOMPETENSLYFT_IMPORT_MAX_BYTES = int(os.environ.get("KOMPETENSLYFT_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = KOMPETENSLYFT_IMPORT_MAX_BYTES
# What one import file may hold (checked before anything is allocated; see core/tabular.py).
KOMPETENSLYFT_IMPORT_MAX_ROWS = int(os.environ.get("KOMPETENSLYFT_IMPORT_MAX_ROWS", 500_000))
KOMPETENSLYFT_IMPORT_MAX_COLUMNS = int(os.environ.get("KOMPETENSLYFT_IMPORT_MAX_COLUMNS", 200))
KOMPETENSLYFT_IMPORT_MAX_CELLS = int(os.environ.get("KOMPETENSLYFT_IMPORT_MAX_CELLS", 10_000_000))
KOMPETENSLYFT_IMPORT_MAX_SHEET_BYTES = 512 * 1024 * 1024  # a sheet's XML, unpacked (streamed)
KOMPETENSLYFT_IMPORT_MAX_WORKBOOK_PART_BYTES = 64 * 1024 * 1024  # shared strings, styles …, unpacked
# Uploads previewed and never confirmed are deleted (with their file) after this many days.
KOMPETENSLYFT_IMPORT_RETENTION_DAYS = int(os.environ.get("KOMPETENSLYFT_IMPORT_RETENTION_DAYS", 7))
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Retention times in months per kind of data (retention/registry.py; ADR 0018): the
# installation's defaults, which a lead changes for its organisation. From the environment as
# KOMPETENSLYFT_RETENTION_MONTHS="leavers=24,support_questions=36" (other kinds keep theirs).
KOMPETENSLYFT_RETENTION_MONTHS = {
    "leavers": 24,
    "support_questions": 36,
    "followup_notes": 36,
    "access_log": 24,
    **{
        key.strip(): int(value)
        for key, _sep, value in (
            part.partition("=") for part in os.environ.get("KOMPETENSLYFT_RETENTION_MONTHS", "").split(",")
        )
        if key.strip() and value.strip().isdigit()
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
