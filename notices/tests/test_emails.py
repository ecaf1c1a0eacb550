"""Notice emails through the sharing queue and moto's SES: one batched email per person and
todo per window, to the watchers who chose email, and to nobody who lost access; each line
again only if, when it goes out, its recipient still watches the todo and wants that kind
by email."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from notices.models import PendingNotice
from notices.outbox import NoticeMessage, publish_due
from notices.tests.helpers import choose, make_user
from sharing.mailbox import MailboxEmail
from sharing.queue import queue_url
from sharing.tests.helpers import peek_bodies
from sharing.worker import SharingWorker
from tests.sharing_support import share_with, unshare
from todos.events import NoticeKind, announce
from todos.models import Role, Status, Todo
from todos.services import add_note, set_todo_status, update_todo
from todos.watching import set_watching


@pytest.fixture
def notice_settings(settings, sharing_queues):
    settings.NOTICE_EMAIL_DELAY_SECONDS = 0
    settings.NOTICE_EMAIL_WINDOW_SECONDS = 600
    return settings


def relay_and_work() -> int:
    """What the worker does: its relay publishes due batches, its loop emails them."""
    published = publish_due()
    worker = SharingWorker(wait_time_s=1)
    try:
        handled = 0
        while handled < published:
            result = worker.process_batch()
            if not result.received:
                break
            handled += result.received
    finally:
        worker.close()
    return published


def readable(text: str) -> str:
    # moto keeps the raw email's non-ASCII body text as \\uXXXX escapes.
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def emails_to(emails, title: str) -> dict[str, list[MailboxEmail]]:
    """{address: [emails about the todo titled `title`]}."""
    found: dict[str, list[MailboxEmail]] = {}
    for message in emails(title):
        for address in message.recipients:
            found.setdefault(address, []).append(message)
    return found


def test_the_right_people_get_one_batched_email_each(
    notice_settings, emails, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    title = f"Launch {uuid.uuid4().hex[:8]}"
    Todo.objects.filter(pk=todo.pk).update(title=title)
    todo.refresh_from_db()
    choose(bob, changed="email", commented="email", completed="email")
    share_with(todo, charlie, role=Role.VIEWER)
    set_watching(todo=todo, user=charlie, watching=True)
    choose(charlie, changed="email")  # completed and commented: toasts (the defaults)
    gone = make_user("gus")
    share_with(todo, gone, role=Role.EDITOR)
    choose(gone, changed="email")
    toasted = make_user("tess")
    share_with(todo, toasted, role=Role.EDITOR)  # watches, but toasts only
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, description="Chapter 2 <b>now</b>")
        add_note(todo=todo, author=alice, text="Outline first")
        set_todo_status(todo=todo, actor=alice, status=Status.DONE)
    unshare(todo, gone)  # removed before the batch goes out: hears nothing
    assert PendingNotice.objects.filter(user=gone).exists()

    assert relay_and_work() == 3  # Bob's, Charlie's and Gus's batches
    by_address = emails_to(emails, title)
    assert sorted((address, len(sent)) for address, sent in by_address.items()) == [
        ("bob@example.com", 1),
        ("charlie@example.com", 1),
    ]
    bob_email = by_address["bob@example.com"][0]
    assert bob_email.subject.strip() == f"“{title}”: 3 updates"
    for line in (
        f"- Alice updated “{title}”.",
        f"- Alice added a note to “{title}”.",
        f"- Alice completed “{title}”.",
    ):
        assert line in readable(bob_email.text)
    assert f"/todo/show/{todo.pk}" in bob_email.text
    assert "/settings/notices" in bob_email.text
    charlie_email = by_address["charlie@example.com"][0]
    assert charlie_email.subject.strip() == f"“{title}”: Alice updated “{title}”."
    assert "completed" not in charlie_email.text
    assert "Alice updated" in charlie_email.text
    assert not PendingNotice.objects.filter(user=gone).exists()
    assert PendingNotice.objects.filter(emailed_at__isnull=False).count() == 2

    # News within the window waits for it: the next batch is due 10 minutes after this one.
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, priority="LOW")
    later = PendingNotice.objects.get(user=bob, emailed_at=None)
    first = PendingNotice.objects.get(user=bob, emailed_at__isnull=False)
    assert later.send_after == first.send_after + datetime.timedelta(seconds=600)
    assert relay_and_work() == 0
    assert len(emails_to(emails, title)["bob@example.com"]) == 1
    # Once the window has passed, it goes.
    PendingNotice.objects.filter(pk=later.pk).update(send_after=timezone.now())
    assert relay_and_work() == 1
    assert len(emails_to(emails, title)["bob@example.com"]) == 2


def test_a_redelivered_message_sends_no_second_email(
    notice_settings,
    sharing_queues,
    sqs,
    emails,
    todo,
    alice,
    bob,
    django_capture_on_commit_callbacks,
):
    title = f"Twice {uuid.uuid4().hex[:8]}"
    Todo.objects.filter(pk=todo.pk).update(title=title)
    todo.refresh_from_db()
    choose(bob, changed="email")
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, priority="HIGH")
    assert relay_and_work() == 1
    notice = PendingNotice.objects.get(user=bob)
    # The same message again, as SQS may deliver it more than once.
    body = NoticeMessage(version=1, kind="notice", notice_id=notice.pk).model_dump_json()
    sqs.send_message(QueueUrl=queue_url(), MessageBody=body)
    worker = SharingWorker(wait_time_s=1)
    try:
        assert worker.process_batch().received == 1
    finally:
        worker.close()
    assert len(emails_to(emails, title)["bob@example.com"]) == 1
    assert not peek_bodies(sqs, queue_url())  # and the copy was deleted


def test_due_soon_is_told_once_to_watchers_by_their_choice(
    notice_settings, emails, alice, bob, charlie, django_capture_on_commit_callbacks
):
    title = f"Due {uuid.uuid4().hex[:8]}"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    todo = Todo.objects.create(owner=alice, title=title, due_date=tomorrow)
    share_with(todo, bob, role=Role.EDITOR)  # due soon: email by default
    share_with(todo, charlie, role=Role.VIEWER)  # not a watcher
    choose(alice, due_soon="off")
    Todo.objects.create(owner=alice, title=f"{title} later", due_date=tomorrow.replace(year=2099))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("announce_due_soon")
        call_command("announce_due_soon")  # a second run the same day tells nobody again
    assert relay_and_work() == 1
    by_address = emails_to(emails, title)
    assert list(by_address) == ["bob@example.com"]
    assert f"“{title}” is due tomorrow" in readable(by_address["bob@example.com"][0].text)


def test_lines_are_sent_only_while_their_recipient_watches_and_wants_them_by_email(
    notice_settings, sqs, emails, todo, alice, bob, charlie, django_capture_on_commit_callbacks
):
    title = f"Recheck {uuid.uuid4().hex[:8]}"
    Todo.objects.filter(pk=todo.pk).update(title=title)
    todo.refresh_from_db()
    choose(bob, changed="email", completed="email")  # Bob: an Editor, so a watcher
    share_with(todo, charlie, role=Role.COMMENTER)
    set_watching(todo=todo, user=charlie, watching=True)
    choose(charlie, changed="email")
    dora, eve = make_user("dora"), make_user("eve")
    share_with(todo, dora, eve, role=Role.EDITOR)
    choose(dora, changed="email")
    choose(eve, changed="email", completed="email")
    with django_capture_on_commit_callbacks(execute=True):
        update_todo(todo=todo, actor=alice, description="Chapter 2")
        set_todo_status(todo=todo, actor=alice, status=Status.DONE)
    assert PendingNotice.objects.filter(todo=todo).count() == 4
    # Before the batches go out: Bob wants only toasts of changes now, Charlie stops
    # watching, Dora turns changes off; Eve changes nothing.
    choose(bob, changed="toast")
    set_watching(todo=todo, user=charlie, watching=False)
    choose(dora, changed="off")

    assert relay_and_work() == 4
    by_address = emails_to(emails, title)
    assert sorted((address, len(sent)) for address, sent in by_address.items()) == [
        ("bob@example.com", 1),
        ("eve@example.com", 1),
    ]
    bob_email = by_address["bob@example.com"][0]
    assert bob_email.subject.strip() == f"“{title}”: Alice completed “{title}”."
    assert "Alice updated" not in readable(bob_email.text)
    eve_email = by_address["eve@example.com"][0]
    assert eve_email.subject.strip() == f"“{title}”: 2 updates"
    # The batches with nothing left are dropped with their messages: not sent, not retried.
    assert set(
        PendingNotice.objects.filter(todo=todo).values_list("user__username", flat=True)
    ) == {
        "bob",
        "eve",
    }
    assert not peek_bodies(sqs, queue_url())
    PendingNotice.objects.filter(todo=todo).update(queued_at=None)
    assert relay_and_work() == 0
    assert sorted(emails_to(emails, title)) == ["bob@example.com", "eve@example.com"]


def test_a_line_told_to_someone_by_name_does_not_need_them_to_watch(
    notice_settings, emails, todo, alice, charlie, django_capture_on_commit_callbacks
):
    title = f"Told {uuid.uuid4().hex[:8]}"
    Todo.objects.filter(pk=todo.pk).update(title=title)
    todo.refresh_from_db()
    share_with(todo, charlie, role=Role.VIEWER)  # a Viewer: not a watcher
    choose(charlie, shared="email")
    with django_capture_on_commit_callbacks(execute=True):
        announce(
            todo,
            alice,
            NoticeKind.SHARED,
            f"Alice shared “{title}” with you.",
            event_type="todo_shared",
            to=[charlie.pk],
        )
    assert relay_and_work() == 1
    assert list(emails_to(emails, title)) == ["charlie@example.com"]


def test_a_batch_queued_before_lines_had_a_kind_still_goes_to_who_can_see_the_todo(
    notice_settings, emails, todo, bob, charlie
):
    title = f"Older {uuid.uuid4().hex[:8]}"
    Todo.objects.filter(pk=todo.pk).update(title=title)
    for person in (bob, charlie):  # Charlie cannot see the todo
        PendingNotice.objects.create(
            user=person, todo=todo, lines=[f"Alice updated “{title}”."], send_after=timezone.now()
        )
    assert relay_and_work() == 2
    assert list(emails_to(emails, title)) == ["bob@example.com"]
