"""Project wiring. Everything a deployment changes comes from KECHUANG_* environment variables."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


# One data directory holds the SQLite database, uploaded files, search indexes and reports.
DATA_DIR = Path(os.environ.get("KECHUANG_DATA_DIR", REPO_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("KECHUANG_SECRET_KEY", "kechuang-development-key-not-for-production-use")
DEBUG = _env_bool("KECHUANG_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
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
    "csp",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "kechuang.core",
    "kechuang.text",
    "kechuang.matching",
    "kechuang.achievements",
    "kechuang.policies",
    "kechuang.contracts",
    "kechuang.rights",
    "kechuang.credit",
    "kechuang.vouchers",
    "kechuang.finance",
    "kechuang.programmes",
    "kechuang.indicators",
    "kechuang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kechuang.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kechuang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kechuang.core.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

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
                "kechuang.core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'kechuang.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KECHUANG_DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server read while the demo loader or an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# django-axes first: it refuses a sign-in while the account or the address is locked out.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
# Applied everywhere a password is set: the change and reset forms, the back office, imports and
# services.create_user/update_user (kechuang.core.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "kechuang.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kechuang.core.passwords.ContextPasswordValidator"},
]

# Sign-in throttling (django-axes): after KECHUANG_LOGIN_FAILURE_LIMIT wrong passwords for one
# account, or from one address, that account or address is locked out for
# KECHUANG_LOGIN_COOLOFF_MINUTES; administrators unlock earlier (back office or
# `kechuang accounts unlock`). Web sign-in and the back office share the rule; the API has no
# password sign-in (bearer tokens are issued to signed-in users).
AXES_FAILURE_LIMIT = int(os.environ.get("KECHUANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("KECHUANG_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kechuang.core.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kechuang.core.accounts.client_ip"
AXES_ENABLE_ADMIN = False  # core's admin lists lockouts with an audited unlock action
AXES_VERBOSE = False

# Chinese first, English throughout.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The project's own assets (site.css) and the npm-installed vendor files (htmx, Chart.js).
STATICFILES_DIRS = [BASE_DIR / "static"]
# `kechuang serve` collects the static files and serves them itself through WhiteNoise, under
# content-hashed names cached for a year, compressed (KECHUANG_SERVE_STATIC=1, set by serve). Without
# it (`make demo`, tests) Django's finders serve them as they are in the source tree, so an edited
# stylesheet shows at once and nothing needs collecting.
SERVE_STATIC = _env_bool("KECHUANG_SERVE_STATIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "kechuang.core.staticstorage.StaticStorage"
        if SERVE_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if SERVE_STATIC:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # right after SecurityMiddleware
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# Uploads larger than Django's in-memory limit are spooled under the data directory, in a folder per
# serving process, so that files left by a killed process are swept at the next start
# (kechuang.core.uploads).
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp" / "uploads"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "kechuang.core.uploads.ProcessTemporaryFileUploadHandler",
]

# --- E-mail (password reset, notifications) ----------------------------------------------------
# KECHUANG_EMAIL_BACKEND: smtp, file (the default: messages written to files under
# KECHUANG_DATA_DIR/mail, as the demo does), console, or a dotted backend path.
_email_backends = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_email_backend = os.environ.get(
    "KECHUANG_EMAIL_BACKEND", "smtp" if os.environ.get("KECHUANG_EMAIL_HOST") else "file"
)
EMAIL_BACKEND = _email_backends.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("KECHUANG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(
    os.environ.get("KECHUANG_EMAIL_PORT", "587" if _env_bool("KECHUANG_EMAIL_TLS", True) else "25")
)
EMAIL_HOST_USER = os.environ.get("KECHUANG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KECHUANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("KECHUANG_EMAIL_TLS", True) and not _env_bool("KECHUANG_EMAIL_SSL", False)
EMAIL_USE_SSL = _env_bool("KECHUANG_EMAIL_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("KECHUANG_EMAIL_FROM", "Kechuang <noreply@kechuang.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = 3600 * 24

# --- Sessions, cookies, HTTPS --------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# A signed-in session ends after this many minutes without a request (IdleSessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("KECHUANG_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_AGE = max(SESSION_IDLE_TIMEOUT, 60)
# KECHUANG_HTTPS=1: the site is served over HTTPS only (the production setting, see docs/deploy.md).
HTTPS = _env_bool("KECHUANG_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("KECHUANG_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KECHUANG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("KECHUANG_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# KECHUANG_BEHIND_PROXY=1: a reverse proxy terminates TLS and says so in X-Forwarded-Proto, and
# appends the client's address to X-Forwarded-For (KECHUANG_PROXY_COUNT proxies in front).
BEHIND_PROXY = _env_bool("KECHUANG_BEHIND_PROXY", False)
PROXY_COUNT = int(os.environ.get("KECHUANG_PROXY_COUNT", "1"))
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KECHUANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Content-Security-Policy (django-csp): scripts and styles only from our own files, never inline.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
    }
}
# Browser features the platform never uses, refused for every page (SecurityHeadersMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)

NINJA_PAGINATION_PER_PAGE = 50

# Background tasks (django-tasks, the backport of Django 6's django.tasks). The default keeps the
# queue in the platform's own database and `kechuang worker` runs it: nothing else to install.
# A deployment with its own queue names another backend here (docs/deploy.md), e.g.
# KECHUANG_TASK_BACKEND=django_tasks_rq.RQBackend.
TASK_BACKEND = os.environ.get("KECHUANG_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {
    "default": {
        "BACKEND": TASK_BACKEND,
        "QUEUES": [],  # any queue name
    }
}
if TASK_BACKEND.startswith("django_tasks_rq."):
    # A deployment that outgrew one machine: tasks in Redis, run by RQ's workers (docs/deploy.md;
    # `pip install django-tasks-rq` there). Not used by the demo or the tests.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("KECHUANG_REDIS_URL", "redis://127.0.0.1:6379/0")}}
# A running job writes a heartbeat this often; one silent for JOB_STALE_SECONDS has lost its worker
# (killed, machine restarted) and is started again or marked failed (core/jobs/reaper.py).
JOB_HEARTBEAT_SECONDS = float(os.environ.get("KECHUANG_JOB_HEARTBEAT_SECONDS", "5"))
JOB_STALE_SECONDS = float(os.environ.get("KECHUANG_JOB_STALE_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}
