"""The peer: django-todo 2.7 (PyPI `django-todo`) in a scratch project of its own.

bench/dashboard.py builds a virtualenv for it (django-todo pins its own Django), then runs
this file with that venv's Python: `setup` migrates PEER_DATABASE_URL's database, creates a
staff user in a group with one list of 100 tasks assigned to them, and prints the session
key, the list's path and the number of queries its list view makes; gunicorn serves
`django_todo_peer:application` (one sync worker, like the logged-in hello). Nothing here
imports our project: only Django and django-todo.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from django.conf import settings

_db = urlsplit(os.environ.get("PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))

BASE_TEMPLATE = """<!doctype html><html><head><title>{% block title %}{% endblock %}</title>
{% block extrahead %}{% endblock %}</head><body>{% block content %}{% endblock %}
{% block extra_js %}{% endblock %}</body></html>"""

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-django-todo-peer-0123456789abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.sites",
        "django.contrib.staticfiles",
        "todo",
    ],
    SITE_ID=1,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"base.html": BASE_TEMPLATE}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.path.lstrip("/"),
            "USER": _db.username or "postgres",
            "PASSWORD": _db.password or "",
            "HOST": _db.hostname or "127.0.0.1",
            "PORT": str(_db.port or 5432),
            "CONN_MAX_AGE": 60,  # as our app and the logged-in hello
        }
    },
    STATIC_URL="/static/",
    USE_TZ=True,
    LOGIN_URL="/login/",
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import include, path  # noqa: E402

urlpatterns = [path("todo/", include("todo.urls", namespace="todo"))]

application = get_wsgi_application()


def set_up() -> None:
    import datetime

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from todo.models import Task, TaskList

    call_command("migrate", verbosity=0, interactive=False)
    group = Group.objects.create(name="Workers")
    user = User.objects.create_user("bench", is_staff=True)
    user.groups.add(group)
    for index in range(5):  # a few colleagues, whom the add-task form offers
        User.objects.create_user(f"colleague{index}", is_staff=True).groups.add(group)
    task_list = TaskList.objects.create(name="Bench", slug="bench", group=group)
    today = datetime.date.today()
    for index in range(100):
        task = Task.objects.create(
            title=f"bench task {index}",
            task_list=task_list,
            created_by=user,
            due_date=today + datetime.timedelta(days=index % 30),
            note="Something to do",
            priority=index,
        )
        task.assigned_to.add(user)
    client = Client()
    client.force_login(user)  # type: ignore[arg-type] # this file's own settings: auth's User
    list_path = f"/todo/{task_list.pk}/{task_list.slug}/"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(list_path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    assert b"bench task 99" in response.content
    print(client.cookies["sessionid"].value, list_path, len(queries))


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    set_up()
