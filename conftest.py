"""Shared fixtures: the persona district of PRODUCT.md, built through real services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from village.demo.personas import Personas, build_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture(autouse=True)
def _email_in_memory(settings: Settings) -> None:
    """Mail goes to django.core.mail.outbox in tests; the database outbox is tested on its own."""
    # Django's test set-up points EMAIL_BACKEND at locmem; keep Village's door (its headers) in
    # front of it, as in production.
    settings.EMAIL_BACKEND = "village.core.mail.VillageMailBackend"
    settings.VILLAGE_EMAIL_OUTBOX = "django.core.mail.backends.locmem.EmailBackend"
    # What the notification outbox hands over (village worker) lands there too.
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Argon2 is configured for production (see test_settings); tests hash with a cheap hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """A test that renders in a user's language never leaks it into the next test."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _no_pages_kept_between_tests() -> None:
    """Rendered page parts are keyed by ids, which the next test's database reuses."""
    from django.core.cache import caches

    caches["pages"].clear()


@pytest.fixture(autouse=True, scope="session")
def _rate_limit_counts_per_test_process(django_test_environment: None) -> Iterator[None]:
    """Each test process keeps its own rate-limit counters in memory: parallel test processes
    share var/, and one clearing the counters between its tests must not reset another's."""
    from django.conf import settings
    from django.test.utils import override_settings

    caches = {
        **settings.CACHES,
        "throttle": {
            **settings.CACHES["throttle"],  # its lifetime and prefix, as configured
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "village-throttle",
        },
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _no_rate_limit_counts_between_tests() -> None:
    """Rate-limit counters live in a cache, not in the test's database transaction."""
    from django.core.cache import caches

    caches["throttle"].clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgresql`` run in the PostgreSQL suite; on SQLite they are deselected
    (not skipped: the SQLite suite does not claim them, and CI runs both suites)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: it hides a missing install step."""

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(
                f"CI: {skipped} test(s) skipped; skipped tests fail the run.", red=True
            )


# --- browser journeys: Playwright driving Debian's Chromium ---------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are
    # still synchronous and safe here.
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    monkeypatch.undo()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized browser context (390 by 844, touch) per test."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized browser context (1200 by 900) per test."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()
