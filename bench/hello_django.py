"""The baseline: a bare Django project's hello-world view, as `startproject` sets it up.

Served by gunicorn with one sync worker (`gunicorn bench.hello_django:application`): the setup
a Django user gets for free. The middleware is startproject's default list.
"""

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

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
    DATABASES={},
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world!", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()

# The same app for ASGI servers (bench/serving.py): Django's own ASGI handler, and Django's
# WSGI handler on a2wsgi's thread pool, which is how todo_project/asgi.py serves HTTP.
asgi_application = get_asgi_application()
a2wsgi_application = WSGIMiddleware(application, workers=8)
