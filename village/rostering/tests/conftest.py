"""Fixtures of the rostering tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings


@pytest.fixture
def isolated_upload_storage(settings: Settings, tmp_path: Path) -> None:
    """Uploaded bundles go to a temporary folder; progress to a cache of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    cache.clear()
