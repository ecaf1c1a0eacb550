"""Two people in two browsers: what one does shows up on the other's open dashboard as a
toast, and the row changes, without a reload: a collaborator's edit, and a confirmed share."""

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.models import User
from conftest import run_sharing_worker_until_it_emails
from sharing.models import CollaborationRequest
from tests.sharing_support import share_with
from todos.models import Todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test itself are still made synchronously between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def log_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/login")
    page.click("#login-with-cognito")
    page.fill("#username", username)
    page.fill("#password", "stratospheric")
    page.click("#signin")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    return page


def test_a_collaborators_edit_shows_a_toast_on_the_owners_open_dashboard(
    push_servers, cognito, live_server, activemq, settings, browser
):
    # push_servers first: it sets up the test database before the live server starts, so
    # the live server's connection is gone by the time the database is dropped.
    # Tom works on the live server (this process), Duke watches on another web process:
    # the event crosses ActiveMQ. A browser's cookies belong to a host, whatever the port, so
    # the logins on the live server hold on the other server too.
    settings.ACTIVEMQ_URL = activemq
    asgi_server, _ = push_servers
    try:
        watch_a_collaborators_edit_arrive(browser, live_server.url, asgi_server)
    finally:
        # ORM calls made while Playwright runs get a connection of their own (another
        # context); close it, or the test database cannot be dropped after the session.
        connection.close()


def watch_a_collaborators_edit_arrive(browser: Browser, live_url: str, asgi_server) -> None:
    dukes_page = log_in(browser, live_url, "duke")
    toms_page = log_in(browser, live_url, "tom")
    duke, tom = User.objects.get(username="duke"), User.objects.get(username="tom")
    todo = Todo.objects.create(
        owner=duke, title="Ship it", due_date=timezone.localdate() + datetime.timedelta(days=2)
    )
    share_with(todo, tom)

    # The live server calls itself localhost; so must the other server, for the cookie.
    dukes_page.goto(f"http://localhost:{asgi_server.port}/dashboard")
    expect(dukes_page.locator("body")).to_have_attribute("data-push", "connected")
    dukes_page.evaluate("window.notReloaded = true")

    toms_page.goto(f"{live_url}/todo/edit/{todo.pk}")
    toms_page.fill("#id_title", "Ship it <b>now</b>")
    toms_page.get_by_role("button", name="Save").click()

    toast = dukes_page.locator("#toasts .toast")
    expect(toast).to_be_visible(timeout=10_000)
    expect(toast.locator(".toast-body")).to_have_text("Tom updated “Ship it <b>now</b>”.")
    expect(dukes_page.locator(f"#todo-{todo.pk} .todo-title")).to_have_text("Ship it <b>now</b>")
    assert dukes_page.locator("#toasts b").count() == 0  # shown as text, never as markup
    assert dukes_page.evaluate("window.notReloaded") is True
    ARTIFACTS.mkdir(exist_ok=True)
    dukes_page.screenshot(path=str(ARTIFACTS / "push-toast-on-dashboard.png"), full_page=True)
    assert os.path.getsize(ARTIFACTS / "push-toast-on-dashboard.png") > 0


def test_duke_confirms_toms_share_and_toms_open_dashboard_shows_it(
    sharing_push_servers, cognito, live_server, emails, browser
):
    # Both sides on app servers of their own (uvicorn, relaying through ActiveMQ): Tom shares
    # and watches on one, Duke confirms on the other. Only the logins go through the live
    # server, where the Cognito stand-in sends them back.
    toms_server, dukes_server = sharing_push_servers
    try:
        watch_a_share_get_confirmed(browser, live_server.url, toms_server, dukes_server, emails)
    finally:
        connection.close()


def watch_a_share_get_confirmed(browser, live_url, toms_server, dukes_server, emails) -> None:
    toms_page = log_in(browser, live_url, "tom")
    dukes_page = log_in(browser, live_url, "duke")
    tom, duke = User.objects.get(username="tom"), User.objects.get(username="duke")
    title = "Launch <b>x</b>"  # markup in the title must stay text in the toast
    todo = Todo.objects.create(
        owner=tom, title=title, due_date=timezone.localdate() + datetime.timedelta(days=3)
    )

    toms_page.goto(f"http://localhost:{toms_server.port}/dashboard")
    row = toms_page.locator(f"#todo-{todo.pk}")
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Share…").click()
    dialog = toms_page.locator("#share-dialog")
    expect(dialog.locator('input[name="collaborator"]')).to_be_focused()
    dialog.locator('input[name="collaborator"]').fill("duke")
    dialog.get_by_role("button", name="Invite").click()
    expect(toms_page.locator("main")).to_contain_text("Invitation to duke is on its way")
    expect(toms_page.locator(f"#todo-{todo.pk}")).to_contain_text("pending: Duke")
    expect(toms_page.locator("body")).to_have_attribute("data-push", "connected")
    toms_page.evaluate("window.notReloaded = true")

    assert CollaborationRequest.objects.filter(todo=todo, collaborator=duke).exists()
    run_sharing_worker_until_it_emails()
    confirm_path = f"/todo/{todo.pk}/collaborations/{duke.pk}/confirm"
    [invitation] = emails(confirm_path)
    assert invitation.recipients == ["duke@stratospheric.dev"]
    link = next(link for link in invitation.links if confirm_path in link)
    path = urlsplit(link)._replace(scheme="", netloc="").geturl()

    dukes_page.goto(f"http://localhost:{dukes_server.port}{path}")
    expect(dukes_page.locator("#invitation-title")).to_have_text(title)
    dukes_page.click("#confirm-button")
    expect(dukes_page.locator("main")).to_contain_text("You now collaborate on")

    toast = toms_page.locator('#toasts .toast[data-event-type="collaboration_confirmed"]')
    expect(toast).to_be_visible(timeout=10_000)
    assert toast.locator(".toast-body").evaluate("body => body.textContent") == (
        f"Duke now collaborates on “{title}” as Editor."
    )
    assert toast.locator(".toast-header strong").evaluate("title => title.textContent") == title
    assert toms_page.locator("#toasts b").count() == 0  # shown as text, never as markup
    row = toms_page.locator(f"#todo-{todo.pk}")
    expect(row.locator(".pending-request")).to_have_count(0)  # the row was refreshed
    expect(row.locator(".todo-title")).to_have_text(title)
    assert toms_page.evaluate("window.notReloaded") is True
    ARTIFACTS.mkdir(exist_ok=True)
    toms_page.screenshot(path=str(ARTIFACTS / "push-confirm-toast.png"), full_page=True)
    assert os.path.getsize(ARTIFACTS / "push-confirm-toast.png") > 0
