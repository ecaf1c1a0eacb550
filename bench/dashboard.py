"""How much our server stack costs over bare Django, for /health and a logged-in dashboard.

Run from the project root: `.venv/bin/python bench/dashboard.py`. It creates its own
PostgreSQL database with one user holding 50 own and 50 shared todos, starts the production
web command (`deploy/entrypoint.sh web`, one worker) and, as the baseline, a bare Django
hello-world view under gunicorn with one sync worker. wrk drives each target for the same
time, alternating between them for several rounds; the median round counts. Prints:

    bare_django_rps, health_rps, dashboard_rps, health_to_bare, dashboard_to_bare,
    dashboard_queries

and, to read dashboard_to_bare by, two pages that do far less than the dashboard, each as
requests per second and as a ratio to bare_django_rps:

    bare_django_logged_in_rps, logged_in_to_bare: the same bare hello view for a logged-in
        user (startproject's database sessions and auth, on a database of its own)
    landing_anonymous_rps, landing_to_bare: our landing page for a visitor, through the
        production web command (one template, no session, no database)

BENCH_SECONDS (per run, default 5), BENCH_ROUNDS (default 3) and BENCH_CONNECTIONS
(default 8) tune it. wrk is installed from Debian's archive if it is missing.
"""

from __future__ import annotations

import datetime
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))

from bench.scratch_database import ScratchDatabase  # noqa: E402
from bench.wrk import ensure_wrk  # noqa: E402
from deploy.local.moto_server import free_port  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# Named after the checkout, like the test database, so that two clones do not collide.
DATABASE = ScratchDatabase("dashboard")
BARE_DATABASE = ScratchDatabase("dashboard_bare")

# Production-like: DEBUG off, TLS "ended at the load balancer" (X-Forwarded-Proto below).
APP_ENV = {
    "DJANGO_SETTINGS_MODULE": "todo_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": DATABASE.url,
    "EXTERNAL_URL": "https://127.0.0.1",
    "LOG_LEVEL": "WARNING",
}
FORWARDED_HTTPS = "X-Forwarded-Proto: https"


def prepare_app() -> tuple[str, int]:
    """Migrate, collect static files, create the data; return (session cookie, queries)."""
    env = {**os.environ, **APP_ENV}
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--no-input"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "-v0", "--no-input"], check=True, env=env, cwd=ROOT)
    os.environ.update(APP_ENV)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from todos.models import Priority, Status, Todo

    user = User.objects.create_user(username="bench", email="bench@example.com")
    other = User.objects.create_user(username="other", email="other@example.com")
    today = datetime.date.today()
    priorities = list(Priority)
    for owner in (user, other):
        Todo.objects.bulk_create(
            Todo(
                owner=owner,
                title=f"{owner.username} todo {index}",
                description="Something to do",
                priority=priorities[index % 3],
                status=Status.DONE if index % 4 == 0 else Status.OPEN,
                due_date=today + datetime.timedelta(days=index),
            )
            for index in range(50)
        )
    for todo in Todo.objects.filter(owner=other):
        todo.collaborators.add(user, other)
    client = Client(headers={"x-forwarded-proto": "https"})
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    connection.close()
    return client.cookies["sessionid"].value, len(queries)


@contextmanager
def server(command: list[str], port: int, extra_env: dict[str, str]) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **extra_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if not os.environ.get("BENCH_VERBOSE") else None,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                requests.get(url + "/", timeout=30, allow_redirects=False)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command} did not answer on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, headers: list[str], seconds: int = SECONDS) -> float:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors against {url}:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{output}")
    return float(match.group(1))


def check(url: str, headers: list[str], expect: str) -> None:
    """wrk counts a redirect as success, so make sure the target really answers 200."""
    as_dict = dict(header.split(": ", 1) for header in headers)
    response = requests.get(url, headers=as_dict, allow_redirects=False, timeout=10)
    if response.status_code != 200 or expect not in response.text:
        raise RuntimeError(f"{url} answered {response.status_code}, not the expected page")


def main() -> int:
    ensure_wrk()
    DATABASE.create()
    BARE_DATABASE.create()
    try:
        session_key, dashboard_queries = prepare_app()
        bare_env = {"HELLO_DATABASE_URL": BARE_DATABASE.url}
        bare_session_key = subprocess.run(
            [PYTHON, "-m", "bench.hello_django", "login"],
            env={**os.environ, **bare_env},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        web_port, bare_port = free_port(), free_port()
        web_env = {
            **APP_ENV,
            "PYTHON": PYTHON,
            "HOST": "127.0.0.1",
            "PORT": str(web_port),
            "WEB_CONCURRENCY": "1",
        }
        web_command = ["bash", str(ROOT / "deploy" / "entrypoint.sh"), "web"]
        bare_command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers=1",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{bare_port}",
            "bench.hello_django:application",
        ]
        dashboard_headers = [FORWARDED_HTTPS, f"Cookie: sessionid={session_key}"]
        bare_logged_in_headers = [f"Cookie: sessionid={bare_session_key}"]
        with (
            server(web_command, web_port, web_env) as web,
            server(bare_command, bare_port, bare_env) as bare,
        ):
            targets = {
                "bare_django_rps": (bare + "/", []),
                "health_rps": (web + "/health", []),
                "dashboard_rps": (web + "/dashboard", dashboard_headers),
                "bare_django_logged_in_rps": (bare + "/me", bare_logged_in_headers),
                "landing_anonymous_rps": (web + "/", [FORWARDED_HTTPS]),
            }
            check(*targets["bare_django_rps"], "Hello, world!")
            check(*targets["health_rps"], "ok")
            check(*targets["dashboard_rps"], "bench todo 49")
            check(*targets["bare_django_logged_in_rps"], "Hello, hello!")
            check(*targets["landing_anonymous_rps"], "Stratospheric Todo")
            for url, headers in targets.values():  # warm up: imports, caches, connections
                wrk(url, headers, seconds=1)
            results: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, (url, headers) in targets.items():
                    results[name].append(wrk(url, headers))
            check(*targets["dashboard_rps"], "bench todo 49")
    finally:
        DATABASE.drop()
        BARE_DATABASE.drop()
    rps = {name: statistics.median(values) for name, values in results.items()}
    print(f"bare_django_rps: {rps['bare_django_rps']:.0f}")
    print(f"health_rps: {rps['health_rps']:.0f}")
    print(f"dashboard_rps: {rps['dashboard_rps']:.0f}")
    print(f"health_to_bare: {rps['health_rps'] / rps['bare_django_rps']:.2f}")
    print(f"dashboard_to_bare: {rps['dashboard_rps'] / rps['bare_django_rps']:.2f}")
    print(f"dashboard_queries: {dashboard_queries}")
    for name, ratio in (("bare_django_logged_in", "logged_in"), ("landing_anonymous", "landing")):
        print(f"{name}_rps: {rps[name + '_rps']:.0f}")
        print(f"{ratio}_to_bare: {rps[name + '_rps'] / rps['bare_django_rps']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
