"""Project wiring. Everything a deployment changes comes from KECHUANG_* environment variables."""

from __future__ import annotations

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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kechuang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

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
