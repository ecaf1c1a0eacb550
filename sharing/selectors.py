"""Reads for the sharing parts of pages, scoped to what the given user may see."""

from collections import defaultdict
from collections.abc import Sequence

from accounts.models import User
from sharing.models import CollaborationRequest
from todos.models import Todo


def add_sharing_details(user: User, todos: Sequence[Todo]) -> Sequence[Todo]:
    """Sets `pending_requests` and `share_candidates` (users the owner may still invite: not
    the owner, not a collaborator, not already invited) on each of the user's own todos, and
    empty lists on the others. Three queries, whatever the number of todos."""
    own_ids = [todo.pk for todo in todos if todo.owner_id == user.pk]
    pending: dict[int, list[CollaborationRequest]] = defaultdict(list)
    taken: dict[int, set[int]] = defaultdict(set)
    others: list[User] = []
    if own_ids:
        for request in CollaborationRequest.objects.filter(todo_id__in=own_ids).select_related(
            "collaborator"
        ):
            pending[request.todo_id].append(request)
            taken[request.todo_id].add(request.collaborator_id)
        links = Todo.collaborators.through.objects.filter(todo_id__in=own_ids)
        for todo_id, user_id in links.values_list("todo_id", "user_id"):
            taken[todo_id].add(user_id)
        others = list(User.objects.filter(is_active=True).exclude(pk=user.pk))
    for todo in todos:
        todo.pending_requests = pending.get(todo.pk, [])
        todo.share_candidates = (
            [other for other in others if other.pk not in taken[todo.pk]]
            if todo.pk in own_ids
            else []
        )
    return todos


def todo_collaboration(todo: Todo) -> tuple[list[User], list[CollaborationRequest]]:
    """Collaborators and pending invitations of one todo, for its page."""
    collaborators = list(todo.collaborators.order_by("username"))
    pending = list(todo.collaboration_requests.select_related("collaborator"))
    return collaborators, pending
