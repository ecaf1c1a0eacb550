"""Who watches a todo, and the Watch button: owners, Editors, commenters and assignees watch
implicitly; anyone who can see the todo may choose, and a choice overrides."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from tests.sharing_support import share_with, unshare
from todos.assignees import assign
from todos.models import Role, Watch
from todos.services import add_note
from todos.watching import set_watching, watchers


def make(username: str) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", display_name=username.capitalize()
    )


def test_owner_editors_commenters_who_commented_and_assignees_watch(todo, alice, bob):
    viewer, commenter, quiet, assignee = (make(n) for n in ("vera", "cora", "quinn", "ada"))
    share_with(todo, viewer, role=Role.VIEWER)
    share_with(todo, commenter, quiet, assignee, role=Role.COMMENTER)
    add_note(todo=todo, author=commenter, text="Me too")
    assign(todo=todo, actor=alice, user=assignee)
    state = watchers(todo)
    assert state.audience == {alice.pk, bob.pk, viewer.pk, commenter.pk, quiet.pk, assignee.pk}
    assert state.watching == {alice.pk, bob.pk, commenter.pk, assignee.pk}


def test_an_explicit_choice_overrides_and_a_removed_user_stops_watching(todo, alice, bob, charlie):
    share_with(todo, charlie, role=Role.VIEWER)
    set_watching(todo=todo, user=charlie, watching=True)
    set_watching(todo=todo, user=bob, watching=False)
    assert watchers(todo).watching == {alice.pk, charlie.pk}
    unshare(todo, charlie)
    assert watchers(todo).watching == {alice.pk}
    assert charlie.pk not in watchers(todo).audience


def test_the_watch_button_toggles_and_says_why(client_for, todo, bob, charlie):
    show = reverse("todos:show", args=[todo.pk])
    page = client_for(bob).get(show).content.decode()
    assert "You watch this todo (you are an Editor)" in page
    assert "Stop watching" in page
    watch_url = reverse("todos:watch", args=[todo.pk])
    response = client_for(bob).post(watch_url, {"watching": "0"}, follow=True)
    assert "You no longer watch" in response.content.decode()
    assert Watch.objects.get(todo=todo, user=bob).watching is False
    page = client_for(bob).get(show).content.decode()
    assert "You do not watch this todo" in page
    client_for(bob).post(watch_url, {"watching": "1"})
    assert Watch.objects.get(todo=todo, user=bob).watching is True


def test_the_watch_button_refuses_bad_input_strangers_and_gets(client_for, todo, bob, charlie):
    watch_url = reverse("todos:watch", args=[todo.pk])
    response = client_for(bob).post(watch_url, {"watching": "maybe"}, follow=True)
    assert "Choose to watch or to stop watching." in response.content.decode()
    assert client_for(charlie).post(watch_url, {"watching": "1"}).status_code == 404
    assert client_for(bob).get(watch_url).status_code == 405
    assert not Watch.objects.exists()
