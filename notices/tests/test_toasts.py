"""Every page that shows the todo is told to refresh; only watchers who chose toasts for the
kind of news get its text (the toast), as seen on the real broker."""

from __future__ import annotations

import pytest

from notices.receivers import on_announced
from notices.tests.helpers import choose, make_user, pushed
from notifications.tests.conftest import StompTap
from tests.sharing_support import share_with, unshare
from todos.assignees import assign
from todos.events import todo_announced
from todos.models import Role, Status
from todos.services import add_note, delete_todo, set_todo_status, update_todo
from todos.watching import set_watching


@pytest.fixture
def tap(activemq, settings):
    settings.ACTIVEMQ_URL = activemq
    tap = StompTap(activemq)
    yield tap
    tap.close()


def test_a_change_toasts_watchers_who_chose_toasts_and_refreshes_everyone_else(
    tap, todo, alice, bob, django_capture_on_commit_callbacks
):
    viewer, emailed, silent = make_user("vera"), make_user("dave"), make_user("erin")
    share_with(todo, viewer, role=Role.VIEWER)  # sees it, does not watch it
    share_with(todo, emailed, role=Role.COMMENTER)
    set_watching(todo=todo, user=emailed, watching=True)
    choose(emailed, changed="email")
    share_with(todo, silent, role=Role.EDITOR)
    choose(silent, changed="off")
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, title="Rewritten")
    assert pushed(tap, until_user=alice.pk) == {
        bob.pk: [("todo_updated", "Alice updated “Rewritten”.")],
        viewer.pk: [("todo_updated", "")],
        emailed.pk: [("todo_updated", "")],
        silent.pk: [("todo_updated", "")],
    }


def test_each_kind_follows_its_own_choice(
    tap, todo, alice, bob, django_capture_on_commit_callbacks
):
    choose(bob, commented="off", completed="toast")
    with django_capture_on_commit_callbacks(execute=True):
        add_note(todo=todo, author=alice, text="Outline first")
        set_todo_status(todo=todo, actor=alice, status=Status.DONE)
    assert pushed(tap, until_user=alice.pk) == {
        bob.pk: [
            ("note_added", ""),
            ("todo_completed", "Alice completed “Write the book”."),
        ]
    }


def test_commenting_or_being_assigned_makes_a_watcher_and_unwatching_silences(
    tap, todo, alice, bob, django_capture_on_commit_callbacks
):
    commenter, assignee = make_user("cora"), make_user("ada")
    share_with(todo, commenter, assignee, role=Role.COMMENTER)
    add_note(todo=todo, author=commenter, text="Count me in")
    assign(todo=todo, actor=bob, user=assignee)
    set_watching(todo=todo, user=bob, watching=False)
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, priority="HIGH")
    heard = pushed(tap, until_user=alice.pk)
    assert heard[commenter.pk] == [("todo_updated", "Alice updated “Write the book”.")]
    assert heard[assignee.pk] == [("todo_updated", "Alice updated “Write the book”.")]
    assert heard[bob.pk] == [("todo_updated", "")]


def test_whoever_loses_access_before_the_commit_hears_nothing(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    share_with(todo, charlie, role=Role.EDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, title="Secret now")
        unshare(todo, charlie)  # same transaction: by the time it is told, it is gone
    heard = pushed(tap, until_user=alice.pk)
    assert charlie.pk not in heard
    assert heard[bob.pk] == [("todo_updated", "Alice updated “Secret now”.")]


def test_a_deleted_todo_is_told_to_everyone_who_could_see_it(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    share_with(todo, charlie, role=Role.VIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        delete_todo(todo=todo, actor=alice)
    heard = pushed(tap, until_user=alice.pk)
    assert heard == {
        bob.pk: [("todo_deleted", "Alice deleted “Write the book”.")],
        charlie.pk: [("todo_deleted", "Alice deleted “Write the book”.")],
    }


def test_without_the_notices_receiver_everyone_who_can_see_the_todo_gets_the_toast(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    share_with(todo, charlie, role=Role.VIEWER)
    choose(bob, changed="off")
    todo_announced.disconnect(dispatch_uid="notices.on_announced")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            update_todo(todo=todo, actor=alice, title="Plain")
    finally:
        todo_announced.connect(on_announced, dispatch_uid="notices.on_announced", weak=False)
    assert pushed(tap, until_user=alice.pk) == {
        bob.pk: [("todo_updated", "Alice updated “Plain”.")],
        charlie.pk: [("todo_updated", "Alice updated “Plain”.")],
    }
