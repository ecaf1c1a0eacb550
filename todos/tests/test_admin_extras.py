"""Attachments and reminders appear in the Django admin, on their todo's page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from todos.models import Attachment, Reminder, Todo


@pytest.mark.django_db
def test_the_todo_admin_page_lists_attachments_and_reminders(client, todo, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    Attachment.objects.create(
        todo=todo,
        uploaded_by=alice,
        key=f"todos/{todo.pk}/0123456789abcdef",
        original_name="<b>budget</b>.pdf",
        content_type="application/pdf",
        size=123,
    )
    Reminder.objects.create(todo=todo, remind_on=timezone.localdate())
    client.force_login(alice)

    page = client.get(reverse("admin:todos_todo_change", args=[todo.pk])).content.decode()

    assert "&lt;b&gt;budget&lt;/b&gt;.pdf" in page
    assert f"todos/{todo.pk}/0123456789abcdef" in page
    assert 'name="reminders-0-remind_on"' in page


@pytest.mark.django_db
def test_deleting_todos_in_the_admin_deletes_their_stored_files(
    client, todo, alice, s3_bucket, django_capture_on_commit_callbacks
):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    for name in ("plan.txt", "notes.txt"):
        client.post(
            reverse("todos:attachment_add", args=[todo.pk]),
            {"file": SimpleUploadedFile(name, b"step one\n", content_type="text/plain")},
        )
    assert len(s3_bucket.keys()) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:todos_todo_changelist"),
            {"action": "delete_selected", "_selected_action": [todo.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not Todo.objects.filter(pk=todo.pk).exists()
    assert s3_bucket.keys() == []
