"""The attachments panel in Debian's chromium: a rejected upload keeps a half-typed note."""

import pytest
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from conftest import make_user, tomorrow
from todos.models import Attachment, Todo

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rejected_upload_says_why_and_keeps_the_note_being_typed(
    live_server, s3_bucket, monkeypatch, tmp_path
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    alice = make_user("alice")
    todo = Todo.objects.create(owner=alice, title="Browser todo", due_date=tomorrow())
    session = Client()
    session.force_login(alice)
    bad = tmp_path / "page.html"
    bad.write_text("<html><script>alert(1)</script></html>")
    good = tmp_path / "plan.txt"
    good.write_text("step one\n")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context()
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": session.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/todo/show/{todo.pk}")
            note = page.locator("textarea[name=text]")
            note.fill("Half a thought that must not be lost")

            page.locator("#attachments input[type=file]").set_input_files(str(bad))
            page.get_by_role("button", name="Attach file").click()
            expect(page.locator("#attachments")).to_contain_text("cannot be attached")
            expect(note).to_have_value("Half a thought that must not be lost")

            page.locator("#attachments input[type=file]").set_input_files(str(good))
            page.get_by_role("button", name="Attach file").click()
            expect(page.locator("#attachment-list")).to_contain_text("plan.txt")
            expect(page.locator("#todo-panel")).to_contain_text("was attached")
            expect(note).to_have_value("Half a thought that must not be lost")
        finally:
            browser.close()

    assert [a.original_name for a in Attachment.objects.filter(todo=todo)] == ["plan.txt"]
    assert len(s3_bucket.keys()) == 1
