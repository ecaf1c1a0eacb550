"""Django email backend that sends through Amazon SES (SendRawEmail) with our boto3 client."""

import logging
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from todo_project.aws import aws_client

logger = logging.getLogger(__name__)


class SESEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                aws_client("ses", caller="worker").send_raw_email(
                    Source=message.from_email,
                    Destinations=message.recipients(),
                    RawMessage={"Data": message.message().as_bytes()},
                )
            except Exception:
                if not self.fail_silently:
                    raise
                logger.exception("SES refused an email to %s", message.recipients())
            else:
                sent += 1
        return sent
