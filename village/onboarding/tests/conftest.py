"""Fixtures for onboarding: a family member with an account but no child yet, and helpers."""

from __future__ import annotations

import pytest
from django.test import Client

from village.accounts.models import User

PASSWORD = "a-long-family-passphrase-42"


@pytest.fixture
def newcomer(db: None) -> User:
    """A signed-up person with no role anywhere: the roster does not know them."""
    return User.objects.create_user(
        "pat", email="pat@families.village.test", password=PASSWORD, first_name="Pat"
    )


def signed_in(client: Client, user: User) -> Client:
    user.refresh_from_db(fields=["password"])  # the session hash must match the stored password
    client.force_login(user)
    return client
