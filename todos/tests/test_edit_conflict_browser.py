"""The conflict page in Debian's chromium: a stale save keeps what was typed, and saving
again applies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import make_user, tomorrow
from tests.sharing_support import share_with
from todos.models import Todo
from todos.services import update_todo
from todos.tests.test_browser import log_in, page  # noqa: F401 - the fixture, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_save_shows_both_versions_and_saving_again_applies_mine(
    cognito,
    live_server,
    page,  # noqa: F811
):
    log_in(page, live_server.url, "tom")
    todo = Todo.objects.create(owner=make_user("carol"), title="Plan the trip", due_date=tomorrow())
    tom = todo.owner.__class__.objects.get(username="tom")
    share_with(todo, tom)
    page.goto(f"{live_server.url}/todo/edit/{todo.pk}")
    page.fill("#id_title", "Plan the trip to Rome")
    page.fill("#id_description", "Flights first")

    # Carol saves while Tom is still typing
    update_todo(todo=Todo.objects.get(pk=todo.pk), actor=todo.owner, title="Plan the trip to Oslo")
    page.click("button:has-text('Save')")

    conflict = page.locator("#edit-conflict")
    expect(conflict).to_contain_text("Changed by Carol at")
    expect(conflict).to_contain_text("while you were editing")
    expect(conflict).to_contain_text("Plan the trip to Oslo")
    expect(page.locator("#id_title")).to_have_value("Plan the trip to Rome")
    expect(page.locator("#id_description")).to_have_value("Flights first")
    todo.refresh_from_db()
    assert todo.title == "Plan the trip to Oslo"

    page.click("button:has-text('Save my version')")
    expect(page.locator("h1.todo-title")).to_have_text("Plan the trip to Rome")
    todo.refresh_from_db()
    assert (todo.title, todo.description, todo.updated_by) == (
        "Plan the trip to Rome",
        "Flights first",
        tom,
    )
