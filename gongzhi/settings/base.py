"""Settings shared by every environment; values that differ come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
GONGZHI_HOME = Path(os.environ.get("GONGZHI_HOME", "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_config() -> dict[str, object]:
    """`DATABASE_URL` selects the database; without it, SQLite lives under GONGZHI_HOME."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        GONGZHI_HOME.mkdir(parents=True, exist_ok=True)
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(GONGZHI_HOME / "gongzhi.sqlite3"),
            # WAL lets the web process read while a seed or task writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    config.setdefault("ATOMIC_REQUESTS", False)
    return config


SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = False
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "gongzhi.core",
    "gongzhi.regions",
    "gongzhi.people",
    "gongzhi.cases",
    "gongzhi.volunteers",
    "gongzhi.registrations",
    "gongzhi.services",
    "gongzhi.wishes",
    "gongzhi.points",
    "gongzhi.web",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongzhi.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Login security (docs/security.md): idle sessions end, then the second factor and a forced
    # password change hold a half-signed-in session on their own pages.
    "gongzhi.core.security.middleware.IdleTimeoutMiddleware",
    "gongzhi.core.security.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongzhi.core.security.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "gongzhi.core.security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gongzhi.core.security.passwords.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

# Login security; every figure can be changed per installation (docs/security.md).
AUTHENTICATION_BACKENDS = ["gongzhi.core.security.backends.LockoutModelBackend"]
GONGZHI_LOGIN_MAX_FAILURES = int(os.environ.get("GONGZHI_LOGIN_MAX_FAILURES", "5"))
GONGZHI_LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("GONGZHI_LOGIN_FAILURE_WINDOW_MINUTES", "15"))
GONGZHI_LOGIN_LOCK_MINUTES = int(os.environ.get("GONGZHI_LOGIN_LOCK_MINUTES", "15"))
# One address failing for many names is password spraying; an office behind one NAT stays well below.
GONGZHI_LOGIN_IP_MAX_FAILURES = int(os.environ.get("GONGZHI_LOGIN_IP_MAX_FAILURES", "30"))
# How many reverse proxies (nginx…) append to X-Forwarded-For in front of the app; 0 trusts none.
GONGZHI_PROXY_COUNT = int(os.environ.get("GONGZHI_PROXY_COUNT", "0"))
GONGZHI_IDLE_TIMEOUT_MINUTES = int(os.environ.get("GONGZHI_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("GONGZHI_SESSION_MAX_HOURS", "12")) * 3600  # a working day, at most
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = GONGZHI_HOME / "static"


def _xstatic_dirs() -> list[tuple[str, str]]:
    """Leaflet comes from its XStatic package, served under /static/xstatic/<name>/."""
    import xstatic.pkg.leaflet as leaflet

    return [("xstatic/leaflet", leaflet.BASE_DIR)]


STATICFILES_DIRS = _xstatic_dirs()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = GONGZHI_HOME / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "gongzhi.core.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "gongzhi API",
    "DESCRIPTION": '共治 — grid-based grassroots governance. Errors are `{"errors": [{"field", "code", "message"}]}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the sidecar package: no CDN on a government intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps name their choice sets "status" or "kind"; each set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "gongzhi.cases.models.Status",
        "RequestStatusEnum": "gongzhi.cases.models.RequestStatus",
        "RegistrationStatusEnum": "gongzhi.registrations.models.RegistrationStatus",
        "NeedStatusEnum": "gongzhi.services.models.NeedStatus",
        "ProjectStatusEnum": "gongzhi.services.models.ProjectStatus",
        "ClaimStatusEnum": "gongzhi.services.models.ClaimStatus",
        "OrderStatusEnum": "gongzhi.services.models.OrderStatus",
        "ActivityStatusEnum": "gongzhi.volunteers.models.ActivityStatus",
        "SignUpStatusEnum": "gongzhi.volunteers.models.SignUpStatus",
        "WishStatusEnum": "gongzhi.wishes.models.WishStatus",
        "AccountKindEnum": "gongzhi.points.models.AccountKind",
        "TransactionKindEnum": "gongzhi.points.models.TransactionKind",
        "MovementKindEnum": "gongzhi.points.models.MovementKind",
        "ServiceKindEnum": "gongzhi.volunteers.models.ServiceKind",
        "ResourceKindEnum": "gongzhi.services.models.ResourceKind",
        "RequestKindEnum": "gongzhi.cases.models.RequestKind",
        "PartyOrgKindEnum": "gongzhi.people.models.PartyOrgKind",
        "MemberKindEnum": "gongzhi.people.models.MemberKind",
    },
}

# Production must supply GONGZHI_PII_KEY; dev and test settings let the app create one.
GONGZHI_PII_KEY_AUTOCREATE = False

# Optional raster tiles for the maps. Government intranets usually run their own tile server;
# without one the maps draw polygons on a blank canvas.
# Rate limits (H5 reports, wrong ticket lookups, the API intake throttle) count in the cache. Django's
# default cache lives in each process, so behind several web processes a limit holds only per process:
# production points GONGZHI_CACHE_URL at a Redis every process shares (`check --deploy` says so).
GONGZHI_CACHE_URL = os.environ.get("GONGZHI_CACHE_URL", "")
if GONGZHI_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": GONGZHI_CACHE_URL,
            "KEY_PREFIX": "gongzhi",
        }
    }

GONGZHI_TILE_URL = os.environ.get("GONGZHI_TILE_URL", "")
GONGZHI_TILE_ATTRIBUTION = os.environ.get("GONGZHI_TILE_ATTRIBUTION", "")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")},
}
