"""Benchmark: the sharing pipeline's promises under faults.

Starts moto server, a TCP proxy in front of it (sharing/tests/proxy.py: it can refuse and
hang), a PostgreSQL database of its own, `manage.py run_sharing_worker` child processes and,
for the last part, the web server (uvicorn, as deployed). Three scenarios:

1. 300 shares made steadily over 45 s while the worker is SIGKILLed 12 times at random
   moments of those 45 s (uniformly; it is started again at once each time):
       invitations_lost    invitations never emailed             (goal 0)
       duplicate_emails    emails beyond one per invitation      (goal <= 1)
       dlq_messages        messages in the dead-letter queue     (goal 0)
   The same with all 300 shares made first, so that the kills land while the worker drains
   a backlog with 20 emails in flight: burst_invitations_lost, burst_duplicate_emails,
   burst_dlq_messages. An email SES is processing when its sender dies goes out, and the
   database cannot know it did, so a kill mid-batch can double up to the emails in flight
   (2 consumers x SHARING_EMAIL_THREADS); this figure shows how many did.
2. 20 shares during a 60 s SES outage (the proxy refuses SES connections):
       outage_invitations_emailed_once   invitations emailed exactly once (goal 20)
3. 8 shares at once during a 30 s SQS hang (the proxy takes SQS connections and never
   answers), with a dashboard request from the same user meanwhile:
       hung_share_max_s             slowest of the 8 shares       (goal <= 2)
       hung_neighbour_page_max_s    the dashboard during the hang (goal <= 1)
       hung_invitations_emailed     of the 8, emailed after the hang (8)

The queue has production's redrive policy (DLQ on the 3rd receive). To keep the run short,
the time scale is shortened and said so on stderr: a 30 s visibility timeout (production:
120 s), a 20 s claim timeout (60 s) and a 30 s resend-after (300 s); the proportions between
them are production's.
"""

from __future__ import annotations

import datetime
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_database import ScratchDatabase  # noqa: E402
from bench.sharing import Worker as SharingBenchWorker  # noqa: E402

DATABASE = ScratchDatabase("faults")
REGION = "eu-central-1"
SENDER = "noreply@stratospheric.dev"
VISIBILITY_S, CLAIM_S, RESEND_S = 30, 20, 30
KILLS = int(os.environ.get("BENCH_KILLS", "12"))
KILL_PHASE_S = float(os.environ.get("BENCH_KILL_PHASE_S", "45"))
SHARES = int(os.environ.get("BENCH_SHARES", "300"))
OUTAGE_SHARES, OUTAGE_S = 20, float(os.environ.get("BENCH_OUTAGE_S", "60"))
HUNG_SHARES, HANG_S = 8, float(os.environ.get("BENCH_HANG_S", "30"))


LOG_DIR = Path(os.environ.get("BENCH_LOG_DIR") or tempfile.gettempdir()) / "bench-faults-logs"
SCENARIOS = os.environ.get("BENCH_SCENARIOS", "kill,burst,outage,hang").split(",")


class Worker(SharingBenchWorker):
    """The sharing bench's worker process, its whole output kept in LOG_DIR/worker-N.log."""

    started_count = 0

    def __init__(self, env: dict[str, str], *, wait: bool = True) -> None:
        Worker.started_count += 1
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"worker-{Worker.started_count:02d}.log"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_sharing_worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.started = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        if wait and not self.started.wait(60):
            self.stop()
            raise RuntimeError("the sharing worker did not start")

    def _drain(self) -> None:
        assert self.process.stdout is not None
        with self.log_path.open("w") as output:
            for line in self.process.stdout:
                output.write(line)
                if "sharing worker started" in line:
                    self.started.set()
                if '"level": "error"' in line:
                    sys.stderr.write(line[:300] + "\n")


def log(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def make_env(moto_url: str, queue: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TOKEN_ENCRYPTION_KEY": "bench-only-token-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": DATABASE.url,
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "SHARING_QUEUE_NAME": queue,
        "SHARING_DLQ_NAME": f"{queue}-dlq",
        "SHARING_CLAIM_TIMEOUT_SECONDS": str(CLAIM_S),
        "SHARING_RESEND_AFTER_SECONDS": str(RESEND_S),
        "EMAIL_FROM": SENDER,
        "LOG_LEVEL": "INFO",
        **extra,
    }


def new_queue(moto_url: str, name: str) -> Any:
    from deploy.local.aws_resources import create_sharing_queues

    suffix = uuid.uuid4().hex[:6]
    return create_sharing_queues(
        moto_url,
        REGION,
        queue_name=f"{name}-{suffix}",
        dlq_name=f"{name}-{suffix}-dlq",
        visibility_timeout_s=VISIBILITY_S,
    )


def make_todo(label: str, people: int) -> tuple[Any, Any, list[Any]]:
    from accounts.models import User
    from todos.models import Todo

    owner = User.objects.create_user(username=f"owner-{label}", email=f"owner-{label}@x.test")
    todo = Todo.objects.create(owner=owner, title=f"Bench {label}", due_date="2999-12-31")
    users = User.objects.bulk_create(
        User(username=f"{label}-{index}", email=f"{label}-{index}@x.test")
        for index in range(people)
    )
    return owner, todo, users


def emails_per_invitation(moto_url: str, todo_id: int) -> Counter[int]:
    """How many invitation emails moto's SES recorded per collaborator id of the todo."""
    import re

    from sharing.mailbox import fetch_ses_data

    marker = re.compile(rf"/todo/{todo_id}/collaborations/(\d+)/confirm")
    counts: Counter[int] = Counter()
    for item in fetch_ses_data(moto_url).get("RawMessage", []):
        found = marker.search(item["raw_data"])
        if found:
            counts[int(found[1])] += 1
    return counts


def emailed(todo_id: int) -> int:
    from sharing.models import CollaborationRequest

    return CollaborationRequest.objects.filter(todo_id=todo_id).exclude(emailed_at=None).count()


def wait_for_emails(todo_id: int, expected: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while (done := emailed(todo_id)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return done


def queue_depth(moto_url: str, url: str) -> int:
    from deploy.local.aws_resources import local_client

    attributes = local_client("sqs", moto_url, REGION).get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def kill(worker: Worker) -> None:
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait()


def crashes(moto_url: str, *, burst: bool = False) -> dict[str, int]:
    from django.db import connection

    from sharing.services import share_todo

    queues = new_queue(moto_url, "faults-kill")
    env = make_env(moto_url, queues.queue_url.rsplit("/", 1)[1])
    label = "burst" if burst else "kill"
    owner, todo, users = make_todo(label, SHARES)
    rng = random.Random(int(os.environ.get("BENCH_SEED", "11")))
    kill_at = sorted(rng.uniform(0, KILL_PHASE_S) for _ in range(KILLS))

    def produce() -> None:
        try:
            for index, user in enumerate(users):
                if not burst:
                    due = started + index * KILL_PHASE_S / SHARES
                    time.sleep(max(0.0, due - time.monotonic()))
                share_todo(owner=owner, todo=todo, collaborator=user)
        finally:
            connection.close()

    worker = Worker(env, wait=False)
    started = time.monotonic()
    producer = threading.Thread(target=produce)
    producer.start()
    for number, moment in enumerate(kill_at):
        time.sleep(max(0.0, started + moment - time.monotonic()))
        kill(worker)
        log(f"kill {number + 1} at {moment:.1f}s: {emailed(todo.pk)} of {SHARES} emailed")
        worker = Worker(env, wait=False)
    producer.join()
    try:
        # Messages in flight at the last kill come back after the visibility timeout.
        done = wait_for_emails(todo.pk, SHARES, timeout_s=4 * VISIBILITY_S + RESEND_S)
        log(f"{done} emailed {time.monotonic() - started:.0f}s after the first start")
        time.sleep(2)  # the last deletes
    finally:
        worker.stop()
    counts = emails_per_invitation(moto_url, todo.pk)
    prefix = "burst_" if burst else ""
    return {
        f"{prefix}invitations_lost": sum(1 for user in users if counts[user.pk] == 0),
        f"{prefix}duplicate_emails": sum(count - 1 for count in counts.values() if count > 1),
        f"{prefix}dlq_messages": queue_depth(moto_url, queues.dlq_url),
    }


def ses_outage(moto_url: str, proxy: Any) -> dict[str, int]:
    from sharing.services import share_todo

    queues = new_queue(moto_url, "faults-ses")
    env = make_env(moto_url, queues.queue_url.rsplit("/", 1)[1], AWS_ENDPOINT_URL_SES=proxy.url)
    owner, todo, users = make_todo("outage", OUTAGE_SHARES)
    worker = Worker(env)
    try:
        proxy.refuse()
        for user in users:
            share_todo(owner=owner, todo=todo, collaborator=user)
        time.sleep(OUTAGE_S)
        log(f"SES back after {OUTAGE_S:.0f}s: {emailed(todo.pk)} emailed during it")
        proxy.resume()
        wait_for_emails(todo.pk, OUTAGE_SHARES, timeout_s=120)
        time.sleep(2)
    finally:
        proxy.resume()
        worker.stop()
    counts = emails_per_invitation(moto_url, todo.pk)
    log(f"outage: DLQ holds {queue_depth(moto_url, queues.dlq_url)} message(s)")
    return {"outage_invitations_emailed_once": sum(1 for user in users if counts[user.pk] == 1)}


def session_cookie(user: Any) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    store.save()
    return str(store.session_key)


def sqs_hang(moto_url: str, proxy: Any) -> dict[str, float]:
    import re

    import requests

    from deploy.local.app_server import AppServer

    queues = new_queue(moto_url, "faults-hang")
    env = make_env(moto_url, queues.queue_url.rsplit("/", 1)[1], AWS_ENDPOINT_URL_SQS=proxy.url)
    owner, todo, users = make_todo("hang", HUNG_SHARES)
    # The deployed server command (uvicorn) with the test settings' HTTP and static files.
    server = AppServer(
        {**env, "DJANGO_SETTINGS_MODULE": "todo_project.test_settings", "LOG_LEVEL": "WARNING"},
        quiet=True,
    ).start()
    worker = Worker(env)
    try:
        session = requests.Session()
        session.cookies.set("sessionid", session_cookie(owner))
        page = session.get(f"{server.url}/dashboard", timeout=10).text
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "no CSRF token on the dashboard"
        token = found[1]

        def share(user: Any) -> float:
            begun = time.monotonic()
            response = session.post(
                f"{server.url}/todo/{todo.pk}/collaborations",
                data={"collaborator": user.username, "csrfmiddlewaretoken": token},
                allow_redirects=False,
                timeout=120,
            )
            assert response.status_code == 302, response.status_code
            return time.monotonic() - begun

        proxy.hang()
        hang_started = time.monotonic()
        with ThreadPoolExecutor(HUNG_SHARES) as pool:
            shares = [pool.submit(share, user) for user in users]
            time.sleep(0.3)
            neighbour_s = []
            for _ in range(3):
                begun = time.monotonic()
                session.get(f"{server.url}/dashboard", timeout=120).raise_for_status()
                neighbour_s.append(time.monotonic() - begun)
                time.sleep(0.5)
            share_s = [future.result() for future in shares]
        time.sleep(max(0.0, HANG_S - (time.monotonic() - hang_started)))
        proxy.resume()
        hung_emailed = wait_for_emails(todo.pk, HUNG_SHARES, timeout_s=120)
    finally:
        proxy.resume()
        worker.stop()
        server.stop()
    log(f"hang: shares took {statistics.median(share_s):.3f}s (median)")
    return {
        "hung_share_max_s": max(share_s),
        "hung_neighbour_page_max_s": max(neighbour_s),
        "hung_invitations_emailed": hung_emailed,
    }


def main() -> int:
    from deploy.local.aws_resources import verify_email_sender
    from deploy.local.moto_server import MotoServer
    from sharing.tests.proxy import TcpProxy

    moto = MotoServer().start()
    proxy = TcpProxy.for_url(moto.url).start()
    DATABASE.create()
    os.environ.update(make_env(moto.url, "unused"))
    os.environ["LOG_LEVEL"] = "WARNING"
    log(f"worker logs in {LOG_DIR}")
    log(
        f"time scale: visibility {VISIBILITY_S}s, claim {CLAIM_S}s, resend after {RESEND_S}s "
        f"(production: 120s, 60s, 300s)"
    )
    figures: dict[str, float] = {}
    try:
        verify_email_sender(moto.url, REGION, SENDER)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.db import connection

        started = datetime.datetime.now()
        if "kill" in SCENARIOS:
            figures |= crashes(moto.url)
        if "burst" in SCENARIOS:
            figures |= crashes(moto.url, burst=True)
        if "outage" in SCENARIOS:
            figures |= ses_outage(moto.url, proxy)
        if "hang" in SCENARIOS:
            figures |= sqs_hang(moto.url, proxy)
        log(f"took {(datetime.datetime.now() - started).total_seconds():.0f}s")
        connection.close()
    finally:
        proxy.stop()
        DATABASE.drop()
        moto.stop()
    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
