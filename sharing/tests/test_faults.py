"""What goes wrong between the share and the email, each against moto server over HTTP."""

import datetime
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from deploy.local.moto_server import free_port
from sharing import services
from sharing import worker as worker_module
from sharing.models import CollaborationRequest
from sharing.queue import SharingMessage, publish_requests
from sharing.tests.helpers import peek_bodies, queue_depth
from sharing.worker import SharingWorker, claim


class Killed(BaseException):
    """Stands in for the process dying: nothing in the worker catches it."""


@pytest.fixture
def worker():
    worker = SharingWorker(wait_time_s=1)
    yield worker
    worker.close()


def wait_until(condition, timeout_s=20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_share_made_while_sqs_is_unreachable_is_kept_and_sent_once_sqs_answers(
    client,
    alice,
    bob,
    own_todo,
    sharing_queues,
    sqs,
    moto_server,
    settings,
    worker,
    emails,
    django_capture_on_commit_callbacks,
):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:share", args=[own_todo.pk]),
            {"collaborator": bob.username},
            follow=True,
        )
    assert response.status_code == 200
    assert b"pending until they confirm" in response.content
    request = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    assert request.queued_at is None

    settings.AWS_ENDPOINT_URL = moto_server.url  # SQS is back
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    result = worker.process_batch()  # drains the outbox, then receives
    assert result.emailed == 1
    request.refresh_from_db()
    assert request.queued_at is not None
    assert request.emailed_at is not None
    assert services.queue_unsent_requests() == 0  # sent once, not again
    assert worker.process_batch().received == 0
    assert len(emails(request.token)) == 1


def test_the_outbox_sends_each_waiting_request_exactly_once(
    alice, bob, charlie, own_todo, sharing_queues, sqs, settings, moto_server
):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    first = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    second = services.share_todo(owner=alice, todo=own_todo, collaborator=charlie)
    assert services.queue_unsent_requests() == 0  # SQS down: nothing sent, nothing lost
    settings.AWS_ENDPOINT_URL = moto_server.url

    assert services.queue_unsent_requests() == 2
    assert services.queue_unsent_requests() == 0
    bodies = peek_bodies(sqs, sharing_queues.queue_url)
    assert sorted(body["request_id"] for body in bodies) == [first.pk, second.pk]


def test_a_worker_killed_after_sending_and_before_deleting_sends_no_second_email(
    alice, bob, own_todo, sharing_queues, sqs, worker, emails, monkeypatch
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.queue_unsent_requests()

    def die(handles):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(worker_module, "delete_messages", die)
        with pytest.raises(Killed):
            worker.process_batch()
    assert len(emails(request.token)) == 1
    assert queue_depth(sqs, sharing_queues.queue_url) == 1  # not deleted

    # After the visibility timeout SQS hands the message out again.
    successor = SharingWorker(wait_time_s=2)
    try:
        result = successor.process_batch()
    finally:
        successor.close()
    assert (result.received, result.redelivered, result.emailed) == (1, 1, 0)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(emails(request.token)) == 1


def test_a_worker_that_died_mid_send_leaves_a_claim_that_expires(alice, bob, own_todo):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    assert claim(request.pk)
    assert not claim(request.pk)  # a second worker keeps off while the claim is live
    CollaborationRequest.objects.filter(pk=request.pk).update(
        email_claimed_at=timezone.now() - worker_module.CLAIM_TIMEOUT - datetime.timedelta(1)
    )
    assert claim(request.pk)
    CollaborationRequest.objects.filter(pk=request.pk).update(emailed_at=timezone.now())
    assert not claim(request.pk)


def test_two_copies_of_a_message_in_one_batch_give_one_email(
    alice, bob, own_todo, sharing_queues, sqs, worker, emails
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    publish_requests([request])
    publish_requests([request])  # SQS standard queues may deliver twice

    deadline = time.monotonic() + 20
    while queue_depth(sqs, sharing_queues.queue_url) and time.monotonic() < deadline:
        worker.process_batch()
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(emails(request.token)) == 1


def test_an_email_ses_refuses_is_retried_from_the_queue(
    alice, bob, own_todo, sharing_queues, sqs, settings, worker, emails
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.queue_unsent_requests()
    verified_sender = settings.DEFAULT_FROM_EMAIL
    settings.DEFAULT_FROM_EMAIL = "not-verified@elsewhere.example"  # SES rejects it

    result = worker.process_batch()
    assert (result.received, result.emailed, result.kept) == (1, 0, 1)
    request.refresh_from_db()
    assert (request.emailed_at, request.email_claimed_at) == (None, None)

    settings.DEFAULT_FROM_EMAIL = verified_sender
    assert wait_until(lambda: worker.process_batch().emailed == 1)
    assert len(emails(request.token)) == 1
    assert queue_depth(sqs, sharing_queues.queue_url) == 0


def test_poison_messages_land_in_the_dead_letter_queue_while_the_worker_keeps_going(
    alice, bob, own_todo, sharing_queues, sqs, worker, emails
):
    poison = [
        "this is not json",
        json.dumps({"version": 2, "request_id": 1}),
        json.dumps(
            {"version": 1, "request_id": 987654, "todo_id": 1, "collaborator_id": 1, "token": "x"}
        ),
    ]
    for body in poison:
        sqs.send_message(QueueUrl=sharing_queues.queue_url, MessageBody=body)
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.queue_unsent_requests()

    def dlq_bodies():
        response = sqs.receive_message(
            QueueUrl=sharing_queues.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        return sorted(message["Body"] for message in response.get("Messages", []))

    deadline = time.monotonic() + 30
    while len(dlq_bodies()) < 3 and time.monotonic() < deadline:
        worker.process_batch()
    assert dlq_bodies() == sorted(poison)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(emails(request.token)) == 1


def test_a_message_whose_token_does_not_match_its_request_is_not_emailed(
    alice, bob, own_todo, sharing_queues, sqs, worker, emails
):
    request = CollaborationRequest.objects.create(
        todo=own_todo, collaborator=bob, queued_at=timezone.now()
    )
    forged = SharingMessage.for_request(request).model_copy(update={"token": "forged"})
    sqs.send_message(QueueUrl=sharing_queues.queue_url, MessageBody=forged.model_dump_json())

    result = worker.process_batch()
    assert (result.received, result.emailed, result.kept) == (1, 0, 1)
    assert emails(request.token) == []
    assert emails("token=forged") == []
