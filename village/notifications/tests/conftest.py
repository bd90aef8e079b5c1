"""Fixtures of the outbox tests (``outbox_support``): a real SMTP server and SMS gateway."""

from village.notifications.tests.outbox_support import gateway, smtp, smtp_server

__all__ = ["gateway", "smtp", "smtp_server"]
