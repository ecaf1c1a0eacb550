"""The image's entrypoint, run outside Docker: the commands ECS runs are known to work here.

Each subcommand runs as the container runs it: `deploy/entrypoint.sh <subcommand>` with the
production settings module (DEBUG off), configured only through environment variables, the
database given in pieces as the CDK app passes it (DATABASE_HOST, …; no DATABASE_URL).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

from deploy.local.aws_resources import local_client
from deploy.local.moto_server import MotoServer, free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
REGION = "eu-central-1"
# Bounds for waiting on a child process, generous for a busy two-core machine; never asserted
# as speed.
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 60


def container_environment(**extra: str) -> dict[str, str]:
    """A clean environment like the task definition's: nothing leaks in from the test run
    (no DJANGO_SETTINGS_MODULE=test_settings, no DATABASE_URL)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "SECRET_KEY": "entrypoint-test-only-secret-key-0123456789-abcdefghijklmnop",
        "TOKEN_ENCRYPTION_KEY": "entrypoint-test-only-token-encryption-secret-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EXTERNAL_URL": "https://todo.example.com",
        **extra,
    }


def run_entrypoint(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRYPOINT), *args],
        env=env,
        cwd="/",  # the entrypoint finds the project itself, as in the image
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as ECS sends it; returns the exit code."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"still running {STOP_TIMEOUT_S}s after SIGTERM") from None


@pytest.fixture(scope="module")
def database_pieces() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database of its own, given as the DATABASE_* pieces."""
    name = f"{settings.DATABASES['default']['NAME']}_entrypoint"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield {
        "DATABASE_HOST": "127.0.0.1",
        "DATABASE_PORT": "5432",
        "DATABASE_NAME": name,
        "DATABASE_USER": "postgres",
        "DATABASE_PASSWORD": "",
    }
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated_database(database_pieces: dict[str, str]) -> dict[str, str]:
    result = run_entrypoint("migrate", env=container_environment(**database_pieces))
    assert result.returncode == 0, result.stdout + result.stderr
    return database_pieces


def test_migrate_applies_every_migration_to_the_database_given_in_pieces(
    migrated_database: dict[str, str],
) -> None:
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname=migrated_database["DATABASE_NAME"]
    ) as connection:
        applied = {row[0] for row in connection.execute("SELECT app FROM django_migrations")}
    assert {"accounts", "todos", "auth", "sessions"} <= applied


def test_manage_check_passes_with_production_settings(migrated_database: dict[str, str]) -> None:
    result = run_entrypoint(
        "manage", "check", "--database", "default", env=container_environment(**migrated_database)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_as_the_image_build_runs_it_writes_a_manifest(tmp_path: Path) -> None:
    # The Dockerfile's build step: DEBUG off, so the hashed and compressed storage is used
    # and a reference to a missing file breaks the build here rather than in production.
    result = run_entrypoint(
        "manage",
        "collectstatic",
        "--no-input",
        env=container_environment(DEBUG="false", STATIC_ROOT=str(tmp_path)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert manifest["paths"]


def test_an_unknown_subcommand_is_refused_with_usage() -> None:
    result = run_entrypoint("serve", env=container_environment())
    assert result.returncode == 64
    assert "usage:" in result.stderr


def test_web_serves_health_and_exits_0_on_sigterm(database_pieces: dict[str, str]) -> None:
    port = free_port()
    web = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        env=container_environment(HOST="127.0.0.1", PORT=str(port), **database_pieces),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        response = wait_for_health(f"http://127.0.0.1:{port}/health", web)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
    finally:
        code = stop(web)
    assert code == 0, web.stderr.read().decode() if web.stderr else ""


def wait_for_health(url: str, process: subprocess.Popen[bytes]) -> requests.Response:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"web exited with {process.returncode}: {stderr}")
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on {url} within {START_TIMEOUT_S}s")


# --- worker ---------------------------------------------------------------------------------
# The contract of `manage.py run_sharing_worker` (sharing/): it starts, long-polls the SQS
# queue named SHARING_QUEUE_NAME at AWS_ENDPOINT_URL, and exits 0 on SIGTERM.


@pytest.fixture
def recording_moto(tmp_path: Path) -> Iterator[tuple[MotoServer, Path]]:
    """A moto server of its own that records every request it receives, to see the worker's
    ReceiveMessage calls on the wire."""
    recording = tmp_path / "moto-requests.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ENABLE_RECORDING", "true")
        patch.setenv("MOTO_RECORDER_FILEPATH", str(recording))
        server = MotoServer().start()
    yield server, recording
    server.stop()


def received_from(recording: Path, queue_name: str) -> list[dict[str, object]]:
    """The ReceiveMessage requests (JSON protocol) for `queue_name` in a moto recording."""
    if not recording.exists():
        return []
    calls = []
    for line in recording.read_text().splitlines():
        entry = json.loads(line)
        headers = {key.lower(): value for key, value in entry["headers"].items()}
        if headers.get("x-amz-target") != "AmazonSQS.ReceiveMessage":
            continue
        body = entry["body"] or ""
        if entry["body_encoded"]:
            body = base64.b64decode(body).decode()
        request = json.loads(body)
        if str(request.get("QueueUrl", "")).endswith(f"/{queue_name}"):
            calls.append(request)
    return calls


def test_worker_long_polls_the_sharing_queue_and_exits_0_on_sigterm(
    recording_moto: tuple[MotoServer, Path], migrated_database: dict[str, str]
) -> None:
    moto, recording = recording_moto
    queue_name, dlq_name = "entrypoint-sharing", "entrypoint-sharing-dlq"
    sqs = local_client("sqs", moto.url, REGION)
    dlq_arn = sqs.get_queue_attributes(
        QueueUrl=sqs.create_queue(QueueName=dlq_name)["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sqs.create_queue(
        QueueName=queue_name,
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        },
    )
    worker = subprocess.Popen(
        [str(ENTRYPOINT), "worker"],
        env=container_environment(
            AWS_ENDPOINT_URL=moto.url,
            AWS_REGION=REGION,
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",
            SHARING_QUEUE_NAME=queue_name,
            SHARING_DLQ_NAME=dlq_name,
            **migrated_database,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not received_from(recording, queue_name) and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            time.sleep(0.2)
        polls = received_from(recording, queue_name)
        assert polls, f"the worker did not poll {queue_name} within {START_TIMEOUT_S}s"
        assert int(str(polls[0].get("WaitTimeSeconds", 0))) > 0  # long polling
    finally:
        code = stop(worker)
    assert code == 0, worker.stderr.read().decode() if worker.stderr else ""
