"""Attachments and reminders appear in the Django admin, on their todo's page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from todos.models import Attachment, Reminder


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
