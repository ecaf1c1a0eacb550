"""In Chromium, against the real services (moto SQS/SES/Cognito, ActiveMQ): Alice shares a
list as Commenter with an address that has no account; the email leads to registration
through Cognito, login and confirmation; the new user sees the list's todo, comments and
completes it but cannot edit or delete it; Alice raises them to Editor and their open page
allows editing without a reload; Alice revokes and their open page stops updating; an
expired invitation is refused."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.models import User
from conftest import run_sharing_worker_until_it_emails
from notifications.tests.conftest import relaying_servers, session_cookie
from sharing import services
from sharing.models import CollaborationRequest
from sharing.services import issue_token
from todos.models import Note, Role, Share, Status, Todo, TodoList
from todos.services import add_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TEMPORARY_PASSWORD = "temporary-password"


def log_in_through_cognito(page: Page, username: str, password: str, new_password: str) -> None:
    page.click("#login-with-cognito")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin")
    page.fill("#new_password", new_password)  # Cognito's first login: choose a password
    page.locator("#new_password").press("Enter")


def test_a_list_shared_by_email_leads_through_registration_to_live_roles(
    cognito,
    live_server,
    sharing_queues,
    moto_server,
    activemq,
    django_db_blocker,
    settings,
    monkeypatch,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEBUG = True  # the local mailbox exists only in development
    settings.COGNITO_TEMPORARY_PASSWORD = TEMPORARY_PASSWORD
    alice = User.objects.create_user(
        username=f"alice{uuid.uuid4().hex[:6]}", email="alice@example.com", display_name="Alice"
    )
    groceries = TodoList.objects.create(owner=alice, name="Groceries")
    milk = Todo.objects.create(owner=alice, todo_list=groceries, title="Buy milk")
    newcomer = f"new{uuid.uuid4().hex[:8]}"
    address = f"{newcomer}@example.com"
    ARTIFACTS.mkdir(exist_ok=True)

    with (
        relaying_servers(activemq, django_db_blocker) as (alices_server, newcomers_server),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            run_flow(
                browser,
                live_server.url,
                alice,
                groceries,
                milk,
                newcomer,
                address,
                f"http://localhost:{alices_server.port}",
                f"http://localhost:{newcomers_server.port}",
            )
        finally:
            browser.close()
            connections.close_all()


def signed_in_page(browser: Browser, user: User) -> Page:
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(user), "domain": "localhost", "path": "/"}]
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove …? They lose access at once."
    return page


def run_flow(
    browser: Browser,
    app_url: str,
    alice: User,
    groceries: TodoList,
    milk: Todo,
    newcomer: str,
    address: str,
    alices_url: str,
    newcomers_url: str,
) -> None:
    # Alice shares the list as Commenter with an address nobody has an account for.
    alices = signed_in_page(browser, alice)
    alices.goto(f"{app_url}/lists/{groceries.pk}/sharing")
    alices.fill("#list-share-collaborator", address)
    alices.select_option("#list-share-role", "COMMENTER")
    alices.click("#list-share-form button[type=submit]")
    expect(alices.locator("main")).to_contain_text(f"Invitation to {address} is on its way")
    expect(alices.locator("#invitations")).to_contain_text(f"{address} as Commenter: pending")

    run_sharing_worker_until_it_emails()
    request = CollaborationRequest.objects.get(todo_list=groceries)
    assert (request.collaborator, request.email, request.emailed_at is not None) == (
        None,
        address,
        True,
    )

    # The email, from the local mailbox: it invites them to register.
    context = browser.new_context()
    context.set_default_timeout(15_000)
    newcomers = context.new_page()
    newcomers.goto(f"{app_url}/dev/mailbox")
    email = newcomers.locator(f'article.mailbox-email[data-recipients="{address}"]')
    expect(email).to_contain_text("A list was shared with you")
    expect(email).to_contain_text("You have no account yet")
    email.locator("a.mailbox-link").first.click()
    expect(newcomers.locator("#invitation-title")).to_have_text("Groceries")
    newcomers.click("#invitation-register")
    expect(newcomers.locator("#id_email")).to_have_value(address)
    newcomers.fill("#id_username", newcomer)
    newcomers.click("#invited-registration button[type=submit]")
    expect(newcomers.locator("#registered")).to_contain_text(address)
    newcomers.click("#registered-login")
    log_in_through_cognito(newcomers, newcomer, TEMPORARY_PASSWORD, "my-own-password")
    # Back on the invitation: confirm it.
    expect(newcomers.locator("#invitation-role")).to_have_text("Commenter")
    newcomers.screenshot(path=str(ARTIFACTS / "invitation-confirm.png"), full_page=True)
    newcomers.click("#confirm-button")
    expect(newcomers.locator("main")).to_contain_text("You now collaborate on “Groceries”")
    user = User.objects.get(username=newcomer)
    assert Share.objects.get(user=user, todo_list=groceries).role == Role.COMMENTER

    # As Commenter, on a page of the other web process: sees, comments and completes.
    newcomers.goto(f"{newcomers_url}/todo/show/{milk.pk}")
    expect(newcomers.locator("body")).to_have_attribute("data-push", "connected")
    expect(newcomers.locator("#todo-people")).to_contain_text("you are Commenter")
    expect(newcomers.get_by_role("link", name="Edit")).to_have_count(0)
    expect(newcomers.get_by_role("button", name="Delete")).to_have_count(0)
    expect(newcomers.locator("#attachments form")).to_have_count(0)
    newcomers.fill("#note-form textarea", "Oat milk, please")
    newcomers.click("#note-form button[type=submit]")
    expect(newcomers.locator("#notes-panel")).to_contain_text("Oat milk, please")
    newcomers.click("#status-button")
    expect(newcomers.locator("#todo-status")).to_have_text("Done")
    milk.refresh_from_db()
    assert milk.status == Status.DONE
    assert Note.objects.filter(todo=milk, author=user).count() == 1

    # Alice raises them to Editor: their open page offers editing without a reload.
    newcomers.evaluate("window.notReloaded = true")
    alices.goto(f"{alices_url}/lists/{groceries.pk}/sharing")
    person = alices.locator(f'#collaborators li[data-user-id="{user.pk}"]')
    person.locator("select[name=role]").select_option("EDITOR")
    person.get_by_role("button", name="Change").click()
    expect(alices.locator("main")).to_contain_text("is now Editor")
    expect(newcomers.get_by_role("link", name="Edit")).to_have_count(1)
    expect(newcomers.locator("#attachments form")).to_have_count(1)
    expect(newcomers.locator("#todo-people")).to_contain_text("you are Editor")
    assert newcomers.evaluate("window.notReloaded") is True
    newcomers.screenshot(path=str(ARTIFACTS / "invitation-editor.png"), full_page=True)

    # Alice revokes: their open page says so and stops updating; the next click is a 404.
    person = alices.locator(f'#collaborators li[data-user-id="{user.pk}"]')
    person.get_by_role("button", name="Remove").click()
    expect(alices.locator("main")).to_contain_text("no longer has access")
    expect(newcomers.locator("#todo-gone")).to_be_visible()
    expect(newcomers.locator("#todo-gone")).to_contain_text("no longer shared with you")
    add_note(todo=milk, author=alice, text="Whole milk after all")  # pushed to who can see it
    newcomers.wait_for_timeout(1000)
    expect(newcomers.locator("#notes-panel")).not_to_contain_text("Whole milk after all")
    newcomers.get_by_role("link", name="Edit").click()
    expect(newcomers.locator("main")).to_contain_text("not (or no longer) shared with you")
    assert not Share.objects.filter(user=user).exists()

    # An expired invitation is refused, and changes nothing.
    late = services.invite(actor=alice, target=groceries, email="late@example.com", role="VIEWER")
    token = issue_token(late)
    CollaborationRequest.objects.filter(pk=late.pk).update(
        created=timezone.now() - datetime.timedelta(days=30)
    )
    stranger = browser.new_context().new_page()
    stranger.goto(f"{app_url}/invitations/{late.pk}?token={token}")
    expect(stranger.locator("#invitation-problem")).to_contain_text("This invitation has expired")
    alices.goto(f"{app_url}/lists/{groceries.pk}/sharing")
    expect(alices.locator("#invitations")).to_contain_text("late@example.com as Viewer: expired")
    expect(alices.locator("#invitations")).to_contain_text(f"{newcomer} as Commenter: accepted")
