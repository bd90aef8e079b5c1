"""What the tests of the community endpoints of /api/v1 share."""

from __future__ import annotations

from typing import Any

from django.test import Client

from village.accounts.models import User
from village.community.models import Scope

ALL_SCOPES = [scope.value for scope in Scope]


def call(client: Client, user: User, path: str, **params: Any) -> Any:
    """GET ``/api/v1<path>`` signed in as ``user`` through the browser session."""
    user.refresh_from_db(fields=["password"])  # the session hash must match the stored password
    client.force_login(user)
    return client.get(f"/api/v1{path}", params)


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]
