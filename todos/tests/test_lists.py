"""Lists: create, rename, archive, delete and reorder, through the views and the services;
adding a todo to a chosen list; moving a todo between its owner's lists. Bad input is a
clear message and no change; someone else's list is a 404."""

from __future__ import annotations

import queue
import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.publishing import publish
from notifications.tests.conftest import StompTap
from tests.sharing_support import share_with
from todos.lists import (
    arrange_list,
    create_list,
    delete_list,
    move_todo,
    rename_list,
    set_list_archived,
)
from todos.models import ChangeKind, Note, Role, Share, Todo, TodoList
from todos.permissions import NotAllowed

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def names(user: User) -> list[str]:
    return list(
        TodoList.objects.filter(owner=user)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )


@pytest.fixture
def tap(activemq, settings):
    settings.ACTIVEMQ_URL = activemq
    tap = StompTap(activemq)
    yield tap
    tap.close()


def pushed(tap: StompTap, *, until_user: int) -> list[tuple[int, str]]:
    """(user id, event type) of everything the broker carried up to a marker sent last."""
    marker = uuid.uuid4().hex
    publish(until_user, {"type": "marker", "todo_id": 0, "title": "", "actor": "", "text": marker})
    seen: list[tuple[int, str]] = []
    while True:
        try:
            destination, event = tap.messages.get(timeout=10)
        except queue.Empty:
            pytest.fail(f"the marker never came through; got {seen}")
        if event["text"] == marker:
            return seen
        seen.append((int(destination.rsplit(".", 1)[1]), event["type"]))


@pytest.fixture
def garden(alice) -> TodoList:
    return create_list(actor=alice, name="Garden")


def post(client: Client, route: str, *args: object, **data: str):
    return client.post(reverse(route, args=args), data)


# --- Create ---------------------------------------------------------------------------------


def test_creating_a_list_puts_it_after_the_others_and_opens_it(client_for, alice):
    response = post(client_for(alice), "lists:create", name="  Garden  ")
    garden = TodoList.objects.get(owner=alice, name="Garden")
    assert response.status_code == 302 and response["Location"] == reverse(
        "lists:show", args=[garden.pk]
    )
    post(client_for(alice), "lists:create", name="House")
    assert names(alice) == ["Inbox", "Garden", "House"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "A list needs a name."),
        ("   ", "A list needs a name."),
        ("x" * 101, "at most 100 characters"),
        ("inbox", "There is already a list named"),
    ],
)
def test_a_bad_name_is_a_clear_message_and_no_list(client_for, alice, name, message):
    response = post(client_for(alice), "lists:create", name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert names(alice) == ["Inbox"]


def test_a_name_of_100_characters_is_fine(alice):
    assert create_list(actor=alice, name="x" * 100).name == "x" * 100


# --- Rename, archive ------------------------------------------------------------------------


def test_the_owner_and_editors_rename_viewers_cannot(client_for, alice, bob, charlie, garden):
    share_with(garden, bob, role=Role.EDITOR)
    share_with(garden, charlie, role=Role.VIEWER)
    response = post(client_for(bob), "lists:rename", garden.pk, name="Allotment")
    assert response.status_code == 302
    garden.refresh_from_db()
    assert garden.name == "Allotment"
    response = post(client_for(charlie), "lists:rename", garden.pk, name="Mine now")
    assert messages_of(response) == ["Your role does not let you change this list."]
    garden.refresh_from_db()
    assert garden.name == "Allotment"


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "A list needs a name."), ("y" * 101, "at most 100 characters"), ("Inbox", "already")],
)
def test_renaming_to_a_bad_name_changes_nothing(client_for, alice, garden, name, message):
    response = post(client_for(alice), "lists:rename", garden.pk, name=name)
    assert message in " ".join(messages_of(response))
    garden.refresh_from_db()
    assert garden.name == "Garden"


def test_the_inbox_can_be_renamed_but_not_archived_or_deleted(client_for, alice):
    inbox = TodoList.objects.inbox_for(alice.pk)
    todo = Todo.objects.create(owner=alice, title="stays")
    client = client_for(alice)
    response = post(client, "lists:rename", inbox.pk, name="Tray")
    assert messages_of(response) == ["“Inbox” is now called “Tray”."]
    response = post(client_for(alice), "lists:archive", inbox.pk, archived="1")
    assert messages_of(response) == ["The Inbox cannot be archived."]
    response = post(client_for(alice), "lists:delete", inbox.pk)
    assert messages_of(response) == ["The Inbox cannot be deleted."]
    inbox.refresh_from_db()
    assert (inbox.name, inbox.archived, inbox.is_inbox) == ("Tray", False, True)
    assert Todo.objects.filter(pk=todo.pk).exists()


def test_archiving_and_unarchiving(client_for, alice, garden):
    client = client_for(alice)
    post(client, "lists:archive", garden.pk, archived="1")
    garden.refresh_from_db()
    assert garden.archived
    page = client.get(reverse("lists:index")).content.decode()
    assert "Archived" in page and "Unarchive" in page
    post(client, "lists:archive", garden.pk, archived="0")
    garden.refresh_from_db()
    assert not garden.archived


# --- Someone else's list, a list gone -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lists:rename", {"name": "Mine"}),
        ("lists:archive", {"archived": "1"}),
        ("lists:delete", {}),
        ("lists:arrange", {"direction": "up"}),
    ],
)
def test_someone_elses_list_is_404_and_unchanged(client_for, bob, garden, name, data):
    response = post(client_for(bob), name, garden.pk, **data)
    assert response.status_code == 404
    garden.refresh_from_db()
    assert (garden.name, garden.archived) == ("Garden", False)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lists:rename", {"name": "Late"}),
        ("lists:archive", {"archived": "1"}),
        ("lists:delete", {}),
    ],
)
def test_a_list_deleted_meanwhile_is_a_clear_404(client_for, alice, garden, name, data):
    client = client_for(alice)
    list_id = garden.pk
    garden.delete()
    response = post(client, name, list_id, **data)
    assert response.status_code == 404
    assert "not (or no longer) shared with you" in response.content.decode()
    assert client.get(reverse("lists:show", args=[list_id])).status_code == 404


def test_the_services_refuse_what_the_roles_refuse(alice, bob, garden):
    share_with(garden, bob, role=Role.EDITOR)
    with pytest.raises(NotAllowed):
        delete_list(actor=bob, todo_list=garden)
    with pytest.raises(NotAllowed):
        arrange_list(actor=bob, todo_list=garden, direction="up")
    share_with(garden, bob, role=Role.COMMENTER)
    garden = TodoList.objects.get(pk=garden.pk)
    with pytest.raises(NotAllowed):
        rename_list(actor=bob, todo_list=garden, name="x")
    with pytest.raises(NotAllowed):
        set_list_archived(actor=bob, todo_list=garden, archived=True)
    garden.refresh_from_db()
    assert (garden.name, garden.archived) == ("Garden", False)


# --- Delete ---------------------------------------------------------------------------------


def test_deleting_a_list_deletes_its_todos_and_tells_who_saw_it(
    client_for, alice, bob, charlie, garden, tap, django_capture_on_commit_callbacks
):
    share_with(garden, bob, role=Role.VIEWER)
    todo = Todo.objects.create(owner=alice, todo_list=garden, title="weed")
    Note.objects.create(todo=todo, author=alice, text="gloves")
    other = Todo.objects.create(owner=alice, title="elsewhere")
    page = client_for(alice).get(reverse("lists:index")).content.decode()
    assert 'data-confirm="Delete the list “Garden” and its 1 todo? This cannot be undone."' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(alice), "lists:delete", garden.pk)
    assert messages_of(response) == ["The list “Garden” and its todos were deleted."]
    assert not TodoList.objects.filter(pk=garden.pk).exists()
    assert not Todo.objects.filter(pk=todo.pk).exists() and not Note.objects.exists()
    assert not Share.objects.filter(user=bob).exists()
    assert Todo.objects.filter(pk=other.pk).exists()
    assert pushed(tap, until_user=charlie.pk) == [(bob.pk, "list_deleted")]


# --- Reorder --------------------------------------------------------------------------------


def test_lists_move_up_and_down_and_stop_at_the_ends(client_for, alice):
    for name in ("A", "B", "C"):
        create_list(actor=alice, name=name)
    c = TodoList.objects.get(owner=alice, name="C")
    client = client_for(alice)
    post(client, "lists:arrange", c.pk, direction="up")
    assert names(alice) == ["Inbox", "A", "C", "B"]
    post(client, "lists:arrange", c.pk, direction="up")
    post(client, "lists:arrange", c.pk, direction="up")
    post(client, "lists:arrange", c.pk, direction="up")  # first already: stays
    assert names(alice) == ["C", "Inbox", "A", "B"]
    response = post(client, "lists:arrange", c.pk, direction="sideways")
    assert messages_of(response) == ["A list moves up or down."]
    assert names(alice) == ["C", "Inbox", "A", "B"]


def test_an_editor_cannot_reorder_the_owners_lists(client_for, alice, bob, garden):
    share_with(garden, bob, role=Role.EDITOR)
    response = post(client_for(bob), "lists:arrange", garden.pk, direction="up")
    assert messages_of(response) == ["Only the owner can change the order of their lists."]
    assert names(alice) == ["Inbox", "Garden"]


# --- Adding to a list -----------------------------------------------------------------------


def todo_data(**extra: str) -> dict[str, str]:
    return {"title": "New", "description": "", "priority": "DEFAULT", "due_date": "", **extra}


def test_the_add_form_offers_own_lists_and_lists_where_one_is_editor(
    client_for, alice, bob, charlie, garden
):
    bobs = create_list(actor=bob, name="Bob's")
    share_with(bobs, alice, role=Role.EDITOR)
    charlies = create_list(actor=charlie, name="Charlie's")
    share_with(charlies, alice, role=Role.COMMENTER)
    archived = create_list(actor=alice, name="Old")
    set_list_archived(actor=alice, todo_list=archived, archived=True)
    page = client_for(alice).get(reverse("todos:add")).content.decode()
    inbox = TodoList.objects.inbox_for(alice.pk)
    assert f'<option value="{inbox.pk}" selected>Inbox</option>' in page
    assert f'<option value="{garden.pk}">Garden</option>' in page
    assert f'<option value="{bobs.pk}">Bob&#x27;s (Bob)</option>' in page
    assert "Charlie&#x27;s" not in page and ">Old<" not in page
    preselected = client_for(alice).get(reverse("todos:add"), {"list": garden.pk}).content.decode()
    assert f'<option value="{garden.pk}" selected>Garden</option>' in preselected


def test_an_editor_adds_to_a_shared_list_and_the_owner_owns_it(
    client_for, alice, bob, charlie, garden, tap, django_capture_on_commit_callbacks
):
    share_with(garden, bob, role=Role.EDITOR)
    share_with(garden, charlie, role=Role.VIEWER)
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('todos:add')}?list={garden.pk}", todo_data(todo_list=str(garden.pk))
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("lists:show", args=[garden.pk])
    todo = Todo.objects.get(title="New")
    assert (todo.owner, todo.todo_list) == (alice, garden)
    assert sorted(pushed(tap, until_user=bob.pk)) == sorted(
        [(alice.pk, "todo_created"), (charlie.pk, "todo_created")]
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMENTER, None])
def test_adding_to_a_list_one_may_not_add_to_is_refused(client_for, alice, bob, garden, role):
    if role:
        share_with(garden, bob, role=role)
    response = client_for(bob).post(reverse("todos:add"), todo_data(todo_list=str(garden.pk)))
    assert response.status_code == 200
    assert (
        "That list no longer exists, or you can no longer add todos to it."
        in response.content.decode()
    )
    assert not Todo.objects.filter(title="New").exists()


def test_adding_to_a_list_deleted_meanwhile_says_so(client_for, alice, garden):
    client = client_for(alice)
    list_id = garden.pk
    garden.delete()
    response = client.post(reverse("todos:add"), todo_data(todo_list=str(list_id)))
    assert "That list no longer exists" in response.content.decode()
    assert not Todo.objects.filter(title="New").exists()


# --- Moving a todo --------------------------------------------------------------------------


def test_the_owner_moves_a_todo_to_another_of_their_lists(
    client_for, alice, bob, charlie, garden, tap, django_capture_on_commit_callbacks
):
    todo = Todo.objects.create(owner=alice, title="seedlings")
    share_with(garden, bob, role=Role.VIEWER)  # sees it only once it is in the garden
    edit_page = client_for(alice).get(reverse("todos:edit", args=[todo.pk])).content.decode()
    assert 'id="move-form"' in edit_page
    inbox = TodoList.objects.inbox_for(alice.pk)
    share_with(inbox, charlie, role=Role.VIEWER)  # saw it in the Inbox: told it left
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "todos:move", todo.pk, todo_list=str(garden.pk))
    assert messages_of(response) == ["Todo “seedlings” moved to “Garden”."]
    todo.refresh_from_db()
    assert todo.todo_list == garden and todo.version == 2
    [moved] = todo.changes.filter(kind=ChangeKind.MOVED)
    assert (moved.actor, moved.before, moved.after) == (alice, "Inbox", "Garden")
    assert sorted(pushed(tap, until_user=alice.pk)) == sorted(
        [(bob.pk, "todo_moved"), (charlie.pk, "todo_moved")]
    )


def test_moving_to_another_users_list_is_refused_and_changes_nothing(
    client_for, alice, bob, garden
):
    todo = Todo.objects.create(owner=alice, todo_list=garden, title="t")
    bobs = create_list(actor=bob, name="Bob's")
    share_with(bobs, alice, role=Role.EDITOR)  # even a list she may add to
    response = post(client_for(alice), "todos:move", todo.pk, todo_list=str(bobs.pk))
    assert messages_of(response) == [
        "A todo can only move to another of its owner's lists. The todo was not moved."
    ]
    todo.refresh_from_db()
    assert (todo.todo_list, todo.owner, todo.version) == (garden, alice, 1)
    with pytest.raises(NotAllowed):
        move_todo(actor=alice, todo=todo, to_list=bobs)


@pytest.mark.parametrize("value", ["", "x", "0", "999999"])
def test_moving_to_no_list_or_a_missing_one_says_so(client_for, alice, garden, value):
    todo = Todo.objects.create(owner=alice, title="t")
    response = post(client_for(alice), "todos:move", todo.pk, todo_list=value)
    assert response.status_code == 302
    assert "not moved" in " ".join(messages_of(response)) or "Choose a list" in " ".join(
        messages_of(response)
    )
    todo.refresh_from_db()
    assert todo.todo_list.is_inbox


def test_only_the_owner_moves_and_strangers_get_404(client_for, alice, bob, charlie, garden):
    todo = Todo.objects.create(owner=alice, title="t")
    share_with(todo, bob, role=Role.EDITOR)
    response = post(client_for(bob), "todos:move", todo.pk, todo_list=str(garden.pk))
    assert messages_of(response) == [
        "Only the owner can move this todo to another list. The todo was not moved."
    ]
    edit_page = client_for(bob).get(reverse("todos:edit", args=[todo.pk])).content.decode()
    assert 'id="move-form"' not in edit_page
    assert (
        post(client_for(charlie), "todos:move", todo.pk, todo_list=str(garden.pk)).status_code
        == 404
    )
    todo.refresh_from_db()
    assert todo.todo_list.is_inbox


def test_a_move_unassigns_whoever_can_no_longer_see_the_todo(alice, bob, garden):
    inbox = TodoList.objects.inbox_for(alice.pk)
    share_with(inbox, bob, role=Role.EDITOR)
    todo = Todo.objects.create(owner=alice, title="t")
    todo.assignees.add(alice, bob)
    move_todo(actor=alice, todo=todo, to_list=garden)
    assert list(todo.assignees.all()) == [alice]
