"""The dashboard and a todo's page against the cheapest logged-in Django page and a peer.

Run from the project root: `.venv/bin/python bench/dashboard.py`. It creates its own
PostgreSQL databases and starts, one process each:

- our production web command (`deploy/entrypoint.sh web`, WEB_CONCURRENCY=1), on a system of
  1,000 users, one of whom has 10,000 todos (half of them shared with them by others) and
  another 100 (half shared);
- the baseline: a bare Django hello view behind `login_required` with stock database
  sessions, under gunicorn with one sync worker (bench/hello_django.py);
- the peer: django-todo 2.7 (PyPI `django-todo`) serving its list view of 100 tasks to a
  logged-in user, under gunicorn with one sync worker like the baseline, in a scratch project
  with a virtualenv of its own (bench/django_todo_peer.py; django-todo pins its own Django).

wrk drives each target for the same time, alternating between them for several rounds; the
median round counts. Prints:

    dashboard_to_logged_in_hello   first page of 50 at 10,000 todos ÷ the hello (goal ≥ 0.3)
    dashboard_10000_to_100         time per request at 10,000 todos ÷ at 100 (goal ≤ 1.3)
    dashboard_to_django_todo       our first page of 50 ÷ django-todo's list of 100 (keep ≥ 20)
    dashboard_kb                   the first page's size in KB, 1,000 users (goal ≤ 40)
    dashboard_queries              SQL queries of that page, session and user included (≤ 6)
    todo_page_to_logged_in_hello   a todo with 20 notes, 5 attachments, 3 collaborators ÷ the
                                   hello (goal ≥ 0.3)
    shared_lists_dashboard_queries       the same for a user who owns nothing and sees 10,000
                                         todos through 20 lists shared with them (≤ 6)
    shared_lists_dashboard_10000_to_100  that user's time per request ÷ that of one who sees 100
                                         todos through 20 shared lists (goal ≤ 1.3)

and, to read them by, each target's requests per second and django-todo's query count. If
django-todo cannot be installed or run, its lines say `unavailable` and why (on stderr).
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
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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
USERS = 1000
BIG, SMALL = 10_000, 100
SHARED_LISTS = 20
DJANGO_TODO = "django-todo==2.7.0"
PEER_VENV = Path(tempfile.gettempdir()) / "stratospheric-bench" / "django-todo-2.7.0"

DATABASE = ScratchDatabase("dashboard")
BARE_DATABASE = ScratchDatabase("dashboard_bare")
PEER_DATABASE = ScratchDatabase("dashboard_peer")

# Production-like: DEBUG off, TLS "ended at the load balancer" (X-Forwarded-Proto below).
APP_ENV = {
    "DJANGO_SETTINGS_MODULE": "todo_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP",
    "TOKEN_ENCRYPTION_KEY": "bench-only-token-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": DATABASE.url,
    "EXTERNAL_URL": "https://127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "TRACING_ENABLED": "false",  # no DynamoDB here; breadcrumbs are tracing's bench
}
FORWARDED_HTTPS = "X-Forwarded-Proto: https"


def prepare_app() -> dict[str, object]:
    """Migrate, collect static files, create the data. Returns the session keys, the todo
    page's path, and the first page's queries and size."""
    env = {**os.environ, **APP_ENV}
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--no-input"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "-v0", "--no-input"], check=True, env=env, cwd=ROOT)
    os.environ.update(APP_ENV)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from sharing.models import CollaborationRequest
    from todos.models import Attachment, Note, Priority, Role, Share, Status, Todo, TodoList

    password = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"user{index:04}",
            email=f"user{index:04}@example.com",
            display_name=f"User {index}",
            password=password,
        )
        for index in range(USERS)
    )
    people = list(User.objects.order_by("pk"))
    big, small = people[0], people[1]
    others = people[2:]
    today = datetime.date.today()
    priorities = list(Priority)

    def make(
        owner: User,
        count: int,
        shared_with: User | None,
        start: int,
        todo_list: TodoList | None = None,
    ) -> list[Todo]:
        todo_list = todo_list or TodoList.objects.inbox_for(owner.pk)
        todos = Todo.objects.bulk_create(
            Todo(
                owner=owner,
                todo_list=todo_list,
                title=f"{owner.username} todo {start + index}",
                description="Something to do, and how",
                priority=priorities[index % 3],
                status=Status.DONE if index % 4 == 0 else Status.OPEN,
                due_date=today + datetime.timedelta(days=index % 60) if index % 7 else None,
            )
            for index in range(count)
        )
        if shared_with is not None:
            Share.objects.bulk_create(
                Share(todo_id=todo.pk, user_id=shared_with.pk, role=Role.EDITOR) for todo in todos
            )
        return todos

    for user, total in ((big, BIG), (small, SMALL)):
        own = make(user, total // 2, None, 0)
        # Some of their own todos have a collaborator and a pending invitation.
        Share.objects.bulk_create(
            Share(todo_id=todo.pk, user_id=others[index % len(others)].pk, role=Role.EDITOR)
            for index, todo in enumerate(own[::5])
        )
        CollaborationRequest.objects.bulk_create(
            CollaborationRequest(todo=todo, collaborator=others[(index + 7) % len(others)])
            for index, todo in enumerate(own[::10])
        )
        per_owner = total // 2 // 50
        for index in range(50):  # the other half: todos of 50 people, shared with them
            make(others[index], per_owner, user, index * per_owner)

    # Two users who own nothing and see todos through 20 lists of others, shared with them
    # with every role: 10,000 todos (500 a list) and 100 (5 a list).
    lists_big, lists_small = (
        User.objects.create(
            username=name, email=f"{name}@example.com", display_name=name, password=password
        )
        for name in ("listsbig", "listssmall")
    )
    roles = list(Role)
    for reader, total, first_owner in ((lists_big, BIG, 100), (lists_small, SMALL, 120)):
        per_list = total // SHARED_LISTS
        for index in range(SHARED_LISTS):
            owner = others[first_owner + index]
            project = TodoList.objects.create(owner=owner, name=f"Project {index}", position=1)
            make(owner, per_list, None, index * per_list, todo_list=project)
            Share.objects.create(todo_list=project, user=reader, role=roles[index % 3])

    todo = Todo.objects.create(owner=big, title="The busy one", description="Lots going on")
    Share.objects.bulk_create(
        Share(todo_id=todo.pk, user_id=other.pk, role=Role.EDITOR) for other in others[:3]
    )
    Note.objects.bulk_create(
        Note(todo=todo, author=others[index % 3], text=f"Note {index}: done this and that")
        for index in range(20)
    )
    Attachment.objects.bulk_create(
        Attachment(
            todo=todo,
            uploaded_by=big,
            key=f"todos/{todo.pk}/{index}",
            original_name=f"file {index}.pdf",
            content_type="application/pdf",
            size=12345,
        )
        for index in range(5)
    )

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after such a load
    keys = {}
    for name, user in (
        ("big", big),
        ("small", small),
        ("lists_big", lists_big),
        ("lists_small", lists_small),
    ):
        client = Client(headers={"x-forwarded-proto": "https"})
        client.force_login(user)
        keys[name] = client.cookies["sessionid"].value
    measured = {}
    for name in ("big", "lists_big"):
        client = Client(headers={"x-forwarded-proto": "https"})
        client.cookies["sessionid"] = keys[name]
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dashboard", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        assert response.content.count(b'<tr id="todo-') == 50
        measured[name] = (len(queries), len(response.content) / 1024)
    connection.close()
    return {
        "keys": keys,
        "todo_path": f"/todo/show/{todo.pk}",
        "queries": measured["big"][0],
        "kb": measured["big"][1],
        "lists_queries": measured["lists_big"][0],
    }


def prepare_peer() -> tuple[str, str, int] | str:
    """django-todo's venv (cached), database and data: (session key, list path, queries),
    or why it could not be set up."""
    python = PEER_VENV / "bin" / "python"
    try:
        if not (PEER_VENV / ".complete").exists():
            PEER_VENV.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    DJANGO_TODO,
                    "gunicorn",
                    "psycopg[binary]",
                ],
                check=True,
                capture_output=True,
            )
            (PEER_VENV / ".complete").touch()
        PEER_DATABASE.create()
        output = subprocess.run(
            [str(python), str(ROOT / "bench" / "django_todo_peer.py"), "setup"],
            env={**os.environ, "PEER_DATABASE_URL": PEER_DATABASE.url},
            cwd=ROOT / "bench",
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        return output[0], output[1], int(output[2])
    except (subprocess.CalledProcessError, OSError, IndexError, ValueError) as error:
        detail = getattr(error, "stderr", "") or ""
        return f"{error} {detail[-2000:]}".strip()


@contextmanager
def server(
    command: list[str], port: int, extra_env: dict[str, str], cwd: Path = ROOT
) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        command,
        cwd=cwd,
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
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s"]
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
    response = requests.get(url, headers=as_dict, allow_redirects=False, timeout=30)
    if response.status_code != 200 or expect not in response.text:
        raise RuntimeError(f"{url} answered {response.status_code}, not the expected page")


def main() -> int:
    ensure_wrk()
    databases = (DATABASE, BARE_DATABASE)
    for database in databases:
        database.create()
    try:
        app = prepare_app()
        peer = prepare_peer()
        if isinstance(peer, str):
            print(f"django-todo unavailable: {peer}", file=sys.stderr)
        bare_env = {"HELLO_DATABASE_URL": BARE_DATABASE.url}
        bare_session_key = subprocess.run(
            [PYTHON, "-m", "bench.hello_django", "login"],
            env={**os.environ, **bare_env},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        web_port, bare_port, peer_port = free_port(), free_port(), free_port()
        web_env = {
            **APP_ENV,
            "PYTHON": PYTHON,
            "HOST": "127.0.0.1",
            "PORT": str(web_port),
            "WEB_CONCURRENCY": "1",
        }
        gunicorn = ["--workers=1", "--worker-class=sync"]
        keys = app["keys"]
        assert isinstance(keys, dict)
        with ExitStack() as stack:
            web = stack.enter_context(
                server(["bash", str(ROOT / "deploy" / "entrypoint.sh"), "web"], web_port, web_env)
            )
            bare = stack.enter_context(
                server(
                    [
                        str(ROOT / ".venv" / "bin" / "gunicorn"),
                        *gunicorn,
                        f"--bind=127.0.0.1:{bare_port}",
                        "bench.hello_django:application",
                    ],
                    bare_port,
                    bare_env,
                )
            )
            targets = {
                "logged_in_hello": (
                    bare + "/me",
                    [f"Cookie: sessionid={bare_session_key}"],
                    "Hello, hello!",
                ),
                "dashboard": (
                    web + "/dashboard",
                    [FORWARDED_HTTPS, f"Cookie: sessionid={keys['big']}"],
                    "user0000 todo",
                ),
                "dashboard_100": (
                    web + "/dashboard",
                    [FORWARDED_HTTPS, f"Cookie: sessionid={keys['small']}"],
                    "user0001 todo",
                ),
                "shared_lists_dashboard": (
                    web + "/dashboard",
                    [FORWARDED_HTTPS, f"Cookie: sessionid={keys['lists_big']}"],
                    "Project 0",
                ),
                "shared_lists_dashboard_100": (
                    web + "/dashboard",
                    [FORWARDED_HTTPS, f"Cookie: sessionid={keys['lists_small']}"],
                    "Project 0",
                ),
                "todo_page": (
                    web + str(app["todo_path"]),
                    [FORWARDED_HTTPS, f"Cookie: sessionid={keys['big']}"],
                    "Note 19",
                ),
            }
            if not isinstance(peer, str):
                peer_key, peer_path, _ = peer
                peer_url = stack.enter_context(
                    server(
                        [
                            str(PEER_VENV / "bin" / "gunicorn"),
                            *gunicorn,
                            f"--bind=127.0.0.1:{peer_port}",
                            "django_todo_peer:application",
                        ],
                        peer_port,
                        {"PEER_DATABASE_URL": PEER_DATABASE.url},
                        cwd=ROOT / "bench",
                    )
                )
                targets["django_todo"] = (
                    peer_url + peer_path,
                    [f"Cookie: sessionid={peer_key}"],
                    "bench task 99",
                )
            for url, headers, expect in targets.values():
                check(url, headers, expect)
                wrk(url, headers, seconds=1)  # warm up: imports, caches, connections
            results: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, (url, headers, _expect) in targets.items():
                    results[name].append(wrk(url, headers))
            for url, headers, expect in targets.values():
                check(url, headers, expect)
    finally:
        for database in (*databases, PEER_DATABASE):
            database.drop()
    rps = {name: statistics.median(values) for name, values in results.items()}
    print(f"dashboard_to_logged_in_hello: {rps['dashboard'] / rps['logged_in_hello']:.2f}")
    print(f"dashboard_10000_to_100: {rps['dashboard_100'] / rps['dashboard']:.2f}")
    if "django_todo" in rps:
        print(f"dashboard_to_django_todo: {rps['dashboard'] / rps['django_todo']:.1f}")
    else:
        print("dashboard_to_django_todo: unavailable")
    print(f"dashboard_kb: {app['kb']:.1f}")
    print(f"dashboard_queries: {app['queries']}")
    print(f"todo_page_to_logged_in_hello: {rps['todo_page'] / rps['logged_in_hello']:.2f}")
    print(f"shared_lists_dashboard_queries: {app['lists_queries']}")
    print(
        "shared_lists_dashboard_10000_to_100: "
        f"{rps['shared_lists_dashboard_100'] / rps['shared_lists_dashboard']:.2f}"
    )
    for name, value in rps.items():
        print(f"{name}_rps: {value:.0f}")
    if not isinstance(peer, str):
        print(f"django_todo_queries: {peer[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
