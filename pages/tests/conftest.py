from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client logged in as `user`."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
