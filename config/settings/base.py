"""NPOHub settings: everything lives here and boots on SQLite with no configuration.

Differences between environments come only from environment variables; ``dev``, ``test`` and
``prod`` adjust a handful of values.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# ../shared/ beside the repository (national division files); optional.
SHARED_DIR = Path(env("NPOHUB_SHARED_DIR") or (BASE_DIR.parent / "shared"))

SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-change-me-in-production-npohub"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    # NPOHub, bottom layer first
    "npohub.core",
    "npohub.accounts",
    "npohub.regions",
    "npohub.orgs",
    "npohub.notifications",
    "npohub.credit",
    "npohub.hubs",
    "npohub.party",
    "npohub.registration",
    "npohub.supervision",
    "npohub.inspections",
    "npohub.enforcement",
    "npohub.ratings",
    "npohub.stars",
    "npohub.dashboards",
    "npohub.portal",
    "npohub.api",
    "npohub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "npohub.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "npohub.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Errors under /api/ answer {code, message, details} whoever produced them; then oversized
    # bodies (413) and NUL characters (400) are turned away before any view reads them.
    "npohub.api.middleware.ApiErrorEnvelopeMiddleware",
    "npohub.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A scoped fetch's NotFound is a 404 and a service's PermissionDenied a 403, for every view.
    "npohub.core.http.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "npohub.core.middleware.HtmxAuthRedirectMiddleware",
    "npohub.core.middleware.HtmxMessageMiddleware",
    "axes.middleware.AxesMiddleware",
    # After authentication: a role that needs a second factor sees only the 2FA pages until
    # its session is verified (npohub/accounts/middleware.py).
    "npohub.accounts.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "npohub.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://… selects PostgreSQL (psycopg 3).
DATABASE_URL = env("DATABASE_URL") or ""
SQLITE_PATH = Path(env("SQLITE_PATH") or (BASE_DIR / "var" / "npohub.sqlite3"))

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # Persistent connections: 2.8x throughput on SQLite (performance.md §0).
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication -----------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Every service that sets a password passes the user: not like the user name, 姓名
        # (also in pinyin), phone number or e-mail.
        # (Django's UserAttributeSimilarityValidator, naming the pinyin attribute in words.)
        "NAME": "npohub.accounts.validators.NameSimilarityValidator",
        "OPTIONS": {
            "user_attributes": (
                "username",
                "display_name",
                "display_name_pinyin",
                "phone",
                "email",
            )
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses every password from an address that sprayed one password over many accounts.
    "npohub.accounts.backends.PasswordSprayBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"  # 工作台: every role lands on its to-do list
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True

# django-axes: lock the username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "npohub.accounts.spraying.axes_username"  # at most 150 characters
# Password spraying (one password tried over many accounts, which the per-account lock above
# never sees): failed sign-ins naming LOGIN_SPRAY_LIMIT different usernames with one password,
# or LOGIN_SPRAY_IP_LIMIT different usernames with any passwords, from one address within the
# window lock that address out of every account until the window has passed.
LOGIN_SPRAY_LIMIT = env_int("LOGIN_SPRAY_LIMIT", 5)
LOGIN_SPRAY_IP_LIMIT = env_int("LOGIN_SPRAY_IP_LIMIT", 20)
LOGIN_SPRAY_WINDOW_MINUTES = env_int("LOGIN_SPRAY_WINDOW_MINUTES", 30)

# Two-factor sign-in (TOTP, django-otp). Roles listed here must enrol an authenticator app and
# enter its code after the password; "administrators" stands for superusers, Django staff and
# user administrators. Everyone else may enrol voluntarily (and is then asked every time).
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES", ["city_bureau", "district_bureau", "administrators"]
)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER") or "NPOHub"

# API tokens: a new token lives 90 days unless its owner picks less, never more than a year.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# --- Browser security headers (every environment; prod.py adds HTTPS, HSTS, secure cookies) -------
# Content-Security-Policy (npohub.core.middleware.SecurityHeadersMiddleware; the setting has the
# shape of Django 6's SECURE_CSP): scripts and styles only from the platform's own static files —
# no inline <script>, no on…= handlers, no style= attributes, no eval. Images may be data: URIs
# (the API docs' icons).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features no page uses.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# Bodies above this (anything but multipart uploads, which have their own limits) answer 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Chinese counts group by three (37,069): config/formats/zh_Hans overrides Django's separator.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or (BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# --- Background tasks (django-tasks, database backend: one machine, no broker) ------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
    }
}

# --- NPOHub -------------------------------------------------------------------------------------
# The demo city and the root of the region tree shown to city staff.
NPOHUB_CITY_CODE = env("NPOHUB_CITY_CODE") or "370100000000"
# Targets of Jinan's 2021–2023 plan: average filed groups per urban / rural community.
NPOHUB_TARGET_GROUPS_PER_URBAN_COMMUNITY = env_int("NPOHUB_TARGET_URBAN", 15)
NPOHUB_TARGET_GROUPS_PER_RURAL_COMMUNITY = env_int("NPOHUB_TARGET_RURAL", 8)
NPOHUB_API_PAGE_SIZE = 20
NPOHUB_IMPORT_MAX_ROWS = env_int("NPOHUB_IMPORT_MAX_ROWS", 200_000)
# Imports with more rows than this run as a background task instead of inside the request.
NPOHUB_IMPORT_SYNC_LIMIT = env_int("NPOHUB_IMPORT_SYNC_LIMIT", 2_000)
# Import files (npohub/orgs/import_files.py): refused above this upload size, above this many
# bytes once decompressed (or a worse compression ratio), above this many columns.
NPOHUB_IMPORT_MAX_UPLOAD_BYTES = env_int("NPOHUB_IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024
)
NPOHUB_IMPORT_MAX_COMPRESSION_RATIO = env_int("NPOHUB_IMPORT_MAX_COMPRESSION_RATIO", 200)
NPOHUB_IMPORT_MAX_COLUMNS = env_int("NPOHUB_IMPORT_MAX_COLUMNS", 40)
# A validating/committing import whose process cannot be checked and whose heartbeat is older
# than this is marked failed (npohub/orgs/import_jobs.py).
NPOHUB_IMPORT_LEASE_SECONDS = env_int("NPOHUB_IMPORT_LEASE_SECONDS", 300)
# List exports (npohub/core/export_jobs.py): up to this many rows the file is answered at once,
# above it a background task writes it; files are kept this many hours for their owner; a
# running export whose process cannot be checked is failed after this many silent seconds.
NPOHUB_EXPORT_INLINE_ROWS = env_int("NPOHUB_EXPORT_INLINE_ROWS", 5_000)
NPOHUB_EXPORT_KEEP_HOURS = env_int("NPOHUB_EXPORT_KEEP_HOURS", 72)
NPOHUB_EXPORT_LEASE_SECONDS = env_int("NPOHUB_EXPORT_LEASE_SECONDS", 300)

# Absolute base of links that leave the platform (e-mail, certificate QR codes), e.g.
# https://npo.example.cn; empty = links are built from the request (or left as paths).
NPOHUB_SITE_URL = (env("SITE_URL") or "").rstrip("/")
PUBLIC_BASE_URL = NPOHUB_SITE_URL
# Registration thresholds and time limits per province: see npohub/registration/policy.py.
REGISTRATION_POLICY: dict[str, dict[str, object]] = {}
# The same per-province override hook for the supervision and hub domains (defaults in each
# app's policy.py; keys "default" or a 2-digit province code).
CREDIT_POLICY: dict[str, dict[str, object]] = {}
SUPERVISION_POLICY: dict[str, dict[str, object]] = {}
INSPECTIONS_POLICY: dict[str, dict[str, object]] = {}
ENFORCEMENT_POLICY: dict[str, dict[str, object]] = {}
HUBS_POLICY: dict[str, dict[str, object]] = {}
PARTY_POLICY: dict[str, dict[str, object]] = {}
RATINGS_POLICY: dict[str, dict[str, object]] = {}
STARS_POLICY: dict[str, dict[str, object]] = {}

# --- E-mail (notifications) ---------------------------------------------------------------------
# The console backend prints mail in development; production sets EMAIL_BACKEND to SMTP.
EMAIL_BACKEND = env("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "社会组织综合管理平台 <noreply@localhost>"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "WARNING"},
}
