"""Settings for the test suite: the production settings module with test-only environment."""

import hashlib
import os
from pathlib import Path

_checkout = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]

# Each checkout gets its own database so that two clones can run their suites side by side.
os.environ.setdefault(
    "DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/stratospheric_{_checkout}"
)
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("INVITATION_CODES", "stratospheric-invite,second-code")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
# As DEBUG would make it; child processes (app servers) inherit it.
os.environ.setdefault("TOKEN_ENCRYPTION_KEY", f"derived:{os.environ['SECRET_KEY']}")
# Breadcrumbs only where a test asks for them (tracing/tests turn them on against moto).
os.environ.setdefault("TRACING_ENABLED", "false")

from todo_project.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# App servers started by tests (uvicorn, DEBUG off) serve static files from the source folders.
WHITENOISE_USE_FINDERS = True
# Tests serve static files from the finders; there is no collected folder to look in.
STATIC_ROOT = None
