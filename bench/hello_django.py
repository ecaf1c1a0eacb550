"""The baseline: a bare Django project's hello-world view, as `startproject` sets it up.

Served by gunicorn with one sync worker (`gunicorn bench.hello_django:application`): the setup
a Django user gets for free. The middleware is startproject's default list.

With HELLO_DATABASE_URL set (PostgreSQL), `/me` is the same view for a logged-in user: Django's
database sessions and auth, and persistent connections, which startproject leaves off. It
shows what a login costs before a page does anything (bench/dashboard.py). Run
`python -m bench.hello_django login` once to migrate that database and print a session key.
"""

import os
import sys

import environ
from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

DATABASE_URL = os.environ.get("HELLO_DATABASE_URL", "")

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-hello-world-key-0123456789abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={"default": {**environ.Env.db_url_config(DATABASE_URL), "CONN_MAX_AGE": 60}}
    if DATABASE_URL
    else {},
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world!", content_type="text/plain")


@login_required
def hello_user(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"Hello, {request.user.get_username()}!", content_type="text/plain")


urlpatterns = [path("", hello), path("me", hello_user)]

application = get_wsgi_application()

# The same app for ASGI servers (bench/serving.py): Django's own ASGI handler, and Django's
# WSGI handler on a2wsgi's thread pool, which is how todo_project/asgi.py serves HTTP.
asgi_application = get_asgi_application()
a2wsgi_application = WSGIMiddleware(application, workers=8)  # type: ignore[arg-type]


def migrate_and_log_in() -> str:
    """The key of a fresh session of a new user in HELLO_DATABASE_URL's database."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    client = Client()
    # This module's own settings: django.contrib.auth's User, not the project's.
    client.force_login(User.objects.create_user("hello"))  # type: ignore[arg-type]
    return client.cookies["sessionid"].value


if __name__ == "__main__" and sys.argv[1:] == ["login"]:
    print(migrate_and_log_in())
