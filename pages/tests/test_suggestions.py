"""The share dialog's suggestions: whom to invite, as the field is typed in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from sharing.models import CollaborationRequest
from tests.sharing_support import share_with
from todos.models import Todo

pytestmark = pytest.mark.django_db


def suggested(client, text: str) -> list[str]:
    response = client.get(reverse("pages:people_suggestions"), {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [person["username"] for person in response.json()["people"]]


def person(username: str, **fields) -> User:
    return User.objects.create_user(username=username, email=f"{username}@example.com", **fields)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("pages:people_suggestions"), {"q": "al"})
    assert response.status_code == 302


@pytest.mark.parametrize("text", ["", "a", " b ", "\x00"])
def test_fewer_than_two_characters_suggest_nobody(client_for, alice, bob, text):
    assert suggested(client_for(alice), text) == []


def test_matches_usernames_and_names_but_not_oneself_nor_inactive_users(client_for, alice):
    person("ann", display_name="Annie")
    person("zed", display_name="Hannah")
    person("gone_ann", is_active=False)
    person("alice2")
    assert suggested(client_for(alice), "an") == ["ann", "zed"]  # by name: Annie, Hannah
    assert "alice" not in suggested(client_for(alice), "alice")


def test_an_email_address_matches_only_in_full_and_is_never_shown(client_for, alice, bob):
    client = client_for(alice)
    assert suggested(client, "bob@example.com") == ["bob"]
    assert suggested(client, "example.com") == []
    response = client.get(reverse("pages:people_suggestions"), {"q": "bob"})
    assert "@example.com" not in response.content.decode()


def test_at_most_ten_people_worked_with_first(client_for, alice):
    for index in range(15):
        person(f"user{index:02}")
    partner = person("user99", display_name="Zz user")  # last by name
    invited = person("user98", display_name="Zy user")
    owner = person("user97", display_name="Zx user")
    share_with(Todo.objects.create(owner=alice, title="t"), partner)
    CollaborationRequest.objects.create(
        todo=Todo.objects.create(owner=alice, title="u"), collaborator=invited
    )
    share_with(Todo.objects.create(owner=owner, title="v"), alice)
    names = suggested(client_for(alice), "user")
    assert len(names) == 10
    assert names[:3] == ["user97", "user98", "user99"]


def test_markup_in_a_name_is_data_not_html(client_for, alice):
    person("mallory", display_name="<b>M</b>")
    response = client_for(alice).get(reverse("pages:people_suggestions"), {"q": "mal"})
    assert response.json()["people"] == [{"username": "mallory", "name": "<b>M</b>"}]
