"""Attachments stored in moto server's S3, over HTTP."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from deploy.local.aws_resources import create_attachments_bucket, local_client
from tests.sharing_support import share_with
from todos.attachments import clean_display_name
from todos.models import Attachment
from todos.tests.conftest import use_s3_storage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(client, todo, name="plan.txt", content=b"step one\nstep two\n", **extra):
    return client.post(
        reverse("todos:attachment_add", args=[todo.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        **extra,
    )


def page_of(client, todo) -> str:
    return str(client.get(reverse("todos:show", args=[todo.pk])).content.decode())


@pytest.mark.django_db
class TestAttachmentsOnS3:
    def test_a_collaborator_uploads_a_file_and_everyone_sees_it_listed(
        self, client, todo, bob, alice, s3_bucket
    ):
        client.force_login(bob)
        response = upload(client, todo)
        assert response.status_code == 302

        attachment = Attachment.objects.get(todo=todo)
        assert attachment.original_name == "plan.txt"
        assert attachment.uploaded_by == bob
        assert attachment.content_type == "text/plain"
        assert s3_bucket.keys() == [attachment.key]
        stored = s3_bucket.s3.get_object(Bucket=s3_bucket.name, Key=attachment.key)
        assert stored["Body"].read() == b"step one\nstep two\n"
        # The checked type, not the client's claimed application/octet-stream.
        assert stored["ContentType"] == "text/plain"

        client.force_login(alice)
        assert "plan.txt" in page_of(client, todo)

    def test_objects_are_private(self, client, todo, alice, s3_bucket):
        client.force_login(alice)
        upload(client, todo)
        key = Attachment.objects.get(todo=todo).key
        grants = s3_bucket.s3.get_object_acl(Bucket=s3_bucket.name, Key=key)["Grants"]
        grantees = {grant["Grantee"].get("URI") for grant in grants}
        assert "http://acs.amazonaws.com/groups/global/AllUsers" not in grantees
        assert "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" not in grantees
        block = s3_bucket.s3.get_public_access_block(Bucket=s3_bucket.name)
        assert all(block["PublicAccessBlockConfiguration"].values())

    def test_download_redirects_to_a_presigned_url_that_serves_the_file(
        self, client, todo, bob, s3_bucket
    ):
        client.force_login(bob)
        upload(client, todo, name="Quarterly report.pdf", content=PDF)
        attachment = Attachment.objects.get(todo=todo)

        response = client.get(reverse("todos:attachment_download", args=[todo.pk, attachment.pk]))
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        presigned = response["Location"]
        query = parse_qs(urlsplit(presigned).query)
        assert "X-Amz-Signature" in query

        fetched = requests.get(presigned, timeout=10)
        assert fetched.status_code == 200
        assert fetched.content == PDF
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert "Quarterly report.pdf" in fetched.headers["Content-Disposition"]

    def test_the_presigned_url_expires_after_the_configured_time(
        self, client, todo, alice, settings, moto_server, s3_bucket
    ):
        # moto server does not refuse expired presigned URLs (moto 5.2 has no expiry check),
        # so the test asserts what S3 enforces: the signed X-Amz-Expires and X-Amz-Date.
        settings.ATTACHMENT_URL_EXPIRY_SECONDS = 7
        use_s3_storage(settings, moto_server.url, s3_bucket.name)
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)
        before = timezone.now().replace(microsecond=0)

        location = client.get(reverse("todos:attachment_download", args=[todo.pk, attachment.pk]))[
            "Location"
        ]

        query = parse_qs(urlsplit(location).query)
        assert query["X-Amz-Expires"] == ["7"]
        signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
        assert before <= signed_at.replace(tzinfo=datetime.UTC) <= timezone.now()

    def test_the_default_expiry_is_short(self, settings):
        assert settings.ATTACHMENT_URL_EXPIRY_SECONDS <= 300

    def test_a_stranger_gets_404_on_upload_download_and_delete(
        self, client, todo, alice, charlie, s3_bucket
    ):
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)

        client.force_login(charlie)
        assert upload(client, todo, name="mine.txt").status_code == 404
        download = reverse("todos:attachment_download", args=[todo.pk, attachment.pk])
        assert client.get(download).status_code == 404
        delete = reverse("todos:attachment_delete", args=[todo.pk, attachment.pk])
        assert client.post(delete).status_code == 404
        assert Attachment.objects.filter(todo=todo).count() == 1
        assert len(s3_bucket.keys()) == 1

    def test_an_attachment_of_another_todo_is_404_under_this_one(
        self, client, todo, alice, s3_bucket
    ):
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)
        other = todo.__class__.objects.create(owner=alice, title="Other", due_date=todo.due_date)
        url = reverse("todos:attachment_download", args=[other.pk, attachment.pk])
        assert client.get(url).status_code == 404

    def test_a_too_large_file_is_rejected_with_a_message(
        self, client, todo, alice, settings, s3_bucket
    ):
        settings.ATTACHMENT_MAX_BYTES = 1000
        client.force_login(alice)
        response = upload(client, todo, content=b"x" * 1001, follow=True)
        body = response.content.decode()
        assert "The file was not attached" in body
        assert "too large" in body
        assert not Attachment.objects.exists()
        assert s3_bucket.keys() == []

    def test_a_rejection_answers_the_panel_script_with_a_400_and_the_reason(
        self, client, todo, alice, settings, s3_bucket
    ):
        settings.ATTACHMENT_MAX_BYTES = 1000
        client.force_login(alice)
        response = upload(client, todo, content=b"x" * 1001, HTTP_X_TODO_PANEL="1")
        assert response.status_code == 400
        assert 'id="todo-panel"' in response.content.decode()
        assert "too large" in response.content.decode()

    @pytest.mark.parametrize(
        ("name", "content", "reason"),
        [
            ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "cannot be attached"),
            ("page.html", b"<html><script>alert(1)</script></html>", "cannot be attached"),
            ("noextension", b"plain words", "cannot be attached"),
            ("photo.png", b"<svg onload=alert(1)>", "does not match its extension"),
            ("notes.txt", PNG, "does not match its extension"),
            ("report.pdf", PNG, "does not match its extension"),
        ],
    )
    def test_a_disallowed_or_disguised_type_is_rejected_with_a_message(
        self, client, todo, alice, s3_bucket, name, content, reason
    ):
        client.force_login(alice)
        body = upload(client, todo, name=name, content=content, follow=True).content.decode()
        assert "The file was not attached" in body
        assert reason in body
        assert not Attachment.objects.exists()
        assert s3_bucket.keys() == []

    def test_an_empty_or_missing_file_is_rejected_with_a_message(
        self, client, todo, alice, s3_bucket
    ):
        client.force_login(alice)
        body = upload(client, todo, content=b"", follow=True).content.decode()
        assert "The file is empty" in body
        missing = client.post(
            reverse("todos:attachment_add", args=[todo.pk]), {}, follow=True
        ).content.decode()
        assert "Choose a file to attach" in missing

    def test_a_png_with_the_right_content_is_accepted(self, client, todo, alice, s3_bucket):
        client.force_login(alice)
        upload(client, todo, name="diagram.PNG", content=PNG)
        assert Attachment.objects.get(todo=todo).content_type == "image/png"

    def test_deleting_an_attachment_removes_the_object(
        self, client, todo, alice, bob, s3_bucket, django_capture_on_commit_callbacks
    ):
        client.force_login(bob)
        upload(client, todo)
        upload(client, todo, name="second.txt")
        first, second = Attachment.objects.filter(todo=todo)
        assert len(s3_bucket.keys()) == 2

        client.force_login(alice)  # the owner may delete what bob uploaded
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("todos:attachment_delete", args=[todo.pk, first.pk]), follow=True
            )
        assert "was deleted" in response.content.decode()
        assert s3_bucket.keys() == [second.key]
        assert list(Attachment.objects.filter(todo=todo)) == [second]

    def test_a_collaborator_cannot_delete_someone_elses_attachment(
        self, client, todo, alice, bob, s3_bucket
    ):
        dave = make_user("dave")
        share_with(todo, dave)
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)

        for person in (bob, dave):
            client.force_login(person)
            response = client.post(
                reverse("todos:attachment_delete", args=[todo.pk, attachment.pk]), follow=True
            )
            assert "Only the todo" in response.content.decode()
        assert Attachment.objects.filter(pk=attachment.pk).exists()
        assert s3_bucket.keys() == [attachment.key]

    def test_deleting_needs_a_post(self, client, todo, alice, s3_bucket):
        client.force_login(alice)
        upload(client, todo)
        attachment = Attachment.objects.get(todo=todo)
        url = reverse("todos:attachment_delete", args=[todo.pk, attachment.pk])
        assert client.get(url).status_code == 405
        assert Attachment.objects.filter(pk=attachment.pk).exists()

    def test_a_file_name_with_path_separators_and_markup_is_harmless(
        self, client, todo, alice, s3_bucket
    ):
        client.force_login(alice)
        upload(client, todo, name="<img src=x onerror=alert(1)>.txt")
        attachment = Attachment.objects.get(todo=todo)
        assert attachment.original_name == "<img src=x onerror=alert(1)>.txt"
        assert "img" not in attachment.key
        assert attachment.key.startswith(f"todos/{todo.pk}/")
        page = page_of(client, todo)
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
        assert "<img src=x" not in page

        # Names cannot climb out of anywhere: the test client already drops directories, so
        # the service's own cleaning is checked directly.
        assert clean_display_name("../../etc/passwd.txt") == "passwd.txt"
        assert clean_display_name("..\\..\\boot.ini.txt") == "boot.ini.txt"
        assert clean_display_name("a\x00b\nc.txt") == "abc.txt"
        assert clean_display_name("..") == "file"
        assert clean_display_name("/") == "file"

    def test_deleting_the_todo_deletes_its_objects(
        self, client, todo, alice, bob, s3_bucket, django_capture_on_commit_callbacks
    ):
        client.force_login(bob)
        upload(client, todo)
        upload(client, todo, name="photo.png", content=PNG)
        other = todo.__class__.objects.create(owner=alice, title="Keep", due_date=todo.due_date)
        client.force_login(alice)
        upload(client, other, name="keep.txt")
        kept = Attachment.objects.get(todo=other).key
        assert len(s3_bucket.keys()) == 3

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("todos:delete", args=[todo.pk]))
        assert s3_bucket.keys() == [kept]

    def test_uploading_pushes_attachment_added_to_the_others_but_not_the_uploader(
        self, client, todo, alice, bob, s3_bucket, django_capture_on_commit_callbacks, push_inbox
    ):
        inboxes = {person.username: push_inbox(person) for person in (alice, bob)}

        client.force_login(bob)
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, todo, name="minutes.txt")

        [event] = inboxes["alice"].events
        assert event["type"] == "attachment_added"
        assert event["todo_id"] == todo.pk
        assert "minutes.txt" in event["text"]
        assert inboxes["bob"].events == []


def test_creating_the_local_bucket_twice_is_harmless(moto_server, settings):
    create_attachments_bucket(moto_server.url, settings.AWS_REGION, "created-twice")
    create_attachments_bucket(moto_server.url, settings.AWS_REGION, "created-twice")
    s3 = local_client("s3", moto_server.url, settings.AWS_REGION)
    assert "created-twice" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
