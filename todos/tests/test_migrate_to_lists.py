"""An existing database (todos with collaborators, pending invitations) migrates forward to
lists and roles, and back again, keeping every todo and every share."""

from __future__ import annotations

import pytest

from tests.migrations_support import latest, migrate

BEFORE = [("todos", "0004_updated_by"), ("sharing", "0002_hashed_tokens")]


@pytest.mark.django_db(transaction=True)
def test_collaborators_become_editors_and_pending_invitations_stay_pending_and_back():
    newest = latest()
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Todo = old.get_model("todos", "Todo")
    Request = old.get_model("sharing", "CollaborationRequest")
    alice, bob, carol = (
        User.objects.create(username=name, email=f"{name}@example.com") for name in "abc"
    )
    first = Todo.objects.create(owner=alice, title="First")
    second = Todo.objects.create(owner=alice, title="Second")
    bobs = Todo.objects.create(owner=bob, title="Bob's")
    first.collaborators.add(bob, carol)
    bobs.collaborators.add(alice)
    Request.objects.create(todo=second, collaborator=bob, token_hash="h" * 64)
    todo_ids = {first.pk, second.pk, bobs.pk}

    new = migrate(newest)
    TodoList = new.get_model("todos", "TodoList")
    Todo = new.get_model("todos", "Todo")
    Share = new.get_model("todos", "Share")
    Request = new.get_model("sharing", "CollaborationRequest")
    inboxes = {inbox.owner_id: inbox for inbox in TodoList.objects.filter(is_inbox=True)}
    assert set(inboxes) == {alice.pk, bob.pk, carol.pk}  # every user, with todos or not
    assert {inbox.name for inbox in inboxes.values()} == {"Inbox"}
    assert set(Todo.objects.values_list("pk", flat=True)) == todo_ids
    for todo in Todo.objects.all():
        assert todo.todo_list_id == inboxes[todo.owner_id].pk
    assert set(Share.objects.values_list("todo_id", "user_id", "role", "todo_list_id")) == {
        (first.pk, bob.pk, "EDITOR", None),
        (first.pk, carol.pk, "EDITOR", None),
        (bobs.pk, alice.pk, "EDITOR", None),
    }
    pending = Request.objects.get()
    assert (pending.todo_id, pending.collaborator_id, pending.token_hash) == (
        second.pk,
        bob.pk,
        "h" * 64,
    )

    # A list share made after the migration becomes collaborators of the list's todos.
    Share.objects.create(todo_list=inboxes[bob.pk], user_id=carol.pk, role="VIEWER")
    old = migrate(BEFORE)
    Todo = old.get_model("todos", "Todo")
    assert set(Todo.objects.values_list("pk", flat=True)) == todo_ids
    assert set(Todo.collaborators.through.objects.values_list("todo_id", "user_id")) == {
        (first.pk, bob.pk),
        (first.pk, carol.pk),
        (bobs.pk, alice.pk),
        (bobs.pk, carol.pk),
    }
    assert old.get_model("sharing", "CollaborationRequest").objects.count() == 1
    migrate(newest)
