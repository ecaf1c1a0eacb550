"""The admin's changelists for todos and notes, with their searches and filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from todos.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_data(admin_client, todo, bob):
    Note.objects.create(todo=todo, author=bob, text="Proofread chapter 1")
    return admin_client


@pytest.mark.parametrize(
    ("url_name", "query", "expected"),
    [
        ("admin:todos_todo_changelist", {}, "Write the book"),
        ("admin:todos_todo_changelist", {"q": "alice"}, "Write the book"),
        ("admin:todos_todo_changelist", {"status__exact": "OPEN"}, "Write the book"),
        ("admin:todos_todo_changelist", {"priority__exact": "DEFAULT"}, "Write the book"),
        ("admin:todos_note_changelist", {}, "Proofread chapter 1"),
        ("admin:todos_note_changelist", {"q": "book"}, "Proofread chapter 1"),
    ],
)
def test_the_changelists_load_search_and_filter(admin_client_with_data, url_name, query, expected):
    response = admin_client_with_data.get(reverse(url_name), query)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_a_search_that_matches_nothing_shows_nothing(admin_client_with_data):
    response = admin_client_with_data.get(reverse("admin:todos_todo_changelist"), {"q": "zzz"})
    assert "Write the book" not in response.content.decode()


def test_the_todo_change_page_shows_its_notes(admin_client_with_data, todo):
    response = admin_client_with_data.get(reverse("admin:todos_todo_change", args=[todo.pk]))
    assert response.status_code == 200
    assert "Proofread chapter 1" in response.content.decode()


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client_for, alice):
    response = client_for(alice).get(reverse("admin:todos_todo_changelist"))
    assert response.status_code == 302
