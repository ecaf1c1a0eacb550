"""What goes wrong between the share and the email, each against moto server over HTTP."""

import datetime
import json
import logging
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from deploy.local.moto_server import free_port
from sharing import services
from sharing import worker as worker_module
from sharing.models import CollaborationRequest
from sharing.queue import QueueUnavailable, SharingMessage
from sharing.tests.helpers import invitation_emails, peek_bodies, queue_depth
from sharing.worker import SharingWorker, claim

# The worker's sending threads record each email on connections of their own, so the rows
# must be committed for them to see.
pytestmark = pytest.mark.django_db(transaction=True)


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
    client, alice, bob, own_todo, sharing_queues, sqs, moto_server, settings, worker, emails
):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client.force_login(alice)
    response = client.post(
        reverse("sharing:share", args=[own_todo.pk]), {"collaborator": bob.username}, follow=True
    )
    assert response.status_code == 200
    assert b"pending until they confirm" in response.content
    request = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    with pytest.raises(QueueUnavailable):
        services.publish_outbox()
    request.refresh_from_db()
    assert request.queued_at is None  # released for the next try

    settings.AWS_ENDPOINT_URL = moto_server.url  # SQS is back
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert services.publish_outbox() == 1
    result = worker.process_batch()
    assert result.emailed == 1
    request.refresh_from_db()
    assert request.queued_at is not None
    assert request.emailed_at is not None
    assert services.publish_outbox() == 0  # sent once, not again
    assert worker.process_batch().received == 0
    assert len(invitation_emails(moto_server.url, request)) == 1


def test_the_outbox_sends_each_waiting_request_exactly_once(
    alice, bob, charlie, own_todo, sharing_queues, sqs, settings, moto_server
):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    first = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    second = services.share_todo(owner=alice, todo=own_todo, collaborator=charlie)
    with pytest.raises(QueueUnavailable):  # SQS down: nothing sent, nothing lost
        services.publish_outbox()
    settings.AWS_ENDPOINT_URL = moto_server.url

    assert services.publish_outbox() == 2
    assert services.publish_outbox() == 0
    bodies = peek_bodies(sqs, sharing_queues.queue_url)
    assert sorted(body["request_id"] for body in bodies) == [first.pk, second.pk]
    for body in bodies:
        stored = CollaborationRequest.objects.get(pk=body["request_id"])
        assert stored.token_matches(body["token"])
        assert body["token"] not in stored.token_hash


def test_an_invitation_not_emailed_in_time_is_published_again_with_a_new_token(
    alice, bob, own_todo, sharing_queues, sqs, settings, worker, moto_server, caplog
):
    settings.SHARING_RESEND_AFTER_SECONDS = 300
    request = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    assert services.publish_outbox() == 1
    [lost] = peek_bodies(sqs, sharing_queues.queue_url)
    assert services.publish_outbox() == 0  # not yet due again

    CollaborationRequest.objects.filter(pk=request.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=301)
    )
    assert services.publish_outbox() == 1
    bodies = peek_bodies(sqs, sharing_queues.queue_url)
    assert len(bodies) == 2
    [fresh] = [body for body in bodies if body != lost]
    assert fresh["token"] != lost["token"]

    caplog.set_level("INFO")
    deadline = time.monotonic() + 20
    while queue_depth(sqs, sharing_queues.queue_url) and time.monotonic() < deadline:
        worker.process_batch()
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    [email] = invitation_emails(moto_server.url, request)
    assert fresh["token"] in email.text
    assert "is stale" in caplog.text
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_no_more_than_the_publish_window_is_out_and_not_emailed(
    alice, own_todo, sharing_queues, sqs, settings, worker, django_user_model
):
    settings.SHARING_PUBLISH_AHEAD = 3
    for index in range(5):
        services.share_todo(
            owner=alice,
            todo=own_todo,
            collaborator=django_user_model.objects.create_user(
                username=f"w{index}", email=f"w{index}@example.com"
            ),
        )
    assert services.publish_outbox() == 3
    with pytest.raises(services.PublishWindowFull):
        services.publish_outbox()
    assert queue_depth(sqs, sharing_queues.queue_url) == 3
    while worker.process_batch().emailed < 3:
        pass
    assert services.publish_outbox() == 2


def test_an_expired_invitation_is_neither_published_nor_emailed(
    alice, bob, own_todo, sharing_queues, sqs, settings, worker, moto_server
):
    request = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    assert services.publish_outbox() == 1
    CollaborationRequest.objects.filter(pk=request.pk).update(
        created=timezone.now() - datetime.timedelta(days=settings.INVITATION_TTL_DAYS, seconds=1),
        queued_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert services.publish_outbox() == 0
    result = worker.process_batch()
    assert (result.received, result.stale, result.emailed) == (1, 1, 0)
    assert invitation_emails(moto_server.url, request) == []


def test_a_worker_killed_after_sending_and_before_deleting_sends_no_second_email(
    alice, bob, own_todo, sharing_queues, sqs, worker, moto_server, monkeypatch
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.publish_outbox()

    def die(handles):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(worker_module, "delete_messages", die)
        with pytest.raises(Killed):
            worker.process_batch()
    assert len(invitation_emails(moto_server.url, request)) == 1
    assert queue_depth(sqs, sharing_queues.queue_url) == 1  # not deleted

    # After the visibility timeout SQS hands the message out again.
    successor = SharingWorker(wait_time_s=2)
    try:
        result = successor.process_batch()
    finally:
        successor.close()
    assert (result.received, result.redelivered, result.emailed) == (1, 1, 0)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(invitation_emails(moto_server.url, request)) == 1


def test_a_worker_that_died_mid_send_leaves_a_claim_that_expires(alice, bob, own_todo):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.issue_token(request)
    current = request.token_hash
    assert claim(request.pk, current)
    assert not claim(request.pk, current)  # a second worker keeps off while the claim is live
    CollaborationRequest.objects.filter(pk=request.pk).update(
        email_claimed_at=timezone.now() - worker_module.claim_timeout() - datetime.timedelta(1)
    )
    assert not claim(request.pk, "0" * 64)  # a superseded token never claims
    assert claim(request.pk, current)
    CollaborationRequest.objects.filter(pk=request.pk).update(emailed_at=timezone.now())
    assert not claim(request.pk, current)


def test_two_copies_of_a_message_give_one_email(
    alice, bob, own_todo, sharing_queues, sqs, worker, moto_server
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.publish_outbox()
    [body] = peek_bodies(sqs, sharing_queues.queue_url)
    # SQS standard queues may deliver twice
    sqs.send_message(QueueUrl=sharing_queues.queue_url, MessageBody=json.dumps(body))

    deadline = time.monotonic() + 20
    while queue_depth(sqs, sharing_queues.queue_url) and time.monotonic() < deadline:
        worker.process_batch()
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(invitation_emails(moto_server.url, request)) == 1


def test_an_email_ses_rejects_is_retried_from_the_queue(
    alice, bob, own_todo, sharing_queues, sqs, settings, worker, moto_server
):
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.publish_outbox()
    verified_sender = settings.DEFAULT_FROM_EMAIL
    settings.DEFAULT_FROM_EMAIL = "not-verified@elsewhere.example"  # SES rejects it

    result = worker.process_batch()
    assert (result.received, result.emailed, result.kept) == (1, 0, 1)
    request.refresh_from_db()
    assert (request.emailed_at, request.email_claimed_at) == (None, None)

    settings.DEFAULT_FROM_EMAIL = verified_sender
    assert wait_until(lambda: worker.process_batch().emailed == 1)
    assert len(invitation_emails(moto_server.url, request)) == 1
    assert queue_depth(sqs, sharing_queues.queue_url) == 0


def test_poison_messages_land_in_the_dead_letter_queue_while_the_worker_keeps_going(
    alice, bob, own_todo, sharing_queues, sqs, worker, moto_server
):
    poison = ["this is not json", json.dumps({"version": 2, "request_id": 1})]
    for body in poison:
        sqs.send_message(QueueUrl=sharing_queues.queue_url, MessageBody=body)
    request = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    services.publish_outbox()

    deadline = time.monotonic() + 30
    while len(dlq_bodies(sqs, sharing_queues)) < 2 and time.monotonic() < deadline:
        worker.process_batch()
    assert dlq_bodies(sqs, sharing_queues) == sorted(poison)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert len(invitation_emails(moto_server.url, request)) == 1


def dlq_bodies(sqs, sharing_queues):
    response = sqs.receive_message(
        QueueUrl=sharing_queues.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return sorted(message["Body"] for message in response.get("Messages", []))


@pytest.mark.parametrize(
    "what_happened",
    ["withdrawn", "todo deleted", "confirmed", "never existed", "forged token"],
)
def test_a_message_whose_request_is_no_longer_pending_is_deleted_with_an_info_log(
    alice, bob, own_todo, sharing_queues, sqs, worker, moto_server, caplog, what_happened
):
    request = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    services.publish_outbox()
    [body] = peek_bodies(sqs, sharing_queues.queue_url)
    if what_happened == "withdrawn":
        services.withdraw_request(owner=alice, todo=own_todo, collaborator_id=bob.pk)
    elif what_happened == "todo deleted":
        own_todo.delete()
    elif what_happened == "confirmed":
        services.confirm_collaboration(
            user=bob, todo_id=own_todo.pk, collaborator_id=bob.pk, token=body["token"]
        )
    else:
        # Not the message the relay sent: one that names nothing, or the right request with
        # a made-up token.
        sqs.receive_message(QueueUrl=sharing_queues.queue_url)  # take the real one away
        sqs.purge_queue(QueueUrl=sharing_queues.queue_url)
        changed = {"request_id": 987654} if what_happened == "never existed" else {}
        changed |= {"token": "forged"} if what_happened == "forged token" else {}
        forged = SharingMessage.model_validate({**body, **changed})
        sqs.send_message(QueueUrl=sharing_queues.queue_url, MessageBody=forged.model_dump_json())

    caplog.set_level("INFO")
    result = worker.process_batch()
    assert (result.received, result.stale, result.emailed, result.kept) == (1, 1, 0, 0)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    time.sleep(1.5)  # past the 1 s visibility timeout: nothing comes back, nothing in the DLQ
    assert worker.process_batch().received == 0
    assert dlq_bodies(sqs, sharing_queues) == []
    assert "is stale" in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert invitation_emails(moto_server.url, request) == []
