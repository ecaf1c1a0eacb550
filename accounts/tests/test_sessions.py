"""Sessions and the user of a request (Django's database sessions, allauth's backend):
whatever is wrong with a session, the request is anonymous, never an error."""

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db


def dashboard_status(client: Client) -> int:
    return client.get(reverse("dashboard")).status_code  # 302: to the login page


def session_of(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_logged_in_user_is_recognised(client, alice):
    client.force_login(alice)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_an_expired_session_is_anonymous(client, alice):
    client.force_login(alice)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert dashboard_status(client) == 302


def test_an_unknown_session_key_is_not_taken_over(client, alice):
    client.cookies["sessionid"] = "x" * 32
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.session.session_key != "x" * 32


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_a_deactivated_or_deleted_user_is_logged_out(client, alice, change):
    client.force_login(alice)
    if change == "deactivate":
        User.objects.filter(pk=alice.pk).update(is_active=False)
    else:
        alice.delete()
    assert dashboard_status(client) == 302


def test_a_changed_password_ends_other_sessions(client, alice):
    client.force_login(alice)
    alice.set_password("a-new-password-1234")
    alice.save()
    assert dashboard_status(client) == 302
    assert not Session.objects.exists()  # flushed, as Django does


def test_a_session_naming_no_user_is_anonymous(client, alice):
    store = SessionStore()
    store[SESSION_KEY] = "999999"
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = alice.get_session_auth_hash()
    store.create()
    client.cookies["sessionid"] = store.session_key
    assert dashboard_status(client) == 302


def test_a_session_from_a_backend_no_longer_configured_is_anonymous(client, alice):
    client.force_login(alice)
    store = SessionStore(session_key=client.cookies["sessionid"].value)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    store.save()
    assert dashboard_status(client) == 302
