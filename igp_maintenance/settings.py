"""
Settings for IGP Maintenance.

Everything that differs between a laptop and the factory's server comes from the
environment (or a `.env` file beside `manage.py`) through django-environ. Every
setting has a development default, except the ones that would be unsafe to
guess in production: with DEBUG off, a missing or default SECRET_KEY, or a
missing DATABASE_URL, stops the process at start-up instead of running with a key
anyone can read on GitHub or silently on the demo SQLite file.

In production one file holds the settings: ENV_FILE=/etc/igp-maintenance/igp.env,
set by the systemd units, the crontab line and bin/igp, so gunicorn, the overdue
scan and a sysadmin's shell read the same values (cron sees no exported shell
variable). A missing setting raises ImproperlyConfigured with one French line;
manage.py and wsgi.py print that line and exit, without a traceback.
"""
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A value already in the process environment wins over the file (CI sets DATABASE_URL).
# ENV_FILE points elsewhere (or at /dev/null to read none); a file named there must exist:
# a typo in a systemd unit would otherwise run with no settings at all.
ENV_FILE = env.str("ENV_FILE", default="")
if ENV_FILE and not os.access(ENV_FILE, os.R_OK):
    raise ImproperlyConfigured(
        f"ENV_FILE={ENV_FILE} : fichier de réglages introuvable ou illisible pour cet utilisateur "
        "(production : /etc/igp-maintenance/igp.env, propriétaire root:igp, mode 0640)."
    )
environ.Env.read_env(ENV_FILE or str(BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# --- Secret key -------------------------------------------------------------
# Values that must never reach production: the placeholder of .env.example and
# Django's generated "insecure" prefix.
UNSAFE_SECRET_KEYS = {"", "change-me", "changeme", "secret", "dev"}
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (
    SECRET_KEY in UNSAFE_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 32
):
    raise ImproperlyConfigured(
        "SECRET_KEY manquante, d'exemple ou de moins de 32 caractères alors que DEBUG=False ; "
        "générez-en une avec python -c \"import secrets; print(secrets.token_urlsafe(50))\" "
        "et mettez-la dans le fichier de réglages (ENV_FILE)."
    )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public address of the application, used to build links in webhooks and emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "accounts",
    "tickets",
    "notifications",
    "legacy",
    "messaging",
    "planning",
    "api",
    "web",
    "pwa",
    "machines",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "igp_maintenance.middleware.FactoryLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a sign-in refused by the limit into a 429 at every door (accounts/signin_limit.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "igp_maintenance.urls"
WSGI_APPLICATION = "igp_maintenance.wsgi.application"

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
                "notifications.context_processors.scheduler_status",
                # The bell in the header: one query, only on pages that draw the header.
                "notifications.bell.header_bell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# An embedded SQLite file by default; PostgreSQL with DATABASE_URL=postgres://...
# Lets two test runs on one machine use distinct test databases.
_TEST_DB_SUFFIX = env.str("TEST_DB_SUFFIX", default="")
if not DEBUG and not env.str("DATABASE_URL", default=""):
    # Never fall back to the demo SQLite file in production: cron would scan it and say nothing.
    raise ImproperlyConfigured(
        "DATABASE_URL manquante alors que DEBUG=False ; indiquez la base dans le fichier de réglages (ENV_FILE), "
        "par exemple DATABASE_URL=postgres://igp:MOT_DE_PASSE@127.0.0.1:5432/igp."
    )
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Take the write lock when a transaction starts rather than on its first
            # write, so two writers queue on the busy timeout instead of failing
            # with "database is locked" half-way through.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not memory: concurrency tests open several connections at once.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db{_TEST_DB_SUFFIX}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    if _TEST_DB_SUFFIX:
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_TEST_DB_SUFFIX}"}

# --- Shared cache and sessions ------------------------------------------------
# One cache for every worker and every host: failed sign-in counters and sessions live
# here. Redis in production (CACHE_URL=redis://127.0.0.1:6379/0, Django's own backend);
# by default a table of the database, which every worker already shares and which
# `migrate` creates (accounts/apps.py), so a fresh clone needs nothing more.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://igp_cache")}
# django-environ drops ?key_prefix= for Redis; a setting of its own lets two
# installations (or two test runs) share one Redis without mixing their keys.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="igp")
# Sessions are read from the cache and written through to the database, so a Redis
# restart signs nobody out; with the cache in the database that would be two reads
# of the same database instead of one.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # Past 300 entries Django deletes a third of the table: someone failing sign-ins
    # from many addresses would push the locks out with his own counters.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
else:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Sign-in limit (django-axes, see accounts/signin_limit.py) ------------------
# Failures are counted per (account, address) pair: 5 wrong passwords for one e-mail
# from one address lock that pair for the cool-off, on the pages, the admin and the API
# alike. The same person elsewhere still signs in, so nobody can lock a colleague out
# by guessing from another machine. A looser count per address alone slows down one
# machine trying many accounts (0 turns it off).
AXES_HANDLER = "accounts.signin_limit.SignInLimitHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_COOLOFF_MINUTES", default=15))
# A try during the lock is refused without being counted: the lock ends one cool-off
# after the failure that caused it, however long someone keeps knocking.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.signin_limit.username_of"
AXES_CLIENT_IP_CALLABLE = "accounts.signin_limit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.signin_limit.lockout_response"
# The counters are in the cache: axes' database tables would stay empty in the admin.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
# No "AXES: BEGIN" banner at start-up: `check_overdue` must print nothing when all is
# well, or cron mails the sysadmin 288 times a day.
AXES_VERBOSE = False
# Behind a reverse proxy the client's address is the one the last NUM_PROXIES proxies
# appended to X-Forwarded-For; without one, X-Forwarded-For is ignored (anyone can send it).
NUM_PROXIES = env.int("NUM_PROXIES", default=1 if env.bool("BEHIND_PROXY", default=False) else 0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Hashes carried over from the original application (see legacy/hashers.py).
    "legacy.hashers.IGPLegacyPBKDF2Hasher",
    "legacy.hashers.IGPLegacySHA256Hasher",
]

# The sign-in limit's backend goes first: a locked (account, address) pair is refused
# before any password is hashed, whichever door (page, admin, API) it knocks on.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:board"
LOGOUT_REDIRECT_URL = "web:login"

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Stored in UTC, shown in the factory's zone.
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="America/Toronto")

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    # Photos and videos go through Django's storage API: an S3-compatible bucket
    # replaces the disk by changing this backend (django-storages) alone.
    "default": {"BACKEND": env.str("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development whitenoise serves straight from the finders: no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Upload caps: a photo from a phone is a few MB, a short video tens of MB.
MEDIA_MAX_PHOTO_BYTES = env.int("MEDIA_MAX_PHOTO_BYTES", default=10 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env.int("MEDIA_MAX_VIDEO_BYTES", default=100 * 1024 * 1024)
# One sending (report form, ticket page): how many files, and their total, kept under nginx's
# client_max_body_size (110m in deploy/nginx.conf) so the person reads our message, not nginx's.
MEDIA_MAX_FILES_PER_UPLOAD = env.int("MEDIA_MAX_FILES_PER_UPLOAD", default=10)
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
# A photo beyond this many pixels is refused before it is decoded (a 48 MP phone photo passes).
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=64_000_000)
# The longer side of a thumbnail, in pixels (shown at up to 160 CSS px, sharp on a 2x screen).
MEDIA_THUMBNAIL_PIXELS = env.int("MEDIA_THUMBNAIL_PIXELS", default=320)

# Team messaging (messaging app, README "Team messaging"): a voice note is refused beyond these
# (a minute of Opus at a browser's 32-64 kbit/s is 0.25-0.5 MB); a text message beyond MESSAGING_MAX_TEXT_LENGTH.
MESSAGING_AUDIO_MAX_SECONDS = env.int("MESSAGING_AUDIO_MAX_SECONDS", default=120)
MESSAGING_AUDIO_MAX_BYTES = env.int("MESSAGING_AUDIO_MAX_BYTES", default=5 * 1024 * 1024)
MESSAGING_MAX_TEXT_LENGTH = env.int("MESSAGING_MAX_TEXT_LENGTH", default=4000)
# Messages shown per page of a conversation (older ones load on scroll).
MESSAGING_PAGE_SIZE = env.int("MESSAGING_PAGE_SIZE", default=30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------
# Off behind plain HTTP in development; on by default in production, where
# `manage.py check --deploy` must report nothing.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere: every script is a file under /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The Django admin still writes a few style="" attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- REST API ---------------------------------------------------------------
# Signs the API's tokens; unset, SECRET_KEY does. HS256 with a short key can be
# brute-forced offline from any one token: in production, 32 characters at least.
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # JSONParser that answers 400 to a too-deep document instead of a RecursionError (500).
        "api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberWithSize",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error as JSON saying what to do; maps the domain's Django exceptions.
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": JWT_SIGNING_KEY or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a hash of the password hash: a new password stops access tokens at once.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IGP Maintenance API",
    "DESCRIPTION": "API de gestion de la maintenance d'IGP (tickets, machines, alertes).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "MachineStatusEnum": "tickets.models.Machine.Status",
    },
}

# --- Overdue alerts (notifications app) --------------------------------------
# Bearer secret of POST /api/cron/check-overdue. Unset: the endpoint answers 503.
CRON_SECRET = env.str("CRON_SECRET", default="")


def _refuse_short_secrets(**secrets):
    """In production a set secret shorter than 32 characters stops the start, like SECRET_KEY.

    Unset stays allowed where it has a meaning (no CRON_SECRET: the cron
    endpoint answers 503; no JWT_SIGNING_KEY: SECRET_KEY signs the tokens).
    """
    for name, value in secrets.items():
        if not DEBUG and value and len(value) < 32:
            raise ImproperlyConfigured(
                f"{name} compte moins de 32 caractères alors que DEBUG=False : elle se devinerait ; "
                "générez-en une avec python -c \"import secrets; print(secrets.token_urlsafe(32))\" "
                "et mettez-la dans le fichier de réglages (ENV_FILE)."
            )


_refuse_short_secrets(JWT_SIGNING_KEY=JWT_SIGNING_KEY, CRON_SECRET=CRON_SECRET)
# The destination of the original application (Pabbly Connect). Unset: only the
# endpoints managed in the admin receive alerts.
OVERDUE_WEBHOOK_URL = env.str("OVERDUE_WEBHOOK_URL", default="")
OVERDUE_WEBHOOK_SECRET = env.str("OVERDUE_WEBHOOK_SECRET", default="")
# At most one alert per ticket and destination in this window, counted from the
# last successful delivery.
OVERDUE_ALERT_INTERVAL = timedelta(hours=env.float("OVERDUE_ALERT_INTERVAL_HOURS", default=24))
# Minutes to wait before retrying after the 1st, 2nd, 3rd... failure; the last repeats.
OVERDUE_RETRY_DELAYS_MINUTES = env.list("OVERDUE_RETRY_DELAYS_MINUTES", cast=int, default=[5, 15, 60])
# A run stops starting deliveries after this many seconds (cron-job.org gives up at 30 s).
OVERDUE_RUN_BUDGET_SECONDS = env.float("OVERDUE_RUN_BUDGET_SECONDS", default=20.0)
# Preventive plans (planning app): the share of a scan's budget their ticket creation may take; what is
# left waits for the next scan (5 minutes), so the overdue alerts keep the rest of the budget.
PLANNING_SCAN_SECONDS = env.float("PLANNING_SCAN_SECONDS", default=5.0)
# A claim older than this belongs to a run that died: the alert is sent again,
# and that run's "Envoi en cours" rows and record are marked interrupted.
OVERDUE_CLAIM_TTL_SECONDS = env.int("OVERDUE_CLAIM_TTL_SECONDS", default=300)
# A retry or 24 h window falling due less than this after a run's instant is taken
# by that run: a run starts a little late (process start-up), and without this a
# retry "in 5 minutes" waits for the next-but-one run. Must stay below the
# smallest retry delay. It never changes which tickets are overdue.
OVERDUE_DUE_TOLERANCE_SECONDS = env.float("OVERDUE_DUE_TOLERANCE_SECONDS", default=30.0)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
# Total time one attempt may take, whatever the receiver does (a trickled answer
# restarts the read timeout with every byte). Budget 20 s + 8 s < cron-job.org's 30 s.
WEBHOOK_TOTAL_TIMEOUT = env.float("WEBHOOK_TOTAL_TIMEOUT", default=8.0)
WEBHOOK_SPACING_MS = env.int("WEBHOOK_SPACING_MS", default=200)
WEBHOOK_MAX_CONCURRENCY = env.int("WEBHOOK_MAX_CONCURRENCY", default=4)
# The admin warns, and /api/health answers 503, when no scan ran for this long.
SCHEDULER_STALE_AFTER = timedelta(minutes=env.int("SCHEDULER_STALE_MINUTES", default=15))

# --- Web Push (notifications/push.py, notifications/transports/webpush.py) ----
# The VAPID key pair identifies this server to the browsers' push services; print a
# pair with `python manage.py generate_vapid_keys`. Both keys are base64url: the
# public one (87 characters) is what a browser subscribes with, the private one (43)
# signs each push. Unset: Web Push is "not configured" — the pages hide the switch and
# no push is sent; with DEBUG=False `manage.py check --deploy` reports notifications.E001.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
# Who the push services may contact about our pushes (RFC 8292): mailto: or https: address.
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="")
# A browser gives us the address its push service wants (Google, Mozilla, Apple,
# Microsoft). Only https addresses on these hosts (or their subdomains) are accepted:
# anyone signed in could otherwise make the server post to an address of his choosing.
WEBPUSH_ENDPOINT_HOSTS = env.list("WEBPUSH_ENDPOINT_HOSTS", default=[
    "fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com",
])
# Plain http endpoints: only the tests' push-service stand-in on 127.0.0.1 needs them.
WEBPUSH_ALLOW_HTTP = env.bool("WEBPUSH_ALLOW_HTTP", default=False)
# How long a push service keeps a push for a phone that is off (seconds), and the total
# time one push may take, whatever the push service does.
WEBPUSH_TTL_SECONDS = env.int("WEBPUSH_TTL_SECONDS", default=12 * 3600)
WEBPUSH_TOTAL_TIMEOUT = env.float("WEBPUSH_TOTAL_TIMEOUT", default=8.0)
# --- Notifications to people (issue 13): e-mail, push, the bell ---------------
# E-mail server as a URL (django-environ): smtp://user:pass@host:587 (STARTTLS: smtp+tls://, TLS: smtp+ssl://).
# Unset: the console backend in development (the e-mail is printed), a local SMTP server in production.
# An empty EMAIL_URL= (as in deploy/igp.env.example) counts as unset.
vars().update(env.email_url_config(
    env.str("EMAIL_URL", default="") or ("consolemail://" if DEBUG else "smtp://localhost:25")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="IGP Maintenance <maintenance@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Seconds per SMTP socket operation: a stalled server cannot hold a scan past its budget for long.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=8.0)
# E-mails in flight at once during a scan (one SMTP connection each).
EMAIL_MAX_CONCURRENCY = env.int("EMAIL_MAX_CONCURRENCY", default=2)
# Deliver a new notification right after its transaction commits (a short background thread), not only
# at the next scan. The scan remains the safety net.
NOTIFICATIONS_DELIVER_ON_COMMIT = env.bool("NOTIFICATIONS_DELIVER_ON_COMMIT", default=True)
# A delivery to a person is given up after this many failed attempts (5, 15, 60 min, then hourly: ~6 h).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
# Deliveries to people a scan takes at most (the rest goes next run, counted as remaining).
NOTIFICATIONS_SCAN_LIMIT = env.int("NOTIFICATIONS_SCAN_LIMIT", default=500)
# Deliveries to people claimed, recorded and settled together by a scan with worker threads (one UPDATE,
# one INSERT, one commit per batch instead of per delivery: notifications.dispatch). 1 turns batching off.
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=25)
# Days the one-click "change what I receive" link of an e-mail stays valid.
NOTIFICATIONS_PREFERENCES_TOKEN_DAYS = env.int("NOTIFICATIONS_PREFERENCES_TOKEN_DAYS", default=60)
# /api/health lists a channel whose deliveries have all failed for longer than this.
NOTIFICATIONS_FAILING_AFTER = timedelta(minutes=env.int("NOTIFICATIONS_FAILING_MINUTES", default=60))

# --- Technicians' pages (web app) ---------------------------------------------
# Cards shown per board column before a "see all" link; keeps the board light on a phone.
BOARD_COLUMN_LIMIT = env.int("BOARD_COLUMN_LIMIT", default=25)
# Tickets per page when one column (or the archives) is shown alone.
BOARD_PAGE_SIZE = env.int("BOARD_PAGE_SIZE", default=50)
# How often an open board asks whether anything changed (one small query, an empty 204 when nothing did).
BOARD_POLL_SECONDS = env.int("BOARD_POLL_SECONDS", default=15)
# An open conversation asks for new messages this often (messaging.views; same mechanism as the board).
MESSAGING_POLL_SECONDS = env.int("MESSAGING_POLL_SECONDS", default=5)

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
