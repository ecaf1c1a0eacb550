"""Sharing, withdrawing, leaving and removing, through the views, with bad input too."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing.models import CollaborationRequest
from tests.sharing_support import share_count, share_with, shared_with


def share(client, todo_id, name):
    return client.post(
        reverse("sharing:share", args=[todo_id]), {"collaborator": name}, follow=True
    )


def url(url_name, todo, user):
    args = [todo.pk] if url_name == "share" else [todo.pk, user.pk]
    return reverse(f"sharing:{url_name}", args=args)


def test_the_owner_shares_and_the_dashboard_shows_the_pending_invitation(
    client, alice, bob, own_todo
):
    client.force_login(alice)
    response = share(client, own_todo.pk, bob.username)
    assert b"Invitation to bob is on its way" in response.content
    assert b"pending: Bob" in response.content
    assert CollaborationRequest.objects.filter(todo=own_todo, collaborator=bob).count() == 1


def test_sharing_twice_while_pending_makes_no_second_request(client, alice, bob, own_todo):
    client.force_login(alice)
    first = share(client, own_todo.pk, bob.username)
    invitation = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    second = share(client, own_todo.pk, bob.username)
    # The same answer as the first time (and as for a name without an account).
    assert b"Invitation to bob is on its way" in first.content
    assert b"Invitation to bob is on its way" in second.content
    assert list(CollaborationRequest.objects.filter(todo=own_todo, collaborator=bob)) == [
        invitation
    ]


def test_sharing_again_after_the_invitation_expired_makes_a_fresh_one(
    client, alice, bob, own_todo, settings
):
    settings.INVITATION_TTL_DAYS = 14
    client.force_login(alice)
    share(client, own_todo.pk, bob.username)
    old = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    CollaborationRequest.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(days=15), emailed_at=timezone.now()
    )
    share(client, own_todo.pk, bob.username)
    fresh = CollaborationRequest.objects.get(todo=own_todo, collaborator=bob)
    assert fresh.pk != old.pk
    assert fresh.emailed_at is None


def test_sharing_with_an_existing_collaborator_is_refused(client, alice, bob, todo):
    client.force_login(alice)
    response = share(client, todo.pk, bob.username)
    assert b"Bob already collaborates on this todo." in response.content
    assert not CollaborationRequest.objects.exists()


def test_sharing_with_yourself_is_refused(client, alice, own_todo):
    client.force_login(alice)
    response = share(client, own_todo.pk, alice.username)
    assert b"You cannot share a todo with yourself." in response.content
    assert not CollaborationRequest.objects.exists()


def message_of(response):
    [message] = [str(message) for message in response.context["messages"]]
    return message


@pytest.mark.parametrize("known", ["bob", "bob@example.com"])
def test_a_name_without_an_account_gets_the_same_answer_and_nothing_is_recorded(
    client, alice, bob, own_todo, known
):
    unknown = "nobody"
    client.force_login(alice)
    to_nobody = share(client, own_todo.pk, unknown)
    assert not CollaborationRequest.objects.exists()
    assert to_nobody.status_code == 200
    assert message_of(to_nobody) == (
        f"Invitation to {unknown} is on its way; it stays pending until they confirm."
    )
    to_bob = share(client, own_todo.pk, known)
    assert message_of(to_bob) == message_of(to_nobody).replace(unknown, known)
    assert to_bob.redirect_chain == to_nobody.redirect_chain
    # Asked twice, both still answer the same.
    assert message_of(share(client, own_todo.pk, known)) == message_of(to_bob)
    assert message_of(share(client, own_todo.pk, unknown)) == message_of(to_nobody)
    assert CollaborationRequest.objects.get().collaborator == bob


def test_sharing_by_email_address_ignores_letter_case(client, alice, bob, own_todo):
    client.force_login(alice)
    response = share(client, own_todo.pk, bob.email.upper())
    assert b"Invitation to BOB@EXAMPLE.COM is on its way" in response.content
    assert CollaborationRequest.objects.filter(todo=own_todo, collaborator=bob).exists()


def test_a_username_differing_only_in_letter_case_finds_the_user(client, alice, bob, own_todo):
    client.force_login(alice)
    share(client, own_todo.pk, bob.username.upper())
    assert CollaborationRequest.objects.filter(todo=own_todo, collaborator=bob).exists()


def test_a_deactivated_user_cannot_be_invited(client, alice, bob, own_todo):
    bob.is_active = False
    bob.save()
    client.force_login(alice)
    response = share(client, own_todo.pk, bob.username)
    assert b"Invitation to bob is on its way" in response.content
    assert not CollaborationRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Name someone to share the todo with"),
        ({"collaborator": "   "}, "Name someone to share the todo with"),
        ({"collaborator": "x" * 255}, "at most 254 characters"),
        ({"collaborator": "<b>bob</b>"}, "Invitation to &lt;b&gt;bob&lt;/b&gt; is on its way"),
    ],
)
def test_a_bad_name_gets_a_message_and_records_nothing(client, alice, bob, own_todo, data, message):
    client.force_login(alice)
    response = client.post(reverse("sharing:share", args=[own_todo.pk]), data, follow=True)
    assert response.status_code == 200
    assert message.encode() in response.content
    assert not CollaborationRequest.objects.exists()


def test_a_collaborator_cannot_share(client, bob, charlie, todo):
    client.force_login(bob)
    response = share(client, todo.pk, charlie.username)
    assert b"Only the owner can share this todo." in response.content
    assert not CollaborationRequest.objects.exists()


@pytest.mark.parametrize("url_name", ["share", "withdraw", "remove"])
def test_a_stranger_gets_404(client, charlie, bob, todo, url_name):
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    client.force_login(charlie)
    response = client.post(url(url_name, todo, bob), {"collaborator": "bob"})
    assert response.status_code == 404
    assert shared_with(todo, bob)
    assert CollaborationRequest.objects.count() == 1


def test_a_stranger_cannot_leave_what_they_never_joined(client, charlie, todo):
    client.force_login(charlie)
    assert client.post(reverse("sharing:leave", args=[todo.pk])).status_code == 404


def test_sharing_a_missing_todo_is_404(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("sharing:share", args=[999999]), {"collaborator": "bob"})
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", ["share", "withdraw", "remove"])
def test_changes_are_post_only(client, alice, bob, todo, url_name):
    client.force_login(alice)
    response = client.get(url(url_name, todo, bob), {"collaborator": "charlie"})
    assert response.status_code == 405
    assert shared_with(todo, bob)


def test_changes_need_a_csrf_token(alice, bob, own_todo):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    response = csrf_client.post(
        reverse("sharing:share", args=[own_todo.pk]), {"collaborator": "bob"}
    )
    assert response.status_code == 403
    assert not CollaborationRequest.objects.exists()


def test_an_anonymous_share_goes_to_the_login_page(client, own_todo, bob):
    response = client.post(reverse("sharing:share", args=[own_todo.pk]), {"collaborator": "bob"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CollaborationRequest.objects.exists()


def test_the_owner_withdraws_a_pending_invitation(client, alice, bob, own_todo):
    CollaborationRequest.objects.create(todo=own_todo, collaborator=bob)
    client.force_login(alice)
    response = client.post(reverse("sharing:withdraw", args=[own_todo.pk, bob.pk]), follow=True)
    assert b"The invitation to Bob was withdrawn." in response.content
    assert not CollaborationRequest.objects.exists()


def test_withdrawing_what_is_not_pending_says_so(client, alice, bob, own_todo):
    client.force_login(alice)
    response = client.post(reverse("sharing:withdraw", args=[own_todo.pk, bob.pk]), follow=True)
    assert b"There is no pending invitation for that user." in response.content


def test_a_collaborator_cannot_withdraw_an_invitation(client, bob, charlie, todo):
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    client.force_login(bob)
    response = client.post(reverse("sharing:withdraw", args=[todo.pk, charlie.pk]), follow=True)
    assert b"Only the owner can withdraw an invitation." in response.content
    assert CollaborationRequest.objects.count() == 1


def test_a_collaborator_leaves_and_the_owner_is_told(
    client, alice, bob, todo, django_capture_on_commit_callbacks, push_inbox
):
    alices_inbox = push_inbox(alice)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sharing:leave", args=[todo.pk]), follow=True)
    assert b"You no longer collaborate on" in response.content
    assert not shared_with(todo, bob)
    assert client.get(reverse("todos:show", args=[todo.pk])).status_code == 404
    [event] = alices_inbox.events
    assert event["type"] == "collaborator_left"
    assert event["text"] == f"Bob has left “{todo.title}”."


def test_the_owner_cannot_leave(client, alice, todo):
    client.force_login(alice)
    response = client.post(reverse("sharing:leave", args=[todo.pk]), follow=True)
    assert b"You own this todo, so you cannot leave it." in response.content


def test_the_owner_removes_a_collaborator_who_is_told(
    client, alice, bob, todo, django_capture_on_commit_callbacks, push_inbox
):
    bobs_inbox = push_inbox(bob)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sharing:remove", args=[todo.pk, bob.pk]), follow=True)
    assert b"Bob no longer collaborates on this todo." in response.content
    assert not share_count(todo)
    [event] = bobs_inbox.events
    assert event["type"] == "access_changed"  # their open pages fetch their parts: 404
    assert event["text"] == f"Alice has removed you from “{todo.title}”."


def test_removing_someone_who_does_not_collaborate_says_so(client, alice, charlie, todo):
    client.force_login(alice)
    response = client.post(reverse("sharing:remove", args=[todo.pk, charlie.pk]), follow=True)
    assert b"That user does not collaborate on this todo." in response.content


def test_a_collaborator_cannot_remove_another(client, alice, bob, charlie, todo):
    share_with(todo, charlie)
    client.force_login(bob)
    response = client.post(reverse("sharing:remove", args=[todo.pk, charlie.pk]), follow=True)
    assert b"Only the owner can remove a collaborator." in response.content
    assert shared_with(todo, charlie)


def test_the_todo_page_lists_collaborators_with_the_right_buttons(client, alice, bob, todo):
    client.force_login(alice)
    page = client.get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert reverse("sharing:todo_revoke", args=[todo.pk, bob.pk]) in page
    assert reverse("sharing:todo_role", args=[todo.pk, bob.pk]) in page
    assert reverse("sharing:leave", args=[todo.pk]) not in page

    client.force_login(bob)
    page = client.get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert reverse("sharing:leave", args=[todo.pk]) in page
    assert reverse("sharing:todo_revoke", args=[todo.pk, bob.pk]) not in page
    assert reverse("sharing:todo_role", args=[todo.pk, bob.pk]) not in page
