"""The app under uvicorn in a child process, for tests and benchmarks that need the real ASGI
server (WebSockets, lifespan, the push relay) on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from deploy.local.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]


class AppServer:
    def __init__(self, env: dict[str, str], port: int | None = None, quiet: bool = False) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.env = env
        self.quiet = quiet
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60) -> AppServer:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "todo_project.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--lifespan",
            "on",
            "--no-access-log",
            "--ws-per-message-deflate",  # as deploy/entrypoint.sh runs it
            "false",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            # The app's own origins (by address and by name): WebSockets from others are refused.
            env={
                **os.environ,
                "EXTERNAL_URL": self.url,
                "CSRF_TRUSTED_ORIGINS": f"{self.url},http://localhost:{self.port}",
                **self.env,
            },
            stdout=subprocess.DEVNULL if self.quiet else None,
            stderr=subprocess.DEVNULL if self.quiet else None,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the app did not answer on {self.url} within {timeout_s}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
