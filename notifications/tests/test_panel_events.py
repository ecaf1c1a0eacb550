"""Events for what the todo page's panels show (reminders, attachments, collaborators), so
that an open page can refresh the panel that changed; each names the todo by its title."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notifications.tests.conftest import StompTap
from notifications.tests.test_todo_events import pushed
from sharing.models import CollaborationRequest
from sharing.services import (
    confirm_collaboration,
    issue_token,
    leave_todo,
    remove_collaborator,
)
from tests.sharing_support import share_with
from todos.attachments import add_attachment, delete_attachment
from todos.reminders import add_reminder, delete_reminder
from todos.tests.conftest import local_folder  # noqa: F401 - fixture by name


@pytest.fixture
def tap(activemq, settings):
    settings.ACTIVEMQ_URL = activemq
    tap = StompTap(activemq)
    yield tap
    tap.close()


def test_reminders_set_and_removed_are_pushed(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = add_reminder(todo=todo, actor=bob, remind_on=day)
        delete_reminder(reminder=reminder, actor=alice)
    label = f"{day:%a} {day.day} {day:%b}"
    assert pushed(tap, until_user=charlie.pk) == [
        (alice.pk, "reminder_added", f"Bob set a reminder on “Write the book” for {label}."),
        (
            bob.pk,
            "reminder_removed",
            f"Alice removed the reminder on “Write the book” for {label}.",
        ),
    ]


@pytest.mark.usefixtures("local_folder")
def test_a_deleted_attachment_is_pushed(
    tap,
    todo,
    alice,
    bob,
    charlie,
    django_capture_on_commit_callbacks,
):
    upload = SimpleUploadedFile("plan.txt", b"the plan", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        attachment = add_attachment(todo=todo, uploader=bob, upload=upload)
        delete_attachment(attachment=attachment, actor=alice)
    assert pushed(tap, until_user=charlie.pk) == [
        (alice.pk, "attachment_added", "Bob attached “plan.txt” to “Write the book”."),
        (bob.pk, "attachment_deleted", "Alice deleted “plan.txt” from “Write the book”."),
    ]


def test_collaborators_joining_and_leaving_tell_everyone_else_on_the_todo(
    tap, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    invitation = CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_collaboration(
            user=charlie,
            todo_id=todo.pk,
            collaborator_id=charlie.pk,
            token=issue_token(invitation),
        )
    assert sorted(pushed(tap, until_user=charlie.pk)) == [
        (
            alice.pk,
            "collaboration_confirmed",
            "Charlie now collaborates on “Write the book” as Editor.",
        ),
        (
            bob.pk,
            "collaboration_confirmed",
            "Charlie now collaborates on “Write the book” as Editor.",
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        leave_todo(user=bob, todo=todo)
    assert sorted(pushed(tap, until_user=bob.pk)) == [
        (alice.pk, "collaborator_left", "Bob has left “Write the book”."),
        (charlie.pk, "collaborator_left", "Bob has left “Write the book”."),
    ]
    share_with(todo, bob)
    with django_capture_on_commit_callbacks(execute=True):
        remove_collaborator(owner=alice, todo=todo, collaborator_id=charlie.pk)
    assert sorted(pushed(tap, until_user=alice.pk)) == [
        (bob.pk, "collaborator_removed", "Alice has removed Charlie from “Write the book”."),
        # The one removed: their open pages fetch their parts again, and find them gone.
        (charlie.pk, "access_changed", "Alice has removed you from “Write the book”."),
    ]
