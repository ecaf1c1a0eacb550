"""The one permission function, as a table: every role, action and object (a list, a todo),
for the owner, each role given on the list and on the todo, a stranger, a removed
collaborator, an inactive user and an anonymous visitor. And the services refuse what it
refuses when called directly, not only through the views."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from conftest import make_user
from sharing.services import SharingError, share_todo
from tests.sharing_support import share_with, unshare
from todos.attachments import add_attachment
from todos.models import Role, Status, Todo, TodoList
from todos.permissions import (
    LIST_ACTIONS,
    Action,
    Level,
    NotAllowed,
    can,
    level_of,
    roles_allowing,
)
from todos.reminders import add_reminder
from todos.services import add_note, create_todo, delete_todo, set_todo_status, update_todo

pytestmark = pytest.mark.django_db

A = Action
SEES = {A.VIEW}
COMMENTS = SEES | {A.COMMENT, A.SET_STATUS}
EDITS = COMMENTS | {A.EDIT, A.ATTACH, A.REMIND, A.ASSIGN}
EVERYTHING = EDITS | {A.MOVE, A.SHARE, A.DELETE, A.TRANSFER}

# Who → what they may do to the todo, and to its list.
EXPECTED: dict[str, tuple[set[Action], set[Action]]] = {
    "owner": (EVERYTHING, {A.VIEW, A.EDIT, A.ADD_TODO, A.SHARE, A.DELETE, A.TRANSFER, A.ARRANGE}),
    "list viewer": (SEES, {A.VIEW}),
    "list commenter": (COMMENTS, {A.VIEW}),
    "list editor": (EDITS, {A.VIEW, A.EDIT, A.ADD_TODO}),
    "todo viewer": (SEES, set()),
    "todo commenter": (COMMENTS, set()),
    "todo editor": (EDITS, set()),
    # A Viewer of the list who is also Editor of the todo: the higher role wins.
    "list viewer, todo editor": (EDITS, {A.VIEW}),
    "stranger": (set(), set()),
    "removed editor": (set(), set()),
    "inactive editor": (set(), set()),
    "anonymous": (set(), set()),
}


@pytest.fixture
def world() -> tuple[dict[str, User | AnonymousUser], Todo, TodoList]:
    owner = make_user("owner")
    todo_list = TodoList.objects.create(owner=owner, name="Garden")
    todo = Todo.objects.create(owner=owner, todo_list=todo_list, title="Dig")
    people: dict[str, User | AnonymousUser] = {"owner": owner, "anonymous": AnonymousUser()}
    for role in Role:
        name = role.label.lower()
        people[f"list {name}"] = person = make_user(f"list{name}")
        share_with(todo_list, person, role=role)
        people[f"todo {name}"] = person = make_user(f"todo{name}")
        share_with(todo, person, role=role)
    both = people["list viewer, todo editor"] = make_user("both")
    share_with(todo_list, both, role=Role.VIEWER)
    share_with(todo, both, role=Role.EDITOR)
    people["stranger"] = make_user("stranger")
    removed = people["removed editor"] = make_user("removed")
    share_with(todo, removed)
    unshare(todo, removed)
    inactive = people["inactive editor"] = make_user("inactive")
    share_with(todo, inactive)
    inactive.is_active = False
    inactive.save()
    return people, todo, todo_list


@pytest.mark.parametrize("who", EXPECTED)
@pytest.mark.parametrize("action", list(Action))
def test_every_role_and_action_on_a_todo_and_its_list(world, who: str, action: Action) -> None:
    people, todo, todo_list = world
    on_todo, on_list = EXPECTED[who]
    # Fresh objects: no level remembered from another check.
    todo, todo_list = Todo.objects.get(pk=todo.pk), TodoList.objects.get(pk=todo_list.pk)
    assert can(people[who], action, todo) is (action in on_todo)
    assert can(people[who], action, todo_list) is (action in on_list)


def test_actions_that_make_no_sense_for_an_object_are_refused_even_to_the_owner(world) -> None:
    people, todo, todo_list = world
    assert not can(people["owner"], Action.ADD_TODO, todo)
    assert not can(people["owner"], Action.COMMENT, todo_list)
    assert set(LIST_ACTIONS) == {a for a in Action if can(people["owner"], a, todo_list)}


def test_a_list_share_covers_todos_added_to_the_list_later(world) -> None:
    people, _, todo_list = world
    later = create_todo(
        actor=people["list editor"],
        title="Added by the editor",
        description="",
        priority="DEFAULT",
        due_date=None,
        todo_list=todo_list,
    )
    assert later.owner == people["owner"]  # the list's owner owns what is added to it
    assert level_of(people["list commenter"], later) == Level.COMMENTER
    assert level_of(people["todo editor"], later) == Level.NONE


def test_services_refuse_what_the_function_refuses_when_called_directly(world, settings) -> None:
    people, todo, todo_list = world
    viewer, commenter, editor = (people[f"todo {r}"] for r in ("viewer", "commenter", "editor"))
    stranger = people["stranger"]
    with pytest.raises(NotAllowed):
        add_note(todo=todo, author=viewer, text="hi")
    with pytest.raises(NotAllowed):
        set_todo_status(todo=todo, actor=viewer, status=Status.DONE)
    with pytest.raises(NotAllowed):
        update_todo(todo=todo, actor=commenter, title="Renamed")
    with pytest.raises(NotAllowed):
        add_reminder(todo=todo, actor=commenter, remind_on=datetime.date.today())
    with pytest.raises(NotAllowed):
        add_attachment(todo=todo, uploader=commenter, upload=SimpleUploadedFile("a.txt", b"hello"))
    with pytest.raises(NotAllowed):
        delete_todo(todo=todo, actor=editor)
    with pytest.raises(NotAllowed):
        create_todo(
            actor=people["list commenter"],
            title="x",
            description="",
            priority="DEFAULT",
            due_date=None,
            todo_list=todo_list,
        )
    with pytest.raises(SharingError):
        share_todo(owner=editor, todo=todo, collaborator=stranger)
    todo.refresh_from_db()
    assert (todo.title, todo.status, todo.notes.count()) == ("Dig", Status.OPEN, 0)
    assert Todo.objects.filter(pk=todo.pk).exists()
    # What a commenter may do, they can.
    add_note(todo=todo, author=commenter, text="Looks good")
    set_todo_status(todo=todo, actor=commenter, status=Status.DONE)
    update_todo(todo=todo, actor=editor, title="Dig deeper")


def test_the_edit_form_is_refused_below_editor_with_the_reason(client_for, todo, bob) -> None:
    share_with(todo, bob, role=Role.COMMENTER)
    response = client_for(bob).get(reverse("todos:edit", args=[todo.pk]))
    assert response.status_code == 403
    assert "Your role does not let you change this todo." in response.content.decode()
    response = client_for(bob).post(
        reverse("todos:update", args=[todo.pk]),
        {"title": "Hijacked", "priority": "DEFAULT", "version": todo.version},
    )
    assert response.status_code == 403
    todo.refresh_from_db()
    assert todo.title == "Write the book"


def test_the_roles_that_allow_an_action_follow_the_same_table():
    assert roles_allowing(A.VIEW) == {Role.VIEWER, Role.COMMENTER, Role.EDITOR}
    assert roles_allowing(A.COMMENT) == {Role.COMMENTER, Role.EDITOR}
    assert roles_allowing(A.ASSIGN) == {Role.EDITOR}
    assert roles_allowing(A.DELETE) == set()  # the owner's alone
    assert roles_allowing(A.ADD_TODO) == set()  # not an action on a todo
    assert roles_allowing(A.ADD_TODO, TodoList) == {Role.EDITOR}
