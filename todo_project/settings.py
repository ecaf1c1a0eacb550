"""Settings for Stratospheric Todo, read from the environment in this one place.

Every variable is documented in README.md. Production runs with DEBUG off and must set
SECRET_KEY, ALLOWED_HOSTS, EXTERNAL_URL, DATABASE_URL and the Cognito variables.
"""

from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from csp.constants import NONE, SELF

# Lets generic classes be subscripted at runtime (ModelAdmin[Todo]), as their type stubs are.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A fixed development key is only acceptable while DEBUG is on; production must set its own.
SECRET_KEY = (
    env.str("SECRET_KEY")
    if not DEBUG
    else env.str("SECRET_KEY", default="django-insecure-local-development-only")
)

EXTERNAL_URL = env.str("EXTERNAL_URL", default="http://127.0.0.1:8000").rstrip("/")
_external = urlsplit(EXTERNAL_URL)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{_external.scheme}://{_external.netloc}"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.amazon_cognito",
    "accounts",
    "todos",
    "sharing",
    "notices",
    "notifications",
    "tracing",
    "pages",
]

MIDDLEWARE = [
    "tracing.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "todo_project.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "todo_project.middleware.PermissionsPolicyMiddleware",
    "tracing.middleware.BreadcrumbMiddleware",
]

ROOT_URLCONF = "todo_project.urls"
WSGI_APPLICATION = "todo_project.wsgi.application"
ASGI_APPLICATION = "todo_project.asgi.application"

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
            ],
        },
    },
    # The dashboard's list (50 rows) is the one hot partial: Jinja2 renders it several times
    # faster than the template language (bench/dashboard.py). Autoescaping is on.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "pages.jinja2.environment"},
    },
]

if env.str("DATABASE_URL", default="") or not env.str("DATABASE_HOST", default=""):
    DATABASES = {
        "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    }
else:
    # In AWS the pieces arrive separately (user and password as ECS secrets from the RDS
    # secret's fields), so a generated password never has to be quoted into a URL.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("DATABASE_HOST"),
            "PORT": env.int("DATABASE_PORT", default=5432),
            "NAME": env.str("DATABASE_NAME"),
            "USER": env.str("DATABASE_USER"),
            "PASSWORD": env.str("DATABASE_PASSWORD", default=""),
            "OPTIONS": {"sslmode": env.str("DATABASE_SSLMODE", default="prefer")},
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
# Django's own database sessions: logout deletes the row, so a session ends everywhere at once.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production defaults; local runs and tests relax them explicitly) ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # TLS ends at the ALB
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health"]  # the ALB health check speaks plain HTTP
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Uploads: a file larger than this is refused while it streams in (todo_project/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "todo_project.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Sessions (accounts/middleware.py) ---
# A session ends after this long without a request, and in any case this long after login.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=12 * 3600)
SESSION_MAX_AGE_SECONDS = env.int("SESSION_MAX_AGE_SECONDS", default=7 * 24 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# The user is checked with Cognito (a refresh-token grant) at most this often per session.
SESSION_RECHECK_SECONDS = env.int("SESSION_RECHECK_SECONDS", default=900)
# An open WebSocket checks that its session still lives at least this often.
SOCKET_RECHECK_SECONDS = env.float("SOCKET_RECHECK_SECONDS", default=60.0)
# Long random secret(s), comma-separated, newest first: Cognito refresh tokens are kept
# encrypted with Fernet keys derived from them. From SECRET_KEY only when DEBUG is on (and in
# the test settings).
TOKEN_ENCRYPTION_KEY = (
    env.str("TOKEN_ENCRYPTION_KEY")
    if not DEBUG
    else env.str("TOKEN_ENCRYPTION_KEY", default="") or f"derived:{SECRET_KEY}"
)

# --- Rate limits (todo_project/ratelimits.py, django-ratelimit) ---
# Proxies in front of the app that append to X-Forwarded-For: the client is the entry the
# outermost of them (the ALB) added. 0: not behind a proxy, the peer address is the client.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=1)
RATE_LIMIT_REGISTER = env.str("RATE_LIMIT_REGISTER", default="10/h")  # per client IP
RATE_LIMIT_LOGIN = env.str("RATE_LIMIT_LOGIN", default="30/10m")  # login starts per IP
RATE_LIMIT_SHARE_PER_OWNER = env.str("RATE_LIMIT_SHARE_PER_OWNER", default="30/h")
RATE_LIMIT_SHARE_PER_RECIPIENT = env.str("RATE_LIMIT_SHARE_PER_RECIPIENT", default="5/d")
RATE_LIMIT_CONFIRM = env.str("RATE_LIMIT_CONFIRM", default="30/h")  # per user and per IP
RATE_LIMIT_UPLOAD = env.str("RATE_LIMIT_UPLOAD", default="60/h")  # per user and per IP
RATE_LIMIT_SUGGESTIONS = env.str("RATE_LIMIT_SUGGESTIONS", default="120/m")  # per user
RATE_LIMIT_PER_IP = env.str("RATE_LIMIT_PER_IP", default="300/h")  # any of them, per IP
RATELIMIT_IP_META_KEY = "todo_project.ratelimits.client_ip"
RATELIMIT_USE_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counters shared by every process, in PostgreSQL (one row per key and window).
    "ratelimit": {"BACKEND": "accounts.ratelimit_cache.CounterCache"},
}

# --- AWS ---
AWS_REGION = env.str("AWS_REGION", default="eu-central-1")
# Points boto3 at a local stand-in (moto server); unset in AWS.
AWS_ENDPOINT_URL = env.str("AWS_ENDPOINT_URL", default="") or None
# One service elsewhere than AWS_ENDPOINT_URL (boto3's own naming: AWS_ENDPOINT_URL_SES, …).
AWS_SERVICE_ENDPOINT_URLS = {
    service: url
    for service in ("sqs", "ses", "dynamodb", "s3", "cognito-idp")
    if (url := env.str(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}", default=""))
}

# --- Identity: Cognito through django-allauth ---
COGNITO_DOMAIN = env.str("COGNITO_DOMAIN", default="http://127.0.0.1:9229").rstrip("/")
COGNITO_CLIENT_ID = env.str("COGNITO_CLIENT_ID", default="")
COGNITO_CLIENT_SECRET = env.str("COGNITO_CLIENT_SECRET", default="")
COGNITO_USER_POOL_ID = env.str("COGNITO_USER_POOL_ID", default="")
# Only for local stand-ins: Cognito normally generates and emails the temporary password.
COGNITO_TEMPORARY_PASSWORD = env.str("COGNITO_TEMPORARY_PASSWORD", default="") or None
INVITATION_CODES = env.list("INVITATION_CODES", default=[])

SOCIALACCOUNT_ONLY = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
# Someone an admin created here (or a seed user) is linked to their Cognito identity on first
# login, by an email address that Cognito says is verified.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# allauth keeps no tokens; our login handler keeps the refresh token, encrypted, in the
# session it belongs to (accounts/cognito.py).
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.CognitoAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "amazon_cognito": {
        "DOMAIN": COGNITO_DOMAIN,
        "OAUTH_PKCE_ENABLED": True,
        "APP": {"client_id": COGNITO_CLIENT_ID, "secret": COGNITO_CLIENT_SECRET},
    }
}

# --- Headers: Content-Security-Policy (django-csp) and Permissions-Policy ---
# No inline script, handler or style anywhere; the page's own WebSocket is allowed.
# form-action names the Cognito domain because login and logout end in a redirect there
# (both are filled in on each response: todo_project/middleware.py).
_ws_origin = f"{'wss' if _external.scheme == 'https' else 'ws'}://{_external.netloc}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, _ws_origin],
        "form-action": [SELF, COGNITO_DOMAIN],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# --- Email: SES in AWS and locally (moto records what it "sent") ---
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="todo_project.ses_backend.SESEmailBackend")
DEFAULT_FROM_EMAIL = env.str("EMAIL_FROM", default="noreply@stratospheric.dev")

# --- Sharing (sharing/) ---
SHARING_QUEUE_NAME = env.str("SHARING_QUEUE_NAME", default="stratospheric-todo-sharing")
SHARING_DLQ_NAME = env.str("SHARING_DLQ_NAME", default="stratospheric-todo-sharing-dlq")
# Demos only: the worker confirms each collaboration right after emailing the invitation.
SHARING_AUTO_CONFIRM = env.bool("SHARING_AUTO_CONFIRM", default=False)
# Parallel SES sends per consumer loop (batches of up to 10 SQS messages).
SHARING_EMAIL_THREADS = env.int("SHARING_EMAIL_THREADS", default=10)
# An invitation not emailed this long after its message went out is published again,
# whatever became of the message (dead-lettered, lost with a crashed worker).
SHARING_RESEND_AFTER_SECONDS = env.int("SHARING_RESEND_AFTER_SECONDS", default=300)
# A worker's claim on an invitation it is emailing; after this another worker may take over.
# Keep it below the queue's visibility timeout (120 s in deploy/cdk and locally).
SHARING_CLAIM_TIMEOUT_SECONDS = env.int("SHARING_CLAIM_TIMEOUT_SECONDS", default=60)
# How often the worker's outbox relay looks for invitations to publish when nothing wakes
# it (PostgreSQL wakes it at once with NOTIFY; SQLite has no NOTIFY).
SHARING_RELAY_POLL_SECONDS = env.float("SHARING_RELAY_POLL_SECONDS", default=1.0)
# At most this many invitations published to SQS and not yet emailed; the rest wait in the
# database until the workers catch up. At least 2 x SHARING_EMAIL_THREADS per worker task.
SHARING_PUBLISH_AHEAD = env.int("SHARING_PUBLISH_AHEAD", default=40)
# Confirmation links stop working this many days after the invitation was made.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=14)

# --- Notices (notices/): emails about watched todos, through the sharing queue ---
# A person's first notice email about a todo waits this long for more news to go with it;
NOTICE_EMAIL_DELAY_SECONDS = env.int("NOTICE_EMAIL_DELAY_SECONDS", default=60)
# and they get at most one email per todo per this window.
NOTICE_EMAIL_WINDOW_SECONDS = env.int("NOTICE_EMAIL_WINDOW_SECONDS", default=600)

# --- Push (notifications/) ---
# One process's sockets live in its own memory (notifications/delivery.py, no channel layer);
# ActiveMQ carries events between processes.
# Unset: events go straight to this process's sockets (one process, as under `make run`).
# stomp://host:61613, stomp+ssl://host:61614 or failover:(stomp+ssl://a:61614,stomp+ssl://b:61614)
ACTIVEMQ_URL = env.str("ACTIVEMQ_URL", default="")
ACTIVEMQ_USER = env.str("ACTIVEMQ_USER", default="")
ACTIVEMQ_PASSWORD = env.str("ACTIVEMQ_PASSWORD", default="")

# --- Tracing, logs and metrics (tracing/) ---
TRACING_ENABLED = env.bool("TRACING_ENABLED", default=True)  # breadcrumbs in DynamoDB
TRACING_TABLE_NAME = env.str("TRACING_TABLE_NAME", default="stratospheric-breadcrumbs")
TRACING_RETENTION_DAYS = env.int("TRACING_RETENTION_DAYS", default=90)
# Breadcrumbs held in memory per process while DynamoDB is slow or away; beyond: dropped.
TRACING_BUFFER_SIZE = env.int("TRACING_BUFFER_SIZE", default=10000)
TRACING_SHUTDOWN_FLUSH_SECONDS = env.float("TRACING_SHUTDOWN_FLUSH_SECONDS", default=5.0)
METRICS_NAMESPACE = env.str("METRICS_NAMESPACE", default="StratosphericTodo")

# --- Attachments and reminders ---
from todo_project.storage_settings import attachments_storage  # noqa: E402

# Empty: files go to ATTACHMENTS_LOCAL_DIR on this machine (local runs only).
ATTACHMENTS_BUCKET = env.str("ATTACHMENTS_BUCKET", default="")
ATTACHMENTS_LOCAL_DIR = Path(
    env.str("ATTACHMENTS_LOCAL_DIR", default=str(BASE_DIR / "attachments"))
)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env.list(
    "ATTACHMENT_ALLOWED_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    ],
)
ATTACHMENT_URL_EXPIRY_SECONDS = env.int("ATTACHMENT_URL_EXPIRY_SECONDS", default=60)
STORAGES["attachments"] = attachments_storage(
    bucket=ATTACHMENTS_BUCKET,
    region=AWS_REGION,
    endpoint_url=AWS_ENDPOINT_URL,
    url_expiry_seconds=ATTACHMENT_URL_EXPIRY_SECONDS,
    local_root=ATTACHMENTS_LOCAL_DIR,
)
# A reminder claimed by a run that died mid-send is taken over by a later run after this.
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=15 * 60)

# One JSON object a line on stdout, for every process (tracing/logs.py); metrics are EMF
# records in the same stream (tracing/metrics.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tracing.logs.json_formatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # uvicorn brings its own plain-text handlers; send its lines through ours instead.
        "uvicorn": {"handlers": ["console"], "propagate": False},
        # tracing.request writes the access log (with request id and latency) instead.
        "uvicorn.access": {"handlers": [], "propagate": False},
        "botocore": {"level": "WARNING"},  # "Found credentials…" on every new client
    },
}
