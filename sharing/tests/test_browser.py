"""In Chromium: Tom shares a todo with Duke, the worker emails it, Duke opens the link from
the local mailbox, logs in through the Cognito stand-in and confirms."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import User
from conftest import run_sharing_worker_until_it_emails
from deploy.local.aws_resources import SEED_PASSWORD
from sharing.models import CollaborationRequest
from tests.sharing_support import shared_with
from todos.models import Todo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def log_in(page: Page, username: str) -> None:
    """From the app's login page through the Cognito hosted-UI stand-in and back."""
    page.click("#login-with-cognito")
    page.fill("#username", username)
    page.fill("#password", SEED_PASSWORD)
    page.click("#signin")


@pytest.mark.browser
def test_tom_shares_a_todo_and_duke_confirms_it_from_the_local_mailbox(
    cognito, live_server, sharing_queues, settings, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEBUG = True  # the local mailbox exists only in development
    call_command("seed_local_users", "duke", "tom")
    tom, duke = User.objects.get(username="tom"), User.objects.get(username="duke")
    todo = Todo.objects.create(
        owner=tom,
        title="Write chapter 7",
        description="Sharing todos",
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            toms = browser.new_context().new_page()
            toms.goto(f"{live_server.url}/dashboard")
            log_in(toms, "tom")
            expect(toms.locator("#todo-table")).to_contain_text("Write chapter 7")
            row = toms.locator(f"#todo-{todo.pk}")
            row.get_by_role("button", name="Actions").click()
            row.get_by_role("button", name="Share…").click()
            share_menu = toms.locator("#share-dialog")
            field = share_menu.locator('input[name="collaborator"]')
            expect(field).to_be_focused()  # the dialog is open and ready
            field.press_sequentially("du")  # suggestions as you type
            expect(toms.locator('#share-suggestions option[value="duke"]')).to_have_count(1)
            field.fill("duke")
            toms.screenshot(path=str(ARTIFACTS / "share-menu.png"))
            share_menu.get_by_role("button", name="Invite").click()
            expect(toms.locator("main")).to_contain_text("Invitation to duke is on its way")
            expect(toms.locator(f"#todo-{todo.pk}")).to_contain_text("pending: Duke")

            run_sharing_worker_until_it_emails()
            assert CollaborationRequest.objects.get(todo=todo).emailed_at is not None

            dukes = browser.new_context().new_page()
            dukes.goto(f"{live_server.url}/dev/mailbox")
            # moto's SES keeps every email of the session: other tests invite Duke too.
            invitation = dukes.locator(
                'article.mailbox-email[data-recipients="duke@stratospheric.dev"]'
            ).filter(has_text="Write chapter 7")
            expect(invitation).to_contain_text("A todo was shared with you")
            invitation.locator("a.mailbox-link").first.click()
            log_in(dukes, "duke")
            expect(dukes.locator("#invitation-title")).to_have_text("Write chapter 7")
            dukes.click("#confirm-button")

            expect(dukes.locator("main")).to_contain_text("You now collaborate on")
            expect(dukes.locator("#collaborators")).to_contain_text("Duke")
            dukes.screenshot(path=str(ARTIFACTS / "sharing-confirmed.png"), full_page=True)
            dukes.goto(f"{live_server.url}/dashboard")
            expect(dukes.locator(f"#todo-{todo.pk}")).to_contain_text("shared by Tom")
        finally:
            browser.close()
            # Queries inside the Playwright block ran on a connection of their own (Django's
            # connections are per context, and Playwright switches context); close it.
            connections.close_all()

    assert shared_with(todo, duke)
    # Kept, accepted: the owner's panel lists it with the others.
    assert CollaborationRequest.objects.get(todo=todo).accepted_at is not None
