"""The canary's script (deploy/canary/canary.js), the very one CloudWatch Synthetics runs, in
Debian's Chromium against `make run` (deploy/local/run.py): a dedicated canary user signs in
through the Cognito stand-in, adds a todo and deletes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.local.aws_resources import CognitoPool, create_user, local_client
from deploy.local.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]
RUN_JS = ROOT / "deploy" / "canary" / "run.js"
REGION = "eu-central-1"
CANARY_USER, CANARY_PASSWORD = "canary", "Canary-Password-1234"
START_TIMEOUT_S = 180  # migrations on SQLite and four processes, on a busy two-core machine

pytestmark = pytest.mark.browser


@dataclass
class LocalApp:
    url: str
    database: Path


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApp]:
    """`make run`'s program on free ports with a database file of its own."""
    workdir = tmp_path_factory.mktemp("make-run")
    port, moto_port = free_port(), free_port()
    database = workdir / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "COGNITO_", "ACTIVEMQ_"))
    }
    env.update(
        PORT=str(port),
        MOTO_PORT=str(moto_port),
        COGNITO_STANDIN_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{database}",
        ATTACHMENTS_LOCAL_DIR=str(workdir / "attachments"),
    )
    log = (workdir / "make-run.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.local.run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the tear-down ends all of it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{url}/health/ready", process, workdir / "make-run.log")
        moto = f"http://127.0.0.1:{moto_port}"
        (pool,) = local_client("cognito-idp", moto, REGION).list_user_pools(MaxResults=10)[
            "UserPools"
        ]
        create_user(moto, REGION, CognitoPool(pool["Id"], "", ""), CANARY_USER, CANARY_PASSWORD)
        yield LocalApp(url=url, database=database)
    finally:
        # Killed, not stopped: a graceful stop waits for the worker's 20 s long poll, and
        # nothing here needs to outlive the test.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}: {log.read_text()}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting up
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} not ready within {START_TIMEOUT_S}s: {log.read_text()}")


def run_canary(app: LocalApp, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(RUN_JS)],
        env={
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "BASE_URL": app.url,
            "CANARY_USERNAME": CANARY_USER,
            "CANARY_PASSWORD": password,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_canary_signs_in_adds_a_todo_and_deletes_it(make_run: LocalApp) -> None:
    result = run_canary(make_run, CANARY_PASSWORD)
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("ready", "sign-in", "dashboard", "add-todo", "delete-todo"):
        assert f"step {step}: passed" in result.stdout, result.stdout
    with sqlite3.connect(make_run.database) as connection:
        (user_id,) = connection.execute(
            "SELECT id FROM accounts_user WHERE username = ?", (CANARY_USER,)
        ).fetchone()
        created = connection.execute(
            "SELECT count(*) FROM todos_todo WHERE owner_id = ?", (user_id,)
        ).fetchone()
    # Signed in for real (the account exists) and left nothing behind.
    assert created == (0,)


def test_the_canary_fails_at_sign_in_with_a_wrong_password(make_run: LocalApp) -> None:
    result = run_canary(make_run, "not-the-password")
    assert result.returncode == 1
    assert "step ready: passed" in result.stdout
    assert "step sign-in: failed" in result.stdout, result.stdout + result.stderr
    assert "the hosted UI refused the sign-in" in result.stderr, result.stderr
