"""The whole trip over the wire: share → SQS message → worker → one SES email → confirm."""

import email
import email.policy

import pytest
from django.urls import reverse

from sharing.mailer import confirm_url
from sharing.models import CollaborationRequest
from sharing.services import issue_token, publish_outbox
from sharing.tests.helpers import peek_bodies, queue_depth, raw_emails
from sharing.worker import SharingWorker
from tests.sharing_support import shared_with
from todos.models import Todo


@pytest.fixture
def worker():
    worker = SharingWorker(wait_time_s=1)
    yield worker
    worker.close()


@pytest.mark.django_db(transaction=True)  # the worker's sending threads record the email
def test_a_share_travels_to_one_email_and_a_confirmed_collaborator(
    client, alice, bob, own_todo, sharing_queues, sqs, moto_server, worker, settings
):
    settings.EXTERNAL_URL = "http://127.0.0.1:8000"  # the browser tests point it elsewhere
    client.force_login(alice)
    response = client.post(
        reverse("sharing:share", args=[own_todo.pk]), {"collaborator": bob.username}
    )
    assert response.status_code == 302
    request = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    assert request.queued_at is None  # the request itself sends nothing
    assert queue_depth(sqs, sharing_queues.queue_url) == 0

    assert publish_outbox() == 1  # the worker's relay
    [body] = peek_bodies(sqs, sharing_queues.queue_url)
    token = body.pop("token")
    assert body == {"version": 2, "request_id": request.pk}
    request.refresh_from_db()
    assert request.queued_at is not None
    assert request.token_matches(token)

    result = worker.process_batch()
    assert (result.received, result.emailed) == (1, 1)
    request.refresh_from_db()
    assert request.emailed_at is not None
    assert queue_depth(sqs, sharing_queues.queue_url) == 0

    [raw] = raw_emails(moto_server.url, containing=token)
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["Subject"] == "A todo was shared with you"
    assert message["To"] == "bob@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = confirm_url(request, token)
    assert link == (
        f"http://127.0.0.1:8000/todo/{own_todo.pk}/collaborations/{bob.pk}/confirm?token={token}"
    )
    for part in (text, html):
        assert link in part
        assert "Plan the launch" in part
        assert "High" in part
        assert own_todo.due_date.isoformat() in part
        assert "Alice" in part
    assert "Rocket & <b>cake</b>" in text
    assert "Rocket &amp; &lt;b&gt;cake&lt;/b&gt;" in html

    client.force_login(bob)
    confirm_page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert confirm_page.status_code == 200
    assert b"Plan the launch" in confirm_page.content
    assert not shared_with(own_todo, bob)  # a GET changes nothing

    response = client.post(reverse("sharing:confirm", args=[own_todo.pk, bob.pk]), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("todos:show", args=[own_todo.pk])
    assert shared_with(own_todo, bob)
    request.refresh_from_db()
    assert request.accepted_at is not None  # kept, for the owner's list of invitations

    assert client.get(reverse("todos:show", args=[own_todo.pk])).status_code == 200
    client.post(
        reverse("todos:update", args=[own_todo.pk]),
        {
            "title": "Plan the launch party",
            "description": "",
            "priority": "HIGH",
            "due_date": own_todo.due_date.isoformat(),
            "version": str(own_todo.version),
        },
    )
    own_todo.refresh_from_db()
    assert own_todo.title == "Plan the launch party"
    response = client.post(reverse("todos:delete", args=[own_todo.pk]), follow=True)
    assert Todo.objects.filter(pk=own_todo.pk).exists()
    assert b"Only the owner can delete this todo." in response.content


def test_confirming_tells_the_owner_through_the_push_api(
    client, alice, bob, own_todo, sharing_queues, django_capture_on_commit_callbacks, push_inbox
):
    alices_inbox = push_inbox(alice)
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    token = issue_token(request)
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sharing:confirm", args=[own_todo.pk, bob.pk]), {"token": token})

    [event] = alices_inbox.events
    assert event["type"] == "collaboration_confirmed"
    assert event["todo_id"] == own_todo.pk
    assert event["text"] == f"Bob now collaborates on “{own_todo.title}” as Editor."
