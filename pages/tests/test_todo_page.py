"""The todo page and its live parts: what they show, to whom, and in how many queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sharing.models import CollaborationRequest
from tests.sharing_support import unshare
from todos.models import Attachment, Note, Reminder, Todo
from tracing.breadcrumbs import LIVE_REFRESH_HEADER

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
PARTS = ("summary", "collaborators", "notes", "attachments", "reminders")


def add_notes_and_files(todo: Todo, author, count: int) -> None:
    Note.objects.bulk_create(Note(todo=todo, author=author, text=f"note {i}") for i in range(count))
    Attachment.objects.bulk_create(
        Attachment(
            todo=todo,
            uploaded_by=author,
            key=f"todos/{todo.pk}/{i}",
            original_name=f"file{i}.txt",
            content_type="text/plain",
            size=10,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("viewer", ["alice", "bob"])
def test_the_page_makes_at_most_8_queries_for_0_and_for_50_notes_and_files(
    request, client_for, todo, charlie, viewer, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(viewer))
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    url = reverse("todos:show", args=[todo.pk])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    add_notes_and_files(todo, todo.owner, 50)
    Reminder.objects.create(todo=todo, remind_on=todo.due_date)
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count('class="list-group-item note"') == 50
    assert page.count("data-attachment-id=") == 50


def test_the_page_names_owner_and_collaborators_and_pending_invitations(
    client_for, todo, alice, bob, charlie
):
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    page = client_for(alice).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert "In Inbox · owned by Alice · shared with Bob" in page
    assert "Charlie as Editor: pending" in page
    assert 'id="share-dialog"' in page
    bobs = client_for(bob).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert "Charlie as Editor" not in bobs  # the owner's business
    assert 'id="share-dialog"' not in bobs
    assert 'id="leave-todo"' in bobs


def test_user_data_arrives_escaped(client_for, todo, alice, bob):
    Todo.objects.filter(pk=todo.pk).update(title=XSS, description=XSS)
    bob.display_name = XSS
    bob.save()
    Note.objects.create(todo=todo, author=bob, text=XSS)
    client = client_for(alice)
    for url in [reverse("todos:show", args=[todo.pk])] + [
        reverse("pages:todo_part", args=[todo.pk, part]) for part in PARTS
    ]:
        assert XSS not in client.get(url).content.decode()


def test_no_page_has_inline_scripts_or_handlers(client_for, todo, alice):
    """A strict Content-Security-Policy (script-src 'self') must not break any page."""
    client = client_for(alice)
    for url in (
        reverse("dashboard"),
        reverse("pages:dashboard_rows"),
        reverse("todos:show", args=[todo.pk]),
        reverse("todos:add"),
        reverse("todos:edit", args=[todo.pk]),
        reverse("landing"),
    ):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+\s*=", page), url
        assert "javascript:" not in page, url


@pytest.mark.parametrize("part", PARTS)
def test_each_part_is_a_fragment_for_those_who_may_see_the_todo(
    client_for, todo, bob, charlie, part, django_assert_max_num_queries
):
    url = reverse("pages:todo_part", args=[todo.pk, part])
    client = client_for(bob)
    with django_assert_max_num_queries(6):
        response = client.get(url, headers={LIVE_REFRESH_HEADER: "1"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_an_unknown_part_or_a_deleted_todo_is_404(client_for, todo, alice):
    client = client_for(alice)
    assert client.get(reverse("pages:todo_part", args=[todo.pk, "secrets"])).status_code == 404
    url = reverse("pages:todo_part", args=[todo.pk, "notes"])
    todo.delete()
    assert client.get(url).status_code == 404


def test_the_parts_show_what_changed(client_for, todo, alice, bob):
    client = client_for(alice)
    Note.objects.create(todo=todo, author=bob, text="from bob")
    assert (
        "from bob"
        in client.get(reverse("pages:todo_part", args=[todo.pk, "notes"])).content.decode()
    )
    unshare(todo, bob)
    collaborators = client.get(reverse("pages:todo_part", args=[todo.pk, "collaborators"]))
    assert "Nobody else yet" in collaborators.content.decode()
    summary = client.get(reverse("pages:todo_part", args=[todo.pk, "summary"])).content.decode()
    assert "shared with" not in summary
    Reminder.objects.create(todo=todo, remind_on=todo.due_date)
    reminders = client.get(reverse("pages:todo_part", args=[todo.pk, "reminders"]))
    assert "tomorrow" in reminders.content.decode()


def test_a_rejected_note_keeps_the_text_and_says_why(client_for, todo, bob):
    response = client_for(bob).post(reverse("todos:note_add", args=[todo.pk]), {"text": "x" * 501})
    assert response.status_code == 200
    assert "x" * 501 in response.content.decode()
    assert "was not added" in response.content.decode()
    fragment = client_for(bob).post(
        reverse("todos:note_add", args=[todo.pk]), {"text": " "}, headers={"X-Todo-Panel": "1"}
    )
    assert fragment.status_code == 400
    assert 'id="notes-panel"' in fragment.content.decode()
    assert not Note.objects.exists()
