"""The worker's loop: it survives what SQS and SES do, pauses while SES fails, and stops when
told. The first test runs against moto server over HTTP; the others count the loop's calls
with a fake queue."""

import threading
import time

import pytest

from deploy.local.moto_server import free_port
from sharing import services
from sharing import worker as worker_module
from sharing.models import CollaborationRequest
from sharing.tests.helpers import invitation_emails
from sharing.worker import CircuitBreaker, SharingWorker


class FakeQueue:
    """Stands in for `receive_messages`: counts the polls and returns no message."""

    def __init__(self):
        self.polls = 0

    def receive(self, *, max_messages, wait_time_s):
        self.polls += 1
        return []


@pytest.fixture
def fake_queue(monkeypatch):
    fake = FakeQueue()
    monkeypatch.setattr(worker_module, "receive_messages", fake.receive)
    return fake


def run_in_thread(worker, stop, **options):
    thread = threading.Thread(target=worker.run, args=(stop,), kwargs=options, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_the_loop_outlives_an_unreachable_sqs_and_emails_once_it_answers(
    alice, bob, own_todo, sharing_queues, settings, moto_server, caplog
):
    settings.AWS_SERVICE_ENDPOINT_URLS = {"sqs": f"http://127.0.0.1:{free_port()}"}
    request = services.share_todo(owner=alice, todo=own_todo, collaborator=bob)
    stop = threading.Event()
    worker = SharingWorker(wait_time_s=1)
    thread = run_in_thread(worker, stop)
    try:
        deadline = time.monotonic() + 30
        while caplog.text.count("SQS unreachable; retrying") < 2:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.1)
        assert thread.is_alive()  # failed twice, still going
        assert "SQS unreachable; invitations wait" in caplog.text  # the relay too

        settings.AWS_SERVICE_ENDPOINT_URLS = {}  # SQS answers again
        deadline = time.monotonic() + 60
        while CollaborationRequest.objects.filter(pk=request.pk, emailed_at=None).exists():
            assert time.monotonic() < deadline, "the invitation was not emailed"
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(30)
        worker.close()
    assert not thread.is_alive()
    assert len(invitation_emails(moto_server.url, request)) == 1


def test_the_loop_stops_after_max_idle_empty_polls(db, fake_queue):
    worker = SharingWorker(wait_time_s=0)
    try:
        worker.run(threading.Event(), max_idle=3, relay=False)
    finally:
        worker.close()
    assert fake_queue.polls == 3


def test_a_stop_request_ends_the_loop_before_the_next_poll(db, fake_queue):
    stop = threading.Event()
    stop.set()
    worker = SharingWorker(wait_time_s=20)
    try:
        worker.run(stop, relay=False)
    finally:
        worker.close()
    assert fake_queue.polls == 0


def test_while_ses_fails_the_loop_probes_ses_and_receives_nothing(db, fake_queue, monkeypatch):
    probes = iter([False, False, True])
    seen_polls: list[int] = []

    def probe():
        seen_polls.append(fake_queue.polls)
        return next(probes)

    monkeypatch.setattr(worker_module, "probe_ses", probe)
    breaker = CircuitBreaker(first_pause_s=0.01, max_pause_s=0.05)
    breaker.record_failure()  # as after a batch whose emails SES refused
    worker = SharingWorker(wait_time_s=0, breaker=breaker)
    try:
        worker.run(threading.Event(), max_idle=2, relay=False)
    finally:
        worker.close()
    assert seen_polls == [0, 0, 0]  # no receive while SES was failing
    assert fake_queue.polls == 2  # receiving resumed after the probe that passed


def test_a_stop_request_ends_a_pause_for_ses_at_once(db, fake_queue):
    breaker = CircuitBreaker(first_pause_s=3600, max_pause_s=3600)
    breaker.record_failure()
    stop = threading.Event()
    worker = SharingWorker(wait_time_s=0, breaker=breaker)
    thread = run_in_thread(worker, stop, relay=False)
    try:
        stop.set()
        thread.join(10)
        assert not thread.is_alive()
    finally:
        worker.close()
    assert fake_queue.polls == 0


def test_the_breaker_doubles_its_pause_up_to_a_cap_and_closes_on_success():
    breaker = CircuitBreaker(first_pause_s=1, max_pause_s=5)
    assert not breaker.is_open
    pauses = []
    for _ in range(5):
        breaker.record_failure()
        pauses.append(breaker.pause_s())
    assert pauses == [1, 2, 4, 5, 5]
    assert breaker.is_open
    breaker.record_probe_success()
    assert not breaker.is_open  # half-open: receiving resumes
    breaker.record_failure()
    assert (breaker.is_open, breaker.pause_s()) == (True, 5)  # no reset by a probe alone
    breaker.record_success()
    assert not breaker.is_open
    breaker.record_failure()
    assert breaker.pause_s() == 1
