"""The admin's user changelist, with its search and filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "alice@example"},
        {"q": "Alice"},
        {"is_staff__exact": "0"},
        {"is_active__exact": "1"},
    ],
)
def test_the_user_changelist_loads_searches_and_filters(admin_client, alice, query):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), query)
    assert response.status_code == 200
    assert "alice@example.com" in response.content.decode()


def test_the_user_change_page_has_the_display_name(admin_client, alice):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert response.status_code == 200
    assert 'name="display_name"' in response.content.decode()
