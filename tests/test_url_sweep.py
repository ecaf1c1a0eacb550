"""An attacker's sweep of every URL of ours (the admin and allauth's aside, which have tests of
their own): each route is asked by GET and by POST with malformed fields, by an anonymous
visitor, by a stranger to Alice's things, with ids that do not exist or do not fit a bigint,
and by an Editor. Nothing answers 5xx, no stranger reads or changes anything of Alice's, and
an anonymous POST without a CSRF token is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import User
from sharing.models import CollaborationRequest
from tests.sharing_support import share_with
from todos.models import Attachment, Note, Reminder, Share, Todo, TodoList

SKIPPED_PREFIXES = ("admin/", "accounts/", "health/")
TITLE = "The secret plan of Alice"

# Every field name our forms read, with values no form should accept.
MALFORMED_FIELDS: dict[str, Any] = {
    field: value
    for field, value in {
        "title": "x" * 5000,
        "description": "\x00",
        "due_date": "31/02/2026",
        "priority": "URGENT",
        "status": "MAYBE",
        "version": "-1",
        "todo_list": "99999999999999999999",
        "list": "abc",
        "text": "",
        "name": "",
        "role": "OWNER",
        "user": "not-a-number",
        "username": "%' OR 1=1 --",
        "email": "not an address",
        "remind_on": "yesterday",
        "direction": "sideways",
        "watching": "perhaps",
        "token": "\u202e" * 300,
        "q": "%_\\",
        "file": "not a file",
        "next": "https://evil.example/",
    }.items()
}
HUGE_IDS = ("99999999999999999999", str(2**63))


@pytest.fixture(autouse=True)
def _services(breadcrumb_table: str, sharing_queues: Any) -> None:
    """The pages that read DynamoDB (activity) and the sharing queue find them."""


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ROUTES = sorted(
    route
    for route in _routes(get_resolver().url_patterns)
    if not route.startswith(SKIPPED_PREFIXES)
)
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, values: dict[str, str]) -> str:
    """The route's path with each parameter replaced by `values[name]`."""

    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "target_id":
            name = "list_id" if route.startswith("lists/") else "todo_id"
        return values.get(name, values["default"])

    return "/" + PARAMETER.sub(value, route)


def _ask(client: Client, method: str, path: str) -> Any:
    """GET, or POST with malformed fields; never a 5xx."""
    if method == "get":
        response = client.get(path, secure=True)
    else:
        response = client.post(path, MALFORMED_FIELDS, secure=True)
    assert response.status_code < 500, (method, path, response.status_code)
    return response


def _logged_in_order(routes: list[str]) -> list[str]:
    """Routes that end a session or delete the todo last, so the others still find both."""
    last = ("delete", "leave", "transfer", "revoke")
    return sorted(routes, key=lambda route: (route == "logout", route.endswith(last)))


@pytest.fixture
def alices_things(alice: User, bob: User) -> dict[str, str]:
    """Alice's todo (Bob edits it), her list, a note, a file, a reminder and an invitation:
    the ids a sweep puts into every route."""
    todo_list = TodoList.objects.create(owner=alice, name="Plans", position=1)
    todo = Todo.objects.create(owner=alice, todo_list=todo_list, title=TITLE)
    share_with(todo, bob)
    Note.objects.create(todo=todo, author=alice, text="Only for us")
    attachment = Attachment.objects.create(
        todo=todo,
        uploaded_by=alice,
        key=f"todos/{todo.pk}/plan.pdf",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=10,
    )
    reminder = Reminder.objects.create(todo=todo, remind_on=timezone.localdate())
    invitation = CollaborationRequest.objects.create(
        todo_list=todo_list, email="someone@example.com", invited_by=alice
    )
    return {
        "todo_id": str(todo.pk),
        "list_id": str(todo_list.pk),
        "attachment_id": str(attachment.pk),
        "reminder_id": str(reminder.pk),
        "invitation_id": str(invitation.pk),
        "user_id": str(bob.pk),
        "collaborator_id": str(bob.pk),
        "part": "summary",
        "default": str(todo.pk),
    }


def _state(owner: User) -> list[Any]:
    """Everything of the owner's that a stranger must not change."""
    todos = Todo.objects.filter(owner=owner)
    return [
        list(todos.order_by("pk").values_list("pk", "title", "status", "version", "todo_list")),
        list(TodoList.objects.filter(owner=owner).order_by("pk").values_list("pk", "name")),
        list(Share.objects.order_by("pk").values_list("pk", "user", "role", "todo", "todo_list")),
        list(Note.objects.filter(todo__in=todos).values_list("pk", "text")),
        list(Attachment.objects.filter(todo__in=todos).values_list("pk")),
        list(Reminder.objects.filter(todo__in=todos).values_list("pk", "remind_on")),
        list(CollaborationRequest.objects.order_by("pk").values_list("pk", "role", "email")),
        list(Todo.assignees.through.objects.order_by("pk").values_list("todo", "user")),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_routes_are_found() -> None:
    """The sweep covers our own pages, so that a route added later is swept too."""
    assert len(ROUTES) > 40
    assert "todo/show/<int:todo_id>" in ROUTES
    assert "lists/<int:list_id>/delete" in ROUTES


@pytest.mark.django_db(transaction=True)
def test_a_stranger_gets_nothing_and_changes_nothing(
    alice: User, charlie: User, alices_things: dict[str, str]
) -> None:
    before = _state(alice)
    client = Client()
    client.force_login(charlie)
    for route in _logged_in_order(ROUTES):
        path = _fill(route, alices_things)
        for method in ("get", "post"):
            response = _ask(client, method, path)
            assert TITLE.encode() not in response.content, (method, path)
            assert b"Only for us" not in response.content, (method, path)
    assert _state(alice) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_out_of_range_are_not_found_not_errors(
    alice: User, alices_things: dict[str, str], huge: str
) -> None:
    client = Client()
    client.force_login(alice)
    values = {**dict.fromkeys(alices_things, huge), "part": "summary"}
    for route in _logged_in_order(ROUTES):
        for method in ("get", "post"):
            _ask(client, method, _fill(route, values))


@pytest.mark.django_db(transaction=True)
def test_malformed_fields_from_someone_with_access_are_refused_not_errors(
    alice: User, bob: User, alices_things: dict[str, str]
) -> None:
    """Bob edits Alice's todo; Alice owns it: neither breaks a page with bad input."""
    for user in (bob, alice):
        client = Client()
        client.force_login(user)
        for route in _logged_in_order(ROUTES):
            for method in ("get", "post"):
                _ask(client, method, _fill(route, alices_things))


@pytest.mark.django_db(transaction=True)
def test_anonymous_visitors_are_sent_to_log_in_and_cannot_post(
    alice: User, alices_things: dict[str, str]
) -> None:
    before = _state(alice)
    client = Client(enforce_csrf_checks=True)
    for route in ROUTES:
        path = _fill(route, alices_things)
        response = client.get(path, secure=True)
        assert response.status_code < 500, path
        assert TITLE.encode() not in response.content, path
        response = client.post(path, MALFORMED_FIELDS, secure=True)
        assert response.status_code in (302, 403, 404, 405), (path, response.status_code)
        assert TITLE.encode() not in response.content, path
    assert _state(alice) == before


@pytest.mark.django_db(transaction=True)
def test_a_logged_in_post_without_a_csrf_token_is_refused(
    alice: User, alices_things: dict[str, str]
) -> None:
    before = _state(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for route in _logged_in_order(ROUTES):
        path = _fill(route, alices_things)
        response = client.post(path, {"title": "Changed", "status": "DONE"}, secure=True)
        assert response.status_code in (403, 405), (path, response.status_code)
    assert _state(alice) == before
