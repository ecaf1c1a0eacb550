"""Two web processes, one ActiveMQ: an event raised in one reaches sockets on the other."""

import datetime

import pytest
from django.utils import timezone

from notifications.tests.conftest import Browserless, next_event, open_socket, session_cookie
from tests.sharing_support import share_with
from todos.models import Todo

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_on_one_server_reaches_the_collaborator_on_the_other(
    push_servers, todo, alice, bob, charlie
):
    server_a, server_b = push_servers
    charlies_todo = Todo.objects.create(
        owner=alice, title="Charlie's", due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    share_with(charlies_todo, charlie)

    with (
        open_socket(server_b, session_cookie(bob)) as bobs_socket,
        open_socket(server_b, session_cookie(charlie)) as charlies_socket,
    ):
        response = Browserless(server_a, alice).edit_todo(todo, title="Write the second book")
        assert response.status_code == 200  # redirected to the todo page

        assert next_event(bobs_socket) == {
            "type": "todo_updated",
            "todo_id": todo.pk,
            "title": "Write the second book",
            "actor": "Alice",
            "text": "Alice updated “Write the second book”.",
        }
        # Charlie is a stranger to that todo: the first thing his socket carries is an event
        # about his own shared todo, sent after Bob's.
        Browserless(server_a, alice).edit_todo(charlies_todo, title="Charlie's, edited")
        assert next_event(charlies_socket)["todo_id"] == charlies_todo.pk


def test_every_socket_of_the_user_gets_the_event_on_both_servers(push_servers, todo, alice, bob):
    server_a, server_b = push_servers
    cookie = session_cookie(bob)
    with open_socket(server_a, cookie) as tab_on_a, open_socket(server_b, cookie) as tab_on_b:
        Browserless(server_b, alice).post(f"/todo/{todo.pk}/notes", {"text": "Chapter 2 done"})

        for tab in (tab_on_a, tab_on_b):
            event = next_event(tab)
            assert (event["type"], event["todo_id"]) == ("note_added", todo.pk)
            assert event["text"] == "Alice added a note to “Write the book”."


def test_the_actor_is_not_told_about_their_own_action(push_servers, todo, alice, bob):
    server_a, server_b = push_servers
    with open_socket(server_b, session_cookie(alice)) as alices_socket:
        Browserless(server_a, alice).edit_todo(todo, title="Alice's own edit")
        Browserless(server_a, bob).edit_todo(todo, title="Bob's edit")

        event = next_event(alices_socket)
        assert (event["actor"], event["title"]) == ("Bob", "Bob's edit")
