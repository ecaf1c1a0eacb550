"""Finding 1: an open WebSocket kept receiving events after its session logged out, and after
its user was deactivated. Now a socket lives only as long as its session."""

from __future__ import annotations

import time

import pytest
import requests
from django.contrib.sessions.models import Session
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect
from websockets.typing import Origin

from deploy.local.app_server import AppServer
from notifications.consumers import CLOSE_SESSION_ENDED
from notifications.publishing import stop_publisher
from notifications.tests.conftest import (
    Browserless,
    app_server_env,
    next_event,
    open_socket,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)

WITHIN_S = 2.0


def log_out(server: AppServer, cookie: str) -> None:
    http = requests.Session()
    http.cookies.set("sessionid", cookie)
    http.get(f"{server.url}/dashboard", timeout=15)
    response = http.post(
        f"{server.url}/logout",
        data={"csrfmiddlewaretoken": http.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=15,
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()


def close_code_within(socket: ClientConnection, seconds: float) -> tuple[int, list[str]]:
    """The close code the server sent within `seconds`, and any frames that came before it."""
    frames: list[str] = []
    deadline = time.monotonic() + seconds
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            frames.append(str(socket.recv(timeout=max(0.01, deadline - time.monotonic()))))
    assert closed.value.rcvd is not None, "the connection ended without a close frame"
    return closed.value.rcvd.code, frames


@pytest.fixture
def broker_in_this_process(settings, activemq):
    """Signals raised in the test process (a user saved or deleted) publish via the broker."""
    settings.ACTIVEMQ_URL = activemq
    yield
    stop_publisher()


def test_a_socket_receives_nothing_after_its_session_logs_out_on_the_same_process(
    push_servers, todo, alice, bob
):
    server, _ = push_servers
    cookie = session_cookie(bob)
    with open_socket(server, cookie) as socket:
        log_out(server, cookie)
        Browserless(server, alice).edit_todo(todo, title="Not for a logged-out tab")
        code, frames = close_code_within(socket, WITHIN_S)
    assert (code, frames) == (CLOSE_SESSION_ENDED, [])


def test_a_socket_receives_nothing_after_its_session_logs_out_on_another_process(
    push_servers, todo, alice, bob
):
    server_a, server_b = push_servers
    cookie = session_cookie(bob)
    with open_socket(server_b, cookie) as socket:
        log_out(server_a, cookie)
        Browserless(server_a, alice).edit_todo(todo, title="Not for a logged-out tab")
        code, frames = close_code_within(socket, WITHIN_S)
    assert (code, frames) == (CLOSE_SESSION_ENDED, [])


def test_the_users_other_sessions_keep_their_sockets(push_servers, todo, alice, bob):
    server_a, server_b = push_servers
    leaving, staying = session_cookie(bob), session_cookie(bob)
    with open_socket(server_b, leaving) as gone, open_socket(server_b, staying) as kept:
        log_out(server_a, leaving)
        assert close_code_within(gone, WITHIN_S)[0] == CLOSE_SESSION_ENDED
        Browserless(server_a, alice).edit_todo(todo, title="Still heard")
        assert next_event(kept)["title"] == "Still heard"


def test_a_deactivated_users_sockets_close(push_servers, broker_in_this_process, todo, bob):
    server_a, server_b = push_servers
    with (
        open_socket(server_a, session_cookie(bob)) as on_a,
        open_socket(server_b, session_cookie(bob)) as on_b,
    ):
        bob.is_active = False
        bob.save()
        assert close_code_within(on_a, WITHIN_S)[0] == CLOSE_SESSION_ENDED
        assert close_code_within(on_b, WITHIN_S)[0] == CLOSE_SESSION_ENDED


def test_a_deleted_users_sockets_close(push_servers, broker_in_this_process, charlie):
    _, server_b = push_servers
    with open_socket(server_b, session_cookie(charlie)) as socket:
        charlie.delete()
        assert close_code_within(socket, WITHIN_S)[0] == CLOSE_SESSION_ENDED


@pytest.fixture
def quickly_rechecking_server():
    server = AppServer(app_server_env(broker_url="", SOCKET_RECHECK_SECONDS="0.5")).start()
    yield server
    server.stop()


def test_a_socket_whose_session_vanished_closes_at_its_next_recheck(quickly_rechecking_server, bob):
    """No logout message at all (the row deleted by hand, an expiry): the periodic re-check."""
    cookie = session_cookie(bob)
    with open_socket(quickly_rechecking_server, cookie) as socket:
        Session.objects.filter(session_key=cookie).delete()
        assert close_code_within(socket, 3.0)[0] == CLOSE_SESSION_ENDED


def test_a_socket_whose_session_lives_stays_open_across_rechecks(quickly_rechecking_server, bob):
    with (
        open_socket(quickly_rechecking_server, session_cookie(bob)) as socket,
        pytest.raises(TimeoutError),
    ):
        socket.recv(timeout=1.5)  # three re-checks, and still open


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:9999", "https://127.0.0.1:{port}", "ws://127.0.0.1:{port}", "null"],
)
def test_a_socket_from_an_origin_with_another_scheme_or_port_is_refused(push_servers, bob, origin):
    """Finding 7: the Origin check compared host names only."""
    server, _ = push_servers
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(
            f"{server.ws_url}/ws/notifications/",
            additional_headers={"Cookie": f"sessionid={session_cookie(bob)}"},
            origin=Origin(origin.format(port=server.port)),
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


def test_a_socket_from_the_apps_own_origin_is_accepted(push_servers, todo, alice, bob):
    server, _ = push_servers
    with open_socket(server, session_cookie(bob)) as socket:  # Origin: the server's URL
        Browserless(server, alice).edit_todo(todo, title="Same origin")
        assert next_event(socket)["title"] == "Same origin"
