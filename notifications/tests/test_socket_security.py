"""The socket carries a user's own events and nothing else, whoever asks for more."""

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as ws_connect

from notifications.consumers import CLOSE_NOT_LOGGED_IN
from notifications.tests.conftest import (
    Browserless,
    StompTap,
    next_event,
    open_socket,
    session_cookie,
)
from tests.sharing_support import share_with
from todos.models import Todo

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_socket_is_closed_with_4401(push_servers):
    server, _ = push_servers
    with open_socket(server, cookie=None) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_NOT_LOGGED_IN


def test_a_socket_with_a_forged_session_is_closed_with_4401(push_servers):
    server, _ = push_servers
    with (
        open_socket(server, cookie="not-a-session") as socket,
        pytest.raises(ConnectionClosed) as closed,
    ):
        socket.recv(timeout=10)
    assert closed.value.rcvd.code == CLOSE_NOT_LOGGED_IN


def test_a_socket_from_another_origin_is_refused(push_servers, bob):
    server, _ = push_servers
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(
            f"{server.ws_url}/ws/notifications/",
            additional_headers={"Cookie": f"sessionid={session_cookie(bob)}"},
            origin="http://evil.example",
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


def test_a_user_never_hears_another_users_events_whatever_they_send(
    push_servers, activemq, todo, alice, bob, charlie
):
    server_a, server_b = push_servers
    charlies_todo = Todo.objects.create(owner=charlie, title="Mine", due_date=todo.due_date)
    share_with(charlies_todo, alice)
    with open_socket(server_b, session_cookie(charlie)) as charlies_socket:
        for attempt in [
            json.dumps({"subscribe": f"/topic/todoUpdates.{bob.pk}"}),
            json.dumps({"type": "group_add", "group": f"user-{bob.pk}"}),
            "SUBSCRIBE\ndestination:/topic/todoUpdates.>\nid:0\n\n\x00",
            json.dumps({"type": "todo.event", "event": {"text": "forged"}}),
        ]:
            charlies_socket.send(attempt)
        charlies_socket.send(b"\x00\x01binary")

        Browserless(server_a, alice).edit_todo(todo, title="For Bob only")
        Browserless(server_a, alice).edit_todo(charlies_todo, title="For Charlie")

        event = next_event(charlies_socket)
        assert (event["todo_id"], event["title"]) == (charlies_todo.pk, "For Charlie")


def test_a_title_with_markup_arrives_as_plain_json_text(push_servers, activemq, todo, alice, bob):
    server_a, server_b = push_servers
    markup = '<img src=x onerror="alert(1)">'
    with open_socket(server_b, session_cookie(bob)) as bobs_socket:
        Browserless(server_a, alice).edit_todo(todo, title=markup)
        frame = bobs_socket.recv(timeout=10)

    assert json.loads(frame)["title"] == markup
    assert json.loads(frame)["text"] == f"Alice updated “{markup}”."


def test_the_relay_skips_junk_on_the_broker_and_keeps_relaying(push_servers, activemq, bob):
    _, server_b = push_servers
    tap = StompTap(activemq)
    try:
        with open_socket(server_b, session_cookie(bob)) as bobs_socket:
            tap.send(f"/topic/todoUpdates.{bob.pk}", "not json")
            tap.send(f"/topic/todoUpdates.{bob.pk}", json.dumps(["not", "an", "object"]))
            tap.send("/topic/todoUpdates.bob", json.dumps({"text": "no user id"}))
            tap.send(f"/topic/todoUpdates.{bob.pk}", json.dumps({"text": "a real one"}))

            assert next_event(bobs_socket) == {"text": "a real one"}
    finally:
        tap.close()


def test_the_browser_script_sets_event_text_with_text_content_only():
    script = Path(finders.find("js/notifications.js")).read_text(encoding="utf-8")
    assert "textContent" in script
    for html_sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert html_sink not in script
