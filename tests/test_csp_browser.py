"""Finding 5 in Chromium: under the strict CSP every page works and reports no violation,
and the confirm dialogs (now from static JS and data-confirm) still ask."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from accounts.models import User
from deploy.local.aws_resources import SEED_PASSWORD
from tests.browser import CspWatch
from todos.models import Todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def test_the_pages_of_a_session_report_no_csp_violation(cognito, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        watch = CspWatch(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        url = live_server.url
        for path in ("/", "/register", "/login"):
            page.goto(f"{url}{path}")
            assert watch.violations(page) == [], path

        page.click("#login-with-cognito")
        page.fill("#username", "philip")
        page.fill("#password", SEED_PASSWORD)
        page.click("#signin")
        expect(page).to_have_url(f"{url}/dashboard")
        assert watch.violations(page) == []

        philip = User.objects.get(username="philip")
        todo = Todo.objects.create(owner=philip, title="Ask me", due_date=timezone.localdate())
        for path in ("/dashboard", f"/todo/show/{todo.pk}", "/todo/add", "/activity"):
            page.goto(f"{url}{path}")
            page.wait_for_load_state("networkidle")
            assert watch.violations(page) == [], path

        # The delete button asks first; dismissed, nothing happens.
        page.goto(f"{url}/todo/show/{todo.pk}")
        questions: list[str] = []

        def dismiss(dialog):
            questions.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.click("button:has-text('Delete')")
        page.wait_for_timeout(300)
        assert questions == ["Delete this todo and its notes? This cannot be undone."]
        assert Todo.objects.filter(pk=todo.pk).exists()
        assert watch.violations(page) == []
        browser.close()
