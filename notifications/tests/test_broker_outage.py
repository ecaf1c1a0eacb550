"""ActiveMQ goes away while people work, then comes back: pages keep working, and pushes
resume without restarting the app."""

import time

import pytest
from django.db import connection

from notifications.tests.conftest import (
    Browserless,
    next_event,
    open_socket,
    session_cookie,
    start_relaying_server,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_work_while_the_broker_is_down_and_pushes_resume_when_it_is_back(
    own_broker, django_db_blocker, todo, alice, bob
):
    server = start_relaying_server(own_broker.url, django_db_blocker)
    try:
        alice_browses = Browserless(server, alice)
        with open_socket(server, session_cookie(bob)) as bobs_socket:
            alice_browses.edit_todo(todo, title="Before the outage")
            assert next_event(bobs_socket)["title"] == "Before the outage"

            own_broker.stop()
            assert alice_browses.get("/dashboard").status_code == 200
            assert alice_browses.edit_todo(todo, title="During the outage").status_code == 200
            assert alice_browses.get(f"/todo/show/{todo.pk}").status_code == 200
            response = alice_browses.post(f"/todo/{todo.pk}/notes", {"text": "Still here"})
            assert response.status_code == 200
            assert todo.notes.filter(text="Still here").exists()

            own_broker.start()
            back_at = time.monotonic()
            # Alice keeps working; her next events reach Bob within 10 s of the broker's
            # return (the relay retries with backoff capped at 5 s).
            received = None
            attempt = 0
            while received is None and time.monotonic() - back_at < 10:
                attempt += 1
                alice_browses.edit_todo(todo, title=f"After the outage {attempt}")
                try:
                    received = next_event(bobs_socket, timeout_s=1)
                except TimeoutError:
                    continue
                if received.get("type") in ("paused", "resync"):  # see test_resync.py
                    received = None
            assert received is not None, "no push arrived within 10 s of the broker's return"
            assert received["title"].startswith("After the outage")
            assert server.process.poll() is None  # the same process, never restarted
    finally:
        server.stop()
        connection.close()
