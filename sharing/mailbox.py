"""The local mailbox: what moto server's SES has "sent", read from its data API.

moto records SendEmail calls as ses → Message and SendRawEmail calls (our email backend's)
as ses → RawMessage in GET <AWS_ENDPOINT_URL>/moto-api/data.json. Development only.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

_LINK = re.compile(r"https?://[^\s<>\"']+")


class MailboxUnavailable(Exception):
    pass


@dataclass
class MailboxEmail:
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    text: str
    links: list[str] = field(default_factory=list)


def fetch_ses_data(endpoint_url: str) -> dict[str, Any]:
    try:
        response = requests.get(f"{endpoint_url}/moto-api/data.json", timeout=10)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise MailboxUnavailable(
            f"the local SES at {endpoint_url} did not answer: {error}"
        ) from error
    return dict(data.get("ses", {}))


def read_local_mailbox() -> list[MailboxEmail]:
    """Every email the local SES took, newest first."""
    if not settings.AWS_ENDPOINT_URL:
        raise MailboxUnavailable("AWS_ENDPOINT_URL is not set, so there is no local SES to read.")
    ses = fetch_ses_data(settings.AWS_ENDPOINT_URL)
    emails = [parse_raw(item) for item in ses.get("RawMessage", [])]
    emails += [parse_simple(item) for item in ses.get("Message", [])]
    return list(reversed(emails))


def parse_raw(item: dict[str, Any]) -> MailboxEmail:
    message = email.message_from_string(item.get("raw_data", ""), policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part is not None else ""
    return MailboxEmail(
        message_id=str(item.get("id", "")),
        sender=str(item.get("source") or message.get("From", "")),
        # moto lists the To header's addresses again after the Destinations parameter.
        recipients=list(dict.fromkeys(str(address) for address in item.get("destinations", []))),
        subject=str(message.get("Subject", "")),
        text=text,
        links=_links(text),
    )


def parse_simple(item: dict[str, Any]) -> MailboxEmail:
    destinations = item.get("destinations") or {}
    body = str(item.get("body") or "")
    return MailboxEmail(
        message_id=str(item.get("id", "")),
        sender=str(item.get("source", "")),
        recipients=[
            str(a) for key in ("ToAddresses", "CcAddresses") for a in destinations.get(key, [])
        ],
        subject=str(item.get("subject", "")),
        text=body,
        links=_links(body),
    )


def _links(text: str) -> list[str]:
    # Only links into this app are clickable; anything else is shown as text.
    return [link for link in _LINK.findall(text) if link.startswith(settings.EXTERNAL_URL + "/")]
