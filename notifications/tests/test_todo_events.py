"""Which events todos/services.py pushes, to whom, as seen on the real broker."""

import queue
import uuid

import pytest

from notifications.publishing import publish
from notifications.tests.conftest import StompTap
from tests.sharing_support import share_with
from todos.models import Status
from todos.services import add_note, delete_todo, set_todo_status, update_todo


@pytest.fixture
def tap(activemq, settings):
    settings.ACTIVEMQ_URL = activemq
    tap = StompTap(activemq)
    yield tap
    tap.close()


def pushed(tap: StompTap, *, until_user: int) -> list[tuple[int, str, str]]:
    """Everything the broker carried up to a marker sent last to `until_user` (one publisher
    connection keeps its order), as (user id, type, text)."""
    marker = uuid.uuid4().hex
    publish(until_user, {"type": "marker", "todo_id": 0, "title": "", "actor": "", "text": marker})
    seen: list[tuple[int, str, str]] = []
    while True:
        try:
            destination, event = tap.messages.get(timeout=10)
        except queue.Empty:
            pytest.fail(f"the marker never came through; got {seen}")
        if event["text"] == marker:
            return seen
        seen.append((int(destination.rsplit(".", 1)[1]), event["type"], event["text"]))


def test_an_update_by_a_collaborator_goes_to_the_owner_only(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=bob, title="Rewritten")
    assert pushed(tap, until_user=charlie.pk) == [
        (alice.pk, "todo_updated", "Bob updated “Rewritten”.")
    ]


def test_completing_goes_to_every_collaborator_but_the_actor(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    share_with(todo, charlie)
    with django_capture_on_commit_callbacks(execute=True):
        set_todo_status(todo=todo, actor=alice, status=Status.DONE)
    assert sorted(pushed(tap, until_user=alice.pk)) == [
        (bob.pk, "todo_completed", "Alice completed “Write the book”."),
        (charlie.pk, "todo_completed", "Alice completed “Write the book”."),
    ]


def test_a_note_and_a_delete_are_pushed_with_the_todos_id_and_title(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_note(todo=todo, author=alice, text="Outline first")
        delete_todo(todo=todo, actor=alice)
    assert pushed(tap, until_user=charlie.pk) == [
        (bob.pk, "note_added", "Alice added a note to “Write the book”."),
        (bob.pk, "todo_deleted", "Alice deleted “Write the book”."),
    ]


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update_todo(todo=todo, actor=bob, title="Never committed")
    # The test's transaction is never committed: the callbacks are captured, not run.
    assert len(callbacks) == 1
    assert pushed(tap, until_user=charlie.pk) == []
