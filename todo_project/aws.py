"""The one place boto3 clients are made.

Clients are cached per (service, region, endpoint) because building one costs milliseconds
and they are thread-safe. AWS_ENDPOINT_URL sends every client to a local stand-in (moto
server) instead of AWS.
"""

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings

# Bounded timeouts and retries: a slow AWS call must never hold a request for long.
_CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=25,  # above SQS's 20 s long poll
    retries={"max_attempts": 3, "mode": "standard"},
)


def aws_client(service: str) -> Any:
    """A boto3 client for `service`, configured from settings."""
    return _cached_client(service, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)


@lru_cache(maxsize=32)
def _cached_client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url, config=_CLIENT_CONFIG
    )
