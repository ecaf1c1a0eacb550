"""`manage.py redrive_sharing_dlq`: dead letters back to the sharing queue, then emailed."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from deploy.local.moto_server import free_port
from sharing import services
from sharing.tests.helpers import invitation_emails, peek_bodies, queue_depth
from sharing.worker import SharingWorker


def dead_letter(sqs, sharing_queues, bodies):
    for body in bodies:
        sqs.send_message(QueueUrl=sharing_queues.dlq_url, MessageBody=body)


@pytest.mark.django_db(transaction=True)  # the worker's sending threads record the email
def test_the_command_moves_every_dead_letter_back_and_the_worker_emails_them(
    alice, bob, own_todo, sharing_queues, sqs, moto_server
):
    services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    services.publish_outbox()
    [body] = peek_bodies(sqs, sharing_queues.queue_url)
    sqs.purge_queue(QueueUrl=sharing_queues.queue_url)  # as if it had been dead-lettered
    others = [f"not a sharing message {index}" for index in range(11)]
    dead_letter(sqs, sharing_queues, [json.dumps(body), *others])

    out = io.StringIO()
    call_command("redrive_sharing_dlq", stdout=out)
    assert "moved 12 message(s)" in out.getvalue()
    assert queue_depth(sqs, sharing_queues.dlq_url) == 0
    assert queue_depth(sqs, sharing_queues.queue_url) == 12

    worker = SharingWorker(wait_time_s=1)
    try:
        for _ in range(3):
            worker.process_batch()
    finally:
        worker.close()
    request = own_todo.collaboration_requests.get()
    assert len(invitation_emails(moto_server.url, request)) == 1


def test_the_command_can_move_a_few(sharing_queues, sqs, db):
    dead_letter(sqs, sharing_queues, ["a", "b", "c"])
    out = io.StringIO()
    call_command("redrive_sharing_dlq", "--max-messages", "2", stdout=out)
    assert "moved 2 message(s)" in out.getvalue()
    assert queue_depth(sqs, sharing_queues.dlq_url) == 1
    assert queue_depth(sqs, sharing_queues.queue_url) == 2


def test_an_unreachable_sqs_is_a_clear_error(sharing_queues, settings, db):
    settings.AWS_SERVICE_ENDPOINT_URLS = {"sqs": f"http://127.0.0.1:{free_port()}"}
    with pytest.raises(CommandError, match="SQS is unreachable"):
        call_command("redrive_sharing_dlq")
