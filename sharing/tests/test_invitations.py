"""Invitations to a list or a todo with a role, to a user or to an address with no account;
the owner's sharing panel (roles, revoke, resend, withdraw); bad input, each a clear message
and no change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sharing import services
from sharing.models import CollaborationRequest
from sharing.selectors import sharing_panel
from sharing.services import SharingError, issue_token
from tests.sharing_support import share_with
from todos.models import Role, Share, Todo, TodoList
from todos.permissions import Action, can

pytestmark = pytest.mark.django_db


@pytest.fixture
def groceries(alice):
    """Alice's list with one todo, shared with nobody."""
    todo_list = TodoList.objects.create(owner=alice, name="Groceries")
    Todo.objects.create(owner=alice, todo_list=todo_list, title="Buy milk")
    return todo_list


def share_list(client, todo_list, name, role=None):
    data = {"collaborator": name}
    if role is not None:
        data["role"] = role
    return client.post(reverse("sharing:share_list", args=[todo_list.pk]), data, follow=True)


def share_todo(client, todo, name, role=None):
    data = {"collaborator": name}
    if role is not None:
        data["role"] = role
    return client.post(reverse("sharing:share", args=[todo.pk]), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def listen(push_inbox, user):
    """What is pushed to `user` from now on, one event per call, oldest first."""
    inbox = push_inbox(user)
    return lambda: inbox.events.pop(0)


def invitation_link(request):
    token = issue_token(request)
    return reverse("sharing:invitation", args=[request.pk]), token


def test_a_list_is_shared_as_commenter_and_covers_its_todos_including_later_ones(
    client, alice, bob, groceries
):
    client.force_login(alice)
    response = share_list(client, groceries, "bob", role="COMMENTER")
    assert messages_of(response) == [
        "Invitation to bob is on its way; it stays pending until they confirm."
    ]
    request = CollaborationRequest.objects.get()
    assert (request.todo_list, request.todo, request.collaborator, request.role) == (
        groceries,
        None,
        bob,
        Role.COMMENTER,
    )
    assert request.invited_by == alice

    path, token = invitation_link(request)
    client.force_login(bob)
    page = client.get(path, {"token": token})
    assert b"Groceries" in page.content and b"Commenter" in page.content
    response = client.post(path, {"token": token})
    assert response.status_code == 302
    assert Share.objects.get(user=bob, todo_list=groceries).role == Role.COMMENTER
    request.refresh_from_db()
    assert request.accepted_at is not None
    later = Todo.objects.create(owner=alice, todo_list=groceries, title="Buy bread")
    for todo in groceries.todos.all():
        assert can(bob, Action.COMMENT, todo) and can(bob, Action.SET_STATUS, todo)
        assert not can(bob, Action.EDIT, todo) and not can(bob, Action.DELETE, todo)
    assert later in Todo.objects.filter(todo_list=groceries)


def test_a_list_share_without_a_role_proposes_commenter_and_a_todo_share_editor(
    client, alice, bob, groceries, own_todo
):
    client.force_login(alice)
    share_list(client, groceries, "bob")
    share_todo(client, own_todo, "bob")
    roles = dict(CollaborationRequest.objects.values_list("todo_list_id", "role"))
    assert roles == {groceries.pk: "COMMENTER", None: "EDITOR"}


@pytest.mark.parametrize("role", ["OWNER", "admin", "editor"])
def test_a_role_not_in_the_list_is_refused(client, alice, bob, groceries, own_todo, role):
    client.force_login(alice)
    for response in (
        share_list(client, groceries, "bob", role),
        share_todo(client, own_todo, "bob", role),
    ):
        assert messages_of(response) == ["Choose a role: Viewer, Commenter or Editor."]
    assert not CollaborationRequest.objects.exists()


def test_sharing_a_list_with_yourself_is_refused(client, alice, groceries):
    client.force_login(alice)
    response = share_list(client, groceries, "alice@example.com")
    assert messages_of(response) == ["You cannot share a list with yourself."]
    assert not CollaborationRequest.objects.exists()


def test_someone_elses_list_cannot_be_shared(client, alice, bob, charlie, groceries):
    share_with(groceries, bob, role=Role.EDITOR)
    client.force_login(bob)
    response = share_list(client, groceries, "charlie")
    assert messages_of(response) == ["Only the owner can share this list."]
    client.force_login(charlie)  # a stranger: the list does not exist for them
    assert (
        client.post(
            reverse("sharing:share_list", args=[groceries.pk]), {"collaborator": "bob"}
        ).status_code
        == 404
    )
    assert not CollaborationRequest.objects.exists()
    with pytest.raises(SharingError):
        services.invite(actor=bob, target=groceries, collaborator=charlie, role="VIEWER")


def test_an_address_without_an_account_gets_an_invitation_and_the_same_answer(
    client, alice, bob, own_todo
):
    client.force_login(alice)
    to_nobody = share_todo(client, own_todo, "New.Person@Example.com", "VIEWER")
    to_bob = share_todo(client, own_todo, "Bob@Example.com", "VIEWER")
    assert messages_of(to_nobody) == [
        "Invitation to New.Person@Example.com is on its way; it stays pending until they confirm."
    ]
    assert messages_of(to_bob) == [messages_of(to_nobody)[0].replace("New.Person", "Bob")]
    assert to_bob.redirect_chain == to_nobody.redirect_chain
    assert set(CollaborationRequest.objects.values_list("collaborator_id", "email")) == {
        (None, "new.person@example.com"),
        (bob.pk, ""),
    }
    # Asked again: still the same answer, no second invitation.
    assert messages_of(share_todo(client, own_todo, "new.person@example.com")) == [
        messages_of(to_nobody)[0].replace("New.Person@Example.com", "new.person@example.com")
    ]
    assert CollaborationRequest.objects.count() == 2


def test_an_invitation_to_an_address_is_accepted_only_by_the_account_of_that_address(
    client, alice, bob, own_todo
):
    request = services.invite(
        actor=alice, target=own_todo, email="carol@example.com", role="VIEWER"
    )
    path, token = invitation_link(request)
    client.force_login(bob)
    refused = client.post(path, {"token": token})
    assert refused.status_code == 403
    assert b"This invitation was sent to carol@example.com" in refused.content
    assert not Share.objects.exists()

    carol = User.objects.create_user(username="carol", email="Carol@Example.com")
    client.force_login(carol)
    assert client.post(path, {"token": token}).status_code == 302
    assert Share.objects.get(user=carol, todo=own_todo).role == Role.VIEWER
    request.refresh_from_db()
    assert request.collaborator == carol and request.accepted_at is not None


def test_a_visitor_without_an_account_reads_the_invitation_and_may_register(
    client, alice, own_todo, settings
):
    request = services.invite(
        actor=alice, target=own_todo, email="carol@example.com", role="EDITOR"
    )
    path, token = invitation_link(request)
    page = client.get(path, {"token": token}).content.decode()
    assert "Plan the launch" in page and "carol@example.com" in page
    register_url = reverse("sharing:register", args=[request.pk])
    assert register_url in page
    form = client.get(register_url, {"token": token}).content.decode()
    assert 'name="invitation_code"' not in form
    assert 'value="carol@example.com"' in form
    wrong = client.post(
        register_url, {"token": token, "username": "carol", "email": "other@example.com"}
    )
    assert "The invitation was sent to carol@example.com" in wrong.content.decode()
    assert client.get(register_url, {"token": "wrong"}).status_code == 404
    assert client.post(path, {"token": token}).status_code == 302  # to the login page
    assert not Share.objects.exists()


def test_an_expired_invitation_is_refused_and_changes_nothing(
    client, alice, bob, groceries, settings
):
    request = services.invite(actor=alice, target=groceries, collaborator=bob, role="VIEWER")
    path, token = invitation_link(request)
    CollaborationRequest.objects.filter(pk=request.pk).update(
        created=timezone.now() - datetime.timedelta(days=settings.INVITATION_TTL_DAYS + 1)
    )
    client.force_login(bob)
    for method in ("get", "post"):
        response = getattr(client, method)(path, {"token": token})
        assert response.status_code == 410
        assert b"This invitation has expired" in response.content
    assert not Share.objects.exists()
    assert [i.state for i in sharing_panel(groceries, alice).invitations] == ["expired"]


def test_a_withdrawn_invitation_is_a_stale_link(client, alice, bob, groceries):
    request = services.invite(actor=alice, target=groceries, collaborator=bob)
    path, token = invitation_link(request)
    client.force_login(alice)
    client.post(reverse("sharing:withdraw_invitation", args=[request.pk]))
    assert not CollaborationRequest.objects.exists()
    client.force_login(bob)
    response = client.post(path, {"token": token})
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content
    assert not Share.objects.exists()


def test_resending_issues_a_new_link_and_the_old_one_stops_working(client, alice, bob, groceries):
    request = services.invite(actor=alice, target=groceries, collaborator=bob)
    path, old_token = invitation_link(request)
    CollaborationRequest.objects.filter(pk=request.pk).update(
        emailed_at=timezone.now(), created=timezone.now() - datetime.timedelta(days=30)
    )
    client.force_login(alice)
    response = client.post(reverse("sharing:resend", args=[request.pk]), follow=True)
    assert messages_of(response) == ["The invitation to Bob is sent again, with a new link."]
    request.refresh_from_db()
    assert (request.token_hash, request.queued_at, request.emailed_at) == ("", None, None)
    assert request.created > timezone.now() - datetime.timedelta(minutes=1)
    assert [i.state for i in sharing_panel(groceries, alice).invitations] == ["pending"]
    client.force_login(bob)
    assert client.post(path, {"token": old_token}).status_code == 404


def test_resending_respects_the_rate_limit_per_recipient(client, alice, bob, own_todo, settings):
    settings.RATE_LIMIT_SHARE_PER_RECIPIENT = "2/d"
    request = services.invite(actor=alice, target=own_todo, collaborator=bob)
    client.force_login(alice)
    url = reverse("sharing:resend", args=[request.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 429


def test_the_owner_raises_a_role_and_the_user_is_told_at_once(
    client, alice, bob, groceries, django_capture_on_commit_callbacks, push_inbox
):
    share_with(groceries, bob, role=Role.COMMENTER)
    next_event = listen(push_inbox, bob)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:list_role", args=[groceries.pk, bob.pk]),
            {"role": "EDITOR"},
            follow=True,
        )
    assert messages_of(response) == ["Bob is now Editor."]
    assert Share.objects.get(user=bob, todo_list=groceries).role == Role.EDITOR
    event = next_event()
    assert event["type"] == "access_changed"
    assert event["text"] == "Alice made you Editor of “Groceries”."
    # About the list, not one of its todos.
    assert (event["todo_id"], event.get("list_id"), event["title"]) == (
        0,
        groceries.pk,
        "Groceries",
    )


@pytest.mark.parametrize(
    ("who", "role", "message"),
    [
        (
            "alice",
            "VIEWER",
            "The owner's role cannot be changed: the owner can do everything with this todo.",
        ),
        ("bob", "OWNER", "Choose a role: Viewer, Commenter or Editor."),
        ("bob", "", "Choose a role: Viewer, Commenter or Editor."),
        ("charlie", "VIEWER", "That person has no role on this todo."),
    ],
)
def test_bad_role_changes_say_why_and_change_nothing(
    client, alice, bob, charlie, todo, who, role, message
):
    user = {"alice": alice, "bob": bob, "charlie": charlie}[who]
    client.force_login(alice)
    response = client.post(
        reverse("sharing:todo_role", args=[todo.pk, user.pk]), {"role": role}, follow=True
    )
    assert messages_of(response) == [message]
    assert list(Share.objects.values_list("user_id", "role")) == [(bob.pk, "EDITOR")]


def test_only_the_owner_changes_roles_even_calling_the_service(client, alice, bob, charlie, todo):
    share_with(todo, charlie, role=Role.VIEWER)
    client.force_login(bob)
    response = client.post(
        reverse("sharing:todo_role", args=[todo.pk, charlie.pk]), {"role": "EDITOR"}, follow=True
    )
    assert messages_of(response) == ["Only the owner can change roles on this todo."]
    with pytest.raises(SharingError):
        services.change_role(actor=bob, target=todo, user_id=charlie.pk, role="EDITOR")
    with pytest.raises(SharingError):
        services.revoke_access(actor=bob, target=todo, user_id=charlie.pk)
    with pytest.raises(SharingError):
        services.invite(actor=bob, target=todo, email="x@example.com")
    assert Share.objects.get(user=charlie).role == Role.VIEWER


def test_a_revoked_user_is_told_and_their_old_confirm_link_does_not_work_again(
    client, alice, bob, groceries, django_capture_on_commit_callbacks, push_inbox
):
    request = services.invite(actor=alice, target=groceries, collaborator=bob, role="VIEWER")
    path, token = invitation_link(request)
    client.force_login(bob)
    client.post(path, {"token": token})
    todo = groceries.todos.get()
    assert client.get(reverse("todos:show", args=[todo.pk])).status_code == 200

    next_event = listen(push_inbox, bob)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:list_revoke", args=[groceries.pk, bob.pk]), follow=True
        )
    assert messages_of(response) == ["Bob no longer has access."]
    assert next_event()["type"] == "access_changed"

    client.force_login(bob)
    gone = client.get(reverse("todos:show", args=[todo.pk]))
    assert gone.status_code == 404
    assert b"not (or no longer) shared with you" in gone.content
    assert client.get(reverse("pages:todo_part", args=[todo.pk, "note_form"])).status_code == 404
    old_link = client.post(path, {"token": token})
    assert old_link.status_code == 410
    assert b"accepted already, and the share it made has since ended" in old_link.content
    assert not Share.objects.exists()


def test_an_accepted_invitation_cannot_be_withdrawn_or_resent(client, alice, bob, own_todo):
    request = services.invite(actor=alice, target=own_todo, collaborator=bob)
    path, token = invitation_link(request)
    client.force_login(bob)
    client.post(path, {"token": token}, follow=True)  # reads the success message
    client.force_login(alice)
    withdrawn = client.post(reverse("sharing:withdraw_invitation", args=[request.pk]), follow=True)
    assert messages_of(withdrawn) == [
        "Bob accepted this invitation already; revoke their access instead."
    ]
    resent = client.post(reverse("sharing:resend", args=[request.pk]), follow=True)
    assert messages_of(resent) == ["Bob accepted this invitation already."]
    assert CollaborationRequest.objects.get().accepted_at is not None


def test_the_panel_shows_people_roles_and_invitations_to_the_owner_only(
    client, alice, bob, charlie, groceries
):
    share_with(groceries, bob, role=Role.VIEWER)
    services.invite(actor=alice, target=groceries, email="dora@example.com", role="EDITOR")
    services.invite(actor=alice, target=groceries, collaborator=charlie, role="COMMENTER")
    client.force_login(alice)
    page = client.get(reverse("sharing:list_sharing", args=[groceries.pk])).content.decode()
    assert "dora@example.com as Editor" in page and "Charlie as Commenter" in page
    assert reverse("sharing:list_role", args=[groceries.pk, bob.pk]) in page
    assert reverse("sharing:list_revoke", args=[groceries.pk, bob.pk]) in page
    client.force_login(bob)
    page = client.get(reverse("sharing:list_sharing", args=[groceries.pk])).content.decode()
    assert "dora@example.com" not in page
    assert reverse("sharing:list_role", args=[groceries.pk, bob.pk]) not in page
    client.force_login(charlie)
    assert client.get(reverse("sharing:list_sharing", args=[groceries.pk])).status_code == 404


def test_someone_elses_invitation_is_404(client, alice, charlie, own_todo):
    request = services.invite(actor=alice, target=own_todo, email="dora@example.com")
    client.force_login(charlie)
    for name in ("resend", "withdraw_invitation"):
        assert client.post(reverse(f"sharing:{name}", args=[request.pk])).status_code == 404
    assert CollaborationRequest.objects.count() == 1


def test_the_owner_hands_a_todo_over_to_an_editor(
    client, alice, bob, charlie, groceries, django_capture_on_commit_callbacks, push_inbox
):
    todo = groceries.todos.get()
    share_with(todo, bob, role=Role.EDITOR)
    share_with(groceries, charlie, role=Role.VIEWER)  # sees it through the list only
    next_event = listen(push_inbox, charlie)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sharing:transfer", args=[todo.pk, bob.pk]), follow=True)
    assert messages_of(response) == ["“Buy milk” now belongs to Bob; you remain its Editor."]
    todo.refresh_from_db()
    assert (todo.owner, todo.todo_list) == (bob, TodoList.objects.inbox_for(bob.pk))
    assert list(Share.objects.filter(todo=todo).values_list("user_id", "role")) == [
        (alice.pk, "EDITOR")
    ]
    assert next_event()["type"] == "access_changed"
    assert not can(charlie, Action.VIEW, todo)


@pytest.mark.parametrize(
    ("role", "who", "message"),
    [
        (Role.COMMENTER, "bob", "Bob is not an Editor of this todo; make them one first."),
        (Role.EDITOR, "alice", "Choose an Editor of this todo to hand it over to."),
        (Role.EDITOR, "charlie", "Charlie is not an Editor of this todo; make them one first."),
    ],
)
def test_a_todo_is_handed_over_to_an_editor_only(
    client, alice, bob, charlie, own_todo, role, who, message
):
    share_with(own_todo, bob, role=role)
    user = {"alice": alice, "bob": bob, "charlie": charlie}[who]
    client.force_login(alice)
    response = client.post(reverse("sharing:transfer", args=[own_todo.pk, user.pk]), follow=True)
    assert messages_of(response) == [message]
    own_todo.refresh_from_db()
    assert own_todo.owner == alice


def test_only_the_owner_hands_a_todo_over(client, alice, bob, own_todo):
    share_with(own_todo, bob, role=Role.EDITOR)
    client.force_login(bob)
    response = client.post(reverse("sharing:transfer", args=[own_todo.pk, bob.pk]), follow=True)
    assert messages_of(response) == ["Only the owner can hand over this todo."]
    with pytest.raises(SharingError):
        services.transfer_todo(actor=bob, todo=own_todo, new_owner_id=bob.pk)
    own_todo.refresh_from_db()
    assert own_todo.owner == alice
