from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def client_for(db):  # type: ignore[no-untyped-def]
    """`client_for(user)`: a test client logged in as `user` (None: anonymous)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
