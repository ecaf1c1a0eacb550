"""/health answers before Django: without login, without a database, through the real server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

from deploy.local.moto_server import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def web_server_without_database():
    """The production web command, pointed at a database port where nothing listens."""
    port = free_port()
    # Without the test suite's relaxations (test_settings puts them into os.environ).
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SECURE_")},
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "DEBUG": "false",
        "SECRET_KEY": "health-test-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
        "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "entrypoint.sh"), "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"web server exited: {process.stderr.read().decode()}")
        try:
            requests.get(f"{url}/health", timeout=5)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("web server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=15)


def test_health_answers_200_without_login_or_database(web_server_without_database):
    response = requests.get(f"{web_server_without_database}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_health_answers_plain_http_while_everything_else_is_redirected_to_https(
    web_server_without_database,
):
    # TLS ends at the load balancer; its health check speaks plain HTTP.
    landing = requests.get(f"{web_server_without_database}/", timeout=5, allow_redirects=False)
    assert landing.status_code == 301
    assert landing.headers["Location"].startswith("https://")


def test_pages_that_need_the_database_fail_without_it(web_server_without_database):
    # The counter-check: /health is not healthy merely because every page is.
    response = requests.get(
        f"{web_server_without_database}/dashboard",
        headers={"X-Forwarded-Proto": "https", "Cookie": "sessionid=abc"},
        timeout=30,
    )
    assert response.status_code == 500
