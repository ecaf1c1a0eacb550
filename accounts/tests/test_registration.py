"""Registration at /register creates the user in Cognito (moto server over HTTP)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from django.urls import reverse

from accounts.models import User
from accounts.tests.conftest import form_action, hidden_inputs, log_in
from conftest import REGION
from deploy.local.aws_resources import local_client
from deploy.local.moto_server import free_port

pytestmark = pytest.mark.django_db

CODE = "stratospheric-invite"


def unique_name() -> str:
    return f"user{uuid.uuid4().hex[:10]}"


def cognito_user(cognito, username: str) -> dict[str, Any] | None:
    users = local_client("cognito-idp", cognito.endpoint_url, REGION).list_users(
        UserPoolId=cognito.pool.user_pool_id, Filter=f'username = "{username}"'
    )["Users"]
    return users[0] if users else None


def cognito_users_with_email(cognito, email: str) -> int:
    return len(
        local_client("cognito-idp", cognito.endpoint_url, REGION).list_users(
            UserPoolId=cognito.pool.user_pool_id, Filter=f'email = "{email}"'
        )["Users"]
    )


def register(client, **fields: str):
    return client.post(reverse("register"), fields)


def test_the_registration_form_is_shown(client):
    response = client.get(reverse("register"))
    assert response.status_code == 200
    assert 'name="invitation_code"' in response.content.decode()


def test_registration_creates_the_user_in_the_cognito_pool(client, cognito):
    username = unique_name()
    response = register(
        client, username=username, email=f"{username}@Example.com", invitation_code=CODE
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    created = cognito_user(cognito, username)
    assert created is not None
    attributes = {a["Name"]: a["Value"] for a in created["Attributes"]}
    assert attributes["email"] == f"{username}@example.com"
    assert attributes["email_verified"] == "true"
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # The local user appears at first login, from Cognito's claims.
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param(
            {"invitation_code": "guessed"},
            "invitation_code",
            "This invitation code is not valid.",
            id="wrong-code",
        ),
        pytest.param(
            {"invitation_code": ""}, "invitation_code", "This field is required.", id="no-code"
        ),
        pytest.param(
            {"email": "not-an-email"}, "email", "Enter a valid email address.", id="bad-email"
        ),
        pytest.param(
            {"email": 'a"b@example.com'},
            "email",
            "Enter a valid email address.",
            id="quote-in-email",
        ),
        pytest.param(
            {"email": '"ab"@example.com'},
            "email",
            "Quotes and backslashes are not allowed here.",
            id="quoted-email",
        ),
        pytest.param(
            {"username": "bad name!"},
            "username",
            "Use letters, digits, dots, dashes and underscores only.",
            id="bad-username",
        ),
        pytest.param(
            {"username": "ab"},
            "username",
            "Ensure this value has at least 3 characters (it has 2).",
            id="short-username",
        ),
        pytest.param(
            {"username": "tom"},
            "username",
            "This username is already taken.",
            id="taken-in-cognito",
        ),
        pytest.param(
            {"email": "duke@stratospheric.dev"},
            "email",
            "This email address is already registered.",
            id="email-taken-in-cognito",
        ),
    ],
)
def test_bad_registrations_say_which_field_is_wrong_and_create_nothing(
    client, cognito, fields, field, message
):
    username = unique_name()
    data = {"username": username, "email": f"{username}@example.com", "invitation_code": CODE}
    data.update(fields)
    response = register(client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field] == [message]
    assert cognito_user(cognito, username) is None
    assert cognito_users_with_email(cognito, f"{username}@example.com") == 0
    assert not User.objects.filter(username=username).exists()


def test_a_username_taken_here_is_refused(client, cognito, alice):
    response = register(client, username="ALICE", email="new@example.com", invitation_code=CODE)
    assert response.context["form"].errors["username"] == ["This username is already taken."]
    assert cognito_user(cognito, "ALICE") is None


def test_an_email_taken_here_is_refused(client, cognito, alice):
    response = register(
        client, username=unique_name(), email="Alice@Example.com", invitation_code=CODE
    )
    assert response.context["form"].errors["email"] == ["This email address is already registered."]
    assert cognito_users_with_email(cognito, "alice@example.com") == 0


def test_unreachable_cognito_gives_a_clear_message_not_a_500(client, cognito, settings):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    username = unique_name()
    response = register(
        client, username=username, email=f"{username}@example.com", invitation_code=CODE
    )
    assert response.status_code == 200
    assert "Registration is not possible right now. Please try again." in response.content.decode()
    settings.AWS_ENDPOINT_URL = cognito.endpoint_url
    assert cognito_user(cognito, username) is None


@pytest.mark.django_db(transaction=True)
def test_a_registered_user_sets_a_new_password_at_first_login(
    client, cognito, live_server, settings
):
    settings.COGNITO_TEMPORARY_PASSWORD = "temporary-password"
    username = unique_name()
    register(client, username=username, email=f"{username}@example.com", invitation_code=CODE)

    browser = requests.Session()
    change = log_in(browser, live_server.url, username, "temporary-password")
    assert "Change your password" in change.text
    too_short = browser.post(
        form_action(change.text, change.url),
        data={**hidden_inputs(change.text), "new_password": "short"},
    )
    assert 'id="error"' in too_short.text
    dashboard = browser.post(
        form_action(too_short.text, too_short.url),
        data={**hidden_inputs(too_short.text), "new_password": "my-own-password"},
    )
    assert dashboard.url == f"{live_server.url}/dashboard"
    assert User.objects.get(username=username).email == f"{username}@example.com"
    assert cognito_user(cognito, username)["UserStatus"] == "CONFIRMED"
