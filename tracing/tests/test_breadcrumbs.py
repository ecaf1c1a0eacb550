"""Each user action leaves exactly one breadcrumb, with the right fields, in moto's DynamoDB."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from conftest import tomorrow
from sharing.models import CollaborationRequest
from sharing.services import issue_token
from tests.sharing_support import shared_with
from todos.models import Attachment, Reminder, Status, Todo
from todos.tests.conftest import local_folder  # noqa: F401 - the fixture, used by name
from tracing.tests.conftest import Breadcrumbs

pytestmark = pytest.mark.django_db

SORT_KEY = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
NINETY_DAYS = 90 * 24 * 3600


def only_breadcrumb(breadcrumbs: Breadcrumbs, username: str) -> dict[str, Any]:
    items = breadcrumbs(username)
    assert len(items) == 1, items
    return items[0]


def assert_fields(
    item: dict[str, Any],
    *,
    username: str,
    action: str,
    path: str,
    method: str,
    status: int,
    todo_id: int | None,
    response: Any,
) -> None:
    assert item["pk"] == f"USER#{username}"
    assert SORT_KEY.match(item["sk"]), item["sk"]
    assert item["action"] == action
    assert item["path"] == path
    assert item["method"] == method
    assert item["status"] == status
    assert item.get("todo_id") == todo_id
    assert item["request_id"] == response["X-Request-Id"]
    assert abs(int(item["ttl"]) - (time.time() + NINETY_DAYS)) < 120


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def todo_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Buy milk",
        "description": "",
        "priority": "DEFAULT",
        "due_date": tomorrow().isoformat(),
        "version": "1",
        **overrides,
    }


def test_a_dashboard_view_leaves_one_breadcrumb(alice, breadcrumbs):
    response = signed_in(alice).get("/dashboard")
    assert response.status_code == 200
    item = only_breadcrumb(breadcrumbs, "alice")
    assert_fields(
        item,
        username="alice",
        action="view_dashboard",
        path="/dashboard",
        method="GET",
        status=200,
        todo_id=None,
        response=response,
    )


def test_a_landing_page_view_of_a_signed_in_user_leaves_one_breadcrumb(alice, breadcrumbs):
    response = signed_in(alice).get("/")
    assert response.status_code == 200
    item = only_breadcrumb(breadcrumbs, "alice")
    assert_fields(
        item,
        username="alice",
        action="view_landing",
        path="/",
        method="GET",
        status=200,
        todo_id=None,
        response=response,
    )


def test_other_pages_leave_no_breadcrumb(alice, todo, breadcrumbs):
    client = signed_in(alice)
    assert client.get(f"/todo/show/{todo.pk}").status_code == 200
    assert client.get("/todo/add").status_code == 200
    assert client.get("/health/ready").status_code in (200, 503)
    assert breadcrumbs("alice") == []


def test_creating_a_todo_leaves_one_breadcrumb_with_the_new_todo_id(alice, breadcrumbs):
    response = signed_in(alice).post("/todo/add", todo_form())
    assert response.status_code == 302
    todo = Todo.objects.get(owner=alice)
    item = only_breadcrumb(breadcrumbs, "alice")
    assert_fields(
        item,
        username="alice",
        action="create_todo",
        path="/todo/add",
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=response,
    )


def test_a_create_form_with_errors_leaves_no_breadcrumb(alice, breadcrumbs):
    response = signed_in(alice).post("/todo/add", todo_form(title=""))
    assert response.status_code == 200
    assert breadcrumbs("alice") == []


def test_updating_a_todo_leaves_one_breadcrumb_of_the_editor(todo, bob, breadcrumbs):
    response = signed_in(bob).post(f"/todo/update/{todo.pk}", todo_form(title="New title"))
    assert response.status_code == 302
    item = only_breadcrumb(breadcrumbs, "bob")
    assert_fields(
        item,
        username="bob",
        action="update_todo",
        path=f"/todo/update/{todo.pk}",
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=response,
    )
    assert breadcrumbs("alice") == []


def test_an_update_with_errors_leaves_no_breadcrumb(todo, alice, breadcrumbs):
    response = signed_in(alice).post(f"/todo/update/{todo.pk}", todo_form(title="x" * 201))
    assert response.status_code == 200
    assert breadcrumbs("alice") == []


def test_completing_and_reopening_leave_one_breadcrumb_each(todo, alice, breadcrumbs):
    client = signed_in(alice)
    first = client.post(f"/todo/{todo.pk}/status", {"status": "DONE"})
    second = client.post(f"/todo/{todo.pk}/status", {"status": "OPEN"})
    assert first.status_code == second.status_code == 302
    todo.refresh_from_db()
    assert todo.status == Status.OPEN
    items = sorted(breadcrumbs("alice"), key=lambda item: item["sk"])
    assert [item["action"] for item in items] == ["complete_todo", "reopen_todo"]
    assert_fields(
        items[0],
        username="alice",
        action="complete_todo",
        path=f"/todo/{todo.pk}/status",
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=first,
    )


def test_deleting_a_todo_leaves_one_breadcrumb(todo, alice, breadcrumbs):
    todo_id = todo.pk
    response = signed_in(alice).post(f"/todo/delete/{todo_id}")
    assert response.status_code == 302
    item = only_breadcrumb(breadcrumbs, "alice")
    assert_fields(
        item,
        username="alice",
        action="delete_todo",
        path=f"/todo/delete/{todo_id}",
        method="POST",
        status=302,
        todo_id=todo_id,
        response=response,
    )


def test_a_refused_delete_leaves_no_breadcrumb(todo, bob, breadcrumbs):
    response = signed_in(bob).post(f"/todo/delete/{todo.pk}")
    assert response.status_code == 302  # back to the todo, with an error message
    assert Todo.objects.filter(pk=todo.pk).exists()
    assert breadcrumbs("bob") == []


def test_a_strangers_attempt_leaves_no_breadcrumb(todo, charlie, breadcrumbs):
    client = signed_in(charlie)
    assert client.post(f"/todo/delete/{todo.pk}").status_code == 404
    assert client.post(f"/todo/{todo.pk}/status", {"status": "DONE"}).status_code == 404
    assert breadcrumbs("charlie") == []


def test_adding_a_note_leaves_one_breadcrumb(todo, bob, breadcrumbs):
    response = signed_in(bob).post(f"/todo/{todo.pk}/notes", {"text": "On it"})
    assert response.status_code == 302
    item = only_breadcrumb(breadcrumbs, "bob")
    assert_fields(
        item,
        username="bob",
        action="add_note",
        path=f"/todo/{todo.pk}/notes",
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=response,
    )


def test_an_empty_note_leaves_no_breadcrumb(todo, bob, breadcrumbs):
    response = signed_in(bob).post(f"/todo/{todo.pk}/notes", {"text": ""})
    assert response.status_code == 200
    assert breadcrumbs("bob") == []


def test_logging_out_leaves_one_breadcrumb_of_the_user_who_left(alice, breadcrumbs):
    response = signed_in(alice).post("/logout")
    assert response.status_code == 302
    item = only_breadcrumb(breadcrumbs, "alice")
    assert_fields(
        item,
        username="alice",
        action="logout",
        path="/logout",
        method="POST",
        status=302,
        todo_id=None,
        response=response,
    )


def test_an_anonymous_visit_leaves_no_breadcrumb(every_breadcrumb, db):
    assert Client().get("/").status_code == 200
    assert Client().post("/logout").status_code == 302
    assert Client().get("/dashboard").status_code == 302
    assert every_breadcrumb() == []


def test_registering_leaves_one_breadcrumb_of_the_new_user(cognito, breadcrumbs):
    response = Client().post(
        "/register",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "invitation_code": "stratospheric-invite",
        },
    )
    assert response.status_code == 200
    assert b"newcomer@example.com" in response.content
    item = only_breadcrumb(breadcrumbs, "newcomer")
    assert_fields(
        item,
        username="newcomer",
        action="register",
        path="/register",
        method="POST",
        status=200,
        todo_id=None,
        response=response,
    )


def test_a_refused_registration_leaves_no_breadcrumb(cognito, breadcrumbs):
    response = Client().post(
        "/register",
        {"username": "intruder", "email": "intruder@example.com", "invitation_code": "wrong"},
    )
    assert response.status_code == 200
    assert breadcrumbs("intruder") == []


def test_sharing_leaves_one_breadcrumb_of_the_owner(todo, alice, charlie, breadcrumbs):
    path = f"/todo/{todo.pk}/collaborations"
    response = signed_in(alice).post(path, {"collaborator": "charlie"})
    assert response.status_code == 302
    assert CollaborationRequest.objects.filter(todo=todo, collaborator=charlie).exists()
    assert_fields(
        only_breadcrumb(breadcrumbs, "alice"),
        username="alice",
        action="share_todo",
        path=path,
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=response,
    )


def test_a_refused_share_leaves_no_breadcrumb(todo, alice, bob, breadcrumbs):
    # Bob already collaborates: the view redirects with an error, nothing is shared.
    response = signed_in(alice).post(f"/todo/{todo.pk}/collaborations", {"collaborator": "bob"})
    assert response.status_code == 302
    assert breadcrumbs("alice") == []


def test_confirming_leaves_one_breadcrumb_of_the_invited_user(todo, alice, charlie, breadcrumbs):
    signed_in(alice).post(f"/todo/{todo.pk}/collaborations", {"collaborator": "charlie"})
    invitation = CollaborationRequest.objects.get(todo=todo, collaborator=charlie)
    token = issue_token(invitation)  # what the invitation email would carry
    path = f"/todo/{todo.pk}/collaborations/{charlie.pk}/confirm"
    charlies = signed_in(charlie)
    assert charlies.post(path, {"token": "wrong"}).status_code == 404
    assert charlies.get(path, {"token": token}).status_code == 200
    response = charlies.post(path, {"token": token})
    assert response.status_code == 302
    assert_fields(
        only_breadcrumb(breadcrumbs, "charlie"),
        username="charlie",
        action="confirm_collaboration",
        path=path,
        method="POST",
        status=302,
        todo_id=todo.pk,
        response=response,
    )


def test_withdrawing_leaves_one_breadcrumb(todo, alice, charlie, breadcrumbs):
    alices = signed_in(alice)
    alices.post(f"/todo/{todo.pk}/collaborations", {"collaborator": "charlie"})
    alices.post(f"/todo/{todo.pk}/collaborations/{charlie.pk}/withdraw")
    assert not CollaborationRequest.objects.filter(todo=todo).exists()
    actions = [item["action"] for item in breadcrumbs("alice")]
    assert sorted(actions) == ["share_todo", "withdraw_share"]
    # Nothing left to withdraw: refused, no breadcrumb.
    alices.post(f"/todo/{todo.pk}/collaborations/{charlie.pk}/withdraw")
    assert len(breadcrumbs("alice")) == 2


def test_leaving_leaves_one_breadcrumb_of_the_collaborator(todo, bob, breadcrumbs):
    response = signed_in(bob).post(f"/todo/{todo.pk}/leave")
    assert response.status_code == 302
    assert not shared_with(todo, bob)
    item = only_breadcrumb(breadcrumbs, "bob")
    assert (item["action"], item["todo_id"]) == ("leave_todo", todo.pk)


def test_removing_a_collaborator_leaves_one_breadcrumb_of_the_owner(todo, alice, bob, breadcrumbs):
    path = f"/todo/{todo.pk}/collaborators/{bob.pk}/remove"
    response = signed_in(alice).post(path)
    assert response.status_code == 302
    assert not shared_with(todo, bob)
    item = only_breadcrumb(breadcrumbs, "alice")
    assert (item["action"], item["todo_id"], item["path"]) == (
        "remove_collaborator",
        todo.pk,
        path,
    )
    assert breadcrumbs("bob") == []


@pytest.mark.usefixtures("local_folder")
def test_attaching_and_deleting_a_file_leave_a_breadcrumb_each(todo, bob, breadcrumbs):
    bobs = signed_in(bob)
    upload = SimpleUploadedFile("plan.txt", b"step one\n", content_type="text/plain")
    response = bobs.post(f"/todo/{todo.pk}/attachments", {"file": upload})
    assert response.status_code in (200, 302)
    attachment = Attachment.objects.get(todo=todo)
    bobs.post(f"/todo/{todo.pk}/attachments/{attachment.pk}/delete")
    assert not Attachment.objects.filter(todo=todo).exists()
    items = breadcrumbs("bob")
    assert sorted(item["action"] for item in items) == ["add_attachment", "delete_attachment"]
    assert {int(item["todo_id"]) for item in items} == {todo.pk}


@pytest.mark.usefixtures("local_folder")
def test_a_rejected_file_leaves_no_breadcrumb(todo, bob, breadcrumbs):
    empty = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    signed_in(bob).post(f"/todo/{todo.pk}/attachments", {"file": empty})
    assert not Attachment.objects.exists()
    assert breadcrumbs("bob") == []


def test_setting_and_removing_a_reminder_leave_a_breadcrumb_each(todo, bob, breadcrumbs):
    bobs = signed_in(bob)
    bobs.post(f"/todo/{todo.pk}/reminders", {"remind_on": todo.due_date.isoformat()})
    reminder = Reminder.objects.get(todo=todo)
    bobs.post(f"/todo/{todo.pk}/reminders/{reminder.pk}/delete")
    assert not Reminder.objects.exists()
    actions = sorted(item["action"] for item in breadcrumbs("bob"))
    assert actions == ["add_reminder", "remove_reminder"]


def test_a_rejected_reminder_leaves_no_breadcrumb(todo, bob, breadcrumbs):
    after_due = todo.due_date + datetime.timedelta(days=1)
    signed_in(bob).post(f"/todo/{todo.pk}/reminders", {"remind_on": after_due.isoformat()})
    assert not Reminder.objects.exists()
    assert breadcrumbs("bob") == []


def test_live_fragments_and_refreshes_leave_no_breadcrumb(alice, todo, breadcrumbs):
    client = signed_in(alice)
    assert client.get("/dashboard/rows").status_code == 200
    for part in ("summary", "collaborators", "notes", "attachments", "reminders"):
        assert client.get(f"/todo/{todo.pk}/parts/{part}").status_code == 200
    # Even the dashboard itself, fetched by a page's script because of a push.
    assert client.get("/dashboard", headers={"X-Live-Refresh": "1"}).status_code == 200
    assert breadcrumbs("alice") == []
