"""Shared fixtures: the persona district of PRODUCT.md, built through real services."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from pytest_django.fixtures import Settings

from village.demo.personas import Personas, build_personas

T = TypeVar("T")

# Every test runs with these: mail goes to django.core.mail.outbox (the database outbox is tested
# on its own), background tasks run at once, and passwords hash with a cheap hasher (Argon2 is
# configured for production; see test_settings).
TEST_SETTINGS: dict[str, Any] = {
    # Django's test set-up points EMAIL_BACKEND at locmem; keep Village's door (its headers) in
    # front of it, as in production.
    "EMAIL_BACKEND": "village.core.mail.VillageMailBackend",
    "VILLAGE_EMAIL_OUTBOX": "django.core.mail.backends.locmem.EmailBackend",
    # What the notification outbox hands over (village worker) lands there too.
    "MAILER_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings) -> None:
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


# --- the personas, built once per test module where that is safe --------------------------------
#
# Building the persona district is most of a small test's cost. As Django's TestCase does with
# setUpTestData, a module where several tests use the personas and every test rolls back (none is
# transactional) builds them once, in a transaction that stays open for the module: each test
# runs in a savepoint inside it and gets its own deep copy of the objects, and the module's other
# database tests see the personas too. A test that needs an empty database is marked
# ``empty_database``; its module, and every module with a transactional test, builds the personas
# afresh for each test that asks.

_SHARING_MODULES = pytest.StashKey[set[str]]()
_TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _transactional(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    return bool(names & _TRANSACTIONAL_FIXTURES) or bool(
        marker
        and any(
            marker.kwargs.get(option)
            for option in ("transaction", "reset_sequences", "serialized_rollback")
        )
    )


def _rolls_back(item: pytest.Item) -> bool:
    return not _transactional(item) and item.get_closest_marker("empty_database") is None


def _sharing_modules(items: list[pytest.Item]) -> set[str]:
    users: dict[str, int] = {}
    refused: set[str] = set()
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        if not _rolls_back(item):
            refused.add(module.__name__)
        if "personas" in getattr(item, "fixturenames", ()):
            users[module.__name__] = users.get(module.__name__, 0) + 1
    return {name for name, count in users.items() if count > 1 and name not in refused}


@pytest.fixture(autouse=True, scope="module")
def module_personas(request: pytest.FixtureRequest) -> Iterator[Personas | None]:
    """The module's shared personas (None where the module does not share them). Module-scoped
    and autouse, so its transaction opens before any test's own."""
    module = getattr(request, "module", None)
    sharing = request.config.stash.get(_SHARING_MODULES, set())
    if module is None or module.__name__ not in sharing:
        yield None
        return
    from django.db import transaction
    from django.test.utils import override_settings

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**TEST_SETTINGS):
                shared = build_personas()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield shared
    finally:
        with blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class ModuleData:
    """Builds what a module's tests share on top of the personas (a world of goal sets, plans,
    hand-ins...) once, in the module's transaction, as ``module_personas`` builds the personas.

    A module asks for it in a module-scoped fixture of its own and hands each test a deep copy::

        @pytest.fixture(scope="module")
        def _world(module_data: ModuleData | None) -> World | None:
            return module_data.build(build_world) if module_data else None

        @pytest.fixture
        def world(personas: Personas, _world: World | None) -> World:
            return each_test(_world, personas, build_world)

    Being module-scoped, ``_world`` is made before any test's own transaction opens, so each
    test's rollback leaves it in place; where the module does not share the personas (it has a
    transactional test, or one that needs an empty database) ``module_data`` is ``None`` and
    every test builds its own world, as before."""

    def __init__(self, request: pytest.FixtureRequest, personas: Personas) -> None:
        self.request = request
        self.personas = personas

    def build(self, builder: Callable[[Personas], T], **settings: Any) -> T:
        """``builder`` run once on a copy of the module's personas, with the test settings (and
        ``settings``, e.g. a module's own ``MEDIA_ROOT``)."""
        from django.test.utils import override_settings

        blocker = self.request.getfixturevalue("django_db_blocker")
        with blocker.unblock(), override_settings(**TEST_SETTINGS, **settings):
            return builder(copy.deepcopy(self.personas))


@pytest.fixture(scope="module")
def module_data(
    request: pytest.FixtureRequest, module_personas: Personas | None
) -> ModuleData | None:
    """The builder of the module's shared data, or ``None`` where the module does not share."""
    return None if module_personas is None else ModuleData(request, module_personas)


def each_test(shared: T | None, personas: Personas, builder: Callable[[Personas], T]) -> T:
    """A test's own copy of the module's shared data, or its own build where nothing is shared."""
    return copy.deepcopy(shared) if shared is not None else builder(personas)


@pytest.fixture
def personas(db: None, module_personas: Personas | None) -> Personas:
    if module_personas is not None:
        return copy.deepcopy(module_personas)
    return build_personas()


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
    (not skipped: the SQLite suite does not claim them, and CI runs both suites). Then note the
    modules that may share one build of the personas."""
    from django.db import connection

    if connection.vendor != "postgresql":
        deselected = [item for item in items if item.get_closest_marker("postgresql")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    config.stash[_SHARING_MODULES] = _sharing_modules(items)
    _longest_modules_first(items)


def _longest_modules_first(items: list[pytest.Item]) -> None:
    """Order the modules so the parallel run ends together: a test on a live server or in a
    browser (transactional) takes seconds where another takes a few hundredths, so modules with
    the most of those start first, then the rest by their number of tests. (xdist hands out whole
    files in this order; see ``--no-loadscope-reorder`` in the Makefile.)"""
    weights: dict[str, int] = {}
    for item in items:
        path = str(item.path)
        weights[path] = weights.get(path, 0) + (50 if _transactional(item) else 1)
    rank = {
        path: position for position, path in enumerate(sorted(weights, key=lambda p: -weights[p]))
    }
    items.sort(key=lambda item: rank[str(item.path)])


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Tests need no durability: on PostgreSQL a commit does not wait for the write-ahead log
    to reach the disk (``synchronous_commit`` off; a crash could only lose test data). The
    browser journeys and the other transactional tests commit at every request."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        given = options.get("options", "")
        options["options"] = f"{given} -c synchronous_commit=off".strip()
