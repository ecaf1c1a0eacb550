"""The one place boto3 clients are made.

Every client is made for a caller profile, which sets its connect and read timeouts and its
retries, so that no AWS call can hold its caller longer than the caller can afford:

    aws_client("dynamodb", caller="request")   # in a web request: ≤ 2 s in all, no retry
    aws_client("ses", caller="worker")         # background work: retries with backoff
    aws_client("sqs", caller="long_poll")      # SQS ReceiveMessage with WaitTimeSeconds=20

Clients are cached per (service, caller, region, endpoint) because building one costs
milliseconds and they are thread-safe. AWS_ENDPOINT_URL sends every client to a local
stand-in (moto server) instead of AWS; AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_SES)
sends one service elsewhere (the fault tests put a proxy in front of one service that way).
"""

from functools import lru_cache
from typing import Any, Literal

import boto3
from botocore.config import Config
from django.conf import settings

Caller = Literal["request", "worker", "long_poll"]

PROFILES: dict[Caller, Config] = {
    # A web request waits for this call: one attempt, at most 0.5 s to connect and 1.5 s
    # for the answer (2 s worst case, the most a request may spend on AWS). Callers treat a
    # failure as "unavailable right now" rather than retrying.
    "request": Config(
        connect_timeout=0.5, read_timeout=1.5, retries={"total_max_attempts": 1, "mode": "standard"}
    ),
    # Background threads and the worker: nobody waits on them, so retry throttling, 5xx and
    # timeouts with the standard mode's exponential backoff (three attempts, ~40 s worst
    # case: below the worker's claim timeout).
    "worker": Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"total_max_attempts": 3, "mode": "standard"},
        # The sharing worker sends from up to 20 threads at once.
        max_pool_connections=32,
    ),
    # SQS long polls hold the connection open for up to 20 s by design.
    "long_poll": Config(
        connect_timeout=3, read_timeout=25, retries={"total_max_attempts": 2, "mode": "standard"}
    ),
}


def aws_client(service: str, *, caller: Caller = "request") -> Any:
    """A boto3 client for `service` with the timeouts and retries of `caller` (see PROFILES).

    The default is the strict request profile: code on a web request's path can never wait
    long by accident; background code asks for "worker" (or "long_poll") explicitly.
    """
    endpoint_url = settings.AWS_SERVICE_ENDPOINT_URLS.get(service) or settings.AWS_ENDPOINT_URL
    return _cached_client(service, caller, settings.AWS_REGION, endpoint_url)


@lru_cache(maxsize=64)
def _cached_client(service: str, caller: Caller, region: str, endpoint_url: str | None) -> Any:
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url, config=PROFILES[caller]
    )
