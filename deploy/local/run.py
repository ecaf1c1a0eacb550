"""`make run`: the whole app on one machine with embedded defaults.

Starts moto server (the local AWS) and creates the resources, the Cognito hosted-UI
stand-in, migrates the database (SQLite unless DATABASE_URL is set), seeds the demo users and
serves the app with the production ASGI server on http://127.0.0.1:8000. Ctrl-C stops it all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deploy.local import activemq
from deploy.local.aws_resources import (
    ATTACHMENTS_BUCKET,
    SEED_PASSWORD,
    SEED_USERS,
    create_attachments_bucket,
    create_cognito_pool,
    create_sharing_queues,
    seed_users,
    verify_email_sender,
)
from deploy.local.cognito_standin import StandinServer, create_app
from deploy.local.moto_server import MotoServer

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    region = os.environ.setdefault("AWS_REGION", "eu-central-1")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("INVITATION_CODES", "stratospheric")
    os.environ.setdefault("COGNITO_TEMPORARY_PASSWORD", "changeme-now")
    external_url = os.environ.setdefault("EXTERNAL_URL", f"http://127.0.0.1:{port}")

    moto = MotoServer(int(os.environ.get("MOTO_PORT", "4566"))).start()
    os.environ["AWS_ENDPOINT_URL"] = moto.url
    pool = create_cognito_pool(
        moto.url,
        region,
        callback_urls=[f"{external_url}/accounts/amazon-cognito/login/callback/"],
        logout_urls=[f"{external_url}/"],
    )
    seed_users(moto.url, region, pool)
    create_sharing_queues(
        moto.url,
        region,
        queue_name=os.environ.get("SHARING_QUEUE_NAME", "stratospheric-todo-sharing"),
        dlq_name=os.environ.get("SHARING_DLQ_NAME", "stratospheric-todo-sharing-dlq"),
    )
    verify_email_sender(moto.url, region, os.environ.get("EMAIL_FROM", "noreply@stratospheric.dev"))
    # An empty ATTACHMENTS_BUCKET chooses local files instead.
    if bucket := os.environ.setdefault("ATTACHMENTS_BUCKET", ATTACHMENTS_BUCKET):
        create_attachments_bucket(moto.url, region, bucket)
    standin = StandinServer(
        create_app(endpoint_url=moto.url, region=region, user_pool_id=pool.user_pool_id),
        port=int(os.environ.get("COGNITO_STANDIN_PORT", "9229")),
    ).start()
    os.environ.update(
        COGNITO_DOMAIN=standin.url,
        COGNITO_USER_POOL_ID=pool.user_pool_id,
        COGNITO_CLIENT_ID=pool.client_id,
        COGNITO_CLIENT_SECRET=pool.client_secret,
    )

    # Push stays in-process unless ACTIVEMQ_URL is set; the local broker is started if that
    # is the one named and it is not running yet.
    broker = None
    if os.environ.get("ACTIVEMQ_URL") == activemq.shared().url and not activemq.is_running():
        broker = activemq.ActiveMQ().start()

    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], check=True)
    subprocess.run([*manage, "create_tracing_table"], check=True)
    subprocess.run([*manage, "seed_local_users", *SEED_USERS], check=True)

    # The production entrypoint, so that `make run` serves exactly as the container does.
    entrypoint = str(ROOT / "deploy" / "entrypoint.sh")
    process_env = {
        **os.environ,
        "PYTHON": sys.executable,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    children = [
        subprocess.Popen([entrypoint, "web"], cwd=ROOT, env=process_env),
        subprocess.Popen([entrypoint, "worker"], cwd=ROOT, env=process_env),
    ]
    print(
        f"\n  Stratospheric Todo: {external_url}\n"
        f"  Log in as {', '.join(SEED_USERS)} with password '{SEED_PASSWORD}'"
        f" (duke is an admin: {external_url}/admin/).\n"
        f"  Local AWS (moto server): {moto.url}   Cognito stand-in: {standin.url}\n"
        f"  Emails sent (local mailbox): {external_url}/dev/mailbox\n"
        f"  Push: {os.environ.get('ACTIVEMQ_URL') or 'in-process (ACTIVEMQ_URL unset)'}\n",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for child in children:
            child.terminate()
        try:
            for child in children:
                stop_process(child)
        finally:
            standin.stop()
            moto.stop()
            if broker:
                broker.stop()
    return 0


def stop_process(child: subprocess.Popen[bytes]) -> None:
    """Waits for a terminated child, killing it if it takes too long: the worker first
    finishes its long poll of SQS (up to 20 s)."""
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


if __name__ == "__main__":
    sys.exit(main())
