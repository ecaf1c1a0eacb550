"""Finding 3: no rate limit anywhere (40 wrong invitation codes in 1.8 s; share → withdraw in
a loop sent one email per round). Over a limit: 429 with when to try again, nothing done."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import tomorrow
from sharing.models import CollaborationRequest
from tests.sharing_support import shared_with
from todo_project.ratelimits import client_ip
from todos.models import Attachment, Todo

pytestmark = pytest.mark.django_db


def register(client, code, username="newcomer", **extra):
    return client.post(
        "/register",
        {"username": username, "email": f"{username}@example.com", "invitation_code": code},
        **extra,
    )


def test_one_wrong_invitation_code_past_the_limit_gets_429(settings):
    settings.RATE_LIMIT_REGISTER = "3/h"
    client = Client()
    for _ in range(3):
        assert register(client, "guess").status_code == 200
    refused = register(client, "guess")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Please try again in" in refused.content.decode()


def test_over_the_register_limit_even_the_right_code_creates_nobody(settings, moto_server):
    settings.RATE_LIMIT_REGISTER = "1/h"
    client = Client()
    register(client, "guess")
    assert register(client, "stratospheric-invite").status_code == 429
    assert not User.objects.filter(username="newcomer").exists()


def test_the_register_limit_counts_per_client_behind_the_alb(settings):
    """The ALB appends the peer to X-Forwarded-For; what the client wrote is further left."""
    settings.RATE_LIMIT_REGISTER = "2/h"
    settings.TRUSTED_PROXY_HOPS = 1
    attacker = Client()
    for spoofed in ("10.0.0.1", "10.0.0.2"):
        register(attacker, "guess", HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7")
    assert (
        register(attacker, "guess", HTTP_X_FORWARDED_FOR="10.0.0.3, 203.0.113.7").status_code == 429
    )
    # Another client (another address added by the ALB) is not held back.
    assert register(Client(), "guess", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_register_gets_are_not_counted(settings):
    settings.RATE_LIMIT_REGISTER = "1/h"
    client = Client()
    for _ in range(3):
        assert client.get("/register").status_code == 200


def test_client_ip_trusts_only_the_configured_proxy_hops(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 3.3.3.3")
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request) == "3.3.3.3"
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request) == "2.2.2.2"
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request) == "127.0.0.1"  # the peer
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip")) == "127.0.0.1"


def test_login_starts_are_limited_per_client(settings):
    settings.RATE_LIMIT_LOGIN = "2/m"
    client = Client()
    url = reverse("amazon_cognito_login")
    for _ in range(2):
        assert client.post(url).status_code == 302  # on to Cognito
    assert client.post(url).status_code == 429


def share(client: Client, todo: Todo, name: str):
    return client.post(reverse("sharing:share", args=[todo.pk]), {"collaborator": name})


def withdraw(client: Client, todo: Todo, user: User):
    return client.post(reverse("sharing:withdraw", args=[todo.pk, user.pk]))


def test_a_sixth_invitation_to_the_same_recipient_in_a_day_is_refused(alice, bob, settings):
    settings.RATE_LIMIT_SHARE_PER_RECIPIENT = "5/d"
    todo = Todo.objects.create(owner=alice, title="Spam", due_date=tomorrow())
    client = Client()
    client.force_login(alice)
    # Named by username or by email address, it is the same person.
    for name in ("bob", "bob@example.com", "BOB", "bob", "Bob@Example.com"):
        assert share(client, todo, name).status_code == 302
        withdraw(client, todo, bob)
    refused = share(client, todo, "bob")
    assert refused.status_code == 429
    # Nothing was recorded, so nothing goes to the queue and no email is sent.
    assert not CollaborationRequest.objects.filter(collaborator=bob).exists()


def test_an_owner_may_share_only_so_often_an_hour(alice, bob, charlie, settings):
    settings.RATE_LIMIT_SHARE_PER_OWNER = "2/h"
    todos = [Todo.objects.create(owner=alice, title=f"T{i}", due_date=tomorrow()) for i in range(3)]
    client = Client()
    client.force_login(alice)
    assert share(client, todos[0], "bob").status_code == 302
    assert share(client, todos[1], "charlie").status_code == 302
    assert share(client, todos[2], "bob").status_code == 429
    assert not CollaborationRequest.objects.filter(todo=todos[2]).exists()


def test_confirm_attempts_are_limited(alice, bob, settings):
    settings.RATE_LIMIT_CONFIRM = "3/h"
    todo = Todo.objects.create(owner=alice, title="Guess my token", due_date=tomorrow())
    CollaborationRequest.objects.create(todo=todo, collaborator=bob)
    client = Client()
    client.force_login(bob)
    url = reverse("sharing:confirm", args=[todo.pk, bob.pk])
    for _ in range(3):
        assert client.post(url, {"token": "wrong"}).status_code in (403, 404)
    assert client.post(url, {"token": "wrong"}).status_code == 429
    assert not shared_with(todo, bob)


def test_uploads_are_limited_per_user(alice, settings):
    settings.RATE_LIMIT_UPLOAD = "1/h"
    todo = Todo.objects.create(owner=alice, title="Files", due_date=tomorrow())
    client = Client()
    client.force_login(alice)
    url = reverse("todos:attachment_add", args=[todo.pk])
    for expected in (302, 429):  # a refused type counts as an attempt too
        upload = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
        assert client.post(url, {"file": upload}).status_code == expected
    assert not Attachment.objects.filter(todo=todo).exists()


def test_share_suggestions_past_the_limit_get_429(settings, alice, bob):
    settings.RATE_LIMIT_SUGGESTIONS = "2/d"  # one window for the whole test
    client = Client()
    client.force_login(alice)
    url = reverse("pages:people_suggestions")
    for _ in range(2):
        assert client.get(url, {"q": "bo"}).status_code == 200
    refused = client.get(url, {"q": "bo"})
    assert refused.status_code == 429
    assert "Please try again in" in refused.content.decode()
