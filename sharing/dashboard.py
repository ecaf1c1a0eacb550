"""The sharing parts of the dashboard: pending invitations, the share menus and the one list
of people they suggest.

Rendered in Python like the rows themselves (todos/templatetags/dashboard.py, which explains
why); every user-supplied value goes through `escape`. The withdraw buttons submit the
page's one form `toggle-form` (formaction); each share menu is a form of its own, because
it carries a field.
"""

from html import escape
from typing import Any

from django.urls import reverse

_TODO, _USER = 1234567890, 9876543210


def _url_pattern(name: str, *, with_user: bool = True) -> str:
    """`/todo/{todo}/collaborations/{user}/withdraw` for `sharing:withdraw` (without the
    user part when the URL has none): reversed once per page, not once per row."""
    url = reverse(name, args=[_TODO, _USER] if with_user else [_TODO])
    return url.replace(str(_TODO), "{todo}").replace(str(_USER), "{user}")


PEOPLE_LIST_ID = "share-people"


def people_list(people: list[tuple[str, str]]) -> str:
    """The suggestions every share menu's field offers (a <datalist>): (username, name)."""
    options = "".join(
        f'<option value="{escape(username)}">{escape(name)}</option>' for username, name in people
    )
    return f'<datalist id="{PEOPLE_LIST_ID}">{options}</datalist>'


class SharingCells:
    def __init__(self, csrf_token: str) -> None:
        self.csrf_field = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        )
        self.share_url = _url_pattern("sharing:share", with_user=False)
        self.withdraw_url = _url_pattern("sharing:withdraw")

    def pending(self, row: dict[str, Any]) -> str:
        html = []
        for user_id, name in row.get("pending", ()):
            action = self.withdraw_url.format(todo=row["id"], user=user_id)
            html.append(
                '<div class="small text-body-secondary pending-request">'
                f"pending: {escape(name)} "
                '<button class="btn btn-link btn-sm p-0 align-baseline" type="submit"'
                f' form="toggle-form" formaction="{action}" title="Withdraw the invitation">'
                "withdraw</button></div>"
            )
        return "".join(html)

    def share_menu(self, row: dict[str, Any], viewer_id: int) -> str:
        """The Share menu, on the viewer's own todos only: a username or email address,
        suggested from the page's people list."""
        if row["owner_id"] != viewer_id:
            return ""
        pk = row["id"]
        return (
            f' <details class="d-inline-block share-menu text-start" data-todo-id="{pk}">'
            '<summary class="btn btn-sm btn-outline-primary">Share</summary>'
            f'<form class="card card-body shadow-sm share-form" method="post"'
            f' action="{self.share_url.format(todo=pk)}">{self.csrf_field}'
            f'<label class="form-label small mb-1" for="share-{pk}">'
            "Invite by username or email</label>"
            f'<input class="form-control form-control-sm" id="share-{pk}" name="collaborator"'
            f' list="{PEOPLE_LIST_ID}" maxlength="254" autocomplete="off" required>'
            '<button class="btn btn-sm btn-primary mt-2" type="submit">Invite</button>'
            "</form></details>"
        )
