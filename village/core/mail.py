"""The one door every email of Village goes out through.

:func:`send_email` writes every email Village sends (an invitation, a password reset, a guardian
invitation, a notice): from a template base name it renders the subject, the plain text and the
HTML alternative in the recipient's language and time zone, and gives the message the headers
Village's mail carries:

- ``Auto-Submitted: auto-generated``: no out-of-office reply comes back (RFC 3834);
- ``Content-Language``: the language the email is written in;
- ``Message-ID`` at ``VILLAGE_SITE_DOMAIN``, not at whatever the sending host calls itself.

``EMAIL_BACKEND`` is :class:`VillageMailBackend`: it gives any message still without those
headers (Django's own, such as error reports to the admins) the same ones, in the active
language, then hands it to ``VILLAGE_EMAIL_OUTBOX`` (the database outbox that ``village worker``
delivers from, with retries).

A message that cannot be written out (a header with a line break in it, an address that is not
one) is refused here, in the request that sends it, and never reaches the outbox. Should one
reach it all the same, :func:`delivery_failed` (``MAILER_ERROR_HANDLER``) defers it and the
worker goes on with the others: one bad message never holds up the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Mapping, Sequence
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def village_headers(language: str) -> dict[str, str]:
    """The headers of an automatic email written in ``language``."""
    return {
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
        "Message-ID": make_msgid(domain=settings.VILLAGE_SITE_DOMAIN),
    }


def render_email(
    *,
    template: str,
    context: Mapping[str, Any],
    to: Sequence[str],
    language: str,
    time_zone: str | dt.tzinfo | None = None,
) -> EmailMultiAlternatives:
    """The email from ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``,
    written in ``language`` with dates in ``time_zone`` (the site's when ``None``): plain text
    with an HTML alternative, from ``DEFAULT_FROM_EMAIL`` to ``to``, with Village's headers."""
    with translation.override(language), timezone.override(time_zone):
        subject = render_to_string(f"{template}_subject.txt", dict(context))
        text = render_to_string(f"{template}.txt", dict(context))
        html = render_to_string(f"{template}.html", dict(context))
    message = EmailMultiAlternatives(
        # A header must be one line, whatever the template's line breaks.
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=village_headers(language),
    )
    message.attach_alternative(html, "text/html")
    return message


def send_email(
    *,
    template: str,
    context: Mapping[str, Any],
    to: Sequence[str],
    language: str,
    time_zone: str | dt.tzinfo | None = None,
) -> None:
    """Render (see :func:`render_email`) and queue one email."""
    render_email(
        template=template, context=context, to=to, language=language, time_zone=time_zone
    ).send()


def add_village_headers(message: EmailMessage) -> None:
    """Give a message the headers it lacks, as written in the active language."""
    headers = message.extra_headers
    present = {name.lower() for name in headers}
    language = translation.get_language() or settings.LANGUAGE_CODE
    for name, value in village_headers(language).items():
        if name.lower() not in present:
            headers[name] = value


class VillageMailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.outbox = get_connection(
            settings.VILLAGE_EMAIL_OUTBOX, fail_silently=fail_silently, **kwargs
        )

    def open(self) -> bool | None:
        return self.outbox.open()

    def close(self) -> None:
        self.outbox.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Queue the messages; raise ``ValueError`` (``BadHeaderError`` is one) for a message that
        cannot be written out, queueing none of them (with ``fail_silently``: all the others)."""
        good = []
        for message in email_messages:
            add_village_headers(message)
            try:
                message.message()  # writes every header out: a bad one raises here
            except ValueError:
                logger.warning("Refused an email that cannot be sent: %r", message.subject)
                if not self.fail_silently:
                    raise
            else:
                good.append(message)
        if not good:
            return 0
        return self.outbox.send_messages(good)


#: Failures a later attempt may not meet: the mail server down, or refusing for now.
_TRANSIENT = (smtplib.SMTPException, OSError)


def delivery_failed(
    connection: BaseEmailBackend | None, message: Any, error: Exception
) -> tuple[BaseEmailBackend | None, str]:
    """django-mailer's ``MAILER_ERROR_HANDLER``: defer a message that failed, whatever failed.

    django-mailer's own handler defers a message the mail server refused but lets any other
    failure (a message that cannot be written out, say) end the whole pass, so the messages
    queued after it never go out. Here every failure is logged and the message deferred (and
    retried until ``MAILER_EMAIL_MAX_RETRIES``); the pass goes on with the next message on a
    new connection.
    """
    from mailer.models import RESULT_FAILURE, MessageLog

    if isinstance(error, _TRANSIENT):
        logger.info("An email is deferred, the mail server failed: %s", error)
    else:
        logger.error("An email could not be delivered and is deferred: %r", error, exc_info=error)
    message.defer()
    MessageLog.objects.log(message, RESULT_FAILURE, log_message=str(error) or repr(error))
    return None, "deferred"
