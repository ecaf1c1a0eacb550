"""AWS misbehaving over the wire: a TCP proxy in front of moto server refuses or hangs for one
service while the app and the worker run as real processes."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings

from accounts.models import User
from deploy.local.app_server import AppServer
from sharing import services
from sharing.models import CollaborationRequest
from sharing.tests.helpers import invitation_emails, queue_depth, subprocess_database_url
from todos.models import Todo

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_session(server: AppServer, user: User) -> requests.Session:
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = session.get(f"{server.url}/dashboard", timeout=10)
    assert page.status_code == 200
    return session


def csrf_token(session: requests.Session, server: AppServer) -> str:
    page = session.get(f"{server.url}/dashboard", timeout=10).text
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the dashboard"
    return match[1]


@pytest.fixture
def app_with_hung_sqs(moto_server, moto_proxy, sharing_queues):
    """The production web server (uvicorn) whose SQS endpoint is the proxy, hanging."""
    server = AppServer(
        {
            "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
            "DATABASE_URL": subprocess_database_url(),
            "AWS_ENDPOINT_URL": moto_server.url,
            "AWS_ENDPOINT_URL_SQS": moto_proxy.url,
            "AWS_REGION": settings.AWS_REGION,
            "SHARING_QUEUE_NAME": settings.SHARING_QUEUE_NAME,
            "LOG_LEVEL": "WARNING",
        },
        quiet=True,
    ).start()
    moto_proxy.hang()
    yield server
    server.stop()


def test_sharing_while_sqs_hangs_answers_within_2_s_and_other_pages_stay_quick(
    app_with_hung_sqs, alice, sqs, sharing_queues
):
    server = app_with_hung_sqs
    todo = Todo.objects.create(owner=alice, title="Shared in a storm", due_date="2999-01-01")
    people = [
        User.objects.create_user(username=f"storm{index}", email=f"storm{index}@example.com")
        for index in range(8)
    ]
    session = logged_in_session(server, alice)
    token = csrf_token(session, server)

    def share(person: User) -> tuple[float, int]:
        started = time.monotonic()
        response = session.post(
            f"{server.url}/todo/{todo.pk}/collaborations",
            data={"collaborator": person.username, "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token},
            allow_redirects=False,
            timeout=60,
        )
        return time.monotonic() - started, response.status_code

    with ThreadPoolExecutor(len(people)) as pool:
        shares = [pool.submit(share, person) for person in people]
        time.sleep(0.3)  # the shares are in flight
        started = time.monotonic()
        neighbour = session.get(f"{server.url}/dashboard", timeout=60)
        neighbour_s = time.monotonic() - started
        results = [future.result() for future in shares]

    assert neighbour.status_code == 200
    assert neighbour_s < 1, f"the dashboard took {neighbour_s:.1f}s while SQS hung"
    for seconds, status in results:
        assert status == 302
        assert seconds < 2, f"a share took {seconds:.1f}s while SQS hung"
    # Every invitation is safe in the database, waiting for the relay.
    assert CollaborationRequest.objects.filter(todo=todo, queued_at=None).count() == len(people)


def test_ses_refusing_for_longer_than_three_visibility_timeouts_still_emails_each_once(
    alice, moto_server, moto_proxy, sharing_queues, sqs, start_worker
):
    """The queue's visibility timeout is 1 s here and its redrive policy moves a message to
    the DLQ on its 3rd receive: a worker retrying from the queue would lose every one."""
    todo = Todo.objects.create(owner=alice, title="Shared in a storm", due_date="2999-01-01")
    moto_proxy.refuse()
    requests_ = [
        services.share_todo(
            owner=alice,
            todo=todo,
            collaborator=User.objects.create_user(username=f"u{index}", email=f"u{index}@x.test"),
        )
        for index in range(5)
    ]
    worker = start_worker("--wait-time", "1", AWS_ENDPOINT_URL_SES=moto_proxy.url)
    worker.wait_for_line(r"invitation email for request \d+ failed", timeout_s=30)
    time.sleep(5)  # > 3 x the 1 s visibility timeout
    assert CollaborationRequest.objects.exclude(emailed_at=None).count() == 0
    moto_proxy.resume()

    deadline = time.monotonic() + 60
    while CollaborationRequest.objects.filter(emailed_at=None).exists():
        assert time.monotonic() < deadline, "not every invitation was emailed"
        time.sleep(0.2)
    for request in requests_:
        assert len(invitation_emails(moto_server.url, request)) == 1
    deadline = time.monotonic() + 10
    while queue_depth(sqs, sharing_queues.queue_url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert queue_depth(sqs, sharing_queues.queue_url) == 0
    assert queue_depth(sqs, sharing_queues.dlq_url) == 0
    assert '"level": "error"' not in worker.output()
