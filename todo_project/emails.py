"""Renders and sends the app's emails: `templates/emails/<name>-subject.txt`,
`<name>-body.txt` and `<name>-body.html`, one helper for every email."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(name: str, to: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip()
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.splitlines()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    return message


def send_email(name: str, to: str, context: dict[str, Any]) -> None:
    """Send one email now; raises on failure (callers decide whether to retry)."""
    render_email(name, to, context).send(fail_silently=False)
