"""Which server setup to serve Django with: the evidence behind todo_project/asgi.py.

Run from the project root: `.venv/bin/python bench/serving.py`. The same bare Django hello
view (bench/hello_django.py, startproject's middleware) under gunicorn's sync worker (the
baseline), and under uvicorn (one process) with Django's ASGI handler or with Django's WSGI
handler on a2wsgi's thread pool. wrk drives each for the same time, alternated. Prints
`<setup>_rps` and `<setup>_to_gunicorn` lines.
"""

from __future__ import annotations

import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import PYTHON, ROUNDS, check, server, wrk  # noqa: E402
from bench.wrk import ensure_wrk  # noqa: E402
from deploy.local.moto_server import free_port  # noqa: E402


def uvicorn(app: str, port: int) -> list[str]:
    return [
        PYTHON, "-m", "uvicorn", f"bench.hello_django:{app}", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--lifespan", "off",
    ]  # fmt: skip


def main() -> int:
    ensure_wrk()
    ports = {name: free_port() for name in ("gunicorn", "uvicorn_django_asgi", "uvicorn_a2wsgi")}
    commands = {
        "gunicorn": [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers=1", "--worker-class=sync",
            f"--bind=127.0.0.1:{ports['gunicorn']}", "bench.hello_django:application",
        ],
        "uvicorn_django_asgi": uvicorn("asgi_application", ports["uvicorn_django_asgi"]),
        "uvicorn_a2wsgi": uvicorn("a2wsgi_application", ports["uvicorn_a2wsgi"]),
    }  # fmt: skip
    results: dict[str, list[float]] = {name: [] for name in commands}
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(server(command, ports[name], {})) + "/"
            for name, command in commands.items()
        }
        for url in urls.values():
            check(url, [], "Hello, world!")
            wrk(url, [], seconds=1)
        for _ in range(ROUNDS):
            for name, url in urls.items():
                results[name].append(wrk(url, []))
    rps = {name: statistics.median(values) for name, values in results.items()}
    for name, value in rps.items():
        print(f"{name}_rps: {value:.0f}")
    for name, value in rps.items():
        print(f"{name}_to_gunicorn: {value / rps['gunicorn']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
