"""Without ACTIVEMQ_URL (the `make run` default) events go through this process's channel
layer alone, with no broker anywhere."""

import pytest

from deploy.local.app_server import AppServer
from notifications.tests.conftest import (
    Browserless,
    app_server_env,
    next_event,
    open_socket,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server_without_broker():
    server = AppServer(app_server_env(broker_url="")).start()
    yield server
    server.stop()


def test_an_edit_reaches_the_collaborator_through_the_in_process_layer(
    server_without_broker, todo, alice, bob
):
    with open_socket(server_without_broker, session_cookie(bob)) as bobs_socket:
        Browserless(server_without_broker, alice).edit_todo(todo, title="No broker needed")

        event = next_event(bobs_socket)
    assert (event["type"], event["title"]) == ("todo_updated", "No broker needed")
