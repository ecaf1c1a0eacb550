"""Lists on the pages: a list's own page (paging, search, filters, sort, live rows), the
dashboard's list and "assigned to me" filters, list names on rows, role-aware row actions,
and a fixed number of queries for 1 and 10,000 todos seen through shared lists."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conftest import make_user
from tests.sharing_support import share_with
from todos.lists import create_list, set_list_archived
from todos.models import Priority, Role, Status, Todo, TodoList

pytestmark = pytest.mark.django_db


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="todo-(\d+)"', html)]


def row_of(html: str, todo: Todo) -> str:
    return html[html.index(f'<tr id="todo-{todo.pk}"') :].split("</tr>")[0]


def count_of(html: str, label: str) -> int:
    match = re.search(rf'>{label} <span class="count">(\d+)</span>', html)
    assert match, label
    return int(match.group(1))


def get(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def fill(todo_list: TodoList, count: int, **fields) -> list[Todo]:
    return Todo.objects.bulk_create(
        Todo(
            owner_id=todo_list.owner_id,
            todo_list=todo_list,
            title=f"{todo_list.name} {i:05}",
            **fields,
        )
        for i in range(count)
    )


@pytest.fixture
def garden(alice) -> TodoList:
    return create_list(actor=alice, name="Garden")


def list_url(todo_list: TodoList) -> str:
    return reverse("lists:show", args=[todo_list.pk])


# --- A list's page ---------------------------------------------------------------------------


def test_a_list_page_shows_only_that_lists_todos_in_pages_of_50(client_for, alice, garden):
    fill(garden, 51)
    inbox_todo = Todo.objects.create(owner=alice, title="in the inbox")
    client = client_for(alice)
    first = get(client, list_url(garden))
    assert len(row_ids(first)) == 50 and inbox_todo.pk not in row_ids(first)
    assert "Page 1 of 2" in first
    second = get(client, list_url(garden), page="2")
    assert len(row_ids(second)) == 1
    assert count_of(first, "All") == 51
    assert '<h1 class="h3 m-0 list-title">Garden</h1>' in first
    assert f'href="{reverse("todos:add")}?list={garden.pk}"' in first  # Add todo, to this list


def test_a_list_page_searches_filters_and_sorts(client_for, alice, garden):
    make = Todo.objects.create
    high = make(owner=alice, todo_list=garden, title="Dig beds", priority=Priority.HIGH)
    done = make(owner=alice, todo_list=garden, title="Buy seeds", status=Status.DONE)
    low = make(owner=alice, todo_list=garden, title="water", priority=Priority.LOW)
    make(owner=alice, title="Dig elsewhere")  # the Inbox's
    client = client_for(alice)
    assert row_ids(get(client, list_url(garden), q="dig")) == [high.pk]
    assert row_ids(get(client, list_url(garden), status="done")) == [done.pk]
    assert row_ids(get(client, list_url(garden), priority="LOW")) == [low.pk]
    assert row_ids(get(client, list_url(garden), sort="title")) == [high.pk, low.pk, done.pk]
    html = get(client, list_url(garden), status="nonsense", page="x", list="999")
    assert set(row_ids(html)) == {high.pk, done.pk, low.pk}
    assert 'class="list-name"' not in html  # its own page does not repeat the list's name


def test_a_list_page_and_its_rows_are_404_for_strangers_and_once_deleted(
    client_for, alice, bob, garden
):
    fill(garden, 1)
    for url in (list_url(garden), reverse("lists:rows", args=[garden.pk])):
        assert client_for(bob).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 302
    garden_id = garden.pk
    garden.delete()
    assert client_for(alice).get(reverse("lists:show", args=[garden_id])).status_code == 404


def test_a_shared_list_page_shows_the_role_and_what_it_allows(client_for, alice, bob, garden):
    todo = fill(garden, 1)[0]
    share_with(garden, bob, role=Role.VIEWER)
    html = get(client_for(bob), list_url(garden))
    assert "you are Viewer" in html
    assert 'id="list-add"' not in html
    assert 'class="btn btn-sm btn-outline-secondary dropdown-toggle row-actions"' not in row_of(
        html, todo
    )
    share_with(garden, bob, role=Role.EDITOR)
    html = get(client_for(bob), list_url(garden))
    assert 'id="list-add"' in html


def test_the_list_pages_live_rows_fragment(
    client_for, alice, garden, django_assert_max_num_queries
):
    fill(garden, 60)
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("lists:rows", args=[garden.pk]), {"page": "2"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert len(row_ids(html)) == 10


# --- The dashboard's list and assigned filters ----------------------------------------------


def test_the_dashboard_filters_by_list_and_falls_back_on_bad_values(client_for, alice, bob, garden):
    inbox_todo = Todo.objects.create(owner=alice, title="inbox one")
    garden_todo = Todo.objects.create(owner=alice, todo_list=garden, title="garden one")
    bobs = create_list(actor=bob, name="Bob's")
    bobs_todo = Todo.objects.create(owner=bob, todo_list=bobs, title="bob's one")
    client = client_for(alice)
    assert row_ids(get(client, reverse("dashboard"), list=str(garden.pk))) == [garden_todo.pk]
    everything = {inbox_todo.pk, garden_todo.pk}
    for bad in (str(bobs.pk), "0", "-1", "x", "99999999", "1" * 40, "\x00", ""):
        assert set(row_ids(get(client, reverse("dashboard"), list=bad))) == everything, bad
    share_with(bobs, alice, role=Role.VIEWER)
    assert row_ids(get(client, reverse("dashboard"), list=str(bobs.pk))) == [bobs_todo.pk]


def test_rows_name_their_list_and_the_filter_offers_every_visible_list(
    client_for, alice, bob, garden
):
    todo = Todo.objects.create(owner=alice, todo_list=garden, title="rake")
    bobs = create_list(actor=bob, name="<b>Bob's</b>")
    share_with(bobs, alice, role=Role.COMMENTER)
    html = get(client_for(alice), reverse("dashboard"))
    assert '<span class="list-name">Garden</span>' in row_of(html, todo)
    assert f'<option value="{garden.pk}">Garden</option>' in html
    assert f'<option value="{bobs.pk}">&lt;b&gt;Bob&#x27;s&lt;/b&gt; (Bob)</option>' in html
    assert "<b>Bob's</b>" not in html


def test_archived_lists_leave_the_dashboard_unless_chosen(client_for, alice, garden):
    kept = Todo.objects.create(owner=alice, title="kept")
    hidden = Todo.objects.create(owner=alice, todo_list=garden, title="archived away")
    set_list_archived(actor=alice, todo_list=garden, archived=True)
    client = client_for(alice)
    html = get(client, reverse("dashboard"))
    assert row_ids(html) == [kept.pk] and count_of(html, "All") == 1
    assert row_ids(get(client, reverse("dashboard"), list=str(garden.pk))) == [hidden.pk]
    assert row_ids(get(client, list_url(garden))) == [hidden.pk]


def test_assigned_to_me_lists_and_counts_todos_assigned_to_the_user(client_for, alice, bob, garden):
    mine = Todo.objects.create(owner=alice, title="mine, assigned")
    Todo.objects.create(owner=alice, title="mine, not assigned")
    theirs = Todo.objects.create(owner=bob, title="bob's, assigned to alice")
    share_with(theirs, alice, role=Role.COMMENTER)
    to_bob = Todo.objects.create(owner=alice, title="assigned to bob")
    mine.assignees.add(alice)
    theirs.assignees.add(alice, bob)
    to_bob.assignees.add(bob)
    client = client_for(alice)
    html = get(client, reverse("dashboard"), assigned="me")
    assert set(row_ids(html)) == {mine.pk, theirs.pk}
    assert count_of(html, "Assigned to me") == 2 and count_of(html, "All") == 4
    assert set(row_ids(get(client, reverse("dashboard"), assigned="me", whose="shared"))) == {
        theirs.pk
    }
    assert len(row_ids(get(client, reverse("dashboard"), assigned="everyone"))) == 4
    assert 'href="?assigned=me&amp;page=2"' not in html


# --- Role-aware rows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "edit", "share"),
    [
        (None, True, True, True),  # the owner
        (Role.VIEWER, False, False, False),
        (Role.COMMENTER, True, False, False),
        (Role.EDITOR, True, True, False),
    ],
)
def test_row_buttons_follow_the_role(client_for, alice, bob, garden, role, status, edit, share):
    todo = Todo.objects.create(owner=alice, todo_list=garden, title="t")
    viewer = alice
    if role is not None:
        share_with(garden, bob, role=role)
        viewer = bob
    row = row_of(get(client_for(viewer), reverse("dashboard")), todo)
    assert ("data-status-url" in row) is status
    assert ("data-edit-url" in row) is edit
    assert ("data-share-url" in row) is share
    assert ("row-actions" in row) is (status or edit or share)


def test_a_todo_share_above_the_list_role_wins_on_the_row(client_for, alice, bob, garden):
    todo = Todo.objects.create(owner=alice, todo_list=garden, title="t")
    share_with(garden, bob, role=Role.VIEWER)
    share_with(todo, bob, role=Role.EDITOR)
    row = row_of(get(client_for(bob), reverse("dashboard")), todo)
    assert "data-edit-url" in row and "data-share-url" not in row


# --- Queries --------------------------------------------------------------------------------


def shared_lists_world(viewer: User, owners: int, per_list: int, prefix: str) -> list[TodoList]:
    """`owners` people each sharing one list of `per_list` todos with `viewer`."""
    lists = []
    for index in range(owners):
        owner = make_user(f"{prefix}{index}")
        todo_list = TodoList.objects.create(owner=owner, name=f"Shared {index}")
        fill(todo_list, per_list, priority=[Priority.HIGH, Priority.LOW][index % 2])
        share_with(todo_list, viewer, role=[Role.VIEWER, Role.COMMENTER, Role.EDITOR][index % 3])
        lists.append(todo_list)
    return lists


def test_the_dashboard_makes_as_many_queries_for_1_and_10000_todos_through_shared_lists(
    client_for, charlie, django_assert_max_num_queries
):
    client = client_for(charlie)
    shared_lists_world(charlie, owners=1, per_list=1, prefix="one")
    with CaptureQueriesContext(connection) as one:
        html = get(client, reverse("dashboard"))
    assert len(row_ids(html)) == 1
    assert len(one) <= 6
    lists = shared_lists_world(charlie, owners=20, per_list=500, prefix="many")
    with CaptureQueriesContext(connection) as many:
        html = get(client, reverse("dashboard"), sort="priority")
    assert len(many) == len(one), [query["sql"] for query in many.captured_queries]
    assert len(row_ids(html)) == 50
    assert count_of(html, "All") == 10001 and count_of(html, "Shared with me") == 10001
    with django_assert_max_num_queries(len(one)):
        html = get(client, reverse("dashboard"), list=str(lists[3].pk))
    assert count_of(html, "All") == 500
    with django_assert_max_num_queries(6):  # the list, and the viewer's role on it
        html = get(client, list_url(lists[5]))
    assert count_of(html, "All") == 500
