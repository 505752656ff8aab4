"""Weibao settings: one module, every value from the environment.

Modes (WEIBAO_MODE):
- ``production`` (the default): refuses to start without WEIBAO_SECRET_KEY and
  WEIBAO_ALLOWED_HOSTS; no demo shortcuts.
- ``demo``: generates and keeps a secret key under var/, relaxes the admin second
  factor for the demo logins (the login page says so), password expiry off.
- ``test``: set by the test suite; fixed key, real security rules.
"""

import hmac
import os

# The spreadsheet writer's lxml backend (lxml came with python-docx) reads a carriage
# return back as a line feed: keep its own writer, which exports cells exactly.
os.environ.setdefault("OPENPYXL_LXML", "False")
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WEIBAO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


MODE = os.environ.get("WEIBAO_MODE", "production").strip().lower()
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured("WEIBAO_MODE must be production, demo or test")
PRODUCTION = MODE == "production"
DEMO = MODE == "demo"
TESTING = MODE == "test"

DEBUG = env_bool("WEIBAO_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("WEIBAO_SECRET_KEY", "")
    if key:
        return key
    if TESTING:
        return "weibao-test-secret-key-not-for-production-use-0123456789"
    if DEMO:
        # Demo mode keeps one generated key so sessions survive restarts.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "WEIBAO_SECRET_KEY is not set. Production mode refuses to start without one "
        "(set WEIBAO_MODE=demo to try Weibao locally)."
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "WEIBAO_ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"],
)
CSRF_TRUSTED_ORIGINS = env_list("WEIBAO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "weibao.core",
    "weibao.accounts",
    "weibao.contracts",
    "weibao.audit",
    "weibao.api",
    "weibao.notifications",
    "weibao.calendars",
    "weibao.servicedesk",
    "weibao.knowledge",
    "weibao.feedback",
    "weibao.hotline",
    "weibao.portal",
    "weibao.mailchannel",
    "weibao.visits",
    "weibao.people",
    "weibao.escalations",
    "weibao.oncall",
    "weibao.monitoring",
    "weibao.incidents",
    "weibao.changes",
    "weibao.ledger",
    "weibao.demo",
    "weibao.web",
]

MIDDLEWARE = [
    "weibao.core.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "weibao.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "weibao.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "weibao.core.middleware.RequestContextMiddleware",
    # Inside the request context (address, request id), outside everything that may refuse.
    "weibao.audit.middleware.DeniedRequestAuditMiddleware",
    "weibao.accounts.middleware.IdleTimeoutMiddleware",
    "weibao.accounts.middleware.SecondFactorMiddleware",
    "weibao.accounts.middleware.PasswordExpiryMiddleware",
    "weibao.contracts.middleware.CurrentContractMiddleware",
    "weibao.core.middleware.UntrustedInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "weibao.urls"
WSGI_APPLICATION = "weibao.wsgi.application"

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
                "weibao.web.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "weibao.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# A request either completes or leaves nothing behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["weibao.accounts.backends.UserBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "weibao.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("WEIBAO_PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "weibao.accounts.passwords.CharacterClassValidator"},
    {"NAME": "weibao.accounts.passwords.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "weibao.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "weibao.accounts.passwords.SequenceValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

# Login security (等保 2.0 三级, GB/T 22239-2019 8.1.4.1). All configurable.
WEIBAO_PASSWORD_HISTORY = env_int("WEIBAO_PASSWORD_HISTORY", 5)
WEIBAO_PASSWORD_MAX_AGE_DAYS = env_int("WEIBAO_PASSWORD_MAX_AGE_DAYS", 0 if DEMO else 90)
WEIBAO_LOCKOUT_THRESHOLD = env_int("WEIBAO_LOCKOUT_THRESHOLD", 5)
WEIBAO_LOCKOUT_MINUTES = env_int("WEIBAO_LOCKOUT_MINUTES", 10)
# Failed logins from one address (any usernames) in 10 minutes before that address is
# refused for the rest of the window: one account's lockout does not stop password spraying.
WEIBAO_LOGIN_ADDRESS_FAILURES = env_int("WEIBAO_LOGIN_ADDRESS_FAILURES", 20)
WEIBAO_TOKEN_REQUESTS_PER_MINUTE = env_int("WEIBAO_TOKEN_REQUESTS_PER_MINUTE", 20)
# An API token lives this many days; a password change or deactivation revokes it sooner.
WEIBAO_API_TOKEN_LIFETIME_DAYS = max(env_int("WEIBAO_API_TOKEN_LIFETIME_DAYS", 90), 1)
WEIBAO_IDLE_TIMEOUT_MINUTES = env_int("WEIBAO_IDLE_TIMEOUT_MINUTES", 10)
# 好差评: a dissatisfied rating opens a rectification due in this many working days.
WEIBAO_RECTIFICATION_WORKING_DAYS = env_int("WEIBAO_RECTIFICATION_WORKING_DAYS", 15)
# Demo mode may let the demo admin logins in without TOTP; the login page says so.
WEIBAO_DEMO_RELAX_2FA = DEMO and env_bool("WEIBAO_DEMO_RELAX_2FA", True)

SESSION_ENGINE = "weibao.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("WEIBAO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600  # hard cap; the idle timeout is enforced by middleware
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("WEIBAO_BEHIND_TLS_PROXY", False) else None
)
# X-Real-IP names the client (rate limits, audit) only when a proxy of ours sets it;
# otherwise anyone could send a new one with each request and never be limited.
WEIBAO_TRUST_X_REAL_IP = env_bool("WEIBAO_TRUST_X_REAL_IP", env_bool("WEIBAO_BEHIND_TLS_PROXY", False))
SECURE_HSTS_SECONDS = env_int("WEIBAO_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
# Off by default: a bureau's other systems often share the parent domain without TLS, and
# intranet domains cannot be on the browsers' public preload list. Turn on when they can.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WEIBAO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("WEIBAO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, enabled in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not enabled
]
SECURE_SSL_REDIRECT = env_bool("WEIBAO_SSL_REDIRECT", False)

# Language and time: Chinese first, English second; stored in UTC, shown in Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "weibao" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("WEIBAO_STATIC_ROOT", VAR_DIR / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
# The test client builds the middleware for every new client: look files up when asked
# instead of indexing every static file each time (7 ms a client).
WHITENOISE_AUTOREFRESH = TESTING
MEDIA_ROOT = Path(os.environ.get("WEIBAO_MEDIA_ROOT", VAR_DIR / "media"))

#: Events whose after-commit task has not run this long are dispatched by the periodic sweep.
WEIBAO_EVENT_SWEEP_AFTER_SECONDS = env_int("WEIBAO_EVENT_SWEEP_AFTER_SECONDS", 60)

# Background work: SQLite-backed Huey with no server; Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if TESTING:
    HUEY = {"huey_class": "huey.MemoryHuey", "immediate": True, "name": "weibao-test"}
elif REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "weibao",
        # An unreachable Redis must fail fast, not hang the web request that enqueues.
        "url": REDIS_URL
        if "socket_connect_timeout" in REDIS_URL
        else REDIS_URL + ("&" if "?" in REDIS_URL else "?") + "socket_connect_timeout=2",
        "immediate": False,
        "consumer": {"workers": env_int("WEIBAO_WORKERS", 4), "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "weibao",
        "filename": str(VAR_DIR / "queue.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("WEIBAO_WORKERS", 2), "worker_type": "thread"},
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "weibao.api.authentication.BearerTokenAuthentication",
        "weibao.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "weibao.api.schema.StrictRequestSchema",
    "DEFAULT_PAGINATION_CLASS": "weibao.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "weibao.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["weibao.api.parsers.JSONObjectParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    # Plain ASCII: client generators derive a package name from the title (issue 20).
    "TITLE": "Weibao API",
    "DESCRIPTION": "维保 Weibao: service management for government-service platform maintenance "
    "contracts (一体化政务服务平台运维).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Government intranets have no internet: the docs UI is served from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per shared choice set (the transition's "to" is a ticket status).
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "weibao.servicedesk.models.Status",
        "ContractStatusEnum": "weibao.contracts.models.Contract.Status",
        "ArticleStatusEnum": "weibao.knowledge.models.Article.Status",
        "ChangeStatusEnum": "weibao.changes.models.ChangeRequest.Status",
        "IncidentLevelEnum": "weibao.incidents.models.Level",
        "OverrideKindEnum": "weibao.oncall.models.Override.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "weibao.api.schema.add_error_responses",
    ],
}

# Audit trail: SM3 (GB/T 32905) by default, SHA-256 selectable.
WEIBAO_AUDIT_HASH = os.environ.get("WEIBAO_AUDIT_HASH", "sm3").lower()
if WEIBAO_AUDIT_HASH not in {"sm3", "sha256"}:
    raise ImproperlyConfigured("WEIBAO_AUDIT_HASH must be sm3 or sha256")
# Records are sealed into the chain after their transaction commits, so the chain lock is
# not held for a whole request (decision 0009). The test suite seals at once: its
# transactions are rolled back, never committed.
WEIBAO_AUDIT_SEALING = os.environ.get(
    "WEIBAO_AUDIT_SEALING", "immediate" if TESTING else "after_commit"
).lower()
if WEIBAO_AUDIT_SEALING not in {"after_commit", "immediate"}:
    raise ImproperlyConfigured("WEIBAO_AUDIT_SEALING must be after_commit or immediate")
# Cybersecurity Law art. 23 (as amended, in force 2026-01-01): logs kept >= 6 months.
WEIBAO_AUDIT_RETENTION_DAYS = max(180, env_int("WEIBAO_AUDIT_RETENTION_DAYS", 180))


def _audit_key() -> str:
    # The chain's HMAC key lives outside the database, so a database writer cannot re-chain
    # what they rewrote (decision 0011). Dev and test derive one from the secret key, under
    # a label of its own.
    key = os.environ.get("WEIBAO_AUDIT_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("WEIBAO_AUDIT_KEY must be at least 32 characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "WEIBAO_AUDIT_KEY is not set. Production mode refuses to start without the audit "
            "chain's key (at least 32 random characters, kept outside the database)."
        )
    return hmac.new(SECRET_KEY.encode(), b"weibao.audit.chain-key", "sha256").hexdigest()


WEIBAO_AUDIT_KEY = _audit_key()
# Keys retired by a rotation: records and anchors sealed under them still verify.
WEIBAO_AUDIT_KEYS_OLD = env_list("WEIBAO_AUDIT_KEYS_OLD", [])
def _data_key() -> str:
    # Citizens' personal data is encrypted at rest under a key kept outside the database,
    # so a dump or backup is unreadable without it (decision 0026). Dev and test derive one
    # from the secret key, under a label of its own.
    key = os.environ.get("WEIBAO_DATA_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("WEIBAO_DATA_KEY must be at least 32 characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "WEIBAO_DATA_KEY is not set. Production mode refuses to start without the personal "
            "data key (at least 32 random characters, kept outside the database and its backups)."
        )
    return hmac.new(SECRET_KEY.encode(), b"weibao.personal-data.key", "sha256").hexdigest()


WEIBAO_DATA_KEY = _data_key()
# Keys retired by a rotation: values written under them still decrypt until
# `weibao rotate_data_key` has rewritten them under WEIBAO_DATA_KEY.
WEIBAO_DATA_KEYS_OLD = env_list("WEIBAO_DATA_KEYS_OLD", [])
# PIPL art. 19: kept no longer than needed. Requesters' personal data is anonymised this
# many days after their ticket was closed (`weibao anonymise_requesters`, daily task).
WEIBAO_PERSONAL_DATA_RETENTION_DAYS = max(1, env_int("WEIBAO_PERSONAL_DATA_RETENTION_DAYS", 1095))
# Signed checkpoints of the chain head: a directory the web processes cannot write. Tests
# never read the demo database's anchors.
WEIBAO_AUDIT_ANCHOR_DIR = Path(os.environ.get(
    "WEIBAO_AUDIT_ANCHOR_DIR",
    VAR_DIR / (f"test-audit-anchors-{os.getpid()}" if TESTING else "audit-anchors"),
))
# A record may be written this long before the record sealed ahead of it (the length of
# the longest transaction); a record dated earlier was back-dated.
WEIBAO_AUDIT_MAX_TRANSACTION_MINUTES = max(1, env_int("WEIBAO_AUDIT_MAX_TRANSACTION_MINUTES", 60))

EMAIL_BACKEND = (
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else os.environ.get("WEIBAO_EMAIL_BACKEND", "weibao.core.mail_backends.OneLineConsoleBackend")
)
DEFAULT_FROM_EMAIL = os.environ.get("WEIBAO_DEFAULT_FROM_EMAIL", "weibao@localhost")
EMAIL_HOST = os.environ.get("WEIBAO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("WEIBAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("WEIBAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("WEIBAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("WEIBAO_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("WEIBAO_EMAIL_TIMEOUT", 20)
# Where a project manager may point a mailbox's IMAP poller: the IMAP ports only (not the
# database's or Redis's), and in production only over TLS.
WEIBAO_IMAP_ALLOWED_PORTS = [
    int(port) for port in env_list("WEIBAO_IMAP_ALLOWED_PORTS", ["143", "993"]) if port.isdigit()
]
WEIBAO_IMAP_ALLOW_PLAINTEXT = env_bool("WEIBAO_IMAP_ALLOW_PLAINTEXT", not PRODUCTION)
# ... and only to these hosts (comma separated; "*.example.cn" allows its subdomains).
# Production allows none until the operator lists them, so the poller probes nothing.
WEIBAO_IMAP_HOSTS = env_list("WEIBAO_IMAP_HOSTS", [] if PRODUCTION else ["*"])
# The authserv-id of the mail server that receives the service-desk mail and writes
# Authentication-Results (SPF/DKIM/DMARC): a team member's mailed reply counts as theirs
# only when that server vouches for it (weibao/mailchannel/authentication.py).
WEIBAO_MAIL_AUTHSERV_ID = os.environ.get("WEIBAO_MAIL_AUTHSERV_ID", "")
# Notification channels (weibao/notifications/channels): seconds one HTTP send may take,
# and the hosts robots, webhooks and SMS/voice gateways may be at (comma separated,
# "*.example.cn" for subdomains). Production allows the robot platforms only until the
# operator lists its webhook receivers and gateways, so a channel cannot probe the network.
WEIBAO_NOTIFY_TIMEOUT = env_int("WEIBAO_NOTIFY_TIMEOUT", 10)
WEIBAO_NOTIFY_HOSTS = env_list(
    "WEIBAO_NOTIFY_HOSTS",
    ["oapi.dingtalk.com", "qyapi.weixin.qq.com", "open.feishu.cn", "open.larksuite.com"] if PRODUCTION else ["*"],
)
# Escalations: how long a one-click acknowledgement link in a page stays usable.
WEIBAO_ACK_LINK_HOURS = env_int("WEIBAO_ACK_LINK_HOURS", 24)
# Alert intake: payloads with more alerts than this are stored, then processed by the worker.
WEIBAO_ALERTS_INLINE_MAX = env_int("WEIBAO_ALERTS_INLINE_MAX", 20)
# Probe runner: days raw check results are kept (rollups are kept for the contract's term).
WEIBAO_PROBE_RAW_DAYS = env_int("WEIBAO_PROBE_RAW_DAYS", 7)
# Absolute links in e-mails point here.
WEIBAO_BASE_URL = os.environ.get("WEIBAO_BASE_URL", "http://127.0.0.1:8000")

LOG_FORMAT = os.environ.get("WEIBAO_LOG_FORMAT", "text").lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "weibao.core.logging.JsonLinesFormatter"},
    },
    "filters": {"client_errors_on_one_line": {"()": "weibao.core.logging.ClientErrorsOnOneLine"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["client_errors_on_one_line"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("WEIBAO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A handler of its own keeps the Huey consumer from adding a second one (each
        # worker line was printed twice, once in Huey's format and once in ours).
        "huey": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
