"""Lists in Chromium: a list's page, the lists page and the forms that choose a list fit a
phone and a desktop without sideways scrolling; a todo added to a shared list, or moved out
of it, arrives on the others' open dashboard and list page without a reload, and so does the
list's new name on an open todo page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from notifications.tests.conftest import relaying_servers
from pages.tests import test_browser_pages
from pages.tests.test_browser_pages import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    no_sideways_scroll,
    person,
    signed_in,
)
from tests.sharing_support import share_with
from todos.lists import create_list
from todos.models import Priority, Role, Todo, TodoList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser_pages.browser  # the fixture, by name

LONG = "Supercalifragilisticexpialidocious" * 3


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "390"), (DESKTOP, "1280")])
def test_list_pages_fit_phone_and_desktop(browser, live_server, breadcrumb_table, viewport, name):
    try:
        tom, duke = person("tom"), person("duke")
        trip = create_list(actor=tom, name=f"The {LONG[:90]}")
        for index in range(3):
            Todo.objects.create(
                owner=tom, todo_list=trip, title=f"{LONG} {index}", priority=Priority.HIGH
            )
        dukes = create_list(actor=duke, name=f"Duke's {LONG[:80]}")
        Todo.objects.create(owner=duke, todo_list=dukes, title=f"Duke's {LONG}")
        share_with(dukes, tom, role=Role.COMMENTER)
        share_with(trip, duke, role=Role.EDITOR)
        first = trip.todos.first()
        assert first is not None
        page = signed_in(browser, tom, viewport).new_page()
        for path in (
            f"/lists/{trip.pk}",
            f"/lists/{trip.pk}?q=nothing",
            f"/lists/{dukes.pk}",
            "/lists/",
            f"/todo/add?list={trip.pk}",
            f"/todo/edit/{first.pk}",
            f"/dashboard?list={trip.pk}",
        ):
            page.goto(f"{live_server.url}{path}")
            no_sideways_scroll(page)
        page.goto(f"{live_server.url}/lists/{trip.pk}")
        expect(page.get_by_role("link", name="Add todo")).to_be_in_viewport()
        row = page.locator(f"#todo-{first.pk}")
        row.get_by_role("button", name="Actions").click()
        expect(row.get_by_role("link", name="Edit")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"list-{name}.png"), full_page=True)
        page.goto(f"{live_server.url}/lists/")
        page.screenshot(path=str(ARTIFACTS / f"lists-{name}.png"), full_page=True)
    finally:
        connection.close()


@pytest.fixture
def push_servers(
    django_db_setup: None, django_db_blocker: Any, activemq: str
) -> Iterator[tuple[Any, Any]]:
    """Two web processes relaying through ActiveMQ: Tom's and Duke's."""
    with relaying_servers(activemq, django_db_blocker) as servers:
        yield servers


def test_todos_added_to_and_moved_out_of_a_shared_list_arrive_without_a_reload(
    browser, push_servers: Any
):
    toms_server, dukes_server = push_servers
    try:
        tom, duke = person("tom"), person("duke")
        trip = create_list(actor=tom, name="Trip")
        share_with(trip, duke, role=Role.EDITOR)
        kept = Todo.objects.create(owner=tom, todo_list=trip, title="Pack")
        leaving = Todo.objects.create(owner=tom, todo_list=trip, title="Tickets")
        tom_base = f"http://localhost:{toms_server.port}"
        duke_base = f"http://localhost:{dukes_server.port}"
        toms = signed_in(browser, tom, DESKTOP)
        dashboard, list_page = toms.new_page(), toms.new_page()
        dashboard.goto(f"{tom_base}/dashboard")
        list_page.goto(f"{tom_base}/lists/{trip.pk}")
        dukes_dashboard = signed_in(browser, duke, DESKTOP).new_page()
        dukes_dashboard.goto(f"{duke_base}/dashboard")
        dukes_todo_page = signed_in(browser, duke, DESKTOP).new_page()
        dukes_todo_page.goto(f"{duke_base}/todo/show/{kept.pk}")
        for page in (dashboard, list_page, dukes_dashboard, dukes_todo_page):
            expect(page.locator("body")).to_have_attribute("data-push", "connected")
            page.evaluate("window.notReloaded = true")
        expect(dukes_dashboard.locator(f"#todo-{leaving.pk}")).to_have_count(1)

        # Duke, Editor of Tom's list, adds to it from the list's page.
        dukes = signed_in(browser, duke, DESKTOP).new_page()
        dukes.goto(f"{duke_base}/lists/{trip.pk}")
        dukes.get_by_role("link", name="Add todo").click()
        dukes.fill("#id_title", "Book the hotel")
        dukes.get_by_role("button", name="Create").click()
        added = Todo.objects.get(title="Book the hotel")
        assert added.owner == tom and added.todo_list == trip
        for page in (dashboard, list_page):
            expect(page.locator(f"#todo-{added.pk}")).to_contain_text("Book the hotel")

        # Tom moves a todo to his Inbox (not shared): it leaves Duke's open dashboard.
        tom_edit = toms.new_page()
        tom_edit.goto(f"{tom_base}/todo/edit/{leaving.pk}")
        inbox = TodoList.objects.inbox_for(tom.pk)
        tom_edit.select_option("#move-list", str(inbox.pk))
        tom_edit.get_by_role("button", name="Move", exact=True).click()
        expect(tom_edit.locator("main")).to_contain_text("moved to “Inbox”")
        expect(dukes_dashboard.locator(f"#todo-{leaving.pk}")).to_have_count(0)
        expect(dukes_dashboard.locator(f"#todo-{kept.pk}")).to_have_count(1)

        # Tom renames the list: Duke's open todo page says so, and his dashboard row too.
        tom_lists = toms.new_page()
        tom_lists.goto(f"{tom_base}/lists/")
        tom_lists.fill(f"#rename-{trip.pk}", "Summer trip")
        tom_lists.locator(f"#rename-{trip.pk}").press("Enter")
        expect(dukes_todo_page.locator("#todo-people")).to_contain_text("In Summer trip")
        expect(dukes_dashboard.locator(f"#todo-{kept.pk}")).to_contain_text("Summer trip")
        for page in (dashboard, list_page, dukes_dashboard, dukes_todo_page):
            assert page.evaluate("window.notReloaded") is True
    finally:
        connection.close()
