"""Fixtures for attachments and reminders: a private bucket in moto server's S3 (over HTTP)
or a folder for the attachments storage, and SES mail read back from moto."""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from accounts.models import User
from deploy.local.aws_resources import create_attachments_bucket, local_client
from deploy.local.moto_server import MotoServer
from todo_project.storage_settings import attachments_storage


@dataclass
class Bucket:
    name: str
    s3: Any

    def keys(self) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listing.get("Contents", [])]


def use_s3_storage(settings: Any, endpoint_url: str, bucket: str) -> None:
    """Point the attachments storage at `bucket`, as settings.py does for ATTACHMENTS_BUCKET."""
    settings.ATTACHMENTS_BUCKET = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": attachments_storage(
            bucket=bucket,
            region=settings.AWS_REGION,
            endpoint_url=endpoint_url,
            url_expiry_seconds=settings.ATTACHMENT_URL_EXPIRY_SECONDS,
            local_root=settings.ATTACHMENTS_LOCAL_DIR,
        ),
    }


@pytest.fixture
def s3_bucket(moto_server: MotoServer, settings: Any) -> Bucket:
    """A fresh private bucket per test, and the attachments storage pointed at it."""
    name = f"attachments-{uuid.uuid4().hex[:12]}"
    create_attachments_bucket(moto_server.url, settings.AWS_REGION, name)
    use_s3_storage(settings, moto_server.url, name)
    return Bucket(name, local_client("s3", moto_server.url, settings.AWS_REGION))


@pytest.fixture
def local_folder(settings: Any, tmp_path: Path) -> Path:
    """The attachments storage as a local folder (no bucket configured)."""
    settings.ATTACHMENTS_BUCKET = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": attachments_storage(
            bucket="",
            region="eu-central-1",
            endpoint_url=None,
            url_expiry_seconds=60,
            local_root=tmp_path,
        ),
    }
    return tmp_path


@dataclass
class Mailbox:
    """What moto's SES has recorded, read over HTTP."""

    url: str

    def messages(self) -> list[EmailMessage]:
        data = requests.get(f"{self.url}/moto-api/data.json", timeout=10).json()
        return [
            email.message_from_string(raw["raw_data"], policy=email.policy.default)
            for raw in data["ses"]["RawMessage"]
        ]

    def about(self, text: str) -> list[EmailMessage]:
        return [message for message in self.messages() if text in str(message["Subject"])]


@pytest.fixture
def mailbox(moto_server: MotoServer, settings: Any) -> Mailbox:
    # pytest-django swaps in the locmem backend; these tests want the real SES round trip.
    settings.EMAIL_BACKEND = "todo_project.ses_backend.SESEmailBackend"
    ses = local_client("ses", moto_server.url, settings.AWS_REGION)
    ses.verify_email_identity(EmailAddress=settings.DEFAULT_FROM_EMAIL)
    return Mailbox(moto_server.url)


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client logged in as `user` (None: anonymous)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
