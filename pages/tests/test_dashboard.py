"""The dashboard: paging, search, filters, sort, counts, escaping, and a fixed number of
queries whatever the number of todos."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sharing.models import CollaborationRequest
from tests.sharing_support import share_with
from todos.models import Priority, Role, Share, Status, Todo, TodoList

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_todos(owner: User, count: int, *, shared_with: User | None = None, **fields) -> list[Todo]:
    inbox = TodoList.objects.inbox_for(owner.pk)
    todos = Todo.objects.bulk_create(
        Todo(owner=owner, todo_list=inbox, title=f"todo {i:05}", due_date=days(i % 30), **fields)
        for i in range(count)
    )
    if shared_with is not None:
        Share.objects.bulk_create(
            Share(todo_id=todo.pk, user_id=shared_with.pk, role=Role.EDITOR) for todo in todos
        )
    return todos


def page_of(client: Client, **params: str) -> str:
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="todo-(\d+)"', html)]


def row_of(html: str, todo: Todo) -> str:
    return html[html.index(f'<tr id="todo-{todo.pk}"') :].split("</tr>")[0]


def count_of(html: str, label: str) -> int:
    match = re.search(rf'>{label} <span class="count">(\d+)</span>', html)
    assert match, label
    return int(match.group(1))


# --- Queries ---------------------------------------------------------------------------------


def test_the_number_of_queries_is_the_same_for_1_and_10000_todos(
    client_for, alice, bob, charlie, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(alice)
    mine = make_todos(alice, 1)
    CollaborationRequest.objects.create(todo=mine[0], collaborator=charlie)
    with django_assert_max_num_queries(6):
        page_of(client)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        page_of(client)
    for todo in make_todos(alice, 5000)[:50]:
        CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    make_todos(bob, 4999, shared_with=alice)
    make_todos(charlie, 20)  # not alice's: neither listed nor counted
    with django_assert_num_queries(len(one)):
        html = page_of(client, sort="priority")
    assert len(row_ids(html)) == 50
    assert count_of(html, "All") == 10000
    assert count_of(html, "Shared with me") == 4999


def test_the_live_rows_fragment_makes_as_few_queries(
    client_for, alice, django_assert_max_num_queries
):
    make_todos(alice, 60)
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("pages:dashboard_rows"), {"page": "2"})
    assert response.status_code == 200
    assert len(row_ids(response.content.decode())) == 10
    assert "<html" not in response.content.decode()


# --- Paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "rows", "pages"), [(0, 0, 1), (1, 1, 1), (50, 50, 1), (51, 50, 2)]
)
def test_pages_hold_50_rows(client_for, alice, count, rows, pages):
    make_todos(alice, count)
    html = page_of(client_for(alice))
    assert len(row_ids(html)) == rows
    if pages > 1:
        assert f"Page 1 of {pages}" in html
        assert 'rel="next"' in html
    else:
        assert 'id="pager"' not in html
    if count == 0:
        assert 'id="no-todos"' in html


def test_the_second_page_holds_the_rest_and_links_back(client_for, alice):
    make_todos(alice, 51)
    client = client_for(alice)
    first, second = page_of(client), page_of(client, page="2")
    assert len(row_ids(second)) == 1
    assert not set(row_ids(first)) & set(row_ids(second))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "51\N{EN DASH}51 of 51" in second


@pytest.mark.parametrize("page", ["99", "0", "-1", "x", "", "1e3", "٣", "99999999999999999999"])
def test_a_page_past_the_end_or_malformed_is_answered_not_refused(client_for, alice, page):
    make_todos(alice, 51)
    html = page_of(client_for(alice), page=page)
    expected = 2 if page in ("99", "99999999999999999999") else 1
    assert f"Page {expected} of 2" in html


# --- Search ----------------------------------------------------------------------------------


def test_search_looks_in_titles_and_descriptions_letter_case_aside(client_for, alice, bob):
    in_title = Todo.objects.create(owner=alice, title="Buy MILK")
    in_description = Todo.objects.create(owner=alice, title="Shop", description="oat milk too")
    Todo.objects.create(owner=alice, title="Walk")
    hidden = Todo.objects.create(owner=bob, title="milk for bob")  # not shared with alice
    html = page_of(client_for(alice), q="milk")
    assert set(row_ids(html)) == {in_title.pk, in_description.pk}
    assert hidden.pk not in row_ids(html)
    assert 'value="milk"' in html  # the search box keeps what was searched


@pytest.mark.parametrize("term", ["%", "_", "'", '"', "\\", XSS, "100%_done"])
def test_search_takes_wildcards_quotes_and_markup_literally(client_for, alice, term):
    literal = Todo.objects.create(owner=alice, title=f"has {term} inside")
    Todo.objects.create(owner=alice, title="plain todo with 100 done")
    html = page_of(client_for(alice), q=term)
    assert row_ids(html) == [literal.pk]
    assert XSS not in html


def test_a_search_with_no_match_says_so(client_for, alice):
    make_todos(alice, 3)
    html = page_of(client_for(alice), q="nothing like this")
    assert row_ids(html) == []
    assert "No todos match" in html


def test_an_overlong_search_is_cut_not_refused(client_for, alice):
    make_todos(alice, 1)
    assert row_ids(page_of(client_for(alice), q="x" * 5000)) == []


# --- Filters and counts ----------------------------------------------------------------------


@pytest.fixture
def mixed(alice, bob):
    """Alice's todos of every kind, and one of Bob's shared with her."""
    make = Todo.objects.create
    todos = {
        "open_high": make(owner=alice, title="a", priority=Priority.HIGH, due_date=days(3)),
        "open_low_today": make(owner=alice, title="b", priority=Priority.LOW, due_date=today()),
        "open_overdue": make(owner=alice, title="c", due_date=days(-2)),
        "done_overdue": make(owner=alice, title="d", due_date=days(-2), status=Status.DONE),
        "open_no_date": make(owner=alice, title="e"),
        "shared": make(owner=bob, title="f", priority=Priority.HIGH, due_date=days(1)),
    }
    share_with(todos["shared"], alice)
    return todos


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            {
                "open_high",
                "open_low_today",
                "open_overdue",
                "done_overdue",
                "open_no_date",
                "shared",
            },
        ),
        (
            {"status": "open"},
            {"open_high", "open_low_today", "open_overdue", "open_no_date", "shared"},
        ),
        ({"status": "done"}, {"done_overdue"}),
        ({"priority": "HIGH"}, {"open_high", "shared"}),
        ({"priority": "LOW"}, {"open_low_today"}),
        ({"priority": "DEFAULT"}, {"open_overdue", "done_overdue", "open_no_date"}),
        (
            {"whose": "mine"},
            {"open_high", "open_low_today", "open_overdue", "done_overdue", "open_no_date"},
        ),
        ({"whose": "shared"}, {"shared"}),
        ({"due": "today"}, {"open_low_today"}),
        ({"due": "overdue"}, {"open_overdue"}),
        ({"priority": "HIGH", "whose": "mine"}, {"open_high"}),
        ({"status": "done", "due": "today"}, set()),
    ],
)
def test_each_filter_lists_what_it_names(client_for, alice, mixed, params, expected):
    html = page_of(client_for(alice), **params)
    assert set(row_ids(html)) == {mixed[name].pk for name in expected}


def test_counts_per_filter_follow_the_search(client_for, alice, mixed):
    client = client_for(alice)
    html = page_of(client, status="done")  # a filter does not change the other counts
    counts = {
        label: count_of(html, label)
        for label in (
            *("All", "Open", "Done", "Due today", "Overdue", "Mine", "Shared with me"),
            *("High", "Default", "Low"),
        )
    }
    assert counts == {
        "All": 6, "Open": 5, "Done": 1, "Due today": 1, "Overdue": 1, "Mine": 5,
        "Shared with me": 1, "High": 2, "Default": 3, "Low": 1,
    }  # fmt: skip
    Todo.objects.filter(pk=mixed["open_high"].pk).update(title="needle")
    html = page_of(client, q="needle")
    assert count_of(html, "All") == 1 and count_of(html, "High") == 1 and count_of(html, "Low") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"status": "closed"},
        {"priority": "URGENT"},
        {"whose": "theirs"},
        {"due": "yesterday"},
        {"sort": "random"},
        {"sort": "-title; DROP TABLE"},
        {"status": "OPEN"},
        {"page": "\x00"},
        {"q": "\x00"},
    ],
)
def test_bad_parameters_fall_back_to_the_default(client_for, alice, mixed, params):
    client = client_for(alice)
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == row_ids(page_of(client))


# --- Sort ------------------------------------------------------------------------------------


def test_the_default_sort_is_open_first_then_soonest_due_without_a_date_last(
    client_for, alice, mixed
):
    ids = row_ids(page_of(client_for(alice)))
    names = {todo.pk: name for name, todo in mixed.items()}
    assert [names[pk] for pk in ids] == [
        "open_overdue", "open_low_today", "shared", "open_high", "open_no_date", "done_overdue"
    ]  # fmt: skip


def test_sort_by_priority_high_first(client_for, alice, mixed):
    names = {todo.pk: name for name, todo in mixed.items()}
    ids = row_ids(page_of(client_for(alice), sort="priority"))
    assert [names[pk] for pk in ids] == [
        "shared", "open_high", "open_overdue", "open_no_date", "open_low_today", "done_overdue"
    ]  # fmt: skip


def test_sort_by_title_ignores_letter_case(client_for, alice):
    b = Todo.objects.create(owner=alice, title="banana")
    a = Todo.objects.create(owner=alice, title="Apple")
    c = Todo.objects.create(owner=alice, title="cherry")
    assert row_ids(page_of(client_for(alice), sort="title")) == [a.pk, b.pk, c.pk]


def test_sort_by_last_change_newest_first(client_for, alice):
    first = Todo.objects.create(owner=alice, title="first")
    second = Todo.objects.create(owner=alice, title="second")
    first.title = "first, changed"
    first.save()
    assert row_ids(page_of(client_for(alice), sort="changed")) == [first.pk, second.pk]


def test_links_keep_the_query(client_for, alice):
    make_todos(alice, 51, priority=Priority.HIGH)
    html = page_of(client_for(alice), q="todo", priority="HIGH", sort="title")
    assert 'href="?q=todo&amp;priority=HIGH&amp;sort=title&amp;page=2"' in html


# --- Rows ------------------------------------------------------------------------------------


def test_due_today_and_overdue_are_marked_in_words(client_for, alice, mixed):
    html = page_of(client_for(alice))
    assert "due-today" in row_of(html, mixed["open_low_today"])
    assert ">Due today<" in row_of(html, mixed["open_low_today"])
    assert ">Overdue by 2 days<" in row_of(html, mixed["open_overdue"])
    assert "due-overdue" in row_of(html, mixed["open_overdue"])
    assert "overdue" not in row_of(html, mixed["done_overdue"]).replace("todo-done", "")
    assert ">Due tomorrow<" in row_of(html, mixed["shared"])
    in_3 = days(3)
    assert f"{in_3:%a} {in_3.day} {in_3:%b}" in row_of(html, mixed["open_high"])


def test_shared_todos_name_their_owner_and_rows_count_collaborators(
    client_for, alice, bob, charlie
):
    todo = Todo.objects.create(owner=alice, title="crowded")
    share_with(todo, bob, charlie)
    bob_page = page_of(client_for(bob))
    assert "shared by Alice" in row_of(bob_page, todo)
    share_url = reverse("sharing:share", args=[todo.pk])
    assert share_url not in row_of(bob_page, todo)  # only the owner shares
    alice_row = row_of(page_of(client_for(alice)), todo)
    assert '<span class="collaborators">2 collaborators</span>' in alice_row
    assert f'data-share-url="{share_url}"' in alice_row


def test_the_page_has_one_share_dialog_and_no_list_of_people(client_for, alice, bob):
    make_todos(alice, 20)
    for index in range(30):
        User.objects.create_user(username=f"user{index}", email=f"user{index}@example.com")
    html = page_of(client_for(alice))
    assert html.count('id="share-dialog"') == 1
    assert html.count("<form") == 4  # search, the rows' one form, the share dialog, log out
    assert "user7" not in html


def test_pending_invitations_show_with_a_withdraw_button(client_for, alice, charlie):
    """To users and to addresses with no account alike; withdrawing comes back here."""
    todo = Todo.objects.create(owner=alice, title="t")
    to_charlie = CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    to_address = CollaborationRequest.objects.create(todo=todo, email="dora@example.com")
    client = client_for(alice)
    row = row_of(page_of(client), todo)
    assert "pending: Charlie" in row
    assert "pending: dora@example.com" in row
    for invitation in (to_charlie, to_address):
        withdraw = reverse("sharing:withdraw_invitation", args=[invitation.pk])
        assert f'formaction="{withdraw}" name="next" value="dashboard"' in row
    response = client.post(
        reverse("sharing:withdraw_invitation", args=[to_address.pk]), {"next": "dashboard"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert not CollaborationRequest.objects.filter(pk=to_address.pk).exists()
    assert "pending: dora@example.com" not in row_of(page_of(client), todo)


def test_an_expired_invitation_says_so(client_for, alice, charlie, settings):
    todo = Todo.objects.create(owner=alice, title="t")
    request = CollaborationRequest.objects.create(todo=todo, collaborator=charlie)
    ttl = datetime.timedelta(days=settings.INVITATION_TTL_DAYS)
    CollaborationRequest.objects.filter(pk=request.pk).update(created=timezone.now() - 2 * ttl)
    row = row_of(page_of(client_for(alice)), todo)
    assert "expired: Charlie" in row
    assert "pending: Charlie" not in row
    page = client_for(alice).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert "Charlie as Editor: expired" in page


def test_titles_and_names_arrive_escaped(client_for, alice, bob):
    Todo.objects.create(owner=alice, title=XSS, description=XSS)
    bob.display_name = "<b>Bob</b>"
    bob.save()
    share_with(Todo.objects.create(owner=bob, title="x"), alice)
    html = page_of(client_for(alice))
    assert XSS not in html and ESCAPED_XSS in html
    assert "shared by &lt;b&gt;Bob&lt;/b&gt;" in html


def test_the_status_buttons_post_a_state_with_the_pages_csrf_token(client_for, alice):
    todo = Todo.objects.create(owner=alice, title="t")
    html = page_of(client_for(alice))
    assert re.search(
        r'<form id="row-form" method="post"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    url = reverse("todos:set_status", args=[todo.pk])
    assert f'data-status="DONE" data-status-url="{url}"' in row_of(html, todo)
    # The one menu's status button submits the row form (static/js/live.js sets formaction).
    assert 'type="submit" form="row-form" name="status"' in html


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("dashboard"), reverse("pages:dashboard_rows")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
