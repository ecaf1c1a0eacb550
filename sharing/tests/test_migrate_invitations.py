"""Invitations gain a list or a todo, an address and acceptance: an existing database
migrates forward (pending invitations stay pending, sent by their todo's owner) and back
(what the old schema can hold is kept)."""

from __future__ import annotations

import pytest

from tests.migrations_support import latest, migrate

BEFORE = [("todos", "0007_todo_in_a_list"), ("sharing", "0003_invitation_role")]
AFTER = [("todos", "0007_todo_in_a_list"), ("sharing", "0004_invitations_to_lists_and_addresses")]


@pytest.mark.django_db(transaction=True)
def test_pending_invitations_stay_pending_forward_and_back():
    newest = latest()
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Todo = old.get_model("todos", "Todo")
    TodoList = old.get_model("todos", "TodoList")
    Request = old.get_model("sharing", "CollaborationRequest")
    alice, bob = (User.objects.create(username=n, email=f"{n}@example.com") for n in "ab")
    inbox = TodoList.objects.create(owner=alice, name="Inbox", is_inbox=True)
    todo = Todo.objects.create(owner=alice, todo_list=inbox, title="First")
    pending = Request.objects.create(
        todo=todo, collaborator=bob, role="VIEWER", token_hash="h" * 64
    )

    new = migrate(AFTER)
    Request = new.get_model("sharing", "CollaborationRequest")
    moved = Request.objects.get()
    assert (moved.pk, moved.todo_id, moved.collaborator_id, moved.role, moved.token_hash) == (
        pending.pk,
        todo.pk,
        bob.pk,
        "VIEWER",
        "h" * 64,
    )
    assert (moved.invited_by_id, moved.accepted_at, moved.email, moved.todo_list_id) == (
        alice.pk,
        None,
        "",
        None,
    )
    # What the old schema cannot hold: an accepted invitation (a share by now), one to a
    # list, one to an address.
    carol = User.objects.create(username="c", email="c@example.com")
    Request.objects.create(
        todo_id=todo.pk, collaborator_id=carol.pk, accepted_at="2026-01-01T00:00Z"
    )
    Request.objects.create(todo_list_id=inbox.pk, collaborator_id=carol.pk)
    Request.objects.create(todo_id=todo.pk, email="d@example.com")

    old = migrate(BEFORE)
    Request = old.get_model("sharing", "CollaborationRequest")
    assert list(Request.objects.values_list("pk", "todo_id", "collaborator_id")) == [
        (pending.pk, todo.pk, bob.pk)
    ]
    migrate(newest)
