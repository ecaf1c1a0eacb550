"""Events published together travel as one broker message (BATCH_TOPIC) and are handed out
by the relay straight to the sockets of each user, with the same guarantees as one by one:
each socket hears its own user's events only, in order, and a session control message in the
middle of a batch ends the socket before the events after it."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed

from notifications.broker import BATCH_TOPIC, topic_for
from notifications.consumers import CLOSE_SESSION_ENDED
from notifications.delivery import SESSION_ENDED
from notifications.publishing import Event, publish, stop_publisher
from notifications.sockets import session_tag
from notifications.tests.conftest import StompTap, next_event, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS_PER_USER = 60  # within a socket's outbox (notifications/consumers.py)


def event(number: int) -> Event:
    return {"type": "numbered", "todo_id": number, "title": "", "actor": "", "text": str(number)}


@pytest.fixture
def tap(activemq, settings):
    settings.ACTIVEMQ_URL = activemq
    tap = StompTap(activemq)
    yield tap
    tap.close()
    stop_publisher()


def test_a_burst_travels_in_few_broker_messages_and_each_socket_hears_its_own_in_order(
    push_servers, tap, alice, bob, charlie
):
    _, server = push_servers
    users = [alice, bob, charlie]
    with (
        open_socket(server, session_cookie(alice)) as alices,
        open_socket(server, session_cookie(bob)) as bobs,
        open_socket(server, session_cookie(charlie)) as charlies,
    ):
        for number in range(EVENTS_PER_USER):
            for user in users:
                publish(user.pk, event(number * 1000 + user.pk))

        for user, socket in zip(users, (alices, bobs, charlies), strict=True):
            heard = [next_event(socket)["todo_id"] for _ in range(EVENTS_PER_USER)]
            assert heard == [number * 1000 + user.pk for number in range(EVENTS_PER_USER)]
            with pytest.raises(TimeoutError):
                next_event(socket, timeout_s=0.5)
    # What the broker carried (the tap hears everything on it, other tests' pushes too).
    expected = EVENTS_PER_USER * len(users)
    deadline = time.monotonic() + 10
    while len(numbered_events(tap)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(numbered_events(tap)) == expected
    # Published in one go, they were sent as a few batches, not one message per event.
    frames = [destination for destination, body in tap.frames if "numbered" in json.dumps(body)]
    assert BATCH_TOPIC in frames
    assert len(frames) <= expected / 10


def numbered_events(tap: StompTap) -> list[dict[str, object]]:
    return [
        event
        for _, event in list(tap.messages.queue)
        if isinstance(event, dict) and event.get("type") == "numbered"
    ]


def test_a_batch_from_anyone_on_the_broker_reaches_only_the_users_it_names(
    push_servers, activemq, alice, bob
):
    _, server = push_servers
    tap = StompTap(activemq)
    try:
        with (
            open_socket(server, session_cookie(alice)) as alices,
            open_socket(server, session_cookie(bob)) as bobs,
        ):
            batch = [
                [bob.pk, {"text": "first for Bob"}],
                [alice.pk, {"text": "for Alice"}],
                [0, {"text": "user 0 is no one"}],
                [-bob.pk, {"text": "negative"}],
                [True, {"text": "a boolean is not a user id"}],
                [str(bob.pk), {"text": "a string is not a user id"}],
                [bob.pk, "not an object"],
                [bob.pk],
                "junk",
                [bob.pk, {"text": "second for Bob"}],
            ]
            tap.send(BATCH_TOPIC, json.dumps(batch))
            tap.send(BATCH_TOPIC, json.dumps({"not": "a list"}))
            tap.send(BATCH_TOPIC, "not json")
            tap.send(topic_for(bob.pk), json.dumps({"text": "after the junk"}))

            assert [next_event(bobs)["text"] for _ in range(3)] == [
                "first for Bob",
                "second for Bob",
                "after the junk",
            ]
            assert next_event(alices) == {"text": "for Alice"}
            for socket in (alices, bobs):
                with pytest.raises(TimeoutError):
                    next_event(socket, timeout_s=0.5)
    finally:
        tap.close()


def test_a_session_ended_in_the_middle_of_a_batch_closes_before_the_events_after_it(
    push_servers, activemq, bob
):
    _, server = push_servers
    tap = StompTap(activemq)
    cookie = session_cookie(bob)
    other_session = session_cookie(bob)
    try:
        with open_socket(server, cookie) as ending, open_socket(server, other_session) as staying:
            control = {"session_control": {"kind": SESSION_ENDED, "session": session_tag(cookie)}}
            batch = [
                [bob.pk, {"text": "before"}],
                [bob.pk, control],
                [bob.pk, {"text": "after"}],
            ]
            tap.send(BATCH_TOPIC, json.dumps(batch))

            assert next_event(ending) == {"text": "before"}
            with pytest.raises(ConnectionClosed) as closed:
                next_event(ending)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == CLOSE_SESSION_ENDED
            # The user's other session hears both events and stays open.
            assert [next_event(staying)["text"] for _ in range(2)] == ["before", "after"]
    finally:
        tap.close()
