"""Village settings, read from environment variables (see docs/deployment in README).

Development defaults need no configuration at all: a SQLite file under ``var/``. Setting
``VILLAGE_PRODUCTION=1`` switches to production mode, which refuses to start without a real secret
key and an explicit list of allowed hosts.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from village.core.env import env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("VILLAGE_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite database, mail lock, uploads

PRODUCTION = env_bool("VILLAGE_PRODUCTION", default=False)
DEBUG = env_bool("VILLAGE_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("VILLAGE_DEBUG must be off when VILLAGE_PRODUCTION is on.")

_DEV_SECRET_KEY = "village-development-only-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env_str("VILLAGE_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "VILLAGE_SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list(
    "VILLAGE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "VILLAGE_ALLOWED_HOSTS must list the host names Village is served on."
    )
CSRF_TRUSTED_ORIGINS = env_list("VILLAGE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API documentation's scripts and styles come from our own static files
    "axes",
    "mailer",
    "django_tasks",
    "django_tasks_db",
    "village.core",
    "village.accounts",
    "village.community",
    "village.classwork",
    "village.conferences",
    "village.calendar",
    "village.families",
    "village.notifications",
    "village.messaging",
    "village.announcements",
    "village.goals",
    "village.support",
    "village.translation",
    "village.rostering",
    "village.onboarding",
    "village.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every other Village middleware, so that their answers (a lockout, an expired form)
    # carry the headers too; inside WhiteNoise, so that static files are left alone.
    "village.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "village.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "village.urls"
WSGI_APPLICATION = "village.wsgi.application"

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
                # The bell's unread count, read only on pages that show it.
                "village.notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'village.sqlite3'}"),
        conn_max_age=env_int("VILLAGE_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: every saved password change revokes the user's API tokens.
    {"NAME": "village.accounts.passwords.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "community:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
VILLAGE_INVITATION_DAYS = env_int("VILLAGE_INVITATION_DAYS", 14)

# Lockout after repeated failed logins (django-axes): per username and client (an IPv4 address
# or an IPv6 /64, see village.core.clientip), and per username from every client together with
# a higher limit, so one person at a school's shared address does not lock a colleague out while
# guesses spread over many addresses are still stopped.
AXES_FAILURE_LIMIT = env_int("VILLAGE_LOGIN_FAILURE_LIMIT", 5)
VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "village.accounts.lockout.AccountLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("VILLAGE_LOGIN_LOCKOUT", default=True)

# The client's address behind a reverse proxy: X-Forwarded-For is believed only as far as these
# proxies (addresses or networks, e.g. 127.0.0.1,10.0.0.0/8); empty, REMOTE_ADDR is the client.
# The login lockout, the pairing-code limiter and the password-reset throttle all use it.
VILLAGE_TRUSTED_PROXIES = env_networks("VILLAGE_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "village.core.clientip.client_key"

# Password-reset emails per hour: to one address, and asked for from one client address.
VILLAGE_PASSWORD_RESET_PER_EMAIL = env_int("VILLAGE_PASSWORD_RESET_PER_EMAIL", 3)
VILLAGE_PASSWORD_RESET_PER_CLIENT = env_int("VILLAGE_PASSWORD_RESET_PER_CLIENT", 10)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page loads its scripts and styles from Village's own static files: no inline script,
# inline style, event-handler attribute or eval (see village.core.middleware).
_SELF = "'self'"
VILLAGE_CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": [_SELF],
    "script-src": [_SELF],
    "style-src": [_SELF],
    "img-src": [_SELF, "data:"],
    "font-src": [_SELF],
    "connect-src": [_SELF],
    "object-src": ["'none'"],
    "base-uri": [_SELF],
    "frame-ancestors": ["'none'"],
    "form-action": [_SELF],
}
_CSP_REPORT_URI = env_str("VILLAGE_CSP_REPORT_URI", "")
if _CSP_REPORT_URI:
    VILLAGE_CONTENT_SECURITY_POLICY["report-uri"] = [_CSP_REPORT_URI]
# Answers under these paths are never stored by a browser or proxy (nor is any answer to a
# signed-in user); calendar feeds say so themselves.
VILLAGE_NO_STORE_PREFIXES = ["/api/"]
SECURE_HSTS_PRELOAD = False
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("VILLAGE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("VILLAGE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("VILLAGE_HSTS_PRELOAD", default=False)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
#: Village's own date formats per language (``village/locale/<language>/formats.py``).
FORMAT_MODULE_PATH = ["village.locale"]
USE_I18N = True
TIME_ZONE = env_str("VILLAGE_TIME_ZONE", "America/Chicago")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploads (students' work, teachers' materials) are kept under MEDIA_ROOT and served only through
# views that check who may open them; there is deliberately no MEDIA_URL route.
VILLAGE_UPLOAD_MAX_MB = env_int("VILLAGE_UPLOAD_MAX_MB", 20)
if VILLAGE_UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured("VILLAGE_UPLOAD_MAX_MB must be at least 1 (megabytes).")

# Every email is written to the database first (django-mailer) and sent by `village runmailer`;
# a failed delivery is deferred and retried, so nothing is lost when the mail server is down.
EMAIL_BACKEND = "village.core.mail.VillageMailBackend"  # adds Village's headers, then:
VILLAGE_EMAIL_OUTBOX = "mailer.backend.DbBackend"
MAILER_EMAIL_BACKEND = env_str(
    "VILLAGE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("VILLAGE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("VILLAGE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("VILLAGE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("VILLAGE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VILLAGE_EMAIL_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("VILLAGE_FROM_EMAIL", "Village <no-reply@village.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# The domain that names Village in what outlives a request: emails' Message-IDs and calendar
# events' UIDs (a calendar app that sees the same UID twice keeps one event, whichever host name
# served the feed). By default the domain of VILLAGE_FROM_EMAIL.
def _site_domain() -> str:
    sender = parseaddr(DEFAULT_FROM_EMAIL)[1]
    domain = env_str("VILLAGE_SITE_DOMAIN", sender.rpartition("@")[2] or "village.invalid")
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", domain):
        raise ImproperlyConfigured(
            f"VILLAGE_SITE_DOMAIN={domain!r} must be a bare domain name, "
            "such as village.example.org."
        )
    return domain.lower()


VILLAGE_SITE_DOMAIN = _site_domain()
# Where Village is reached, for links in what is sent without a request (alerts, digests).
VILLAGE_SITE_URL = env_str("VILLAGE_SITE_URL", f"https://{VILLAGE_SITE_DOMAIN}").rstrip("/")

# Notifications (village.notifications): how long they are kept, retries of their deliveries,
# and the SMS gateway (texts are off unless VILLAGE_SMS_URL is set).
VILLAGE_NOTIFICATION_RETENTION_DAYS = env_int("VILLAGE_NOTIFICATION_RETENTION_DAYS", 180)
VILLAGE_DELIVERY_MAX_ATTEMPTS = env_int("VILLAGE_DELIVERY_MAX_ATTEMPTS", 12)
VILLAGE_DELIVERY_BACKOFF_SECONDS = env_int("VILLAGE_DELIVERY_BACKOFF_SECONDS", 60)
# Seconds a worker holds the deliveries it claimed (renewed while it sends): a worker that died
# lets go of them after this long. Far longer than one message takes to send.
VILLAGE_DELIVERY_LEASE_SECONDS = env_int("VILLAGE_DELIVERY_LEASE_SECONDS", 120)
if VILLAGE_DELIVERY_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("VILLAGE_DELIVERY_LEASE_SECONDS must be at least 1 (seconds).")
# Minutes a grade or missing-work alert waits, so a teacher can correct a slip first.
VILLAGE_ALERT_HOLD_MINUTES = env_int("VILLAGE_ALERT_HOLD_MINUTES", 10)
# 0: this `village worker` only delivers (alert checks and sweeps are left to another worker).
VILLAGE_WORKER_SWEEPS = env_bool("VILLAGE_WORKER_SWEEPS", default=True)
VILLAGE_SMS_URL = env_str("VILLAGE_SMS_URL", "")
# Messaging (village.messaging): messages one person may send in an hour (against abuse).
VILLAGE_MESSAGES_PER_HOUR = env_int("VILLAGE_MESSAGES_PER_HOUR", 60)
if VILLAGE_MESSAGES_PER_HOUR < 1:
    raise ImproperlyConfigured("VILLAGE_MESSAGES_PER_HOUR must be at least 1.")
# Days conversations are kept after their last message (0: kept; they are the school's record).
VILLAGE_MESSAGE_RETENTION_DAYS = env_int("VILLAGE_MESSAGE_RETENTION_DAYS", 0)
if VILLAGE_MESSAGE_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("VILLAGE_MESSAGE_RETENTION_DAYS must be 0 (keep) or more.")
VILLAGE_SMS_TOKEN = env_str("VILLAGE_SMS_TOKEN", "")
VILLAGE_SMS_SENDER = env_str("VILLAGE_SMS_SENDER", "Village")
# Announcements (village.announcements): a recipient who has not opened one this many days after
# it was sent is on its sender's "not reached" list.
VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS = env_int("VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS", 3)
if VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS < 1:
    raise ImproperlyConfigured("VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS must be at least 1 (days).")


def _seconds(name: str, default: int) -> int:
    seconds = env_int(name, default)
    if seconds < 1:
        raise ImproperlyConfigured(f"{name}={seconds} must be at least 1 (seconds).")
    return seconds


# Machine translation (village.translation) of what people write, into each reader's language.
# Engines in order of preference: apertium (Debian's apertium and a package per pair, e.g.
# apertium-eng-spa), libretranslate (a self-hosted server at VILLAGE_LIBRETRANSLATE_URL), or the
# dotted path of an engine class of one's own; per pair the first engine that has it is used.
VILLAGE_TRANSLATION_ENGINES = env_list("VILLAGE_TRANSLATION_ENGINES", ["apertium"])
VILLAGE_APERTIUM_COMMAND = env_str("VILLAGE_APERTIUM_COMMAND", "apertium")
VILLAGE_APERTIUM_TIMEOUT = _seconds("VILLAGE_APERTIUM_TIMEOUT", 60)
VILLAGE_LIBRETRANSLATE_URL = env_str("VILLAGE_LIBRETRANSLATE_URL", "")
VILLAGE_LIBRETRANSLATE_API_KEY = env_str("VILLAGE_LIBRETRANSLATE_API_KEY", "")
VILLAGE_LIBRETRANSLATE_TIMEOUT = _seconds("VILLAGE_LIBRETRANSLATE_TIMEOUT", 20)
if "libretranslate" in VILLAGE_TRANSLATION_ENGINES and not VILLAGE_LIBRETRANSLATE_URL:
    raise ImproperlyConfigured(
        "VILLAGE_TRANSLATION_ENGINES names libretranslate: set VILLAGE_LIBRETRANSLATE_URL to its "
        "address, such as http://127.0.0.1:5000."
    )
# Retries of a translation an engine failed: back-off doubled per attempt, then failed.
VILLAGE_TRANSLATION_MAX_ATTEMPTS = env_int("VILLAGE_TRANSLATION_MAX_ATTEMPTS", 8)
VILLAGE_TRANSLATION_BACKOFF_SECONDS = env_int("VILLAGE_TRANSLATION_BACKOFF_SECONDS", 60)
# Seconds a worker holds the translations it claimed: far longer than a batch takes.
VILLAGE_TRANSLATION_LEASE_SECONDS = _seconds("VILLAGE_TRANSLATION_LEASE_SECONDS", 600)

# A cache shared by the web and worker processes (progress of long imports, throttles). Files under
# var/ need no set-up; a deployment with several hosts points VILLAGE_CACHE_URL at Redis.
_CACHE_URL = env_str("VILLAGE_CACHE_URL", "")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    ),
    # Counters of rate limits (password-reset emails): shared by every process of a host (files)
    # or of every host (Redis, VILLAGE_CACHE_URL).
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "throttle",
            "TIMEOUT": 60 * 60,
        }
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "throttle"),
            # Incrementing a counter here saves it again with this timeout: never shorter than
            # the longest window a counter counts in.
            "TIMEOUT": 60 * 60,
        }
    ),
    # Rendered parts of pages (the family home page). Every entry's key names the versions of
    # what it shows, so an entry is never stale; a process's own memory serves one host, Redis
    # (VILLAGE_CACHE_URL) several.
    "pages": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "pages",
        }
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "village-pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("VILLAGE_PAGE_CACHE_ENTRIES", 20000)},
        }
    ),
}

# Background tasks run from the database by default (`village db_worker`); a district that
# scales out points this at another django-tasks backend.
TASKS = {
    "default": {
        "BACKEND": env_str("VILLAGE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SILENCED_SYSTEM_CHECKS: list[str] = []
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    # Joining the browsers' HSTS preload list binds the whole domain for months; a district
    # opts in with VILLAGE_HSTS_PRELOAD=1 rather than by default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("VILLAGE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "mailer": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

MAILER_EMAIL_MAX_RETRIES = env_int("VILLAGE_EMAIL_MAX_RETRIES", 48)
MAILER_LOCK_PATH = str(VAR_DIR / "mailer")
# Any delivery failure defers that one message; the others still go out.
MAILER_ERROR_HANDLER = "village.core.mail.delivery_failed"


# How long data Village no longer needs is kept before `village purge` (and `village worker`,
# about once an hour) removes it: failed pairing-code attempts; pairing codes and guardian
# invitations after they were used, withdrawn or expired; the files of finished roster imports
# (their reports stay); accounts made by a family sign-up whose address was never confirmed.
# At least a day: the rate limit on pairing codes counts recent failures.
def _retention_days(name: str, default: int) -> int:
    days = env_int(name, default)
    if days < 1:
        raise ImproperlyConfigured(f"{name}={days} must be a whole number of days, at least 1.")
    return days


VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS = _retention_days("VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS", 30)
VILLAGE_RETAIN_CODES_DAYS = _retention_days("VILLAGE_RETAIN_CODES_DAYS", 90)
VILLAGE_RETAIN_UPLOADS_DAYS = _retention_days("VILLAGE_RETAIN_UPLOADS_DAYS", 30)
VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS = _retention_days(
    "VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS", 7
)
