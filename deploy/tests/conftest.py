"""The canary's script against `make run`'s program (test_canary.py), started as soon as the
tests are collected and run in the background: the start-up (moto server, migrations, the
stand-in, uvicorn) and the two runs of the script in Chromium overlap the suite's first tests
instead of waiting for their turn. The tests then assert on what the runs did."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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


RUN_JS = ROOT / "deploy" / "canary" / "run.js"
WRONG_PASSWORD = "not-the-password"


@dataclass
class LocalApp:
    url: str
    database: Path


@dataclass
class CanaryRuns:
    app: LocalApp
    passing: subprocess.CompletedProcess[str]  # with the canary user's password
    wrong_password: subprocess.CompletedProcess[str]


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


class Background(threading.Thread):
    """Waits for `make run` to be ready, creates the canary user, runs the canary twice."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, port: int, moto: str):
        super().__init__(name="canary", daemon=True)
        self.process, self.workdir, self.moto = process, workdir, moto
        self.app = LocalApp(url=f"http://127.0.0.1:{port}", database=workdir / "db.sqlite3")
        self.done = threading.Event()
        self.runs: CanaryRuns | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            self.wait_until_ready()
            (pool,) = local_client("cognito-idp", self.moto, REGION).list_user_pools(MaxResults=10)[
                "UserPools"
            ]
            create_user(
                self.moto, REGION, CognitoPool(pool["Id"], "", ""), CANARY_USER, CANARY_PASSWORD
            )
            passing = run_canary(self.app, CANARY_PASSWORD)
            self.runs = CanaryRuns(self.app, passing, run_canary(self.app, WRONG_PASSWORD))
        except Exception as error:  # reported by the fixture, in the test
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.done.set()

    def wait_until_ready(self) -> None:
        log = self.workdir / "make-run.log"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"make run exited with {self.process.returncode}: {log.read_text()}"
                )
            try:
                if requests.get(f"{self.app.url}/health/ready", timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still starting up
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"make run not ready within {START_TIMEOUT_S}s: {log.read_text()}"
                )
            time.sleep(0.5)


_started: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    wanted = any("canary_runs" in getattr(item, "fixturenames", ()) for item in session.items)
    if not wanted or session.config.option.collectonly:
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
    background = Background(process, workdir, port, f"http://127.0.0.1:{moto_port}")
    background.start()
    _started.update(process=process, workdir=workdir, background=background)


def pytest_sessionfinish(session: pytest.Session) -> None:
    process = _started.get("process")
    if process is not None:
        # Killed, not stopped: a graceful stop waits for the worker's 20 s long poll, and
        # nothing here needs to outlive the tests.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _started["background"].join(timeout=30)
        shutil.rmtree(_started["workdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def canary_runs() -> CanaryRuns:
    """The canary's two runs against `make run` (on free ports, a database file of its own,
    a dedicated canary user), once they are done."""
    assert _started, "make run was not started at collection"
    background: Background = _started["background"]
    assert background.done.wait(timeout=START_TIMEOUT_S + 300), "the canary runs hang"
    assert background.runs is not None, background.error
    return background.runs
