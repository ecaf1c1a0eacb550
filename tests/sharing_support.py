"""Shares for tests: the state a confirmed invitation leaves, without the invitation."""

from accounts.models import User
from todos.models import Role, Share, Todo, TodoList
from todos.services import remove_share, set_share


def share_with(target: Todo | TodoList, *users: User, role: Role = Role.EDITOR) -> None:
    for user in users:
        set_share(target=target, user=user, role=role)


def unshare(target: Todo | TodoList, user: User) -> None:
    remove_share(target=target, user_id=user.pk)


def shared_with(todo: Todo, user: User) -> bool:
    """Whether `todo` itself is shared with `user` (not through its list)."""
    return Share.objects.filter(todo=todo, user=user).exists()


def share_count(todo: Todo) -> int:
    return Share.objects.filter(todo=todo).count()
