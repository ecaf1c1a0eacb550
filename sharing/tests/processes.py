"""`manage.py run_sharing_worker` as a child process on the test database (the tests using
it need `django_db(transaction=True)`)."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings

from sharing.tests.helpers import subprocess_database_url

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    def __init__(self, *args: str, **extra_env: str) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
            "DATABASE_URL": subprocess_database_url(),
            "AWS_ENDPOINT_URL": settings.AWS_ENDPOINT_URL,
            "AWS_REGION": settings.AWS_REGION,
            "SHARING_QUEUE_NAME": settings.SHARING_QUEUE_NAME,
            "EMAIL_FROM": settings.DEFAULT_FROM_EMAIL,
            "LOG_LEVEL": "INFO",
            **extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_sharing_worker", *args],
            cwd=ROOT,
            env=env,
            # logs are JSON lines on stdout; tracebacks may come on stderr
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, pattern: str, timeout_s: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.log.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; got:\n{''.join(self.log)}")

    def output(self) -> str:
        """Everything the process has written so far."""
        while True:
            try:
                self.log.append(self.lines.get_nowait())
            except queue.Empty:
                return "".join(self.log)

    def wait(self, timeout_s: float = 30) -> int:
        try:
            return self.process.wait(timeout=timeout_s)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
