"""`make run`'s program for the canary's test (test_canary.py), started as soon as the tests
are collected: its start-up (moto server, migrations, the stand-in, uvicorn) overlaps the
suite's first tests instead of waiting for its turn."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from deploy.local.aws_resources import CognitoPool, create_user, local_client
from deploy.local.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
CANARY_USER, CANARY_PASSWORD = "canary", "Canary-Password-1234"
START_TIMEOUT_S = 180  # migrations on SQLite and four processes, on a busy two-core machine


@dataclass
class LocalApp:
    url: str
    database: Path


_started: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any("make_run" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    workdir = Path(tempfile.mkdtemp(prefix="make-run-"))
    port, moto_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "COGNITO_", "ACTIVEMQ_"))
    }
    env.update(
        PORT=str(port),
        MOTO_PORT=str(moto_port),
        COGNITO_STANDIN_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        ATTACHMENTS_LOCAL_DIR=str(workdir / "attachments"),
    )
    with (workdir / "make-run.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.local.run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the tear-down ends all of it
        )
    _started.update(
        process=process,
        workdir=workdir,
        url=f"http://127.0.0.1:{port}",
        moto=f"http://127.0.0.1:{moto_port}",
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    process = _started.get("process")
    if process is not None:
        # Killed, not stopped: a graceful stop waits for the worker's 20 s long poll, and
        # nothing here needs to outlive the tests.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        shutil.rmtree(_started["workdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def make_run() -> LocalApp:
    """`make run` on free ports with a database file of its own, and a canary user."""
    assert _started, "make run was not started at collection"
    process: subprocess.Popen[bytes] = _started["process"]
    log: Path = _started["workdir"] / "make-run.log"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}: {log.read_text()}")
        try:
            if requests.get(f"{_started['url']}/health/ready", timeout=10).status_code == 200:
                break
        except requests.RequestException:  # not listening yet, or still starting up
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"make run not ready within {START_TIMEOUT_S}s: {log.read_text()}")
        time.sleep(0.5)
    (pool,) = local_client("cognito-idp", _started["moto"], REGION).list_user_pools(MaxResults=10)[
        "UserPools"
    ]
    create_user(
        _started["moto"], REGION, CognitoPool(pool["Id"], "", ""), CANARY_USER, CANARY_PASSWORD
    )
    return LocalApp(url=_started["url"], database=_started["workdir"] / "db.sqlite3")
