"""The confirmation link: only the invited user, logged in, with the right token."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing.models import CollaborationRequest, hash_token
from sharing.services import issue_token
from tests.sharing_support import share_count, shared_with
from todos.models import Todo


@pytest.fixture
def invitation(own_todo, bob):
    """Bob's pending invitation; `.token` is the clear token its email would carry."""
    invitation = CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    invitation.token = issue_token(invitation)
    return invitation


def confirm_path(todo_id, collaborator_id):
    return reverse("sharing:confirm", args=[todo_id, collaborator_id])


def assert_nothing_changed(invitation):
    assert CollaborationRequest.objects.filter(pk=invitation.pk).exists()
    assert not shared_with(invitation.todo, invitation.collaborator)


def test_the_invited_user_sees_what_they_are_confirming(client, bob, invitation):
    client.force_login(bob)
    response = client.get(confirm_path(invitation.todo_id, bob.pk), {"token": invitation.token})
    assert response.status_code == 200
    assert b"Alice invited you" in response.content
    assert b"Rocket &amp; &lt;b&gt;cake&lt;/b&gt;" in response.content  # escaped
    assert_nothing_changed(invitation)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_token_is_refused_with_a_clear_message(client, bob, invitation, method):
    client.force_login(bob)
    response = getattr(client, method)(confirm_path(invitation.todo_id, bob.pk), {"token": "wrong"})
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content
    assert_nothing_changed(invitation)


@pytest.mark.parametrize("token", ["", "ünïcödé", "x" * 5000])
def test_odd_tokens_get_a_clear_message_not_an_error(client, bob, invitation, token):
    client.force_login(bob)
    response = client.post(confirm_path(invitation.todo_id, bob.pk), {"token": token})
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content
    assert_nothing_changed(invitation)


def test_a_link_without_a_token_gets_a_clear_message(client, bob, invitation):
    client.force_login(bob)
    response = client.get(confirm_path(invitation.todo_id, bob.pk))
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_user_with_the_right_link_is_turned_away(client, charlie, invitation, method):
    client.force_login(charlie)
    response = getattr(client, method)(
        confirm_path(invitation.todo_id, invitation.collaborator_id), {"token": invitation.token}
    )
    assert response.status_code == 403
    assert b"This invitation is for another user" in response.content
    assert b"Plan the launch" not in response.content
    assert_nothing_changed(invitation)
    assert not shared_with(invitation.todo, charlie)


def test_the_owner_cannot_confirm_on_behalf_of_the_invited_user(client, alice, invitation):
    client.force_login(alice)
    response = client.post(
        confirm_path(invitation.todo_id, invitation.collaborator_id), {"token": invitation.token}
    )
    assert response.status_code == 403
    assert_nothing_changed(invitation)


def test_a_tampered_todo_id_finds_no_invitation(client, alice, bob, invitation):
    other = Todo.objects.create(owner=alice, title="Secret", due_date=invitation.todo.due_date)
    client.force_login(bob)
    for todo_id in (other.pk, 999999):
        response = client.post(confirm_path(todo_id, bob.pk), {"token": invitation.token})
        assert response.status_code == 404
        assert b"This invitation link is not valid" in response.content
        assert b"Secret" not in response.content
    assert_nothing_changed(invitation)
    assert not share_count(other)


def test_a_tampered_collaborator_id_is_turned_away(client, bob, charlie, invitation):
    client.force_login(charlie)
    response = client.post(
        confirm_path(invitation.todo_id, charlie.pk), {"token": invitation.token}
    )
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content
    assert_nothing_changed(invitation)
    assert not shared_with(invitation.todo, charlie)


def test_an_already_confirmed_link_leads_to_the_todo_with_a_message(client, bob, invitation):
    client.force_login(bob)
    path = confirm_path(invitation.todo_id, bob.pk)
    client.post(path, {"token": invitation.token})
    assert shared_with(invitation.todo, bob)

    for method in ("get", "post"):
        response = getattr(client, method)(path, {"token": invitation.token}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("todos:show", args=[invitation.todo_id])
        assert b"You already collaborate on this todo." in response.content
    assert share_count(invitation.todo) == 1


def test_a_withdrawn_invitation_link_gets_a_clear_message(client, bob, invitation):
    invitation.delete()
    client.force_login(bob)
    response = client.get(confirm_path(invitation.todo_id, bob.pk), {"token": invitation.token})
    assert response.status_code == 404
    assert b"it may have been withdrawn" in response.content


def test_an_anonymous_visitor_logs_in_first_and_comes_back_to_the_link(client, invitation):
    path = confirm_path(invitation.todo_id, invitation.collaborator_id)
    response = client.get(path, {"token": invitation.token})
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('login')}?next={quote(f'{path}?token={invitation.token}', safe='/')}"
    )
    login_page = client.get(response["Location"])
    assert f"?token={invitation.token}".encode() in login_page.content
    assert_nothing_changed(invitation)


def test_an_anonymous_post_changes_nothing(client, invitation):
    path = confirm_path(invitation.todo_id, invitation.collaborator_id)
    response = client.post(path, {"token": invitation.token})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert_nothing_changed(invitation)


def test_a_confirmation_without_csrf_is_refused(bob, invitation):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(bob)
    response = csrf_client.post(
        confirm_path(invitation.todo_id, bob.pk), {"token": invitation.token}
    )
    assert response.status_code == 403
    assert_nothing_changed(invitation)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_invitation_says_so_and_offers_nothing_to_confirm(
    client, bob, invitation, settings, method
):
    settings.INVITATION_TTL_DAYS = 14
    CollaborationRequest.objects.filter(pk=invitation.pk).update(
        created=timezone.now() - datetime.timedelta(days=14, minutes=1)
    )
    client.force_login(bob)
    response = getattr(client, method)(
        confirm_path(invitation.todo_id, bob.pk), {"token": invitation.token}
    )
    assert response.status_code == 410
    assert b"This invitation has expired" in response.content
    assert b"confirm-button" not in response.content
    assert_nothing_changed(invitation)


def test_an_invitation_just_inside_its_lifetime_still_works(client, bob, invitation, settings):
    settings.INVITATION_TTL_DAYS = 14
    CollaborationRequest.objects.filter(pk=invitation.pk).update(
        created=timezone.now() - datetime.timedelta(days=13, hours=23)
    )
    client.force_login(bob)
    response = client.post(confirm_path(invitation.todo_id, bob.pk), {"token": invitation.token})
    assert response.status_code == 302
    assert shared_with(invitation.todo, bob)


def test_only_the_hash_of_the_token_is_stored(invitation):
    stored = CollaborationRequest.objects.filter(pk=invitation.pk).values().get()
    assert invitation.token not in str(stored)
    assert stored["token_hash"] == hash_token(invitation.token)


def test_a_wrong_token_of_the_right_length_is_refused(client, bob, invitation):
    client.force_login(bob)
    forged = invitation.token[:-1] + ("A" if invitation.token[-1] != "A" else "B")
    response = client.post(confirm_path(invitation.todo_id, bob.pk), {"token": forged})
    assert response.status_code == 404
    assert_nothing_changed(invitation)


def test_a_new_token_replaces_the_old_one(client, bob, invitation):
    old = invitation.token
    new = issue_token(invitation)
    client.force_login(bob)
    assert client.get(confirm_path(invitation.todo_id, bob.pk), {"token": old}).status_code == 404
    assert client.get(confirm_path(invitation.todo_id, bob.pk), {"token": new}).status_code == 200
