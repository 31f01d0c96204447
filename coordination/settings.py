"""Roundtable settings, read from the environment only.

Every variable is documented in `.env.example` and the README. A value that
cannot be read stops start-up with a message that names the variable.
"""

import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import available_timezones

import dj_database_url
import xstatic.pkg.bootstrap as xstatic_bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _development_secret_key() -> str:
    """A key generated once into var/ so sessions survive restarts in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()
elif len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with https:// or http://, not {_origin!r}."
        )

# The public address of the site, used in links inside e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, not {SITE_URL!r}.")
# Where the public pages' "Quick exit" goes: a neutral site that replaces the page.
QUICK_EXIT_URL = env_str("QUICK_EXIT_URL", "https://www.google.com/")
if not QUICK_EXIT_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"QUICK_EXIT_URL must start with https:// or http://, not {QUICK_EXIT_URL!r}.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # (allauth's list of passkeys says when each was last used)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",  # imports each app's rules.py
    "simple_history",
    "axes",
    # second factors and single sign-on (coordination/second_factor.py); our login
    # view asks for the password, then hands the sign-in to allauth's stages
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "coordination",
    "members",
    "meetings",
    "tasks",
    "reports",
    "public_site",
    "dashboard",
    # the REST API (api/): Django REST framework, its OpenAPI schema, the docs page's files
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "coordination.logs.RequestIdMiddleware",
    "coordination.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # (below WhiteNoise: the static files, named by their content, are kept for ever)
    "coordination.middleware.NoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coordination.middleware.SessionIdleRefreshMiddleware",
    "coordination.middleware.PublicLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "coordination.middleware.QueryWithoutControlsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # organizers and leads (and everyone, where a coalition says so) add a second factor first
    "coordination.second_factor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"
FORM_RENDERER = "coordination.rendering.FormRenderer"

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
                "django.template.context_processors.csp",
                "coordination.context_processors.navigation",
                "public_site.context_processors.public",
            ],
        },
    },
    {
        # Plain-text e-mails (subjects and text parts): nothing HTML-escaped.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False, "builtins": ["coordination.templatetags.rt"]},
    },
]

# --- Database ---------------------------------------------------------------

_sqlite_default = f"sqlite:///{VAR_DIR / 'roundtable.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL") or _sqlite_default,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # a database that does not answer is an error within seconds, not a hung request
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite serves the development server and the tests; a real file (not
    # memory) lets a Celery worker in another process see the test data.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery -------------------------------------------------------

# Without REDIS_URL, `make run` starts an embedded Redis on this socket.
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
REDIS_URL = env_str("REDIS_URL") or f"redis+socket://{EMBEDDED_REDIS_SOCKET}"
if not REDIS_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or redis+socket://, not {REDIS_URL!r}.")

CELERY_BROKER_URL = REDIS_URL

# The cache holds the second-factor codes already used and the sign-in rate limits:
# with REDIS_URL (production, CI) every process shares it in Redis, so a code used
# on one gunicorn worker is refused on the others. `make run` serves from one
# process, which keeps them in its memory.
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.replace("redis+socket://", "unix://", 1),
            "KEY_PREFIX": "roundtable-cache",
        }
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task not acknowledged within this time is handed to another worker; no
# countdown or retry delay may come near it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "UTC"
# beat notes it is alive every 10 seconds (coordination/beat.py), for /readyz
CELERY_BEAT_SCHEDULER = "coordination.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 10
CELERY_BEAT_SCHEDULE = {
    "every-minute-requeue-unsent-notifications": {
        "task": "coordination.sweep_notifications",
        "schedule": 60.0,
    },
    "daily-delete-expired-inquiries": {
        "task": "public_site.delete_expired_inquiries",
        "schedule": 86400.0,
    },
    "hourly-extend-meeting-series": {
        "task": "meetings.extend_all_series",
        "schedule": 3600.0,
    },
    "hourly-delete-expired-exports": {
        "task": "coordination.delete_expired_exports",
        "schedule": 3600.0,
    },
    # the privacy guard reads all stored text again (what was confirmed since, or imported)
    # the security log forgets what is older than SECURITY_LOG_DAYS
    "daily-forget-old-security-log": {
        "task": "coordination.forget_old_security_log",
        "schedule": 86400.0,
    },
    # a scan whose worker died is closed once its lease lapses, and its chain goes on
    "hourly-resume-lost-scans": {
        "task": "coordination.resume_lost_scans",
        "schedule": 3600.0,
    },
    # webhooks: items that became overdue are announced once each (deliveries ride the minute's sweep)
    "hourly-announce-overdue-items": {
        "task": "webhooks.announce_overdue",
        "schedule": 3600.0,
    },
    # without Sentry, the day's server errors to ADMINS (once a day; the task checks the day)
    "hourly-report-server-errors": {
        "task": "coordination.report_server_errors",
        "schedule": 3600.0,
    },
    "weekly-scan-stored-text": {
        "task": "coordination.scan_all_stored_text",
        "schedule": 7 * 86400.0,
    },
}

# --- Accounts and security --------------------------------------------------

AUTH_USER_MODEL = "coordination.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "coordination.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Invitation and password-reset links are valid this long, and only once.
PASSWORD_RESET_TIMEOUT = env_int("INVITATION_VALID_DAYS", 7, minimum=1) * 24 * 3600

# Idle timeout: the session expires after this long without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
# A used session is saved again (its idle clock restarted) at most once a minute,
# by coordination.middleware.SessionIdleRefreshMiddleware, not on every request.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout: five failures for one e-mail from one address lock that pair out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Exporting contact details, changing who stands where or a security setting asks for the
# password again when the sign-in is older than this (coordination/reauth.py).
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "coordination.backends.login_identifier"
AXES_CLIENT_IP_CALLABLE = "coordination.backends.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_VERBOSE = False

# The security log (coordination/security_log.py) keeps its lines this long.
SECURITY_LOG_DAYS = env_int("SECURITY_LOG_DAYS", 365, minimum=1)

# The REST API (api/): personal tokens or the session, cursor pages, a rate limit
# per token counted in the cache (Redis with REDIS_URL), the OpenAPI 3.1 schema.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "300/minute")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(f"API_RATE_LIMIT is requests per period, e.g. 300/minute; not {API_RATE_LIMIT!r}.")
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.framework.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.framework.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.framework.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.framework.CursorPage",
    "DEFAULT_FILTER_BACKENDS": ["api.framework.FilterSetBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser"],
    "EXCEPTION_HANDLER": "api.framework.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Roundtable API",
    "DESCRIPTION": "The coalition's agencies, meetings, minutes and action items, under the same rules as the "
    "pages. Authenticate with a personal token (Authorization: Bearer rt_…) from your API tokens page.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.framework.document_errors"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # one name per set of choices, where two models call theirs the same
    "ENUM_NAME_OVERRIDES": {
        "ActionItemStatus": "tasks.models.ActionItem.Status",
        "MeetingStatus": "meetings.models.Meeting.Status",
        "MinutesStatus": "meetings.models.Minutes.Status",
        "MembershipStatus": "members.models.Membership.Status",
        "MeetingKind": "meetings.models.MeetingKind",
        "ActivityKind": "reports.models.Activity.Kind",
    },
}

# Webhooks (webhooks/): each try waits WEBHOOK_TIMEOUT seconds for an answer; a failed
# one is tried again after WEBHOOK_RETRY_SECONDS, four times as long each time, up to
# WEBHOOK_MAX_ATTEMPTS tries (about a day); an endpoint failing WEBHOOK_DISABLE_AFTER
# tries in a row is disabled and its organizers told. Private and local addresses (and
# http://) are refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES (on by default with DEBUG).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
if WEBHOOK_TIMEOUT > 60:
    # a try longer than this would outlast its claim (webhooks.delivery.STALE_CLAIM) and go twice
    raise ImproperlyConfigured(f"WEBHOOK_TIMEOUT must be at most 60 seconds, not {WEBHOOK_TIMEOUT}.")
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 30, minimum=1)
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 20, minimum=1)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)

# Second factors (django-allauth's mfa): an authenticator app (TOTP), passkeys or
# security keys (WebAuthn), and single-use recovery codes. Organizers and leads must
# have one; a coalition can require one of everyone (Coalition.require_second_factor).
ACCOUNT_ADAPTER = "coordination.second_factor.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# the notices of a changed factor go through the ledger (coordination/second_factor.py)
ACCOUNT_EMAIL_NOTIFICATIONS = False
# allauth's own confirmation (asked before a factor is added or removed) keeps our clock
ACCOUNT_REAUTHENTICATION_TIMEOUT = REAUTH_MINUTES * 60
MFA_ADAPTER = "coordination.second_factor.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Roundtable"
# a code from the step before or after is taken too (a phone's clock a little off)
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TRUST_ENABLED = False
# WebAuthn demands HTTPS, except on this machine (runserver on http://localhost)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Single sign-on with OpenID Connect (coordination/single_sign_on.py): the agencies'
# own identity providers, each {"id", "name", "server_url", "client_id", "secret",
# "domains"} and optionally "trust_email". A person signs in with one when its
# verified e-mail, in one of its domains, is a Roundtable login's.


def _oidc_providers(raw: str) -> list[dict]:
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS must be a JSON list of providers: {error}") from error
    needed = ("id", "name", "server_url", "client_id", "secret", "domains")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects, one per provider.")
    apps = []
    for entry in entries:
        if missing := [key for key in needed if not str(entry.get(key, "")).strip()]:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS: a provider lacks {', '.join(missing)}.")
        if not re.fullmatch(r"[a-z0-9-]{1,40}", entry["id"]):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS: {entry['id']!r} is not an id (a-z, 0-9 and -).")
        domains = entry["domains"]
        if not isinstance(domains, list) or not all(
            isinstance(d, str) and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", d) for d in domains
        ):
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS: {entry['id']}'s domains must be a list of e-mail domains in lower case, "
                'such as ["co.shasta.ca.us"]: the addresses this provider may vouch for.'
            )
        apps.append(
            {
                "provider_id": entry["id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry["secret"],
                "settings": {
                    "server_url": entry["server_url"],
                    "domains": domains,
                    "trust_email": entry.get("trust_email") is True,
                },
            }
        )
    return apps


SOCIALACCOUNT_ADAPTER = "coordination.single_sign_on.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"APPS": _oidc_providers(env_str("OIDC_PROVIDERS")), "OAUTH_PKCE_ENABLED": True}
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST (CSRF), never a link
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: a browser takes the cookie only over HTTPS, for this host alone
    # (no Domain, which a sibling subdomain could set), on every path
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The redirect to HTTPS must not catch the container health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# No inline script or style anywhere: everything comes from our static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- E-mail -----------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Roundtable <roundtable@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env_str("EMAIL_HOST")
_email_use_tls = env_bool("EMAIL_USE_TLS", True)
_email_use_ssl = env_bool("EMAIL_USE_SSL", False)
if _email_use_tls and _email_use_ssl:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
_email_timeout = env_int("EMAIL_TIMEOUT", 20, minimum=1)
if _email_timeout > 60:
    # A batch renews its claim between messages every 30 s; a send longer than
    # a minute could outlast the 2 minutes after which a claim is a dead worker's.
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be at most 60 seconds.")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "coordination.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 465 if _email_use_ssl else 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": _email_use_tls,
                "use_ssl": _email_use_ssl,
                # A stalled mail server must not hold a worker for ever.
                "timeout": _email_timeout,
            },
        }
    }
elif DEBUG:
    # Development: every message is written to var/mail/ for a person to read.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG is off.")

# How far ahead a meeting series schedules its meetings.
MEETING_HORIZON_DAYS = env_int("MEETING_HORIZON_DAYS", 180, minimum=7)

# The largest file that can be attached to minutes.
ATTACHMENT_MAX_MB = env_int("ATTACHMENT_MAX_MB", 10, minimum=1)
# An Office file (a zip) is not opened when its parts inflate past this (coordination/files.py).
INFLATE_MAX_MB = env_int("INFLATE_MAX_MB", 50, minimum=1)
# The longest text a form takes in one field: minutes (about 60 pages each
# part), and every other description, note or comment. Forms refuse more with a
# message and show the text again; the request limit below is set so that no
# form within these limits is ever cut off before it reaches its form (a
# character can take up to 12 bytes once a browser has encoded it).
# Downloads read the database this many rows at a time (a server-side cursor on PostgreSQL).
EXPORT_CHUNK_ROWS = 2000
# A download of more rows than this is written by a worker, with a page that
# shows its progress, rather than while the browser waits.
EXPORT_ASYNC_ROWS = env_int("EXPORT_ASYNC_ROWS", 20_000, minimum=1)
# How long a written download can be fetched before it is deleted.
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24, minimum=1)
LONG_TEXT_MAX = 200_000
TEXT_MAX = 20_000
# A page shows at most this much of a long text (minutes); the rest is paged.
MINUTES_PAGE_CHARS = 20_000
# ...and at most this many decisions on the meeting's page.
DECISIONS_SHOWN = 50
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Messages from the public are deleted after this many days.
INQUIRY_RETENTION_DAYS = env_int("INQUIRY_RETENTION_DAYS", 180, minimum=1)

# How many times an e-mail that could not be sent is tried again before the
# ledger marks it failed: 1, 2, 4... minutes apart, then hourly (about a day).
EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 30)
# Seconds before the first retry; each later one waits twice as long, at most
# 60 times this. Also how long batches wait after the mail server could not be reached.
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60, minimum=1)
# E-mails that failed because the mail server was out go by themselves once
# it answers again, if they were due within this many hours.
EMAIL_RESEND_FAILED_HOURS = env_int("EMAIL_RESEND_FAILED_HOURS", 72)
# E-mails a worker sends in one batch, over one connection.
EMAIL_BATCH_SIZE = env_int("EMAIL_BATCH_SIZE", 100, minimum=1)

# --- Localisation and static files -----------------------------------------

LANGUAGE_CODE = "en"
# The public pages are in both; members' pages are in English. A public page's
# language is in its address (/en/p/…, /es/p/…); /p/… follows Accept-Language.
LANGUAGES = [("en", "English"), ("es", "Español")]
# Ours first; then Django's own Spanish for the few strings an installed library words
# otherwise (its catalogue would win over Django's on every form of the site).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django-wording"]
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
if TIME_ZONE not in available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone such as America/Los_Angeles, not {TIME_ZONE!r}.")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic_bootstrap.BASE_DIR)]
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
MEDIA_ROOT = VAR_DIR / "media"
# Prometheus metrics at /metrics (coordination/metrics.py): off unless METRICS_TOKEN is set,
# then for scrapers sending it as a bearer token. METRICS_DIR: a folder, emptied at each start,
# where gunicorn's processes add up their counts (prometheus_client's multiprocess mode).
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_DIR = env_str("METRICS_DIR")
if METRICS_DIR:
    Path(METRICS_DIR).mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_DIR

# Backups (manage.py backup / restore, coordination/backup.py): where archives go, how
# many the nightly job keeps, and the Fernet key that encrypts them (empty: not encrypted;
# make one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
BACKUP_DIR = Path(env_str("BACKUP_DIR") or VAR_DIR / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)
BACKUP_KEY = env_str("BACKUP_KEY")
if BACKUP_KEY:
    from cryptography.fernet import Fernet

    try:
        Fernet(BACKUP_KEY.encode())
    except ValueError:
        raise ImproperlyConfigured("BACKUP_KEY must be a Fernet key: 32 url-safe base64-encoded bytes.") from None
# Development and tests serve static files straight from the apps and packages.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Logs (coordination/logs.py): one JSON object a line in production (LOG_FORMAT=json, the
# default without DEBUG), plain lines otherwise; every line carries its request's id, in the
# web and in the Celery tasks the request queued.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "coordination.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "coordination.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # (Django's own mail to ADMINS is off: errors reach them once a day through the ledger)
    "loggers": {"axes": {"level": "WARNING"}, "django": {"handlers": [], "level": "INFO", "propagate": True}},
}
# Errors reach someone (coordination/errors.py): Sentry with SENTRY_DSN; without it every
# ERROR is kept and ADMINS (comma-separated addresses) get the day's in one e-mail.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
ADMINS = env_list("ADMINS")
for _admin in ADMINS:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", _admin):
        raise ImproperlyConfigured(f"ADMINS is a comma-separated list of e-mail addresses; {_admin!r} is not one.")
LOGGING["handlers"]["errors"] = {"()": "coordination.errors.ErrorRecorder"}
LOGGING["root"]["handlers"].append("errors")
# Celery's worker logs through the same handlers (not its own format)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
