from __future__ import annotations

import dataclasses

import pytest

from village.accounts.models import User


@pytest.fixture
def personas(personas):
    """The persona district with every user reloaded, so that ``force_login`` and ``save()`` see
    the demo password the database holds (build_personas sets it with a queryset update)."""
    for field in dataclasses.fields(personas):
        value = getattr(personas, field.name)
        if isinstance(value, User):
            value.refresh_from_db()
    return personas
