"""Assignees: people who can comment on or edit a todo, chosen by its Editors and owner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.sharing_support import share_with
from todos.assignees import NotAssignable, assign, unassign
from todos.models import Role
from todos.services import NotAllowed


def test_editors_assign_commenters_and_themselves_but_not_viewers(todo, alice, bob, charlie):
    share_with(todo, charlie, role=Role.COMMENTER)
    assert assign(todo=todo, actor=bob, user=charlie) is True
    assert assign(todo=todo, actor=bob, user=charlie) is False  # already
    assert assign(todo=todo, actor=alice, user=alice) is True
    assert set(todo.assignees.all()) == {alice, charlie}
    share_with(todo, charlie, role=Role.VIEWER)
    with pytest.raises(NotAssignable, match="only people who can comment on or edit"):
        assign(todo=todo, actor=alice, user=charlie)


def test_commenters_and_strangers_cannot_assign_but_one_can_unassign_oneself(
    todo, alice, bob, charlie
):
    share_with(todo, charlie, role=Role.COMMENTER)
    with pytest.raises(NotAllowed, match="Your role does not let you assign"):
        assign(todo=todo, actor=charlie, user=charlie)
    assign(todo=todo, actor=alice, user=charlie)
    with pytest.raises(NotAllowed):
        unassign(todo=todo, actor=charlie, user=bob)
    assert unassign(todo=todo, actor=charlie, user=charlie) is True
    assert not todo.assignees.exists()


def test_the_page_lists_assignees_and_offers_those_who_can_comment(
    client_for, todo, alice, bob, charlie
):
    share_with(todo, charlie, role=Role.VIEWER)
    assign(todo=todo, actor=alice, user=bob)
    page = client_for(alice).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert 'class="badge text-bg-light border assignee' in page and "Unassign Bob" in page
    options = page.split('id="assign-user"')[1].split("</select>")[0]
    assert "Alice" in options and "Charlie" not in options and "Bob" not in options
    viewer_page = client_for(charlie).get(reverse("todos:show", args=[todo.pk])).content.decode()
    assert 'id="assign-form"' not in viewer_page


def test_assigning_through_the_page_says_what_went_wrong(client_for, todo, alice, bob, charlie):
    url = reverse("todos:assignee_add", args=[todo.pk])
    share_with(todo, charlie, role=Role.VIEWER)
    refused = client_for(alice).post(url, {"user": charlie.pk}, follow=True).content.decode()
    assert "Charlie cannot be assigned: only people who can comment on or edit this todo can." in (
        refused
    )
    assert "Choose someone to assign." in (
        client_for(alice).post(url, {"user": "x"}, follow=True).content.decode()
    )
    assert not todo.assignees.exists()
    done = client_for(alice).post(url, {"user": bob.pk}, follow=True).content.decode()
    assert "Bob is assigned to" in done
    removal = reverse("todos:assignee_remove", args=[todo.pk, bob.pk])
    assert client_for(charlie).post(removal, follow=True).status_code == 200
    assert todo.assignees.filter(pk=bob.pk).exists()  # a Viewer may not unassign others
    client_for(alice).post(removal)
    assert not todo.assignees.exists()


def test_the_assignees_part_is_a_fragment(client_for, todo, alice, bob, charlie):
    assign(todo=todo, actor=alice, user=bob)
    url = reverse("pages:todo_part", args=[todo.pk, "assignees"])
    part = client_for(bob).get(url).content.decode()
    assert "<html" not in part and "Unassign Bob" in part
    assert "You watch this todo" in part
    assert client_for(charlie).get(url).status_code == 404
