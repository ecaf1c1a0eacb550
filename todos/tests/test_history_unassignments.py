"""Someone unassigned because they can no longer comment on a todo (access revoked, made a
Viewer, the todo handed over or moved, a list's share taken away): each unassignment is in
the todo's history, naming the person, by whoever caused it; a list's many todos cost no
query per todo."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from sharing.services import change_role, leave_todo, revoke_access, transfer_todo
from tests.sharing_support import share_with
from todos.history import describe
from todos.lists import create_list, move_todo
from todos.models import ChangeKind, Role, Todo, TodoChange, TodoList


def unassignments(todo: Todo) -> list[tuple[str, str]]:
    """(actor, person unassigned) of the todo's unassignments, newest first."""
    return [
        (str(change.actor or ""), change.before)
        for change in TodoChange.objects.filter(
            todo=todo, kind=ChangeKind.ASSIGNEE, after=""
        ).select_related("actor")
    ]


def assigned(todo: Todo) -> set[str]:
    return {user.username for user in todo.assignees.all()}


def test_revoking_a_share_records_the_unassignment_by_whoever_revoked_it(todo, alice, bob):
    todo.assignees.add(alice, bob)
    revoke_access(actor=alice, target=todo, user_id=bob.pk)
    assert assigned(todo) == {"alice"}
    assert unassignments(todo) == [("Alice", "Bob")]
    (entry,) = TodoChange.objects.filter(todo=todo, kind=ChangeKind.ASSIGNEE)
    assert describe(entry) == "unassigned Bob"


def test_someone_made_a_viewer_is_unassigned_unless_the_list_lets_them_comment(alice, bob, charlie):
    garden = create_list(actor=alice, name="Garden")
    mine = Todo.objects.create(
        owner=alice, title="Mine", todo_list=TodoList.objects.inbox_for(alice.pk)
    )
    listed = Todo.objects.create(owner=alice, title="Listed", todo_list=garden)
    share_with(mine, bob, role=Role.COMMENTER)
    share_with(listed, bob, role=Role.COMMENTER)
    share_with(garden, charlie, role=Role.EDITOR)
    share_with(listed, charlie, role=Role.COMMENTER)
    mine.assignees.add(bob)
    listed.assignees.add(bob, charlie)

    change_role(actor=alice, target=mine, user_id=bob.pk, role=Role.VIEWER)
    change_role(actor=alice, target=listed, user_id=charlie.pk, role=Role.VIEWER)
    change_role(actor=alice, target=listed, user_id=bob.pk, role=Role.EDITOR)

    assert assigned(mine) == set()
    assert unassignments(mine) == [("Alice", "Bob")]
    # Charlie is an Editor through the list: a Viewer's share of the todo takes nothing away.
    assert assigned(listed) == {"bob", "charlie"}
    assert unassignments(listed) == []


def test_leaving_a_todo_records_the_leaver_as_the_actor(todo, alice, bob):
    todo.assignees.add(bob)
    leave_todo(user=bob, todo=todo)
    assert assigned(todo) == set()
    assert unassignments(todo) == [("Bob", "Bob")]
    entry = TodoChange.objects.get(todo=todo, kind=ChangeKind.ASSIGNEE)
    assert describe(entry) == "unassigned themselves"


def test_handing_a_todo_over_unassigns_those_who_saw_it_through_its_old_list(alice, bob, charlie):
    garden = create_list(actor=alice, name="Garden")
    todo = Todo.objects.create(owner=alice, title="Dig", todo_list=garden)
    share_with(garden, charlie, role=Role.COMMENTER)
    share_with(todo, bob, role=Role.EDITOR)
    todo.assignees.add(alice, bob, charlie)
    transfer_todo(actor=alice, todo=todo, new_owner_id=bob.pk)
    # Alice stays as an Editor, Bob owns it; Charlie saw it only through Alice's list.
    assert assigned(todo) == {"alice", "bob"}
    assert unassignments(todo) == [("Alice", "Charlie")]


def test_moving_a_todo_records_who_it_unassigned(alice, bob):
    inbox = TodoList.objects.inbox_for(alice.pk)
    share_with(inbox, bob, role=Role.EDITOR)
    todo = Todo.objects.create(owner=alice, title="t", todo_list=inbox)
    todo.assignees.add(alice, bob)
    move_todo(actor=alice, todo=todo, to_list=create_list(actor=alice, name="Garden"))
    assert assigned(todo) == {"alice"}
    assert unassignments(todo) == [("Alice", "Bob")]


def revoke_list_share_counting_queries(owner: User, person: User, todos: int) -> int:
    """Revoke `person`'s share of a list of `todos` todos, all assigned to them; returns the
    number of queries it took."""
    todo_list = create_list(actor=owner, name=f"List of {todos}")
    Todo.objects.bulk_create(
        Todo(owner=owner, todo_list=todo_list, title=f"todo {number}") for number in range(todos)
    )
    ids = list(Todo.objects.filter(todo_list=todo_list).values_list("pk", flat=True))
    Todo.assignees.through.objects.bulk_create(
        Todo.assignees.through(todo_id=todo_id, user_id=person.pk) for todo_id in ids
    )
    share_with(todo_list, person, role=Role.EDITOR)
    with CaptureQueriesContext(connection) as queries:
        revoke_access(actor=owner, target=todo_list, user_id=person.pk)
    assert not Todo.assignees.through.objects.filter(todo_id__in=ids).exists()
    entries = TodoChange.objects.filter(todo_id__in=ids, kind=ChangeKind.ASSIGNEE)
    assert sorted(entries.values_list("todo_id", "actor_id", "before")) == [
        (todo_id, owner.pk, str(person)) for todo_id in sorted(ids)
    ]
    return len(queries)


def test_a_list_share_revoked_records_every_todo_in_as_many_queries_for_500_todos_as_for_2(
    alice, bob, charlie
):
    few = revoke_list_share_counting_queries(alice, bob, 2)
    many = revoke_list_share_counting_queries(alice, charlie, 500)
    assert many == few
