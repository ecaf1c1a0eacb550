"""In Chromium: an open todo page refreshes for every change, shows a toast only for the
kinds its reader chose toasts for, and loads the todo's history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect, sync_playwright

from notices.tests.helpers import choose, make_user
from notifications.tests.conftest import session_cookie
from tests.sharing_support import share_with
from todos.models import Todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def open_page(browser: Browser, user, url: str):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(user), "domain": "localhost", "path": "/"}]
    )
    page = context.new_page()
    page.goto(url)
    return page


def test_notes_refresh_quietly_and_completion_toasts_as_chosen(browser, push_servers):
    toms_server, dukes_server = push_servers
    try:
        tom, duke = make_user("tom"), make_user("duke")
        todo = Todo.objects.create(owner=tom, title="Plan <the> trip")
        share_with(todo, duke)
        choose(tom, commented="off", completed="toast")
        toms = open_page(browser, tom, f"http://localhost:{toms_server.port}/todo/show/{todo.pk}")
        expect(toms.locator("body")).to_have_attribute("data-push", "connected")
        expect(toms.locator("#history")).to_contain_text("Shared it with Duke as Editor")
        dukes = open_page(
            browser, duke, f"http://localhost:{dukes_server.port}/todo/show/{todo.pk}"
        )

        dukes.fill("#id_text", "Booked the train")
        dukes.get_by_role("button", name="Add note").click()
        expect(toms.locator("#notes")).to_contain_text("Booked the train")
        expect(toms.locator("#history .history-entry").first).to_contain_text(
            "Duke added a note: “Booked the train”"
        )
        expect(toms.locator("#toasts .toast")).to_have_count(0)

        dukes.get_by_role("button", name="Mark as done").click()
        expect(toms.locator("#toasts .toast-body").last).to_have_text(
            "Duke completed “Plan <the> trip”."
        )
        expect(toms.locator("#history .history-entry").first).to_contain_text("Duke marked it done")
        expect(toms.locator("#toasts .toast")).to_have_count(1)
    finally:
        connection.close()
