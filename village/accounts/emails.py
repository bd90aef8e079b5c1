"""Email to one person, written in their own language (plain text with an HTML alternative).

Mail goes through Django's email API; settings route it to the database outbox, so a mail server
that is down delays a message but never loses it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from village.accounts.models import User


def render_for(user: User, template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML bodies from ``<prefix>_subject.txt``, ``.txt`` and ``.html``,
    in the user's language, with dates in their time zone."""
    with translation.override(user.ui_language), timezone.override(user.timezone):
        full_context = {"user": user, **context}
        subject = render_to_string(f"{template_prefix}_subject.txt", full_context)
        text = render_to_string(f"{template_prefix}.txt", full_context)
        html = render_to_string(f"{template_prefix}.html", full_context)
    # A header must be one line, whatever the template's line breaks.
    return " ".join(subject.split()), text, html


def send_to_user(*, user: User, template_prefix: str, context: dict[str, Any]) -> None:
    send_to_address(user=user, address=user.email, template_prefix=template_prefix, context=context)


def send_to_address(
    *, user: User, address: str, template_prefix: str, context: dict[str, Any]
) -> None:
    """Email ``user`` at ``address`` (one they had before, say), in their language."""
    subject, text, html = render_for(user, template_prefix, context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    message.attach_alternative(html, "text/html")
    message.send()
