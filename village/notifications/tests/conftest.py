from __future__ import annotations

from collections.abc import Iterator

import pytest

from village.notifications.registry import AlertKind
from village.notifications.tests.kinds import registered_kinds


@pytest.fixture
def kinds() -> Iterator[list[AlertKind]]:
    with registered_kinds() as registered:
        yield registered
