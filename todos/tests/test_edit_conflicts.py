"""Edits never vanish: a save made on an older version of a todo is a conflict page, never a
silent overwrite, whatever the timing (two requests at once against PostgreSQL)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import tomorrow
from tests.sharing_support import share_with
from todos.models import Status, Todo


def edit_form(client: Client, todo: Todo) -> dict[str, str]:
    """What the edit page's form would send unchanged: its fields and the hidden version."""
    page = client.get(reverse("todos:edit", args=[todo.pk])).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, "the edit form carries no version"
    todo.refresh_from_db()
    return {
        "title": todo.title,
        "description": todo.description,
        "priority": todo.priority,
        "due_date": todo.due_date.isoformat() if todo.due_date else "",
        "version": version.group(1),
    }


def save(client: Client, todo: Todo, form: dict[str, str]) -> Any:
    return client.post(reverse("todos:update", args=[todo.pk]), form)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on threads of their own, released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:  # handed to the test, which fails on it
            results[index] = error
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_a_stale_save_comes_back_as_a_conflict_naming_who_changed_it_and_when(todo, alice, bob):
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    bobs_form = edit_form(bob_client, todo)
    alices_form = edit_form(alice_client, todo)

    alices_form.update(title="Alice's title", priority="HIGH")
    assert save(alice_client, todo, alices_form).status_code == 302
    bobs_form.update(title="Bob's title", description="Bob's careful words")
    response = save(bob_client, todo, bobs_form)

    assert response.status_code == 409
    page = response.content.decode()
    todo.refresh_from_db()
    at = timezone.localtime(todo.updated).strftime("%H:%M")
    assert f"Changed by Alice at {at} while you were editing" in page
    # Alice's change stays; her values are shown beside Bob's
    assert (todo.title, todo.priority, todo.description) == ("Alice's title", "HIGH", "Chapter 1")
    assert todo.updated_by == alice
    assert "Alice&#x27;s title" in page and "High" in page
    # nothing Bob typed is lost: it fills the form, which now carries the current version
    assert 'value="Bob&#x27;s title"' in page
    assert "Bob&#x27;s careful words</textarea>" in page
    assert f'name="version" value="{todo.version}"' in page


def test_saving_again_from_the_conflict_page_applies_your_values(todo, alice, bob):
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    bobs_form = edit_form(bob_client, todo)
    alices_form = edit_form(alice_client, todo)
    assert save(alice_client, todo, {**alices_form, "title": "Alice's"}).status_code == 302
    conflict = save(bob_client, todo, {**bobs_form, "title": "Bob's"})
    assert conflict.status_code == 409
    version = re.search(r'name="version" value="(\d+)"', conflict.content.decode())
    assert version

    response = save(bob_client, todo, {**bobs_form, "title": "Bob's", "version": version[1]})

    assert response.status_code == 302
    todo.refresh_from_db()
    assert (todo.title, todo.version, todo.updated_by) == ("Bob's", 3, bob)


def test_a_double_clicked_save_is_not_a_conflict_with_yourself(todo, alice):
    client = signed_in(alice)
    form = {**edit_form(client, todo), "title": "Once"}
    assert save(client, todo, form).status_code == 302
    response = save(client, todo, form)  # the same form again, from the old version
    assert response.status_code == 302
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Once", 2)


def test_two_people_making_the_same_change_is_not_a_conflict(todo, alice, bob):
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    alices = {**edit_form(alice_client, todo), "priority": "HIGH"}
    bobs = {**edit_form(bob_client, todo), "priority": "HIGH"}
    assert save(alice_client, todo, alices).status_code == 302
    assert save(bob_client, todo, bobs).status_code == 302
    todo.refresh_from_db()
    assert (todo.priority, todo.version, todo.updated_by) == ("HIGH", 2, alice)


def test_every_save_raises_the_version_and_records_who_saved(todo, alice, bob):
    client = signed_in(bob)
    assert save(client, todo, {**edit_form(client, todo), "title": "One"}).status_code == 302
    assert save(client, todo, {**edit_form(client, todo), "title": "Two"}).status_code == 302
    todo.refresh_from_db()
    assert (todo.title, todo.version, todo.updated_by) == ("Two", 3, bob)


@pytest.mark.parametrize("version", ["", "abc", "0"])
def test_a_save_without_a_good_version_is_refused_with_a_reason(todo, alice, version):
    client = signed_in(alice)
    response = save(client, todo, {**edit_form(client, todo), "title": "X", "version": version})
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Write the book", 1)


def test_pressing_done_and_reopen_does_not_turn_an_open_edit_into_a_spurious_conflict(
    todo, alice, bob
):
    bob_client = signed_in(bob)
    form = edit_form(bob_client, todo)
    status_url = reverse("todos:set_status", args=[todo.pk])
    # Reopen on an open todo, then Done twice: only the first Done changes anything
    for status in ("OPEN", "DONE", "DONE"):
        assert signed_in(alice).post(status_url, {"status": status}).status_code == 302
    todo.refresh_from_db()
    assert (todo.status, todo.version, todo.updated_by) == (Status.DONE, 2, alice)
    # the Done is a change Bob has not seen: a conflict, showing the values side by side
    response = save(bob_client, todo, {**form, "title": "Bob's"})
    assert response.status_code == 409


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_give_one_conflict_page_and_lose_no_value(alice, bob):
    todo = Todo.objects.create(owner=alice, title="Start", due_date=tomorrow())
    share_with(todo, bob)
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    for round_ in range(10):
        alices = {**edit_form(alice_client, todo), "title": f"Alice {round_}"}
        bobs = {**edit_form(bob_client, todo), "title": f"Bob {round_}"}

        answers = at_once(
            lambda alices=alices: save(alice_client, todo, alices),
            lambda bobs=bobs: save(bob_client, todo, bobs),
        )

        codes = sorted(answer.status_code for answer in answers)
        assert codes == [302, 409], f"round {round_}: {codes}"
        winner, loser = (alices, bobs) if answers[0].status_code == 302 else (bobs, alices)
        todo.refresh_from_db()
        assert todo.title == winner["title"]  # the saved value is the one that was confirmed
        conflict = next(answer for answer in answers if answer.status_code == 409)
        assert f'value="{loser["title"]}"' in conflict.content.decode()  # the other one kept


@pytest.mark.django_db(transaction=True)
def test_done_pressed_twice_at_once_leaves_the_todo_done(alice, bob):
    todo = Todo.objects.create(owner=alice, title="Start", due_date=tomorrow())
    share_with(todo, bob)
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    url = reverse("todos:set_status", args=[todo.pk])
    for round_ in range(10):
        Todo.objects.filter(pk=todo.pk).update(status=Status.OPEN)
        todo.refresh_from_db()
        before = todo.version

        answers = at_once(
            lambda: alice_client.post(url, {"status": "DONE"}),
            lambda: bob_client.post(url, {"status": "DONE"}),
        )

        assert [answer.status_code for answer in answers] == [302, 302]
        todo.refresh_from_db()
        assert todo.status == Status.DONE, f"round {round_}"
        assert todo.version == before + 1  # one of the two changed it, the other nothing
