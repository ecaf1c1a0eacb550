"""Findings 4 and 8: /register told a stranger with a wrong code whether a name or address
was taken; /admin/ had a password form beside Cognito, and allauth pages we do not use
(/accounts/3rdparty/, /accounts/password/…) were reachable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import hidden_inputs, log_in, submit_credentials
from deploy.local.aws_resources import SEED_PASSWORD

pytestmark = pytest.mark.django_db


def test_register_with_a_wrong_code_and_a_taken_username_reveals_nothing(client, alice):
    response = client.post(
        "/register",
        {"username": alice.username, "email": alice.email, "invitation_code": "wrong"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "This invitation code is not valid." in text
    assert "taken" not in text and "already registered" not in text


def test_register_with_a_wrong_code_says_only_that_even_for_bad_fields(client):
    response = client.post(
        "/register", {"username": "a b", "email": "not-an-email", "invitation_code": "wrong"}
    )
    text = response.content.decode()
    assert "This invitation code is not valid." in text
    assert "Enter a valid email address." not in text
    assert "Use letters, digits" not in text


def test_register_with_the_right_code_still_names_a_taken_username(client, alice):
    response = client.post(
        "/register",
        {
            "username": alice.username,
            "email": "new@example.com",
            "invitation_code": "stratospheric-invite",
        },
    )
    assert "This username is already taken." in response.content.decode()


def test_the_admin_sends_a_logged_out_visitor_to_our_login_and_has_no_password_form():
    response = Client().get("/admin/", follow=True)
    first_hop = response.redirect_chain[0][0]
    assert first_hop.startswith("/admin/login/")
    assert response.request["PATH_INFO"] == "/login"
    assert parse_qs(response.request["QUERY_STRING"])["next"] == ["/admin/"]
    text = response.content.decode()
    assert 'name="password"' not in text
    assert 'id="login-with-cognito"' in text


def test_the_admins_login_url_never_shows_a_password_form():
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=%2Fadmin%2Faccounts%2Fuser%2F"
    assert Client().post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302


def test_the_admin_login_keeps_next_on_this_site():
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/login?next=%2Fadmin%2F"


def test_a_logged_in_user_who_is_not_staff_is_refused_by_the_admin(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/admin/login/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_admin_logs_in_through_cognito_and_lands_back_in_the_admin(cognito, live_server):
    # As `make run` seeds him: staff here, linked to his Cognito identity by email.
    User.objects.create_user(
        username="duke", email="duke@stratospheric.dev", is_staff=True, is_superuser=True
    )
    browser = requests.Session()
    first = browser.get(f"{live_server.url}/admin/")
    assert urlsplit(first.url).path == "/login"
    sign_in = browser.post(
        f"{live_server.url}/accounts/amazon-cognito/login/", data=hidden_inputs(first.text)
    )
    assert sign_in.url.startswith(f"{cognito.standin_url}/oauth2/authorize")
    admin = submit_credentials(browser, sign_in, "duke", SEED_PASSWORD)
    assert admin.status_code == 200
    assert admin.url == f"{live_server.url}/admin/"
    assert "Site administration" in admin.text


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/3rdparty/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/confirm-email/",
        "/accounts/reauthenticate/",
    ],
)
def test_allauth_pages_we_do_not_use_are_404(client, alice, path):
    client.force_login(alice)
    assert client.get(path).status_code == 404


def test_accounts_login_leads_to_our_login(client):
    response = client.get("/accounts/login/?next=/todo/add")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/todo/add"


@pytest.mark.django_db(transaction=True)
def test_accounts_logout_ends_the_cognito_session_too(cognito, live_server):
    browser = requests.Session()
    dashboard = log_in(browser, live_server.url, "tom", SEED_PASSWORD)
    logout = browser.post(f"{live_server.url}/accounts/logout/", data=hidden_inputs(dashboard.text))
    assert [r.url.split("?")[0] for r in logout.history] == [
        f"{live_server.url}/accounts/logout/",
        f"{cognito.standin_url}/logout",
    ]
    assert browser.get(f"{live_server.url}/dashboard", allow_redirects=False).status_code == 302
