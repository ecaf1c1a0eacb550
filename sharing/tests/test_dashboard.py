"""The sharing parts of the dashboard: the share menu and pending invitations."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sharing.models import CollaborationRequest
from todos.models import Todo


def make_todos(owner, count, *, collaborator, invitee):
    due = timezone.localdate() + datetime.timedelta(days=3)
    for index in range(count):
        todo = Todo.objects.create(owner=owner, title=f"Todo {index}", due_date=due)
        todo.collaborators.add(collaborator)
        CollaborationRequest.objects.create(todo=todo, collaborator=invitee)


def share_action(todo, user):
    return f'formaction="{reverse("sharing:share", args=[todo.pk, user.pk])}"'


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_the_share_menu_lists_only_people_who_can_still_be_invited(
    client, alice, bob, charlie, todo
):
    dave = User.objects.create_user(username="dave", email="dave@example.com", display_name="Dave")
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert share_action(todo, dave) in page
    for taken in (alice, bob, charlie):  # owner, collaborator, already invited
        assert share_action(todo, taken) not in page
    assert "pending: Charlie" in page


def test_a_collaborator_gets_no_share_menu(client, bob, todo):
    client.force_login(bob)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'class="d-inline-block share-menu' not in page
    assert "shared by Alice" in page


def test_the_dashboard_makes_the_same_number_of_queries_for_1_and_for_8_todos(
    client, alice, bob, charlie
):
    make_todos(alice, 1, collaborator=bob, invitee=charlie)
    make_todos(bob, 1, collaborator=alice, invitee=charlie)  # shared with alice
    client.force_login(alice)
    few = dashboard_queries(client)

    make_todos(alice, 7, collaborator=bob, invitee=charlie)
    make_todos(bob, 7, collaborator=alice, invitee=charlie)
    assert dashboard_queries(client) == few


def test_the_share_menu_offers_active_users_by_name(client, alice, bob, todo):
    todo.collaborators.clear()
    for username, display_name in (("zed", "adam"), ("amy", "Zoe"), ("gone", "Ghost")):
        User.objects.create_user(
            username=username, email=f"{username}@example.com", display_name=display_name
        )
    User.objects.filter(username="gone").update(is_active=False)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    menu = page[page.index(f'data-todo-id="{todo.pk}"><summary') :].split("</details>")[0]
    offered = re.findall(r'data-user-id="\d+">([^<]*)</button>', menu)
    assert offered == sorted(offered, key=str.casefold)
    assert {"adam", "Bob", "Zoe"} <= set(offered)
    assert "Ghost" not in offered


def test_an_invitation_to_a_deactivated_user_still_shows_as_pending(client, alice, charlie, todo):
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert "pending: Charlie" in page
    assert share_action(todo, charlie) not in page
