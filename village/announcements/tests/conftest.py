"""Fixtures of the announcement tests: the SMS gateway and the SMTP server of the notifications
outbox tests (real servers on the loopback)."""

from __future__ import annotations

from village.notifications.tests.outbox_support import gateway, smtp, smtp_server

__all__ = ["gateway", "smtp", "smtp_server"]
