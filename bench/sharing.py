"""Benchmark: 500 shares through a running sharing worker process.

Starts moto server (SQS + SES) and a PostgreSQL database of its own, runs
`manage.py run_sharing_worker` as a child process, makes 500 shares from two threads
through `share_todo` (each commits its invitation row; the worker's outbox relay, woken by
NOTIFY, publishes the SQS messages), and waits until every invitation email has gone out.
Figures, from the database timestamps:

    messages_per_s           500 / (last email sent - first share committed)
    share_to_email_median_s  median of (emailed_at - created) over the 500
    worker_to_rig_ceiling    messages_per_s / rig_ceiling_messages_per_s

The same run first measures a naive worker as the baseline (one message per receive, one
SES send at a time), then the worker as deployed (10 per receive, parallel SES sends,
batched deletes). It also measures the rig: moto's latency for one SQS send and one SES
send (every invitation needs both, so 1000 / (sqs + ses) bounds any worker here), and the
worker process's own CPU time per message, which bounds what one worker process could do
against a fast SQS and SES.

Two producer threads, not more: moto's SQS walks every queued message on each receive, so
a burst that outruns the worker measures moto's slowdown, not the worker (the worker's
relay keeps at most SHARING_PUBLISH_AHEAD messages out, which bounds it). When the worker
keeps up, messages_per_s is as fast as the two producers can share. The rig is measured
before and after the deployed round and the two averaged, as the machine's load drifts.
BENCH_SHARES and BENCH_PRODUCERS change the load.
"""

from __future__ import annotations

import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_database import ScratchDatabase  # noqa: E402

SHARES = int(os.environ.get("BENCH_SHARES", "500"))
PRODUCER_THREADS = int(os.environ.get("BENCH_PRODUCERS", "2"))
DATABASE = ScratchDatabase("sharing")
QUEUE, DLQ = "bench-sharing", "bench-sharing-dlq"
SENDER = "noreply@stratospheric.dev"


class Worker:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_sharing_worker", *args],
            cwd=ROOT,
            env=env,
            # logs are JSON lines on stdout; tracebacks may come on stderr
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.started = threading.Event()
        self.tail: queue.Queue[str] = queue.Queue(maxsize=200)
        threading.Thread(target=self._drain, daemon=True).start()
        if not self.started.wait(60):
            self.stop()
            raise RuntimeError("the sharing worker did not start")

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "sharing worker started" in line:
                self.started.set()
            if "Traceback" in line or "ERROR" in line:
                sys.stderr.write(line)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker process so far (all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def run_round(
    label: str, env: dict[str, str], worker_args: list[str]
) -> tuple[float, float, float]:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from sharing.models import CollaborationRequest
    from sharing.services import share_todo
    from todos.models import Todo

    owner = User.objects.create_user(username=f"owner-{label}", email=f"owner-{label}@x.test")
    todo = Todo.objects.create(owner=owner, title=f"Bench {label}", due_date="2999-12-31")
    warmup_todo = Todo.objects.create(owner=owner, title="Warm-up", due_date="2999-12-31")
    users = User.objects.bulk_create(
        User(username=f"{label}-{index}", email=f"{label}-{index}@x.test")
        for index in range(SHARES)
    )

    worker = Worker(env, *worker_args)
    try:
        for user in users[:5]:  # warm up the worker's clients and connections
            share_todo(owner=owner, todo=warmup_todo, collaborator=user)
        wait_for_emails(warmup_todo.pk, 5)

        def share(user: User) -> None:
            try:
                share_todo(owner=owner, todo=todo, collaborator=user)
            finally:
                connection.close()

        cpu_before = worker.cpu_seconds()
        with ThreadPoolExecutor(PRODUCER_THREADS) as producers:
            list(producers.map(share, users))
        wait_for_emails(todo.pk, SHARES)
        cpu_ms_per_message = (worker.cpu_seconds() - cpu_before) * 1000 / SHARES
    finally:
        worker.stop()

    rows = [
        (created, emailed)
        for created, emailed in CollaborationRequest.objects.filter(todo=todo).values_list(
            "created", "emailed_at"
        )
        if emailed is not None
    ]
    assert len(rows) == SHARES, f"{SHARES - len(rows)} invitations were not emailed"
    first_share = min(created for created, _ in rows)
    last_email = max(emailed for _, emailed in rows)
    rate = SHARES / (last_email - first_share).total_seconds()
    median = statistics.median((emailed - created).total_seconds() for created, emailed in rows)
    last_share = max(created for created, _ in rows)
    first_email = min(emailed for _, emailed in rows)
    print(
        f"# {label}: shares/s {SHARES / (last_share - first_share).total_seconds():.1f}, "
        f"emails/s while sending {SHARES / (last_email - first_email).total_seconds():.1f}",
        file=sys.stderr,
    )
    assert timezone.is_aware(first_share)
    return rate, median, cpu_ms_per_message


def wait_for_emails(todo_id: int, expected: int, timeout_s: float = 300) -> None:
    from sharing.models import CollaborationRequest

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = CollaborationRequest.objects.filter(todo_id=todo_id).exclude(emailed_at=None)
        if done.count() >= expected:
            return
        time.sleep(0.1)
    raise RuntimeError(f"only {done.count()} of {expected} invitations were emailed")


def measure_rig(
    endpoint_url: str, region: str, calls: int = 50, first_queue: int = 0
) -> tuple[float, float]:
    """Milliseconds per sequential SQS SendMessageBatch and SES SendRawEmail call against
    this moto server: each invitation needs at least one of each, so no worker on this rig
    can beat 1000 / (sqs + ses) messages per second."""
    from deploy.local.aws_resources import local_client

    sqs = local_client("sqs", endpoint_url, region)
    ses = local_client("ses", endpoint_url, region)
    body = '{"version": 2, "request_id": 1, "token": "%s"}'
    scratch, sqs_s = "", 0.0
    for index in range(calls):
        if index % 10 == 0:  # a fresh queue now and then: shallow, as a worker keeps it
            scratch = sqs.create_queue(QueueName=f"bench-rig-{first_queue + index}")["QueueUrl"]
        started = time.perf_counter()
        sqs.send_message_batch(
            QueueUrl=scratch, Entries=[{"Id": "1", "MessageBody": body % ("x" * 43)}]
        )
        sqs_s += time.perf_counter() - started
    sqs_ms = sqs_s * 1000 / calls
    raw = (
        f"From: {SENDER}\nTo: rig@x.test\nSubject: A todo was shared with you\n\n"
        + "An invitation of about the real size. " * 40
    ).encode()
    started = time.perf_counter()
    for _ in range(calls):
        ses.send_raw_email(Source=SENDER, Destinations=["rig@x.test"], RawMessage={"Data": raw})
    ses_ms = (time.perf_counter() - started) * 1000 / calls
    return sqs_ms, ses_ms


def main() -> int:
    from deploy.local.aws_resources import create_sharing_queues, verify_email_sender
    from deploy.local.moto_server import MotoServer

    region = "eu-central-1"
    moto = MotoServer().start()
    DATABASE.create()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TOKEN_ENCRYPTION_KEY": "bench-only-token-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": DATABASE.url,
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "SHARING_QUEUE_NAME": QUEUE,
        "SHARING_DLQ_NAME": DLQ,
        "EMAIL_FROM": SENDER,
        "LOG_LEVEL": "INFO",
    }
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # this process's own metric lines are noise here
    try:
        create_sharing_queues(moto.url, region, queue_name=QUEUE, dlq_name=DLQ)
        verify_email_sender(moto.url, region, SENDER)

        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.db import connection

        baseline = run_round("baseline", env, ["--max-messages", "1", "--email-threads", "1"])
        rig_before = measure_rig(moto.url, region)
        deployed = run_round("deployed", env, [])
        rig_after = measure_rig(moto.url, region, first_queue=100)
        rig_sqs_ms = (rig_before[0] + rig_after[0]) / 2
        rig_ses_ms = (rig_before[1] + rig_after[1]) / 2
        connection.close()
    finally:
        DATABASE.drop()
        moto.stop()

    print(f"rig_sqs_send_ms: {rig_sqs_ms:.1f}")
    print(f"rig_ses_send_ms: {rig_ses_ms:.1f}")
    print(f"rig_ceiling_messages_per_s: {1000 / (rig_sqs_ms + rig_ses_ms):.1f}")
    print(f"baseline_messages_per_s: {baseline[0]:.1f}")
    print(f"baseline_share_to_email_median_s: {baseline[1]:.3f}")
    print(f"messages_per_s: {deployed[0]:.1f}")
    print(f"share_to_email_median_s: {deployed[1]:.3f}")
    print(f"speedup_vs_baseline: {deployed[0] / baseline[0]:.2f}")
    print(f"worker_to_rig_ceiling: {deployed[0] * (rig_sqs_ms + rig_ses_ms) / 1000:.2f}")
    print(f"worker_cpu_ms_per_message: {deployed[2]:.2f}")
    print(f"worker_cpu_bound_messages_per_s: {1000 / deployed[2]:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
