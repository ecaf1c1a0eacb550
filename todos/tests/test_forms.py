"""Bad input on every todo form: the page says what is wrong, and nothing saved is lost."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import tomorrow
from todos.models import Note, Todo

pytestmark = pytest.mark.django_db


def valid(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Buy milk",
        "description": "Two litres",
        "priority": "DEFAULT",
        "due_date": tomorrow().isoformat(),
        "version": "1",  # what an edit form of a new todo carries
    }
    data.update(overrides)
    return data


YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
BAD_TODOS = [
    pytest.param({"title": ""}, "This field is required.", id="title-empty"),
    pytest.param({"title": "   "}, "This field is required.", id="title-whitespace"),
    pytest.param(
        {"title": "x" * 201},
        "Ensure this value has at most 200 characters (it has 201).",
        id="title-201-chars",
    ),
    pytest.param(
        {"description": "x" * 2001},
        "Ensure this value has at most 2000 characters (it has 2001).",
        id="description-2001-chars",
    ),
    pytest.param(
        {"priority": "URGENT"},
        "Select a valid choice. URGENT is not one of the available choices.",
        id="priority-not-a-choice",
    ),
    pytest.param({"due_date": "31.12.2030"}, "Enter a valid date.", id="due-date-malformed"),
    pytest.param({"due_date": "2030-02-30"}, "Enter a valid date.", id="due-date-impossible"),
    pytest.param({"due_date": YESTERDAY}, "The due date cannot be in the past.", id="yesterday"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_TODOS)
def test_adding_a_bad_todo_shows_why_and_keeps_what_was_typed(client_for, alice, bad, message):
    data = valid(**bad)
    response = client_for(alice).post(reverse("todos:add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "is-invalid" in page
    assert f"{data['description']}</textarea>" in page  # what was typed is still there
    assert f'value="{data["title"]}"' in page or not data["title"].strip()
    assert not Todo.objects.exists()


@pytest.mark.parametrize(("bad", "message"), BAD_TODOS)
def test_updating_with_bad_values_shows_why_and_changes_nothing(
    client_for, todo, bob, bad, message
):
    before = (todo.title, todo.description, todo.priority, todo.due_date)
    response = client_for(bob).post(reverse("todos:update", args=[todo.pk]), valid(**bad))
    assert response.status_code == 200
    assert message in response.content.decode()
    todo.refresh_from_db()
    assert (todo.title, todo.description, todo.priority, todo.due_date) == before


def test_the_title_is_saved_without_surrounding_spaces(client_for, alice):
    client_for(alice).post(reverse("todos:add"), valid(title="  Buy milk  "))
    assert Todo.objects.get().title == "Buy milk"


def test_exactly_200_and_2000_characters_are_allowed(client_for, alice):
    response = client_for(alice).post(
        reverse("todos:add"), valid(title="x" * 200, description="y" * 2000)
    )
    assert response.status_code == 302
    assert Todo.objects.filter(title="x" * 200, description="y" * 2000).exists()


def test_a_todo_needs_no_due_date(client_for, alice):
    response = client_for(alice).post(reverse("todos:add"), valid(title="Someday", due_date=""))
    assert response.status_code == 302
    assert Todo.objects.get(title="Someday").due_date is None


def test_today_is_a_valid_due_date(client_for, alice):
    response = client_for(alice).post(
        reverse("todos:add"), valid(due_date=timezone.localdate().isoformat())
    )
    assert response.status_code == 302


@pytest.fixture
def overdue_todo(todo: Todo) -> Todo:
    Todo.objects.filter(pk=todo.pk).update(due_date=YESTERDAY)
    todo.refresh_from_db()
    return todo


def test_an_overdue_todo_can_be_edited_without_changing_its_date(client_for, overdue_todo):
    response = client_for(overdue_todo.owner).post(
        reverse("todos:update", args=[overdue_todo.pk]),
        valid(title="Still late", due_date=YESTERDAY),
    )
    assert response.status_code == 302
    overdue_todo.refresh_from_db()
    assert overdue_todo.title == "Still late"
    assert overdue_todo.due_date.isoformat() == YESTERDAY


def test_an_overdue_todo_cannot_be_moved_to_another_past_date(client_for, overdue_todo):
    two_days_ago = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client_for(overdue_todo.owner).post(
        reverse("todos:update", args=[overdue_todo.pk]), valid(due_date=two_days_ago)
    )
    assert "The due date cannot be in the past." in response.content.decode()


def test_an_overdue_todo_can_still_be_completed(client_for, overdue_todo):
    client_for(overdue_todo.owner).post(
        reverse("todos:set_status", args=[overdue_todo.pk]), {"status": "DONE"}
    )
    overdue_todo.refresh_from_db()
    assert overdue_todo.status == "DONE"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "This field is required.", id="empty"),
        pytest.param("  \n ", "This field is required.", id="whitespace"),
        pytest.param(
            "x" * 501,
            "Ensure this value has at most 500 characters (it has 501).",
            id="too-long",
        ),
    ],
)
def test_a_bad_note_shows_why_and_saves_nothing(client_for, todo, bob, text, message):
    Note.objects.create(todo=todo, author=bob, text="An earlier note")
    response = client_for(bob).post(reverse("todos:note_add", args=[todo.pk]), {"text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "An earlier note" in page  # the page around the form is all there
    assert Note.objects.filter(todo=todo).count() == 1


def test_a_rejected_edit_keeps_the_saved_title_in_the_heading(client_for, todo):
    response = client_for(todo.owner).post(reverse("todos:update", args=[todo.pk]), valid(title=""))
    assert "Edit “Write the book”" in response.content.decode()
