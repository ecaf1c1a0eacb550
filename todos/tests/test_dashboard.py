"""The dashboard: what it lists, in which order, escaped, in a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from todos.models import Status, Todo

pytestmark = pytest.mark.django_db

XSS_TITLE = "<script>alert(1)</script>"
ESCAPED_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt;"


def make_todos(owner: User, count: int, *, shared_with: User | None = None) -> None:
    today = timezone.localdate()
    todos = Todo.objects.bulk_create(
        Todo(owner=owner, title=f"todo {i}", due_date=today + datetime.timedelta(days=i % 30))
        for i in range(count)
    )
    if shared_with is not None:
        Todo.collaborators.through.objects.bulk_create(
            Todo.collaborators.through(todo_id=todo.pk, user_id=shared_with.pk) for todo in todos
        )


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_todos(
    client_for, alice, bob, charlie
):
    client = client_for(alice)
    make_todos(alice, 1)
    with_one = dashboard_queries(client)
    make_todos(alice, 100)
    make_todos(bob, 99, shared_with=alice)
    make_todos(charlie, 5)  # not alice's: not listed, not counted
    with_200 = dashboard_queries(client)
    assert with_200 == with_one
    assert with_one <= 6
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('<tr id="todo-') == 200


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="todo-(\d+)"', html)]


def test_open_todos_come_first_then_the_soonest_due(client_for, alice, bob):
    today = timezone.localdate()

    def add(owner: User, days: int, status: str = Status.OPEN) -> Todo:
        return Todo.objects.create(
            owner=owner, title=f"in {days}", due_date=today + datetime.timedelta(days=days),
            status=status,
        )  # fmt: skip

    done_soon = add(alice, 1, Status.DONE)
    open_late = add(alice, 9)
    shared_open_soon = add(bob, 2)
    shared_open_soon.collaborators.add(alice)
    done_late = add(alice, 5, Status.DONE)
    open_overdue = Todo.objects.create(
        owner=alice, title="late", due_date=today - datetime.timedelta(days=3)
    )
    page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert row_ids(page) == [
        open_overdue.pk, shared_open_soon.pk, open_late.pk, done_soon.pk, done_late.pk
    ]  # fmt: skip
    overdue_row = page[page.index(f'<tr id="todo-{open_overdue.pk}"') :].split("</tr>")[0]
    assert 'class="overdue"' in overdue_row
    done_row = page[page.index(f'<tr id="todo-{done_soon.pk}"') :].split("</tr>")[0]
    assert 'class="todo-done"' in done_row
    assert ">Reopen</button>" in done_row


def test_shared_todos_are_marked_with_their_owner_and_counts(client_for, todo, alice, bob):
    bob_page = client_for(bob).get(reverse("dashboard")).content.decode()
    row = bob_page[bob_page.index(f'<tr id="todo-{todo.pk}"') :].split("</tr>")[0]
    assert "shared by Alice" in row
    assert "<td>1</td>" in row  # one collaborator
    alice_page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert "shared by" not in alice_page


def test_the_toggle_buttons_post_with_the_pages_csrf_token(client_for, todo, alice):
    page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert re.search(r'<form id="toggle-form" method="post"[^>]*>\s*<input type="hidden" '
                     r'name="csrfmiddlewaretoken"', page)  # fmt: skip
    status_url = reverse("todos:set_status", args=[todo.pk])
    assert f'form="toggle-form" formaction="{status_url}" name="status" value="DONE"' in page


def test_a_title_with_markup_arrives_escaped(client_for, alice, bob):
    todo = Todo.objects.create(owner=alice, title=XSS_TITLE, due_date=timezone.localdate())
    bob.display_name = "<b>Bob</b>"
    bob.save()
    shared = Todo.objects.create(owner=bob, title="x", due_date=timezone.localdate())
    shared.collaborators.add(alice)
    client = client_for(alice)
    for url in (reverse("dashboard"), reverse("todos:show", args=[todo.pk])):
        page = client.get(url).content.decode()
        assert XSS_TITLE not in page
        assert ESCAPED_TITLE in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "shared by &lt;b&gt;Bob&lt;/b&gt;" in dashboard


def test_a_note_with_markup_arrives_escaped(client_for, todo, alice):
    client = client_for(alice)
    client.post(reverse("todos:note_add", args=[todo.pk]), {"text": XSS_TITLE})
    page = client.get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert XSS_TITLE not in page
    assert ESCAPED_TITLE in page


def test_an_empty_dashboard_invites_the_first_todo(client_for, alice):
    page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert 'id="no-todos"' in page


def test_each_todo_is_listed_once_with_its_number_of_collaborators(client_for, alice, bob, charlie):
    due = timezone.localdate()
    alone = Todo.objects.create(owner=alice, title="alone", due_date=due)
    crowded = Todo.objects.create(owner=alice, title="crowded", due_date=due)
    crowded.collaborators.add(bob, charlie)
    page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert page.count(f'id="todo-{alone.pk}"') == 1
    assert page.count(f'id="todo-{crowded.pk}"') == 1
    for todo, count in ((alone, 0), (crowded, 2)):
        row = page[page.index(f'<tr id="todo-{todo.pk}"') :].split("</tr>")[0]
        assert f"<td>{count}</td>" in row
