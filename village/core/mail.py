"""The one door every email of Village goes out through.

``EMAIL_BACKEND`` is :class:`VillageMailBackend`: it gives each message the headers Village's mail
carries, then hands it to ``VILLAGE_EMAIL_OUTBOX`` (the database outbox that ``village worker``
delivers from, with retries). Whoever writes an email (an invitation, a password reset, a
guardian invitation) needs to know none of this:

- ``Auto-Submitted: auto-generated``: no out-of-office reply comes back (RFC 3834);
- ``Content-Language``: the language the email is written in (its HTML part's ``lang``);
- ``Message-ID`` at ``VILLAGE_SITE_DOMAIN``, not at whatever the sending host calls itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

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
        for message in email_messages:
            add_village_headers(message)
        return self.outbox.send_messages(email_messages)
