"""`manage.py run_sharing_worker` as a real process: SIGTERM, and several workers at once."""

import re
import signal

import pytest

from sharing import services
from sharing.models import CollaborationRequest
from sharing.tests.helpers import invitation_emails, queue_depth
from todos.models import Todo

pytestmark = pytest.mark.django_db(transaction=True)


def queued_requests(owner, count, make_user):
    todo = Todo.objects.create(owner=owner, title="Shared widely", due_date="2999-01-01")
    requests = [
        CollaborationRequest.objects.create(todo=todo, collaborator=make_user(f"user{index}"))
        for index in range(count)
    ]
    published = 0
    while sent := services.publish_outbox():
        published += sent
    assert published == count
    return requests


@pytest.fixture
def make_user():
    from accounts.models import User

    return lambda name: User.objects.create_user(username=name, email=f"{name}@example.com")


def test_sigterm_finishes_the_batch_in_hand_and_exits_0(
    alice, sharing_queues, sqs, moto_server, make_user, start_worker
):
    requests = queued_requests(alice, 30, make_user)
    worker = start_worker("--wait-time", "1", "--email-threads", "1", "--max-messages", "5")
    worker.wait_for_line(r"received (\d+) sharing message")
    worker.process.send_signal(signal.SIGTERM)

    assert worker.wait() == 0
    # Each consumer's batch in hand, and nothing after it.
    batches = [int(n) for n in re.findall(r"received (\d+) sharing message", worker.output())]
    received = sum(batches)
    emailed = CollaborationRequest.objects.exclude(emailed_at=None).count()
    assert emailed == received
    assert queue_depth(sqs, sharing_queues.queue_url) == len(requests) - received
    for request in CollaborationRequest.objects.exclude(emailed_at=None):
        assert len(invitation_emails(moto_server.url, request)) == 1


def test_sigterm_while_waiting_for_messages_exits_0(sharing_queues, start_worker):
    worker = start_worker("--wait-time", "1")
    worker.wait_for_line("sharing worker started")
    worker.process.send_signal(signal.SIGTERM)
    assert worker.wait(timeout_s=15) == 0


def test_two_workers_at_once_send_each_invitation_once(
    alice, sharing_queues, sqs, moto_server, make_user, start_worker
):
    requests = queued_requests(alice, 20, make_user)
    workers = [
        start_worker("--wait-time", "1", "--max-messages", "3", "--max-idle", "2") for _ in range(2)
    ]
    assert [worker.wait(timeout_s=60) for worker in workers] == [0, 0]
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    for request in requests:
        assert len(invitation_emails(moto_server.url, request)) == 1
    assert not CollaborationRequest.objects.filter(emailed_at=None).exists()
