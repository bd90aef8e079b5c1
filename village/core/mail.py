"""The one door every email of Village goes out through.

``EMAIL_BACKEND`` is :class:`VillageMailBackend`: it gives each message the headers Village's mail
carries, then hands it to ``VILLAGE_EMAIL_OUTBOX`` (the database outbox that ``village worker``
delivers from, with retries). Whoever writes an email (an invitation, a password reset, a
guardian invitation) needs to know none of this:

- ``Auto-Submitted: auto-generated``: no out-of-office reply comes back (RFC 3834);
- ``Content-Language``: the language the email is written in (its HTML part's ``lang``);
- ``Message-ID`` at ``VILLAGE_SITE_DOMAIN``, not at whatever the sending host calls itself.

A message that cannot be written out (a header with a line break in it, an address that is not
one) is refused here, in the request that sends it, and never reaches the outbox. Should one
reach it all the same, :func:`delivery_failed` (``MAILER_ERROR_HANDLER``) defers it and the
worker goes on with the others: one bad message never holds up the rest.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

logger = logging.getLogger(__name__)

_HTML_LANG = re.compile(r"<html[^>]*\slang=\"([A-Za-z0-9-]{2,16})\"", re.IGNORECASE)


def message_language(message: EmailMessage) -> str:
    """The language of ``message``: its HTML part's ``lang``, else the active language."""
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            match = _HTML_LANG.search(str(content)) if mimetype == "text/html" else None
            if match:
                return match.group(1)
    return translation.get_language() or settings.LANGUAGE_CODE


def add_village_headers(message: EmailMessage) -> None:
    headers = message.extra_headers
    present = {name.lower() for name in headers}
    if "auto-submitted" not in present:
        headers["Auto-Submitted"] = "auto-generated"
    if "content-language" not in present:
        headers["Content-Language"] = message_language(message)
    if "message-id" not in present:
        headers["Message-ID"] = make_msgid(domain=settings.VILLAGE_SITE_DOMAIN)


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
