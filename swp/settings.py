"""The one settings module. Every deployment difference comes from an environment variable.

The README's "Configuration" section lists each variable; keep the two in step.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DJANGO_DEBUG off the app needs a secret key: set the "
            "SECRET_KEY environment variable to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Only ever used with DJANGO_DEBUG on, on a developer's own machine.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "strategy.apps.SwpAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "template_partials",
    "django_filters",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    # Sign-in throttling and lockout, and the second factor (TOTP and recovery codes).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "strategy",
    "actions",
    "performance",
    "evidence",
    "publicsite",
    "notifications",
    # The read-only JSON API, its OpenAPI schema and docs (served from the vendored sidecar files),
    # and its keys (rest_framework_api_key holds the abstract key model api.PartnerAPIKey builds on).
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # The audit trail: a history table per audited model (strategy/audit.py).
    "simple_history",
]

MIDDLEWARE = [
    # First, so every response is logged with its time and request id (strategy/logging.py).
    "strategy.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Downloads are stored by no cache: whatever view made them, they pass here (strategy/middleware.py).
    "strategy.middleware.DownloadCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so that responses it makes itself (400 for a bad Host) get the CSP too.
    "csp.middleware.CSPMiddleware",
    # /healthz for a load balancer, whatever Host it names; before CommonMiddleware checks the Host.
    "strategy.middleware.HealthCheckMiddleware",
    # A query string with NUL or another control character gets the 400 page before any view reads it.
    "strategy.middleware.MalformedQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pushes a signed-in session's expiry on at most once a minute, not a write per page (strategy/sessions.py).
    "strategy.sessions.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells the audit trail who made each change, and from which address (strategy/audit.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    # request.user.is_verified(): whether this session passed the second factor; then ours sends
    # officers and administrators who have not to set it up or to enter a code (strategy/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "strategy.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "swp.urls"
WSGI_APPLICATION = "swp.wsgi.application"

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
                "csp.context_processors.nonce",
                "strategy.context_processors.site",
            ],
        },
    },
]

# Every form field renders through templates/django/forms/, which carry the GOV.UK markup.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for queries of tens of milliseconds on data that is in memory or on SSD:
    # - no just-in-time compilation: it pays off for long analytical queries, and here compiling
    #   cost more than it saved on every page measured;
    # - random reads cost about what sequential ones do (the default of 4 assumes spinning disks),
    #   so a filtered action list looks its few latest updates up by key instead of hashing all;
    # - no parallel workers: a request's query runs on one core while the others serve other
    #   requests, and starting workers cost more than they saved on these queries.
    # Added to any options DATABASE_URL gives, not in their place.
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    planner = "-c jit=off -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
    database_options["options"] = f"{database_options.get('options', '')} {planner}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several requests at once beside the task worker (make run):
    # - a transaction takes the write lock when it begins (IMMEDIATE), so one that read first never
    #   finds another writer got there in between, which SQLite refuses at once ("database is locked")
    #   instead of waiting;
    # - the write-ahead log lets pages be read while a write is under way;
    # - a writer waits up to SQLITE_TIMEOUT seconds for the lock instead of failing after five;
    # - with the log, syncing at each checkpoint rather than each commit is safe against corruption.
    # Added to any options DATABASE_URL gives, not in their place.
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options.setdefault("transaction_mode", "IMMEDIATE")
    database_options.setdefault("timeout", env_int("SQLITE_TIMEOUT", 20))
    database_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "actions:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this many seconds without a request (each request renews the clock, to the minute).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # the idle timeout is kept by strategy/sessions.py
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The service is written in British English and has no translations, so Django's translation
# machinery is off: looking up the active language on every date and URL was a measurable part of a long
# page. Dates still follow swp/formats/en_gb (FORMAT_MODULE_PATH, LANGUAGE_CODE).
USE_I18N = False
USE_TZ = True
FORMAT_MODULE_PATH = ["swp.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "strategy.storage.ManifestStaticFilesStorage"  # whitenoise's, with JS module imports hashed
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# EMAIL_BACKEND: smtp (the default off debug), notify (GOV.UK Notify, through django-gov-notify), console
# (the default with DJANGO_DEBUG on: e-mails printed), or a backend's dotted path.
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "notify": "django_gov_notify.backends.NotifyEmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_email_backend = env("EMAIL_BACKEND", "console" if DEBUG else "smtp").strip()
EMAIL_BACKEND = EMAIL_BACKENDS.get(_email_backend.lower(), _email_backend)
if EMAIL_BACKEND == "django_gov_notify.backends.NotifyEmailBackend":
    # Notify sends each e-mail through one plain template whose subject and body are ((subject)) and ((body)).
    GOVUK_NOTIFY_API_KEY = env("GOVUK_NOTIFY_API_KEY")
    GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID")
    if not (GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID):
        raise ImproperlyConfigured(
            "EMAIL_BACKEND=notify needs GOVUK_NOTIFY_API_KEY (the service's API key) and "
            "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID (a template whose subject is ((subject)) and body ((body)))."
        )
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "swp@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind a load balancer that terminates TLS, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
if env("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer may check an app server over plain HTTP; /healthz says only "ok", so it need not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The `preload` directive only allows the domain to be submitted to browsers' preload lists (gov.uk
# domains usually are); `manage.py check --deploy` asks for it. SECURE_HSTS_PRELOAD=false leaves it out.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in throttling (django-axes). After AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES; a successful sign-in clears the count.
# Keyed on username and address together, so nobody can lock a colleague out from elsewhere, and one
# address cannot try many passwords for one account. The state is in the database, shared by every
# app server. Behind load balancers, AXES_IPWARE_PROXY_COUNT is how many proxies append to
# X-Forwarded-For (1 for one load balancer), so the client's own address is the one counted.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "strategy.two_factor.locked_out"  # the GOV.UK page, status 429
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None
AXES_CLIENT_IP_CALLABLE = "strategy.addresses.client_ip"  # reads AXES_IPWARE_PROXY_COUNT

# Password resets: at most PASSWORD_RESET_LIMIT_PER_ADDRESS e-mails to one address, and at most
# PASSWORD_RESET_LIMIT_PER_CLIENT requests acted on from one client address (as django-axes reads it),
# in any PASSWORD_RESET_WINDOW_MINUTES. Past either, the page answers as always and sends nothing.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# Two-factor sign-in (django-otp): officers and administrators must set up an authenticator app and
# enter a code from it (or a recovery code) at each sign-in. On by default with DJANGO_DEBUG off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", env("SITE_NAME", "Partnership action plans"))
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A strict Content Security Policy: nothing inline, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Each process keeps its own caches in memory: nothing shared needs them. "public" keeps the public
# pages as drawn for anonymous readers (publicsite.views), at most PUBLIC_CACHE_ENTRIES of them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PUBLIC_CACHE_ENTRIES", 500)},
    },
}

# The read-only JSON API (api/). Callers with no key read what the public pages show; a key sent as
# `Authorization: Api-Key <key>` reads its partnership's data up to its clearance. Throttle rates are
# "N/second|minute|hour|day", counted per client address without a key and per key with one, in the
# default cache (per process unless CACHES points at a shared one).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle", "api.throttling.KeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env("API_THROTTLE_ANONYMOUS", "60/minute"),
        "api_key": env("API_THROTTLE_KEY", "600/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 100),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{env('SITE_NAME', 'Partnership action plans')} API",
    "DESCRIPTION": "Read-only. Without a key: the published strategies' public data, as on the public pages, "
    "under the Open Government Licence v3.0. With a key (header `Authorization: Api-Key <key>`, made by an "
    "officer on the API keys page): the key's partnership's data up to the key's clearance.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Background work (imports, reminders, packs) runs through Django's tasks framework. The database
# backend needs a worker (`manage.py db_worker`); "immediate" runs tasks in the request instead.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env("TASKS_BACKEND", "database")]
    }
}

# A checking or importing import that has not reported for this many seconds has stalled (its worker
# was most likely killed); its page says so and an officer may cancel it. Longer than any import runs.
IMPORT_STALLED_AFTER = env_int("IMPORT_STALLED_AFTER", 600)

# What the site calls itself, and who answers for it (footer, accessibility statement, emails).
SITE_NAME = env("SITE_NAME", "Partnership action plans")
SITE_ORGANISATION = env("SITE_ORGANISATION", "Safer Westminster Partnership")
SITE_CONTACT_EMAIL = env("SITE_CONTACT_EMAIL", "community.safety@example.org")
SITE_URL = env("SITE_URL", "http://localhost:8000")

# The accessibility statement (/accessibility/) names the deploying council and how well the
# service meets WCAG 2.2 AA: "fully", "partially" or "not" compliant. Dates as written, "1 April 2026".
ACCESSIBILITY_ORGANISATION = env("ACCESSIBILITY_ORGANISATION", SITE_ORGANISATION)
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", SITE_CONTACT_EMAIL)
ACCESSIBILITY_CONTACT_PHONE = env("ACCESSIBILITY_CONTACT_PHONE")
ACCESSIBILITY_COMPLIANCE = env("ACCESSIBILITY_COMPLIANCE", "partially").strip().lower()
if ACCESSIBILITY_COMPLIANCE not in {"fully", "partially", "not"}:
    raise ImproperlyConfigured(
        f'ACCESSIBILITY_COMPLIANCE must be "fully", "partially" or "not", not {ACCESSIBILITY_COMPLIANCE!r}.'
    )
ACCESSIBILITY_STATEMENT_DATE = env("ACCESSIBILITY_STATEMENT_DATE", "24 November 2026")
ACCESSIBILITY_REVIEWED_DATE = env("ACCESSIBILITY_REVIEWED_DATE", ACCESSIBILITY_STATEMENT_DATE)
ACCESSIBILITY_TESTED_DATE = env("ACCESSIBILITY_TESTED_DATE", ACCESSIBILITY_STATEMENT_DATE)

# The privacy notice (/privacy/): the data controller, who answers questions about personal data,
# and how many years records are kept after the strategy they belong to ends.
PRIVACY_CONTROLLER = env("PRIVACY_CONTROLLER", SITE_ORGANISATION)
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", SITE_CONTACT_EMAIL)
PRIVACY_DPO_EMAIL = env("PRIVACY_DPO_EMAIL")
PRIVACY_RETENTION_YEARS = env_int("PRIVACY_RETENTION_YEARS", 6)

# Logs go to the console (stderr), where gunicorn, systemd or the platform collects them. LOG_FORMAT
# "json" (the default with DJANGO_DEBUG off) writes one JSON object per line (strategy/logging.py):
# one per request from RequestLogMiddleware, and errors with their traceback, never shown on a page.
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "strategy.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "strategy.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The password load_demo gives the demo logins when --password is not passed.
DEMO_PASSWORD = env("DEMO_PASSWORD", "swp-demo-2017")
