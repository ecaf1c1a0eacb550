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


def suggested(page):
    """The usernames in the page's one list of people to invite, in order."""
    assert page.count("<datalist") == 1
    people = page[page.index('<datalist id="share-people">') :].split("</datalist>")[0]
    return re.findall(r'<option value="([^"]*)">', people)


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_every_own_todo_has_a_share_form_and_the_page_one_list_of_people(
    client, alice, bob, charlie, todo
):
    other = Todo.objects.create(owner=alice, title="Other", due_date=todo.due_date)
    for index in range(30):
        User.objects.create_user(username=f"user{index}", email=f"user{index}@example.com")
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    for own in (todo, other):
        assert f'action="{reverse("sharing:share", args=[own.pk])}"' in page
    assert set(suggested(page)) == set(
        User.objects.exclude(pk=alice.pk).values_list("username", flat=True)
    )
    assert page.count("<option ") == User.objects.count() - 1  # once per page, not per todo
    assert "pending: Charlie" in page


def test_a_collaborator_gets_no_share_menu(client, bob, todo):
    client.force_login(bob)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'class="d-inline-block share-menu' not in page
    assert "<datalist" not in page
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


def test_the_people_list_offers_active_users_by_name_escaped(client, alice, todo):
    for username, display_name in (("zed", "adam"), ("amy", "Zoe"), ("gone", "Ghost")):
        User.objects.create_user(
            username=username, email=f"{username}@example.com", display_name=display_name
        )
    User.objects.create_user(username="mallory", email="m@example.com", display_name="<b>M</b>")
    User.objects.filter(username="gone").update(is_active=False)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert suggested(page) == ["mallory", "zed", "bob", "amy"]  # by name: <b>M</b>, adam, Bob, Zoe
    assert '<option value="mallory">&lt;b&gt;M&lt;/b&gt;</option>' in page


def test_an_invitation_to_a_deactivated_user_still_shows_as_pending(client, alice, charlie, todo):
    CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert "pending: Charlie" in page
    assert "charlie" not in suggested(page)
