from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives


def html_body(message: EmailMessage) -> str:
    """The HTML alternative of an email (every Village email has one)."""
    assert isinstance(message, EmailMultiAlternatives)
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert isinstance(content, str)
    return content
