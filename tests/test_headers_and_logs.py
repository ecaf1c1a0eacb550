"""Findings 5, 6 and 9: no Content-Security-Policy or Permissions-Policy; invitation tokens
reached the logs through Django's 4xx lines; an upload was read whole before its 400."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import tomorrow
from sharing.models import CollaborationRequest
from sharing.services import issue_token
from todos.models import Attachment, Todo
from tracing.logs import redact_query

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def logged_in(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "path", ["/", "/login", "/register", "/dashboard", "/todo/add", "/activity", "/nowhere"]
)
def test_every_page_carries_a_strict_csp_and_a_permissions_policy(logged_in, path):
    response = logged_in.get(path)
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no nonce needed
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'self'" in directives["connect-src"]
    assert any(value.startswith("ws") for value in directives["connect-src"])
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_handler_or_script():
    for template in (ROOT / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue  # emails are read in mail clients, not under our CSP
        text = template.read_text()
        assert " onsubmit=" not in text and " onclick=" not in text, template
        assert "<script>" not in text, template  # every script has a src


def test_the_todo_page_asks_before_deleting_through_a_data_attribute(logged_in, alice):
    todo = Todo.objects.create(owner=alice, title="Ask first", due_date=tomorrow())
    text = logged_in.get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert 'data-confirm="Delete this todo' in text
    assert "js/app.js" in text


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_token_from_the_logs_after_a_403_is_redacted(alice, bob, charlie, log_lines):
    todo = Todo.objects.create(owner=alice, title="Secret link", due_date=tomorrow())
    invitation = CollaborationRequest.objects.create(todo=todo, collaborator=bob)
    token = issue_token(invitation)
    client = Client()
    client.force_login(charlie)  # not the invited user: refused
    url = reverse("sharing:confirm", args=[todo.pk, bob.pk])
    response = client.get(url, {"token": token})
    assert response.status_code in (403, 404)
    text = log_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line]
    django_lines = [line for line in lines if line.get("logger") == "django.request"]
    assert django_lines
    assert django_lines[0]["request"] == f"GET {url}"  # its repr had the full URL
    assert token not in text


def test_query_strings_are_cut_from_any_path_in_a_log_line():
    assert (
        redact_query("GET /todo/1/confirm?token=abc&x=1 403")
        == "GET /todo/1/confirm?[redacted] 403"
    )
    assert redact_query("<WSGIRequest: GET '/a?b=c'>") == "<WSGIRequest: GET '/a?[redacted]'>"
    assert redact_query("is this a question?") == "is this a question?"


def test_an_upload_larger_than_the_limit_is_refused_while_streaming(live_server, alice):
    """The answer arrives after the limit's worth of the body, not after all of it."""
    todo = Todo.objects.create(owner=alice, title="Big file", due_date=tomorrow())
    client = Client()
    client.force_login(alice)
    cookie = client.cookies["sessionid"].value
    client.get(reverse("todos:show", args=[todo.pk]))
    csrf = client.cookies["csrftoken"].value
    limit = settings.ATTACHMENT_MAX_BYTES
    boundary = "----limit"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="huge.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    declared = 190 * 1024 * 1024
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(
            (
                f"POST /todo/{todo.pk}/attachments HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Cookie: sessionid={cookie}; csrftoken={csrf}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
            ).encode()
            + head
        )
        sent = len(head)
        chunk = b"x" * 65536
        answer = b""
        sock.settimeout(0.05)
        while sent < limit + 2 * 1024 * 1024 and not answer:
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break
            with contextlib.suppress(TimeoutError, BlockingIOError):
                answer = sock.recv(65536)
        sock.settimeout(15)
        while b"\r\n\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    assert answer.startswith(b"HTTP/1.1 "), answer[:100]
    assert sent < declared // 10  # long before 190 MB
    assert not Attachment.objects.filter(todo=todo).exists()


def test_a_breadcrumb_keeps_the_path_without_its_query(rf, alice):
    from django.http import HttpResponse
    from django.urls import resolve

    from tracing.breadcrumbs import breadcrumb_for, note_action

    request = rf.get("/dashboard?token=secret-token&q=1")
    request.resolver_match = resolve("/dashboard")
    note_action(request, "confirm_collaboration", username=alice.username)
    item = breadcrumb_for(request, HttpResponse(), alice.username)
    assert item is not None
    assert "secret-token" not in str(item)
    assert item["path"] == "/dashboard"
