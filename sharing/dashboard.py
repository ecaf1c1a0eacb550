"""The sharing parts of the dashboard rows: pending invitations and the share menu.

Rendered in Python like the rows themselves (todos/templatetags/dashboard.py, which explains
why); every user-supplied value goes through `escape`. The buttons submit the page's one
form `toggle-form` (formaction), so they need no CSRF token of their own.
"""

from html import escape
from typing import Any

from django.urls import reverse

_TODO, _USER = 1234567890, 9876543210


def _url_pattern(name: str) -> str:
    """`/todo/{todo}/collaborations/{user}` for `sharing:share`: reversed once per page."""
    url = reverse(name, args=[_TODO, _USER])
    return url.replace(str(_TODO), "{todo}").replace(str(_USER), "{user}")


class SharingCells:
    def __init__(self) -> None:
        self.share_url = _url_pattern("sharing:share")
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
        """The Share menu, on the viewer's own todos only."""
        if row["owner_id"] != viewer_id:
            return ""
        items = [
            '<button class="list-group-item list-group-item-action share-with" type="submit"'
            f' form="toggle-form" formaction="{self.share_url.format(todo=row["id"], user=pk)}"'
            f' data-user-id="{pk}">{escape(name)}</button>'
            for pk, name in row.get("share_candidates", ())
        ] or ['<span class="list-group-item text-body-secondary">Nobody left to invite</span>']
        return (
            f' <details class="d-inline-block share-menu text-start" data-todo-id="{row["id"]}">'
            '<summary class="btn btn-sm btn-outline-primary">Share</summary>'
            f'<div class="list-group shadow-sm">{"".join(items)}</div></details>'
        )
