"""Fixtures of the announcement tests: the SMS gateway of the notifications outbox tests (a
real HTTP server on the loopback)."""

from __future__ import annotations

from village.notifications.tests.outbox_support import gateway

__all__ = ["gateway"]
