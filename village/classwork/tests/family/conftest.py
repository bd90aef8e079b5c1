"""Fixtures of the family view's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from village.classwork.tests.family.digest_week import SchoolWeek, school_week


@pytest.fixture
def week(db: None) -> Iterator[SchoolWeek]:
    """A week of school in the persona district, read on its Friday at 17:00."""
    yield from school_week()
