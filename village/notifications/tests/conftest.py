"""Fixtures of the notifications tests: the tests' own alert kinds (``kinds``), and a real SMTP
server and SMS gateway for the outbox tests (``outbox_support``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from village.notifications.registry import AlertKind
from village.notifications.tests.kinds import registered_kinds
from village.notifications.tests.outbox_support import gateway, smtp, smtp_server

__all__ = ["gateway", "kinds", "smtp", "smtp_server"]


@pytest.fixture
def kinds() -> Iterator[list[AlertKind]]:
    with registered_kinds() as registered:
        yield registered
