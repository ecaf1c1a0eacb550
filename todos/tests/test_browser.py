"""A person in Debian's chromium: log in through the stand-in, and a todo's whole life."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import User
from deploy.local.aws_resources import SEED_PASSWORD
from tests.browser import CspWatch
from tests.sharing_support import share_with
from todos.models import Note, Status, Todo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        csp = CspWatch(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        violations = csp.violations(page)
        browser.close()
    assert violations == [], "Content-Security-Policy violations"


def log_in(page: Page, app_url: str, username: str) -> None:
    page.goto(f"{app_url}/login")
    page.click("#login-with-cognito")
    page.fill("#username", username)
    page.fill("#password", SEED_PASSWORD)
    page.click("#signin")
    expect(page).to_have_url(f"{app_url}/dashboard")


def test_a_todo_from_creation_to_deletion(cognito, live_server, page):
    log_in(page, live_server.url, "tom")
    expect(page.get_by_test_id("current-user")).to_have_text("Tom")
    tom = User.objects.get(username="tom")
    due = timezone.localdate() + datetime.timedelta(days=3)

    # Add
    page.click("main >> text=New todo")
    page.fill("#id_title", "Water the plants")
    page.fill("#id_description", "The big ones in the hall")
    page.select_option("#id_priority", "HIGH")
    page.fill("#id_due_date", due.isoformat())
    page.click("button:has-text('Create')")
    expect(page.locator(".alert-success")).to_contain_text("Todo “Water the plants” was created.")
    todo = Todo.objects.get(owner=tom)
    expect(page.locator(f"#todo-{todo.pk}")).to_contain_text("Water the plants")

    # Edit
    page.locator(f"#todo-{todo.pk}").get_by_role("button", name="Actions").click()
    page.locator(f"#todo-{todo.pk}").get_by_role("link", name="Edit").click()
    page.fill("#id_title", "Water all plants")
    page.click("button:has-text('Save')")
    expect(page.locator("h1.todo-title")).to_have_text("Water all plants")
    todo.refresh_from_db()
    assert (todo.title, todo.priority, todo.due_date) == ("Water all plants", "HIGH", due)

    # Note
    page.fill("#id_text", "Use the rain water")
    page.click("button:has-text('Add note')")
    expect(page.locator("#notes")).to_contain_text("Use the rain water")
    assert Note.objects.get(todo=todo).author == tom

    # Done
    page.click("button:has-text('Mark as done')")
    expect(page.locator("#todo-status")).to_have_text("Done")
    todo.refresh_from_db()
    assert todo.status == Status.DONE

    # The dashboard, with a few more todos (one shared by Duke) to look at.
    duke = User.objects.create_user(
        username="duke", email="duke@stratospheric.dev", display_name="Duke"
    )
    today = timezone.localdate()
    Todo.objects.create(owner=tom, title="Book the flights", priority="LOW", due_date=today)
    Todo.objects.create(
        owner=tom, title="File the taxes", due_date=today + datetime.timedelta(days=10)
    )
    shared = Todo.objects.create(
        owner=duke, title="Review chapter 4", priority="HIGH", due_date=today
    )
    share_with(shared, tom)
    page.goto(f"{live_server.url}/dashboard")
    expect(page.locator(f"#todo-{shared.pk}")).to_contain_text("shared by Duke")
    expect(page.locator(f"#todo-{todo.pk}")).to_have_class("todo-done")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # Reopened from the dashboard's row menu, in place: the filters stay as they are
    page.evaluate("window.notReloaded = true")
    page.locator(f"#todo-{todo.pk}").get_by_role("button", name="Actions").click()
    page.locator(f"#todo-{todo.pk}").get_by_role("button", name="Reopen").click()
    expect(page.locator(f"#todo-{todo.pk}")).not_to_have_class("todo-done")
    assert page.evaluate("window.notReloaded") is True
    todo.refresh_from_db()
    assert todo.status == Status.OPEN

    # Delete, accepting the confirm dialog
    page.click(f"#todo-{todo.pk} >> a.todo-title")
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("button:has-text('Delete')")
    expect(page.locator(".alert-success")).to_contain_text("Todo “Water all plants” was deleted.")
    assert dialogs == ["Delete this todo and its notes? This cannot be undone."]
    assert not Todo.objects.filter(pk=todo.pk).exists()
    expect(page).to_have_url(f"{live_server.url}/dashboard")


def test_dismissing_the_confirm_dialog_keeps_the_todo(cognito, live_server, page):
    log_in(page, live_server.url, "bjoern")
    bjoern = User.objects.get(username="bjoern")
    todo = Todo.objects.create(owner=bjoern, title="Keep me", due_date=timezone.localdate())
    page.goto(f"{live_server.url}/todo/show/{todo.pk}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Delete')")
    page.wait_for_timeout(500)
    expect(page.locator("h1.todo-title")).to_have_text("Keep me")
    assert Todo.objects.filter(pk=todo.pk).exists()
