"""After a gap in push (the relay lost the broker), every connected page is told to
refresh its live parts once: events sent meanwhile are gone."""

import time

import pytest
from django.db import connection

from notifications.tests.conftest import (
    next_event,
    open_socket,
    session_cookie,
    start_relaying_server,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_connected_socket_hears_resync_once_the_relay_is_back(own_broker, django_db_blocker, bob):
    server = start_relaying_server(own_broker.url, django_db_blocker)
    try:
        with open_socket(server, session_cookie(bob)) as socket:
            own_broker.stop()
            assert next_event(socket, timeout_s=15) == {"type": "paused"}
            with pytest.raises(TimeoutError):
                next_event(socket, timeout_s=1)  # nothing else while it is away
            own_broker.start()
            deadline = time.monotonic() + 20
            event = None
            while event is None and time.monotonic() < deadline:
                try:
                    event = next_event(socket, timeout_s=1)
                except TimeoutError:
                    continue
            assert event == {"type": "resync"}
    finally:
        server.stop()
        connection.close()
