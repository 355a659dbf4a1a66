"""Django settings, read from environment variables only.

Two modes, chosen with ``HOMECOMING_MODE``:

* ``development`` (the default): safe defaults that need nothing set. The secret key is
  generated once and kept in ``var/secret_key`` (never committed), the database is SQLite
  under ``var/``, only loopback hosts are allowed, and ``DEBUG`` stays off unless asked for,
  so a stack trace never reaches a user even on a laptop.
* ``production``: refuses to start (``ImproperlyConfigured``) without a real ``SECRET_KEY``
  and an explicit ``ALLOWED_HOSTS``; turns on secure cookies, HSTS and the HTTPS redirect so
  that ``homecoming check --deploy`` is clean.

Test mode is a separate, explicit switch (``HOMECOMING_TESTING=1``, set by the pytest options in
pyproject.toml); what it changes is listed in one place, the block at the end of this file.

Every variable is listed in docs/operations.md.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _env_list(name: str, default: list[str]) -> list[str]:
    value = _env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


MODE = _env("HOMECOMING_MODE", "development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured(f"HOMECOMING_MODE must be 'development' or 'production', not {MODE!r}.")
PRODUCTION = MODE == "production"
# Test mode: only when asked for (see the "test mode" block at the end for what it changes).
TESTING = _env_bool("HOMECOMING_TESTING", False)

# Runtime files (SQLite database, generated secret, collected static files, uploads).
VAR_DIR = Path(_env("HOMECOMING_VAR_DIR", str(Path.cwd() / "var"))).resolve()

# --- secret key ---------------------------------------------------------------------------
INSECURE_KEY_PREFIX = "django-insecure"
MIN_SECRET_KEY_LENGTH = 50


def _development_secret_key() -> str:
    """A random key generated once per checkout, so that sessions survive a restart."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _env("SECRET_KEY")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production mode.")
    if SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY is not a real secret: generate a random one.")
    if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long in production mode."
        )
elif not SECRET_KEY and not TESTING:  # test mode: a fixed key, no file written (the end of this file)
    SECRET_KEY = _development_secret_key()

DEBUG = _env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production mode.")

if PRODUCTION:
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production mode (comma-separated).")
else:
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

# Reverse proxies in front of the application (homecoming.common.network): with BEHIND_PROXY the
# default is one (the documented TLS proxy). The client's address is the entry of
# X-Forwarded-For that the last of them appended; the portal's limits, the login lock-out and the
# audit log all read it there.
BEHIND_PROXY = _env_bool("BEHIND_PROXY", False)
try:
    TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "1" if BEHIND_PROXY else "0"))
except ValueError:
    raise ImproperlyConfigured("TRUSTED_PROXIES must be a whole number (the proxies in front).") from None
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES cannot be negative.")

# --- applications ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "homecoming.audit",
    "homecoming.accounts",
    "homecoming.operations",
    "homecoming.registry",
    "homecoming.intake",
    "homecoming.exchanges",
    "homecoming.families",
    "homecoming.aftercare",
    "homecoming.payments",
    "homecoming.remains",
    "homecoming.reports",
    "homecoming.core",
    "homecoming.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "homecoming.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "homecoming.core.middleware.NoStoreMiddleware",
    "homecoming.core.middleware.NullCharacterMiddleware",
    "homecoming.core.middleware.ConflictMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "homecoming.accounts.language.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "homecoming.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homecoming.core.middleware.LoginRequiredMiddleware",
    "homecoming.accounts.middleware.TwoFactorMiddleware",
    "homecoming.accounts.middleware.TemporaryPasswordMiddleware",
    # Axes must come last: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "homecoming.urls"
WSGI_APPLICATION = "homecoming.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homecoming.core.context_processors.navigation",
            ],
        },
    },
]

# Every form field is drawn by one template (templates/forms/field.html, through
# ``{{ field.as_field_group }}``) with one scheme of help and error ids; Django's own widget
# templates are rendered by Jinja2 (the same HTML at about a third of the CPU): core/forms.py.
FORM_RENDERER = "homecoming.core.forms.FormRenderer"

# --- database ----------------------------------------------------------------------------


def _private_sqlite(path: Path) -> None:
    """The SQLite file holds every person record: created readable by its owner only (its -wal
    and -shm files take its mode), and made so if an older one is not."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:  # another user's file: the operator's to fix, as docs/operations.md says
            continue


DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'homecoming.sqlite3'}")
try:
    _default_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
except ValueError as exc:  # an unknown scheme or a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a transaction takes the write lock when it starts, so two writers queue
    # instead of one failing half-way (the audit hash chain relies on it). WAL lets readers
    # go on while one writes.
    _default_db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # test mode leaves a test database's file as the test runner made it (the end of this file)
    if not TESTING and not DATABASE_URL.startswith("sqlite://:memory:"):
        _private_sqlite(Path(_default_db["NAME"]))
elif _default_db["ENGINE"] == "django.db.backends.postgresql":
    _default_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with each account's permissions read once per access version
    "homecoming.accounts.access.AccessBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = int(_env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(_env("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# the lock-out counts the client's address, read behind the trusted proxies like everywhere else
AXES_CLIENT_IP_CALLABLE = "homecoming.common.network.client_address"

# Two-factor login (TOTP, django-otp): on in production, off in development and the demo unless
# asked for. Every signed-in person is staff (families use the portal without an account).
REQUIRE_2FA = _env_bool("HOMECOMING_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = _env("OTP_ISSUER", "Homecoming")
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next try (1 s, 2 s, 4 s ...)

# Sessions end after SESSION_IDLE_MINUTES without a request (IdleTimeoutMiddleware checks the
# time of the last request, and renews it, with the stored session's expiry, once a minute), and
# when the browser closes.
SESSION_IDLE_MINUTES = int(_env("SESSION_IDLE_MINUTES", "30"))
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False  # IdleTimeoutMiddleware saves it once a minute of use
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): only this site's own files; no inline script or style,
# no plugins, no framing, forms post back here only. The QR code of the two-factor enrolment is
# inline SVG (markup, not script); Swagger UI loads its start-up script as a file
# (SpectacularSwaggerSplitView) and is allowed the data: images it draws.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(_env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- languages and time ------------------------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "homecoming_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

# --- static files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_AUTOREFRESH = False
WHITENOISE_USE_FINDERS = False

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "homecoming.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON with a null character in a string or a number past 64 bits is refused (400)
    "DEFAULT_PARSER_CLASSES": [
        "homecoming.api.errors.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "homecoming.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Homecoming API",
    "DESCRIPTION": "The register, exchanges and aftercare of a coordination headquarters for prisoners of war.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # one name per set of choices that several components share, so that a generated client has one type
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "homecoming.registry.models.Status",
        "SideEnum": "homecoming.registry.models.Side",
        "ExchangeStatusEnum": "homecoming.exchanges.models.ExchangeStatus",
        "KindEnum": "homecoming.registry.models.Kind",
        "MarkKindEnum": "homecoming.remains.models.MarkKind",
        "EffectKindEnum": "homecoming.remains.models.EffectKind",
        "SampleStateEnum": "homecoming.remains.models.SampleState",
    },
}

# Seconds a request may run before `homecoming serve` (gunicorn sync workers) replaces its worker.
REQUEST_TIMEOUT = int(_env("REQUEST_TIMEOUT", "60"))

# --- background tasks --------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- imports (intake): the largest file and the most rows accepted. Every check and import of an
# uploaded file runs as a background task, never in a web request.
IMPORT_MAX_BYTES = int(_env("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(_env("IMPORT_MAX_ROWS", "200000"))
# limits of reading a spreadsheet (homecoming.intake.xlsx): columns, cells counting empty ones,
# bytes inflated from the archive, seconds
IMPORT_MAX_COLUMNS = int(_env("IMPORT_MAX_COLUMNS", "200"))
IMPORT_MAX_CELLS = int(_env("IMPORT_MAX_CELLS", "5000000"))
IMPORT_MAX_UNCOMPRESSED = int(_env("IMPORT_MAX_UNCOMPRESSED", str(200 * 1024 * 1024)))
IMPORT_MAX_SECONDS = int(_env("IMPORT_MAX_SECONDS", "120"))
# an import queued or running for longer is taken to have died with its process (the same file
# may then be imported again; nothing of the dead one was written)
IMPORT_STALE_MINUTES = int(_env("IMPORT_STALE_MINUTES", "60"))

# --- families: how the portal and the messages tell a family to reach the headquarters ------
FAMILIES_HOTLINE = _env("FAMILIES_HOTLINE", "")
FAMILIES_EMAIL = _env("FAMILIES_EMAIL", "")
FAMILIES_PORTAL_URL = _env("FAMILIES_PORTAL_URL", "")

# --- e-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = _env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = _env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(_env("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "homecoming@localhost")

# --- the audit log, anchored outside the database (homecoming.audit.anchor) --------------------
# The key of the events' MACs: AUDIT_KEY, or the file AUDIT_KEY_FILE (generated once, mode 600).
# The database never holds it; keep a copy off the machine (docs/operations.md, "The audit log").
AUDIT_KEY = _env("AUDIT_KEY")
AUDIT_KEY_FILE = _env("AUDIT_KEY_FILE", str(VAR_DIR / "audit_key"))
# Checkpoints appended after every event (count, event, hash, time): a file to make append-only
# and ship off the machine; AUDIT_CHECKPOINTS_SYSLOG also sends each line to syslog (authpriv).
AUDIT_CHECKPOINTS = _env("AUDIT_CHECKPOINTS", str(VAR_DIR / "audit-checkpoints.log"))
AUDIT_CHECKPOINTS_SYSLOG = _env_bool("AUDIT_CHECKPOINTS_SYSLOG", False)

# --- logging: no personal data in logs, errors to stderr ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # a 403 is logged as one line, without the traceback of its PermissionDenied (core/logging.py)
    "filters": {"refusals": {"()": "homecoming.core.logging.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}


# --- test mode ---------------------------------------------------------------------------
def _test_mode() -> dict:
    """Everything test mode changes, and nothing else (``HOMECOMING_TESTING=1``; the pytest
    options in pyproject.toml set it through ``homecoming.common.testmode``):

    * a fixed secret key unless ``SECRET_KEY`` is given, and no ``var/secret_key`` written;
    * the SQLite file's permissions are left alone (the test runner makes its own database);
    * database connections are not kept between requests (``CONN_MAX_AGE`` 0);
    * MD5 first among the password hashers: Argon2 is deliberately slow and tests create many
      users (Argon2 still checks passwords hashed with it);
    * static files are served from the apps, unhashed, with no ``collectstatic`` (browser tests
      get the CSS);
    * background tasks run at once, in the calling thread (tests/intake/test_off_request.py uses
      the dummy backend to show a request reads nothing);
    * a fixed audit MAC key unless ``AUDIT_KEY`` is given, and no checkpoint file unless
      ``AUDIT_CHECKPOINTS`` is given (a suite's database is emptied between tests; tests that
      need the file switch it on).
    """
    return {
        "SECRET_KEY": SECRET_KEY or "test-only-" + "x" * 60,
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS],
        "STORAGES": {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        "WHITENOISE_AUTOREFRESH": True,
        "WHITENOISE_USE_FINDERS": True,
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "AUDIT_KEY": AUDIT_KEY or "test-only-audit-key",
        "AUDIT_CHECKPOINTS": _env("AUDIT_CHECKPOINTS"),
    }


if TESTING:
    globals().update(_test_mode())
    DATABASES["default"]["CONN_MAX_AGE"] = 0
