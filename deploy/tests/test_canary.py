"""The canary's script (deploy/canary/canary.js), the very one CloudWatch Synthetics runs, in
Debian's Chromium against `make run` (deploy/local/run.py): a dedicated canary user signs in
through the Cognito stand-in, adds a todo and deletes it."""

from __future__ import annotations

import sqlite3

import pytest

from .conftest import CANARY_USER, CanaryRuns

pytestmark = pytest.mark.browser


def test_the_canary_signs_in_adds_a_todo_and_deletes_it(canary_runs: CanaryRuns) -> None:
    result = canary_runs.passing
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("ready", "sign-in", "dashboard", "add-todo", "delete-todo"):
        assert f"step {step}: passed" in result.stdout, result.stdout
    with sqlite3.connect(canary_runs.app.database) as connection:
        (user_id,) = connection.execute(
            "SELECT id FROM accounts_user WHERE username = ?", (CANARY_USER,)
        ).fetchone()
        created = connection.execute(
            "SELECT count(*) FROM todos_todo WHERE owner_id = ?", (user_id,)
        ).fetchone()
    # Signed in for real (the account exists) and left nothing behind.
    assert created == (0,)


def test_the_canary_fails_at_sign_in_with_a_wrong_password(canary_runs: CanaryRuns) -> None:
    result = canary_runs.wrong_password
    assert result.returncode == 1
    assert "step ready: passed" in result.stdout
    assert "step sign-in: failed" in result.stdout, result.stdout + result.stderr
    assert "the hosted UI refused the sign-in" in result.stderr, result.stderr
