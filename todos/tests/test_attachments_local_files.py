"""Attachments in a local folder, when no bucket is configured."""

import pytest
from django.urls import reverse

from todos.models import Attachment
from todos.tests.test_attachments import PDF, upload


@pytest.mark.django_db
class TestAttachmentsInALocalFolder:
    def test_upload_list_download_and_delete_work_without_a_bucket(
        self, client, todo, alice, bob, local_folder, django_capture_on_commit_callbacks
    ):
        client.force_login(bob)
        upload(client, todo, name="Plan B.pdf", content=PDF)
        attachment = Attachment.objects.get(todo=todo)
        stored = local_folder / attachment.key
        assert stored.read_bytes() == PDF
        assert "Plan B" not in str(stored)

        client.force_login(alice)
        assert "Plan B.pdf" in client.get(reverse("todos:show", args=[todo.pk])).content.decode()
        response = client.get(reverse("todos:attachment_download", args=[todo.pk, attachment.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Plan B.pdf"'
        assert response["Cache-Control"] == "private, no-store"

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("todos:attachment_delete", args=[todo.pk, attachment.pk]))
        assert not stored.exists()

    def test_a_stranger_gets_404_on_download(self, client, todo, alice, charlie, local_folder):
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)
        client.force_login(charlie)
        url = reverse("todos:attachment_download", args=[todo.pk, attachment.pk])
        assert client.get(url).status_code == 404

    def test_no_url_but_the_checked_view_serves_the_files(
        self, client, todo, alice, settings, local_folder
    ):
        client.force_login(alice)
        upload(client, todo)
        key = Attachment.objects.get(todo=todo).key
        for url in (f"/{key}", f"{settings.MEDIA_URL}{key}", f"/media/{key}"):
            assert client.get(url).status_code == 404

    def test_a_file_gone_from_the_folder_is_a_404_not_an_error(
        self, client, todo, alice, local_folder
    ):
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)
        (local_folder / attachment.key).unlink()
        url = reverse("todos:attachment_download", args=[todo.pk, attachment.pk])
        response = client.get(url)
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
