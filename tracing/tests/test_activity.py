"""/activity: the signed-in user's own breadcrumbs of the last 14 days, newest first, paged."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client

from deploy.local.moto_server import free_port
from tracing import dynamo
from tracing.breadcrumbs import breadcrumb_item
from tracing.tests.tcp import HangingEndpoint

pytestmark = pytest.mark.django_db

NOW = datetime.datetime.now(datetime.UTC)


def leave(
    username: str,
    path: str,
    *,
    days_ago: float = 0,
    action: str = "add_note",
    todo_id: int | None = None,
):
    dynamo.write_breadcrumb(
        breadcrumb_item(
            username=username,
            action=action,
            path=path,
            method="GET",
            status=200,
            todo_id=todo_id,
            request_id="test",
            now=NOW - datetime.timedelta(days=days_ago),
        )
    )


def shown_paths(response) -> list[str]:
    return re.findall(
        r'class="list-group-item activity-item" data-action="[^"]*" data-path="([^"]*)"',
        response.content.decode(),
    )


def older_link(response) -> str | None:
    match = re.search(r'id="activity-older" href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def alice_client(alice, breadcrumb_table) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_it_shows_only_the_users_own_breadcrumbs_newest_first(alice_client, bob):
    leave("alice", "/first", days_ago=2)
    leave("bob", "/bobs")
    leave("alice", "/second", days_ago=1)
    leave("alice", "/third", days_ago=0.5)
    assert dynamo.flush(30)
    response = alice_client.get("/activity")
    assert response.status_code == 200
    assert shown_paths(response) == ["/third", "/second", "/first"]
    assert older_link(response) is None


def test_it_shows_only_the_last_14_days(alice_client):
    leave("alice", "/thirteen-days-ago", days_ago=13)
    leave("alice", "/fifteen-days-ago", days_ago=15)
    assert dynamo.flush(30)
    assert shown_paths(alice_client.get("/activity")) == ["/thirteen-days-ago"]


def test_it_pages_through_older_breadcrumbs(alice_client):
    for number in range(30):
        leave("alice", f"/page-{number:02d}", days_ago=(30 - number) / 10)
    assert dynamo.flush(30)
    first = alice_client.get("/activity")
    assert shown_paths(first) == [f"/page-{number:02d}" for number in range(29, 4, -1)]
    second = alice_client.get(f"/activity{older_link(first)}")
    assert second.status_code == 200
    assert shown_paths(second) == [f"/page-{number:02d}" for number in range(4, -1, -1)]
    assert older_link(second) is None


def test_a_garbage_cursor_shows_the_first_page_with_a_message(alice_client):
    leave("alice", "/only")
    assert dynamo.flush(30)
    for cursor in ["garbage", "", signing.dumps("2099-01-01T00:00:00.000000Z#x", salt="other")]:
        response = alice_client.get("/activity", {"cursor": cursor})
        assert response.status_code == 200
        assert shown_paths(response) == ["/only"]
        assert b"That page link was not valid" in response.content


def test_a_cursor_from_outside_the_window_shows_the_first_page(alice_client):
    leave("alice", "/only")
    assert dynamo.flush(30)
    stale = signing.dumps("2000-01-01T00:00:00.000000Z#x", salt="tracing.activity.cursor")
    response = alice_client.get("/activity", {"cursor": stale})
    assert response.status_code == 200
    assert shown_paths(response) == ["/only"]
    assert b"That page link was not valid" in response.content


def test_paths_are_shown_escaped(alice_client):
    leave("alice", "/<script>alert(1)</script>")
    assert dynamo.flush(30)
    content = alice_client.get("/activity").content
    assert b"<script>alert(1)" not in content
    assert b"&lt;script&gt;alert(1)" in content


def test_without_dynamodb_the_page_says_so_instead_of_failing(alice_client, moto_server):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    try:
        response = alice_client.get("/activity")
    finally:
        settings.AWS_ENDPOINT_URL = moto_server.url
    assert response.status_code == 503
    assert b"activity is unavailable right now" in response.content


def test_with_dynamodb_hung_the_page_says_activity_is_unavailable_within_3_s(
    alice_client, moto_server
):
    with HangingEndpoint() as hung:
        settings.AWS_ENDPOINT_URL = hung.url
        try:
            started = time.monotonic()
            response = alice_client.get("/activity")
            elapsed = time.monotonic() - started
        finally:
            settings.AWS_ENDPOINT_URL = moto_server.url
    assert response.status_code == 503
    assert b"activity is unavailable right now" in response.content
    assert elapsed < 3, f"answered after {elapsed:.1f} s"


def test_it_needs_a_signed_in_user(db):
    response = Client().get("/activity")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_the_navbar_links_to_it(alice_client):
    assert b'href="/activity"' in alice_client.get("/activity").content


def test_page_views_are_hidden_unless_asked_for(alice_client):
    leave("alice", "/dashboard", action="view_dashboard", days_ago=0.2)
    leave("alice", "/todo/1/notes", action="add_note", days_ago=0.1)
    assert dynamo.flush(30)
    assert shown_paths(alice_client.get("/activity")) == ["/todo/1/notes"]
    assert shown_paths(alice_client.get("/activity", {"views": "1"})) == [
        "/todo/1/notes",
        "/dashboard",
    ]


def test_actions_read_as_words_with_the_todos_title_not_paths(alice_client, alice, bob):
    from todos.models import Todo

    mine = Todo.objects.create(owner=alice, title="<b>Buy milk</b>")
    strangers = Todo.objects.create(owner=bob, title="Bob's secret")
    leave("alice", f"/todo/{mine.pk}/notes", todo_id=mine.pk, days_ago=0.2)
    leave("alice", f"/todo/{strangers.pk}/notes", todo_id=strangers.pk, days_ago=0.1)
    assert dynamo.flush(30)
    page = alice_client.get("/activity").content.decode()
    assert "Added a note: <a" in page
    assert "&lt;b&gt;Buy milk&lt;/b&gt;" in page
    assert "Bob&#x27;s secret" not in page and "Bob's secret" not in page
    assert "(no longer yours to see)" in page
    assert f">/todo/{mine.pk}/notes<" not in page  # no request paths as text
    assert re.search(r'<time [^>]*datetime="\d{4}-\d\d-\d\dT[^"]*\+00:00" data-local-time>', page)
