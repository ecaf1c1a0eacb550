"""Writes racing the owner's delete: never a 500, and the delete always succeeds.

The race is forced, not hoped for: the test holds a lock on the todo's row from another
connection, starts the request, waits until PostgreSQL shows it waiting for that lock, and
only then lets the other side go on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import tomorrow
from tests.sharing_support import share_with
from todos import attachments, reminders, services
from todos.models import Attachment, Note, Reminder, Todo
from todos.services import delete_todo

pytestmark = pytest.mark.django_db(transaction=True)

LOCK_WAIT_TIMEOUT_S = 30


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class InThread:
    """Run `call` on a thread of its own (its own database connection); `result()` waits
    for it and returns what it returned, or raises what it raised."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,))
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._value = call()
        except BaseException as error:
            self._error = error
        finally:
            connection.close()

    def result(self) -> Any:
        self._thread.join(timeout=60)
        assert not self._thread.is_alive(), "still running after 60 s"
        if self._error is not None:
            raise self._error
        return self._value


def wait_until_someone_waits_for_a_lock() -> None:
    deadline = time.monotonic() + LOCK_WAIT_TIMEOUT_S
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            (waiting,) = cursor.fetchone()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError(f"no session waited for a lock within {LOCK_WAIT_TIMEOUT_S}s")


@pytest.fixture
def shared_todo(alice: User, bob: User) -> Todo:
    todo = Todo.objects.create(owner=alice, title="Race me", due_date=tomorrow())
    share_with(todo, bob)
    return todo


def add_note(client: Client, todo: Todo) -> Any:
    return client.post(reverse("todos:note_add", args=[todo.pk]), {"text": "Mine"})


def add_reminder(client: Client, todo: Todo) -> Any:
    return client.post(
        reverse("todos:reminder_add", args=[todo.pk]), {"remind_on": tomorrow().isoformat()}
    )


def add_attachment(client: Client, todo: Todo) -> Any:
    upload = SimpleUploadedFile("plan.txt", b"step one\n", content_type="text/plain")
    return client.post(reverse("todos:attachment_add", args=[todo.pk]), {"file": upload})


def add_attachment_from_the_panel(client: Client, todo: Todo) -> Any:
    upload = SimpleUploadedFile("plan.txt", b"step one\n", content_type="text/plain")
    return client.post(
        reverse("todos:attachment_add", args=[todo.pk]), {"file": upload}, HTTP_X_TODO_PANEL="1"
    )


def set_done(client: Client, todo: Todo) -> Any:
    return client.post(reverse("todos:set_status", args=[todo.pk]), {"status": "DONE"})


def edit(client: Client, todo: Todo) -> Any:
    return client.post(
        reverse("todos:update", args=[todo.pk]),
        {
            "title": "Edited",
            "description": "",
            "priority": "LOW",
            "due_date": tomorrow().isoformat(),
            "version": str(todo.version),
        },
    )


WRITES = [add_note, add_reminder, add_attachment, add_attachment_from_the_panel, set_done, edit]


@pytest.mark.usefixtures("s3_bucket")
@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_a_write_racing_the_owners_delete_is_told_the_todo_was_deleted(
    shared_todo, alice, bob, write, s3_bucket
):
    locked = threading.Event()
    go = threading.Event()

    def owner_deletes() -> None:
        # The owner's delete has the todo's row (as a slow delete would) when Bob's write
        # arrives; it finishes only once Bob's request is waiting behind it.
        with transaction.atomic():
            Todo.objects.select_for_update().get(pk=shared_todo.pk)
            locked.set()
            assert go.wait(LOCK_WAIT_TIMEOUT_S)
            delete_todo(todo=shared_todo, actor=alice)

    deleting = InThread(owner_deletes)
    assert locked.wait(LOCK_WAIT_TIMEOUT_S)
    bob_client = signed_in(bob)
    writing = InThread(lambda: write(bob_client, shared_todo))
    wait_until_someone_waits_for_a_lock()
    go.set()
    deleting.result()
    response = writing.result()

    assert response.status_code == 404
    assert "This todo was deleted" in response.content.decode()
    assert not Todo.objects.filter(pk=shared_todo.pk).exists()
    assert not Note.objects.exists() and not Reminder.objects.exists()
    assert not Attachment.objects.exists()
    assert s3_bucket.keys() == []  # the file stored before the insert was removed again


def note_through_the_service(todo: Todo, author: User) -> None:
    services.add_note(todo=todo, author=author, text="Slow note")


def reminder_through_the_service(todo: Todo, author: User) -> None:
    reminders.add_reminder(todo=todo, actor=author, remind_on=tomorrow())


def attachment_through_the_service(todo: Todo, author: User) -> None:
    upload = SimpleUploadedFile("plan.txt", b"step one\n", content_type="text/plain")
    attachments.add_attachment(todo=todo, uploader=author, upload=upload)


@pytest.mark.usefixtures("s3_bucket")
@pytest.mark.parametrize(
    "insert",
    [note_through_the_service, reminder_through_the_service, attachment_through_the_service],
    ids=lambda insert: insert.__name__,
)
def test_the_owners_delete_waits_for_a_child_insert_under_way_and_deletes_it_too(
    shared_todo, alice, bob, insert, s3_bucket
):
    inserted = threading.Event()
    go = threading.Event()

    def collaborator_inserts() -> None:
        # The insert's transaction is held open (as in a slow request) with the row written.
        with transaction.atomic():
            insert(shared_todo, bob)
            inserted.set()
            assert go.wait(LOCK_WAIT_TIMEOUT_S)

    inserting = InThread(collaborator_inserts)
    assert inserted.wait(LOCK_WAIT_TIMEOUT_S)
    alice_client = signed_in(alice)
    deleting = InThread(lambda: alice_client.post(reverse("todos:delete", args=[shared_todo.pk])))
    wait_until_someone_waits_for_a_lock()
    go.set()
    inserting.result()
    response = deleting.result()

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert not Todo.objects.filter(pk=shared_todo.pk).exists()
    assert not Note.objects.exists() and not Reminder.objects.exists()
    assert not Attachment.objects.exists()
    deadline = time.monotonic() + 10  # the object goes after the delete commits
    while s3_bucket.keys() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert s3_bucket.keys() == []


def test_the_owners_delete_succeeds_even_against_an_insert_that_takes_no_lock(
    shared_todo, alice, bob
):
    # Code that inserts under a todo without lock_todo: the foreign key, checked when its
    # transaction commits, waits for the delete and then fails there, not in the delete.
    inserted = threading.Event()
    go = threading.Event()

    def unlocked_insert() -> None:
        with transaction.atomic():
            Note.objects.create(todo=shared_todo, author=bob, text="No lock taken")
            inserted.set()
            assert go.wait(LOCK_WAIT_TIMEOUT_S)

    inserting = InThread(unlocked_insert)
    assert inserted.wait(LOCK_WAIT_TIMEOUT_S)

    response = signed_in(alice).post(reverse("todos:delete", args=[shared_todo.pk]))
    go.set()

    assert response.status_code == 302
    assert not Todo.objects.filter(pk=shared_todo.pk).exists()
    with pytest.raises(IntegrityError):
        inserting.result()
    assert not Note.objects.exists()


def test_a_second_delete_of_the_same_todo_says_it_is_gone_already(shared_todo, alice):
    locked = threading.Event()
    go = threading.Event()

    def first_delete() -> None:
        with transaction.atomic():
            Todo.objects.select_for_update().get(pk=shared_todo.pk)
            locked.set()
            assert go.wait(LOCK_WAIT_TIMEOUT_S)
            delete_todo(todo=shared_todo, actor=alice)

    deleting = InThread(first_delete)
    assert locked.wait(LOCK_WAIT_TIMEOUT_S)
    client = signed_in(alice)
    second = InThread(lambda: client.post(reverse("todos:delete", args=[shared_todo.pk])))
    wait_until_someone_waits_for_a_lock()
    go.set()
    deleting.result()
    response = second.result()

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert not Todo.objects.filter(pk=shared_todo.pk).exists()
