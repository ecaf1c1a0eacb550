"""Who watches a todo: its owner, its Editors, whoever commented on it or is assigned to it,
unless they chose otherwise; anyone who can see it may choose to watch it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User
from todos.models import Note, Role, Share, Todo, Watch
from todos.permissions import ROLE_LEVELS, Action, Level, require


@dataclass(frozen=True)
class Watchers:
    audience: frozenset[int]  # everyone who can see the todo
    watching: frozenset[int]  # those of them who watch it


def watchers(todo: Todo) -> Watchers:
    """Read now (four small queries), so that whoever lost access is no longer counted."""
    levels: dict[int, Level] = {todo.owner_id: Level.OWNER}
    shares = Share.objects.filter(Q(todo_id=todo.pk) | Q(todo_list_id=todo.todo_list_id))
    for user_id, role in shares.values_list("user_id", "role"):
        levels[user_id] = max(levels.get(user_id, Level.NONE), ROLE_LEVELS[Role(role)])
    implicit = {user_id for user_id, level in levels.items() if level >= Level.EDITOR}
    implicit.update(
        Note.objects.filter(todo_id=todo.pk, author_id__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    implicit.update(todo.assignees.values_list("pk", flat=True))
    explicit = dict(Watch.objects.filter(todo_id=todo.pk).values_list("user_id", "watching"))
    watching = {user_id for user_id in levels if explicit.get(user_id, user_id in implicit) is True}
    return Watchers(frozenset(levels), frozenset(watching))


@dataclass(frozen=True)
class WatchState:
    watching: bool
    reason: str  # why, in words for the page ("" when by choice)


def watch_state(
    user: User,
    todo: Todo,
    *,
    level: Level,
    explicit: bool | None,
    commented: bool,
    assigned: bool,
) -> WatchState:
    """What the todo's page says about `user` watching it, from what the page read anyway."""
    if explicit is not None:
        return WatchState(explicit, "")
    if level == Level.OWNER:
        return WatchState(True, "you own it")
    if level >= Level.EDITOR:
        return WatchState(True, "you are an Editor")
    if assigned:
        return WatchState(True, "you are assigned to it")
    if commented:
        return WatchState(True, "you commented on it")
    return WatchState(False, "")


def set_watching(*, todo: Todo, user: User, watching: bool) -> None:
    """Watch or stop watching; anyone who can see the todo may choose. An explicit choice
    overrides the implicit one (an Editor who unwatches hears nothing more)."""
    require(user, Action.VIEW, todo)
    Watch.objects.update_or_create(user=user, todo=todo, defaults={"watching": watching})
