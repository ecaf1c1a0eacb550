"""The login round trip over real HTTP: app → hosted-UI stand-in (moto's Cognito) → app."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from accounts.models import User
from accounts.tests.conftest import (
    form_action,
    hidden_inputs,
    log_in,
    open_standin_login,
    submit_credentials,
)
from deploy.local.aws_resources import SEED_PASSWORD
from deploy.local.cognito_standin import SESSION_COOKIE

pytestmark = pytest.mark.django_db(transaction=True)


def is_logged_in(browser: requests.Session, app_url: str) -> bool:
    response = browser.get(f"{app_url}/dashboard", allow_redirects=False)
    return response.status_code == 200


def test_a_seed_user_logs_in_through_the_standin_and_out_again(cognito, live_server):
    browser = requests.Session()
    sign_in = open_standin_login(browser, live_server.url)
    assert sign_in.url.startswith(f"{cognito.standin_url}/oauth2/authorize?")
    query = parse_qs(urlsplit(sign_in.url).query)
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    assert query["state"][0]

    dashboard = submit_credentials(browser, sign_in, "tom", SEED_PASSWORD)
    assert dashboard.status_code == 200
    assert dashboard.url == f"{live_server.url}/dashboard"
    assert 'data-testid="current-user">Tom<' in dashboard.text
    tom = User.objects.get(username="tom")
    assert (tom.email, tom.display_name) == ("tom@stratospheric.dev", "Tom")
    assert browser.cookies.get(SESSION_COOKIE)

    logout = browser.post(f"{live_server.url}/logout", data=hidden_inputs(dashboard.text))
    assert [r.url.split("?")[0] for r in logout.history] == [
        f"{live_server.url}/logout",
        f"{cognito.standin_url}/logout",
    ]
    assert logout.status_code == 200
    assert logout.url == f"{live_server.url}/"
    assert "Stratospheric Todo" in logout.text
    assert not is_logged_in(browser, live_server.url)
    # The hosted-UI session is gone too: the next login asks for the password again.
    assert browser.cookies.get(SESSION_COOKIE) is None
    assert "Sign in" in open_standin_login(browser, live_server.url).text


def test_a_second_login_reuses_the_user(cognito, live_server):
    for _ in range(2):
        browser = requests.Session()
        assert log_in(browser, live_server.url, "bjoern", SEED_PASSWORD).status_code == 200
    assert User.objects.filter(username="bjoern").count() == 1


def test_a_user_created_here_is_linked_by_verified_email(cognito, live_server):
    # As `make run` seeds them: a local user without a Cognito link yet.
    existing = User.objects.create_user(
        username="philip", email="philip@stratospheric.dev", display_name="Phil", is_staff=True
    )
    response = log_in(requests.Session(), live_server.url, "philip", SEED_PASSWORD)
    assert response.url == f"{live_server.url}/dashboard"
    assert User.objects.filter(email="philip@stratospheric.dev").get().pk == existing.pk


def test_after_login_the_user_lands_where_they_wanted_to_go(cognito, live_server):
    browser = requests.Session()
    first = browser.get(f"{live_server.url}/todo/add")
    assert first.url == f"{live_server.url}/login?next=/todo/add"
    sign_in = browser.post(form_action(first.text, first.url), data=hidden_inputs(first.text))
    landed = submit_credentials(browser, sign_in, "duke", SEED_PASSWORD)
    assert landed.url == f"{live_server.url}/todo/add"


def test_a_wrong_password_shows_the_standins_error(cognito, live_server):
    browser = requests.Session()
    sign_in = open_standin_login(browser, live_server.url)
    response = submit_credentials(browser, sign_in, "tom", "wrong-password")
    assert response.status_code == 200
    assert "Incorrect username or password." in response.text
    assert not is_logged_in(browser, live_server.url)


def callback_url(browser: requests.Session, app_url: str, username: str) -> str:
    """Log in at the stand-in but stop before the app's callback."""
    sign_in = open_standin_login(browser, app_url)
    redirect = browser.post(
        form_action(sign_in.text, sign_in.url),
        data={**hidden_inputs(sign_in.text), "username": username, "password": SEED_PASSWORD},
        allow_redirects=False,
    )
    assert redirect.status_code == 302
    return redirect.headers["Location"]


def test_a_tampered_state_fails_cleanly(cognito, live_server):
    browser = requests.Session()
    url = callback_url(browser, live_server.url, "tom")
    split = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    query["state"] = "forged" + query["state"]
    response = browser.get(f"{url.split('?')[0]}?{urlencode(query)}")
    assert response.status_code < 500
    assert "Login failed" in response.text
    assert not is_logged_in(browser, live_server.url)


def test_a_reused_code_fails_cleanly(cognito, live_server):
    browser = requests.Session()
    url = callback_url(browser, live_server.url, "tom")
    assert browser.get(url).url == f"{live_server.url}/dashboard"
    again = browser.get(url)
    assert again.status_code < 500
    assert "Login failed" in again.text
    replay = requests.Session()  # someone who copied the URL
    response = replay.get(url)
    assert response.status_code < 500
    assert "Login failed" in response.text
    assert not is_logged_in(replay, live_server.url)


def test_the_callback_without_a_code_fails_cleanly(cognito, live_server):
    browser = requests.Session()
    response = browser.get(f"{live_server.url}/accounts/amazon-cognito/login/callback/")
    assert response.status_code < 500
    assert not is_logged_in(browser, live_server.url)


def test_logout_is_post_only(cognito, live_server):
    browser = requests.Session()
    log_in(browser, live_server.url, "tom", SEED_PASSWORD)
    assert browser.get(f"{live_server.url}/logout").status_code == 405
    assert is_logged_in(browser, live_server.url)


def test_a_next_url_off_site_is_ignored(cognito, live_server):
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/login?next=https://evil.example/")
    sign_in = browser.post(
        form_action(login_page.text, login_page.url), data=hidden_inputs(login_page.text)
    )
    landed = submit_credentials(browser, sign_in, "tom", SEED_PASSWORD)
    assert landed.url == f"{live_server.url}/dashboard"
