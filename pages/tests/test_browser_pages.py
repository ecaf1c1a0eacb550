"""The pages in Chromium: on a phone nothing scrolls sideways, badges can be read, and two
people see each other's work arrive on the open dashboard and todo page without a reload."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from accounts.models import User
from notifications.tests.conftest import relaying_servers, session_cookie
from sharing.models import CollaborationRequest
from tests.sharing_support import share_with
from todos.models import Attachment, Note, Priority, Reminder, Status, Todo, TodoList
from tracing import dynamo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)

# WCAG 2 contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
element => {
  function rgba(value) {
    const parts = value.match(/[\\d.]+/g).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function luminance(c) {
    const channel = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  }
  let background = null;
  for (let node = element; node; node = node.parentElement) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color.a > 0.99) { background = color; break; }
  }
  background = background || { r: 255, g: 255, b: 255, a: 1 };
  const text = rgba(getComputedStyle(element).color);
  const blended = {
    r: text.r * text.a + background.r * (1 - text.a),
    g: text.g * text.a + background.g * (1 - text.a),
    b: text.b * text.a + background.b * (1 - text.a),
  };
  const [light, dark] = [luminance(blended), luminance(background)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
"""


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def person(username: str) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", display_name=username.capitalize()
    )


def signed_in(browser: Browser, user: User | None, viewport: ViewportSize) -> BrowserContext:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    if user is not None:
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": session_cookie(user),
                    "domain": "localhost",
                    "path": "/",
                }
            ]
        )
    return context


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth, location.pathname]"
    )
    assert widths[0] <= widths[1], f"{widths[2]} is {widths[0]} px wide at {widths[1]} px"


@pytest.fixture
def busy_todo(db) -> Todo:
    """Tom's todo with everything that makes a page wide: long words, many people."""
    tom, duke = person("tom"), person("duke")
    long_word = "Supercalifragilisticexpialidocious" * 5
    today = timezone.localdate()
    todo = Todo.objects.create(
        owner=tom,
        title=f"Plan the {long_word} trip",
        description=f"Remember {long_word} " * 10,
        priority=Priority.HIGH,
        due_date=today,
    )
    share_with(todo, duke)
    CollaborationRequest.objects.create(todo=todo, collaborator=person(f"p{long_word[:40]}"))
    CollaborationRequest.objects.create(todo=todo, email=f"{long_word[:60]}@example.com")
    Note.objects.create(todo=todo, author=duke, text=long_word)
    Attachment.objects.create(
        todo=todo, uploaded_by=duke, key="todos/x/1", original_name=f"{long_word}.pdf",
        content_type="application/pdf", size=12345,
    )  # fmt: skip
    Reminder.objects.create(todo=todo, remind_on=today)
    Todo.objects.create(
        owner=tom,
        title="Overdue",
        priority=Priority.LOW,
        due_date=today - datetime.timedelta(days=3),
    )
    Todo.objects.create(owner=tom, title="Done one", status=Status.DONE)
    share_with(Todo.objects.create(owner=duke, title="Duke's", priority=Priority.DEFAULT), tom)
    return todo


def test_no_page_scrolls_sideways_on_a_phone_and_the_menu_collapses(
    browser, live_server, busy_todo, breadcrumb_table
):
    try:
        tom = busy_todo.owner
        inbox = TodoList.objects.inbox_for(tom.pk)
        page = signed_in(browser, tom, PHONE).new_page()
        for path in (
            "/lists/",
            f"/lists/{inbox.pk}",
            f"/lists/{inbox.pk}/sharing",
            "/settings/notices",
            "/dashboard",
            f"/todo/show/{busy_todo.pk}",
            "/todo/add",
            f"/todo/edit/{busy_todo.pk}",
            "/activity",
            "/activity?views=1",
            "/dashboard?q=nothing",
        ):
            page.goto(f"{live_server.url}{path}")
            no_sideways_scroll(page)
        # The menu is behind its button, and the row actions are reachable.
        page.goto(f"{live_server.url}/dashboard")
        expect(page.locator("#main-menu")).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("link", name="Activity")).to_be_visible()
        row = page.locator(f"#todo-{busy_todo.pk}")
        row.get_by_role("button", name="Actions").click()
        expect(row.get_by_role("link", name="Edit")).to_be_visible()
        expect(row.get_by_role("link", name="Edit")).to_be_in_viewport()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-390.png"), full_page=True)
        page.goto(f"{live_server.url}/todo/show/{busy_todo.pk}")
        page.screenshot(path=str(ARTIFACTS / "todo-390.png"), full_page=True)

        anonymous = signed_in(browser, None, PHONE).new_page()
        for path in ("/register", "/", "/login"):
            anonymous.goto(f"{live_server.url}{path}")
            no_sideways_scroll(anonymous)
    finally:
        connection.close()


def test_every_badge_and_mark_reads_at_4_5_to_1(browser, live_server, busy_todo):
    try:
        page = signed_in(browser, busy_todo.owner, DESKTOP).new_page()
        page.goto(f"{live_server.url}/dashboard")
        page.evaluate("() => { document.getElementById('live-status').hidden = false; }")
        selectors = [
            ".badge-priority-HIGH", ".badge-priority-DEFAULT", ".badge-priority-LOW",
            ".badge-shared", ".badge-done", ".due-mark-overdue", ".due-mark-today",
            ".todo-done .todo-title", ".live-status", ".pending-request", ".count",
        ]  # fmt: skip
        measured: dict[str, float] = {}
        for selector in selectors:
            elements = page.locator(selector)
            assert elements.count(), selector
            measured[selector] = min(
                elements.nth(i).evaluate(CONTRAST_JS) for i in range(elements.count())
            )
        page.goto(f"{live_server.url}/todo/show/{busy_todo.pk}")
        Reminder.objects.filter(todo=busy_todo).update(sent_at=timezone.now())
        page.reload()
        for selector in (".badge-priority-HIGH", ".badge-sent", ".due-mark-today"):
            measured[f"todo page {selector}"] = page.locator(selector).first.evaluate(CONTRAST_JS)
        low = {selector: ratio for selector, ratio in measured.items() if ratio < 4.5}
        assert not low, low
    finally:
        connection.close()


# --- Two people, live ------------------------------------------------------------------------


@pytest.fixture
def traced_push_servers(
    django_db_setup: None, django_db_blocker: Any, activemq: str, moto_server: Any, tmp_path: Path
) -> Iterator[tuple[Any, Any]]:
    """Two web processes relaying through ActiveMQ, leaving breadcrumbs in a table of their
    own in moto server, with attachments in a folder of this test."""
    table = f"breadcrumbs-{uuid.uuid4().hex[:12]}"
    dynamo.create_table(table)
    with relaying_servers(
        activemq,
        django_db_blocker,
        AWS_ENDPOINT_URL=moto_server.url,
        AWS_REGION=django_settings.AWS_REGION,
        TRACING_ENABLED="true",
        TRACING_TABLE_NAME=table,
        ATTACHMENTS_LOCAL_DIR=str(tmp_path),
    ) as servers:
        yield servers


def test_toms_open_pages_follow_what_duke_does_without_a_reload(
    browser, traced_push_servers, tmp_path
):
    toms_server, dukes_server = traced_push_servers
    try:
        watch_duke_work(browser, toms_server.port, dukes_server.port, tmp_path)
    finally:
        connection.close()


def watch_duke_work(browser: Browser, toms_port: int, dukes_port: int, tmp_path: Path) -> None:
    tom, duke = person("tom"), person("duke")
    todo = Todo.objects.create(
        owner=tom, title="Plan the trip", due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    share_with(todo, duke)
    another = Todo.objects.create(owner=tom, title="Another one")
    dukes_own = Todo.objects.create(owner=duke, title="Duke's own", due_date=todo.due_date)
    share_with(dukes_own, tom)
    toms = signed_in(browser, tom, DESKTOP)
    tom_base, duke_base = f"http://localhost:{toms_port}", f"http://localhost:{dukes_port}"
    dashboard, todo_page = toms.new_page(), toms.new_page()
    fetched: list[str] = []
    for page in (dashboard, todo_page):
        page.on("request", lambda request: fetched.append(request.url))
    dashboard.goto(f"{tom_base}/dashboard")
    todo_page.goto(f"{tom_base}/todo/show/{todo.pk}")
    for page in (dashboard, todo_page):
        expect(page.locator("body")).to_have_attribute("data-push", "connected")
        page.evaluate("window.notReloaded = true")
    typing = "Half a thought, not sent yet"
    todo_page.fill("#id_text", typing)
    row = dashboard.locator(f"#todo-{todo.pk}")

    dukes = signed_in(browser, duke, DESKTOP).new_page()
    dukes.goto(f"{duke_base}/todo/show/{todo.pk}")

    # A note
    dukes.fill("#id_text", "Booked the train")
    dukes.get_by_role("button", name="Add note").click()
    expect(todo_page.locator("#notes")).to_contain_text("Booked the train")
    expect(todo_page.locator("#toasts .toast-body").last).to_have_text(
        "Duke added a note to “Plan the trip”."
    )

    # A file
    upload = tmp_path / "tickets.txt"
    upload.write_text("two tickets")
    dukes.set_input_files("#todo-panel input[type=file]", str(upload))
    dukes.get_by_role("button", name="Attach file").click()
    expect(todo_page.locator("#attachment-list")).to_contain_text("tickets.txt")

    # A reminder
    remind_on = timezone.localdate() + datetime.timedelta(days=1)
    dukes.fill("#id_remind_on", remind_on.isoformat())
    dukes.get_by_role("button", name="Add reminder").click()
    expect(todo_page.locator("#reminder-list")).to_contain_text("tomorrow")

    # Done: the row changes and moves below the open ones
    rows = dashboard.locator("#todo-rows tr")
    expect(rows.first).to_have_id(f"todo-{todo.pk}")
    dukes.get_by_role("button", name="Mark as done").click()
    expect(todo_page.locator("#todo-status")).to_have_text("Done")
    expect(row).to_have_class(re.compile(r"\btodo-done\b"))
    expect(row.locator(".badge-done")).to_be_visible()
    expect(rows.last).to_have_id(f"todo-{todo.pk}")
    expect(rows.first).to_have_id(f"todo-{dukes_own.pk}")

    # Duke leaves
    expect(row.locator(".collaborators")).to_have_text("1 collaborator")
    dukes.get_by_role("button", name="Leave").click()
    expect(todo_page.locator("#collaborators")).to_contain_text("Nobody else yet")
    expect(todo_page.locator("#todo-people")).not_to_contain_text("shared with")
    expect(row.locator(".collaborators")).to_have_count(0)

    # Duke deletes his own todo, shared with Tom: its row goes
    dukes.goto(f"{duke_base}/todo/show/{dukes_own.pk}")
    dukes.once("dialog", lambda dialog: dialog.accept())
    dukes.get_by_role("button", name="Delete").click()
    expect(dashboard.locator(f"#todo-{dukes_own.pk}")).to_have_count(0)
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_id(f"todo-{another.pk}")

    # Nothing was reloaded, and what Tom was typing is still there.
    for page in (dashboard, todo_page):
        assert page.evaluate("window.notReloaded") is True
    assert todo_page.input_value("#id_text") == typing
    refreshes = [url for url in fetched if "/parts/" in url or "/dashboard/rows" in url]
    assert refreshes, "no fragment was fetched"
    assert sum(url.endswith("/dashboard") for url in fetched) == 1  # Tom's own visit only
    ARTIFACTS.mkdir(exist_ok=True)
    dashboard.screenshot(path=str(ARTIFACTS / "dashboard-1280.png"), full_page=True)
    todo_page.screenshot(path=str(ARTIFACTS / "todo-1280.png"), full_page=True)

    # /activity holds Tom's one visit of the dashboard, not one per push.
    activity = toms.new_page()
    activity.goto(f"{tom_base}/activity?views=1")
    viewed = activity.locator('.activity-item[data-action="view_dashboard"]')
    for _ in range(20):
        if viewed.count():
            break
        activity.wait_for_timeout(500)
        activity.reload()
    expect(viewed).to_have_count(1)
    activity.goto(f"{tom_base}/activity")
    expect(activity.locator('.activity-item[data-action="view_dashboard"]')).to_have_count(0)


def test_after_a_broker_outage_the_open_page_catches_up_once(
    browser, own_broker, django_db_blocker
):
    from notifications.tests.conftest import start_relaying_server

    server = start_relaying_server(own_broker.url, django_db_blocker)
    try:
        tom, duke = person("tom"), person("duke")
        todo = Todo.objects.create(owner=tom, title="Plan the trip")
        share_with(todo, duke)
        page = signed_in(browser, tom, DESKTOP).new_page()
        page.goto(f"http://localhost:{server.port}/todo/show/{todo.pk}")
        expect(page.locator("body")).to_have_attribute("data-push", "connected")
        page.evaluate("window.notReloaded = true")
        page.fill("#id_text", "typing meanwhile")

        own_broker.stop()
        expect(page.locator("#live-status")).to_be_visible(timeout=15_000)
        # Written while push is away: no event reaches the page for it.
        Note.objects.create(todo=todo, author=duke, text="Missed while away")
        Todo.objects.filter(pk=todo.pk).update(title="Plan the whole trip")
        own_broker.start()

        expect(page.locator("#live-status")).to_be_hidden(timeout=20_000)
        expect(page.locator("#notes")).to_contain_text("Missed while away")
        expect(page.locator("h1.todo-title")).to_have_text("Plan the whole trip")
        assert page.evaluate("window.notReloaded") is True
        assert page.input_value("#id_text") == "typing meanwhile"
    finally:
        server.stop()
        connection.close()
