"""A todo's history: every service records what it changed, newest first, in words, for
everyone who can see the todo; append-only."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.sharing_support import share_with, unshare
from todos.assignees import assign, unassign
from todos.attachments import add_attachment, delete_attachment
from todos.history import describe, record_change
from todos.models import ChangeKind, Priority, Role, Status, TodoChange
from todos.reminders import add_reminder, delete_reminder
from todos.services import add_note, create_todo, set_todo_status, update_todo
from todos.tests.conftest import local_folder  # noqa: F401 - fixture by name


def history_of(todo) -> list[tuple[str, str, str, str, str]]:
    """(kind, actor, field, before, after), newest first."""
    return [
        (change.kind, str(change.actor or ""), change.field, change.before, change.after)
        for change in TodoChange.objects.filter(todo=todo).select_related("actor")
    ]


def test_creating_and_editing_record_each_changed_field_with_before_and_after(alice):
    todo = create_todo(
        actor=alice, title="Launch", description="", priority=Priority.DEFAULT, due_date=None
    )
    due = timezone.localdate() + datetime.timedelta(days=3)
    update_todo(
        todo=todo,
        actor=alice,
        version=todo.version,
        title="Launch the rocket",
        description="",
        priority=Priority.HIGH,
        due_date=due,
    )
    assert history_of(todo) == [
        # One INSERT for the edit: its entries share a time, the later id first.
        ("field", "Alice", "due_date", "", due.isoformat()),
        ("field", "Alice", "priority", "Default", "High"),
        ("field", "Alice", "title", "Launch", "Launch the rocket"),
        ("created", "Alice", "", "", "Launch"),
    ]


def test_status_notes_reminders_and_assignees_are_recorded(todo, alice, bob, charlie):
    share_with(todo, charlie, role=Role.COMMENTER)
    set_todo_status(todo=todo, actor=bob, status=Status.DONE)
    set_todo_status(todo=todo, actor=bob, status=Status.DONE)  # no change, no entry
    set_todo_status(todo=todo, actor=alice, status=Status.OPEN)
    add_note(todo=todo, author=charlie, text="Looks good")
    day = timezone.localdate() + datetime.timedelta(days=1)
    reminder = add_reminder(todo=todo, actor=bob, remind_on=day)
    delete_reminder(reminder=reminder, actor=alice)
    assign(todo=todo, actor=alice, user=charlie)
    unassign(todo=todo, actor=bob, user=charlie)
    kinds = [(kind, actor, before, after) for kind, actor, _, before, after in history_of(todo)]
    assert kinds[:7] == [
        ("assignee", "Bob", "Charlie", ""),
        ("assignee", "Alice", "", "Charlie"),
        ("reminder", "Alice", day.isoformat(), ""),
        ("reminder", "Bob", "", day.isoformat()),
        ("note", "Charlie", "", "Looks good"),
        ("status", "Alice", "Done", "Open"),
        ("status", "Bob", "Open", "Done"),
    ]
    # The share given to Charlie is recorded too (by nobody in particular: a test share).
    assert kinds[7] == ("shared", "", "", "Commenter")


def test_files_added_and_deleted_are_recorded(todo, alice, bob, local_folder):  # noqa: F811
    upload = SimpleUploadedFile("plan.txt", b"the plan", content_type="text/plain")
    attachment = add_attachment(todo=todo, uploader=bob, upload=upload)
    delete_attachment(attachment=attachment, actor=alice)
    assert history_of(todo)[:2] == [
        ("file", "Alice", "", "plan.txt", ""),
        ("file", "Bob", "", "", "plan.txt"),
    ]


def test_role_changes_and_removals_name_the_person(todo, alice, charlie):
    share_with(todo, charlie, role=Role.VIEWER)
    share_with(todo, charlie, role=Role.VIEWER)  # the same role again: nothing changed
    share_with(todo, charlie, role=Role.EDITOR)
    unshare(todo, charlie)
    assert history_of(todo)[:3] == [
        ("shared", "", "Charlie", "Editor", ""),
        ("shared", "", "Charlie", "Viewer", "Editor"),
        ("shared", "", "Charlie", "", "Viewer"),
    ]
    sentences = [describe(change) for change in TodoChange.objects.filter(todo=todo)[:3]]
    assert sentences == [
        "took Charlie off it (was Editor)",
        "changed the role of Charlie from Viewer to Editor",
        "shared it with Charlie as Viewer",
    ]


def test_the_history_cannot_be_changed_or_deleted_but_goes_with_its_todo(todo, alice):
    entry = record_change(todo=todo, actor=alice, kind=ChangeKind.NOTE, after="hello")
    entry.after = "rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        TodoChange.objects.filter(todo=todo).update(after="rewritten")
    with pytest.raises(TypeError):
        TodoChange.objects.filter(todo=todo).delete()
    todo.delete()
    assert not TodoChange.objects.filter(pk=entry.pk).exists()


def test_the_history_part_shows_names_newest_first_escaped_in_one_query(
    client_for, todo, alice, bob, charlie, django_assert_max_num_queries
):
    update_todo(todo=todo, actor=alice, title="<b>Bold</b> plan")
    add_note(todo=todo, author=bob, text="<script>alert(1)</script>")
    url = reverse("pages:todo_part", args=[todo.pk, "history"])
    client = client_for(bob)
    with django_assert_max_num_queries(5):  # session, user, todo, shares, history
        page = client.get(url).content.decode()
    assert page.index("Bob</strong> added a note") < page.index("Alice</strong> changed the title")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; plan" in page
    assert "<script>alert" not in page
    assert client_for(charlie).get(url).status_code == 404


def test_a_long_history_shows_the_newest_entries_and_a_way_to_more(client_for, todo, alice):
    for number in range(25):
        record_change(todo=todo, actor=alice, kind=ChangeKind.NOTE, after=f"note {number}")
    url = reverse("pages:todo_part", args=[todo.pk, "history"])
    first = client_for(alice).get(url).content.decode()
    assert first.count('class="list-group-item history-entry') == 20
    assert "note 24" in first and "note 4”" not in first
    assert 'id="history-more"' in first and "?history=40" in first
    more = client_for(alice).get(url, {"limit": "40"}).content.decode()
    assert more.count('class="list-group-item history-entry') == 26  # with the creation share
    assert 'id="history-more"' not in more
    assert client_for(alice).get(url, {"limit": "many"}).status_code == 200


def test_the_todo_page_loads_its_history_part(client_for, todo, bob):
    page = client_for(bob).get(reverse("todos:show", args=[todo.pk]) + "?history=60")
    text = page.content.decode()
    assert 'data-live-part="history"' in text
    assert reverse("pages:todo_part", args=[todo.pk, "history"]) + "?limit=60" in text


def test_the_admin_shows_the_history_read_only_and_deletes_it_only_with_its_todo(
    admin_client, todo, alice
):
    record_change(todo=todo, actor=alice, kind=ChangeKind.NOTE, after="Seen in the admin")
    page = admin_client.get(reverse("admin:todos_todo_change", args=[todo.pk])).content.decode()
    assert "Seen in the admin" in page
    assert 'name="changes-0-after"' not in page  # shown, not editable
    response = admin_client.post(
        reverse("admin:todos_todo_delete", args=[todo.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TodoChange.objects.filter(todo_id=todo.pk).exists()
