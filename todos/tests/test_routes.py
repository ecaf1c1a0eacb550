"""Every todo route for the owner, a collaborator, a stranger and an anonymous visitor."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import tomorrow
from todos.models import Note, Status, Todo

pytestmark = pytest.mark.django_db

VALID_TODO = {"title": "Edited", "description": "", "priority": "HIGH"}

# (url name, method, takes the todo's id)
TODO_ROUTES = [
    ("todos:show", "get"),
    ("todos:edit", "get"),
    ("todos:update", "post"),
    ("todos:set_status", "post"),
    ("todos:delete", "post"),
    ("todos:note_add", "post"),
]
POST_ONLY = ["todos:update", "todos:set_status", "todos:delete", "todos:note_add"]


def post_data(name: str) -> dict[str, str]:
    if name == "todos:update":
        return {**VALID_TODO, "due_date": tomorrow().isoformat(), "version": "1"}
    if name == "todos:note_add":
        return {"text": "A note"}
    return {}


def snapshot(todo: Todo) -> tuple[object, ...]:
    todo.refresh_from_db()
    return (todo.title, todo.status, todo.due_date, todo.notes.count())


@pytest.mark.parametrize(("name", "method"), TODO_ROUTES)
def test_an_anonymous_visitor_is_sent_to_log_in(client_for, todo, name, method):
    url = reverse(name, args=[todo.pk])
    response = getattr(client_for(None), method)(url, post_data(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert Todo.objects.filter(pk=todo.pk).exists()


@pytest.mark.parametrize("name", ["dashboard", "todos:add"])
def test_an_anonymous_visitor_is_sent_to_log_in_from_pages_without_a_todo(client_for, name):
    url = reverse(name)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_anonymous_visitor_cannot_add_a_todo(client_for):
    response = client_for(None).post(
        reverse("todos:add"), {**VALID_TODO, "due_date": tomorrow().isoformat()}
    )
    assert response.status_code == 302
    assert not Todo.objects.exists()


@pytest.mark.parametrize(("name", "method"), TODO_ROUTES)
def test_a_stranger_gets_404_and_changes_nothing(client_for, todo, charlie, name, method):
    before = snapshot(todo)
    response = getattr(client_for(charlie), method)(reverse(name, args=[todo.pk]), post_data(name))
    assert response.status_code == 404
    assert Todo.objects.filter(pk=todo.pk).exists()
    assert snapshot(todo) == before


@pytest.mark.parametrize(("name", "method"), TODO_ROUTES)
def test_a_missing_todo_is_404_too(client_for, alice, name, method):
    response = getattr(client_for(alice), method)(reverse(name, args=[999999]), post_data(name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_a_state_changing_route_is_405_and_changes_nothing(client_for, todo, name):
    before = snapshot(todo)
    response = client_for(todo.owner).get(reverse(name, args=[todo.pk]), post_data(name))
    assert response.status_code == 405
    assert snapshot(todo) == before


def test_the_landing_page_answers_visitors_and_users(client_for, alice):
    anonymous = client_for(None).get(reverse("landing"))
    assert anonymous.status_code == 200
    assert reverse("login") in anonymous.content.decode()
    logged_in = client_for(alice).get(reverse("landing"))
    assert logged_in.status_code == 200
    assert reverse("dashboard") in logged_in.content.decode()


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_collaborator_see_the_todo_and_its_edit_form(client_for, todo, user, request):
    client = client_for(request.getfixturevalue(user))
    show = client.get(reverse("todos:show", args=[todo.pk]))
    assert show.status_code == 200
    assert "Write the book" in show.content.decode()
    edit = client.get(reverse("todos:edit", args=[todo.pk]))
    assert edit.status_code == 200
    assert 'value="Write the book"' in edit.content.decode()


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_collaborator_see_the_todo_on_their_dashboard(client_for, todo, user, request):
    response = client_for(request.getfixturevalue(user)).get(reverse("dashboard"))
    assert response.status_code == 200
    assert f'id="todo-{todo.pk}"' in response.content.decode()


def test_a_stranger_does_not_see_the_todo_on_the_dashboard(client_for, todo, charlie):
    response = client_for(charlie).get(reverse("dashboard"))
    assert f'id="todo-{todo.pk}"' not in response.content.decode()
    assert 'id="no-todos"' in response.content.decode()


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_collaborator_update_the_todo(client_for, todo, user, request):
    due = tomorrow().isoformat()
    response = client_for(request.getfixturevalue(user)).post(
        reverse("todos:update", args=[todo.pk]),
        {**VALID_TODO, "due_date": due, "version": str(todo.version)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("todos:show", args=[todo.pk])
    todo.refresh_from_db()
    assert (todo.title, todo.priority, todo.description) == ("Edited", "HIGH", "")


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_collaborator_set_the_status_both_ways(client_for, todo, user, request):
    client = client_for(request.getfixturevalue(user))
    url = reverse("todos:set_status", args=[todo.pk])
    assert client.post(url, {"status": "DONE"})["Location"] == reverse("dashboard")
    todo.refresh_from_db()
    assert todo.status == Status.DONE
    response = client.post(url, {"status": "OPEN", "next": "show"})
    assert response["Location"] == reverse("todos:show", args=[todo.pk])
    todo.refresh_from_db()
    assert todo.status == Status.OPEN


def test_pressing_done_twice_leaves_the_todo_done(client_for, todo, alice, bob):
    url = reverse("todos:set_status", args=[todo.pk])
    client_for(alice).post(url, {"status": "DONE"})
    client_for(bob).post(url, {"status": "DONE"})
    todo.refresh_from_db()
    assert todo.status == Status.DONE


@pytest.mark.parametrize("status", ["", "done", "CLOSED", None])
def test_a_status_that_is_not_open_or_done_is_refused(client_for, todo, alice, status):
    data = {} if status is None else {"status": status}
    response = client_for(alice).post(reverse("todos:set_status", args=[todo.pk]), data)
    assert response.status_code == 400
    assert b"OPEN or DONE" in response.content
    todo.refresh_from_db()
    assert todo.status == Status.OPEN


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_collaborator_add_notes(client_for, todo, user, request):
    author = request.getfixturevalue(user)
    response = client_for(author).post(
        reverse("todos:note_add", args=[todo.pk]), {"text": "  Done by Friday  "}
    )
    assert response.status_code == 302
    note = Note.objects.get(todo=todo)
    assert (note.text, note.author) == ("Done by Friday", author)
    page = client_for(author).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert "Done by Friday" in page


def test_the_owner_deletes_the_todo_and_its_notes(client_for, todo, alice):
    Note.objects.create(todo=todo, author=alice, text="gone too")
    response = client_for(alice).post(reverse("todos:delete", args=[todo.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert not Todo.objects.filter(pk=todo.pk).exists()
    assert not Note.objects.exists()


def test_a_collaborator_cannot_delete_and_is_told_why(client_for, todo, bob):
    client = client_for(bob)
    response = client.post(reverse("todos:delete", args=[todo.pk]), follow=True)
    assert Todo.objects.filter(pk=todo.pk).exists()
    assert response.redirect_chain[-1][0] == reverse("todos:show", args=[todo.pk])
    assert "Only the owner can delete this todo." in response.content.decode()


def test_a_collaborator_is_not_offered_a_delete_button(client_for, todo, alice, bob):
    delete_url = reverse("todos:delete", args=[todo.pk])
    assert (
        delete_url in client_for(alice).get(reverse("todos:show", args=[todo.pk])).content.decode()
    )
    assert (
        delete_url
        not in client_for(bob).get(reverse("todos:show", args=[todo.pk])).content.decode()
    )


def test_adding_a_todo_makes_the_user_its_owner(client_for, alice):
    response = client_for(alice).post(
        reverse("todos:add"),
        {"title": "New", "description": "d", "priority": "LOW", "due_date": tomorrow().isoformat()},
    )
    assert response.status_code == 302
    todo = Todo.objects.get()
    assert (todo.owner, todo.title, todo.priority, todo.status) == (alice, "New", "LOW", "OPEN")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Todo “New” was created."]


def test_state_changes_need_a_csrf_token(todo, alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("todos:set_status", args=[todo.pk]), {"status": "DONE"})
    assert response.status_code == 403
    todo.refresh_from_db()
    assert todo.status == Status.OPEN
