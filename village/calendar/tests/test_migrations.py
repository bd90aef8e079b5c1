"""The calendar feeds' move from ``village.families`` to ``village.calendar`` keeps every feed.

The test suite builds its database without migrations, so this test migrates a scratch database
of the same kind (a SQLite file, or a PostgreSQL database next to the configured one; the test
database is left alone) with Django's
``MigrationExecutor``: a feed made under the old state must be readable, with its digest and its
constraints, under the new one, and again after migrating back. It runs on both suites.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from village.calendar.models import feed_digest

BEFORE = [("families", "0002_child_work_digest")]
TOKEN = "A" * 43


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the test database's kind, as the default connection meanwhile
    (some data migrations write through the default connection)."""
    original = connections[DEFAULT_DB_ALIAS]
    scratch = copy.deepcopy(original.settings_dict)
    postgres = original.vendor == "postgresql"
    if postgres:
        scratch["NAME"] = f"{original.settings_dict['NAME']}_migrations"
        with original._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{scratch["NAME"]}"')
    else:
        scratch["NAME"] = str(tmp_path / "migrations.sqlite3")
    connections[DEFAULT_DB_ALIAS] = type(original)(scratch, DEFAULT_DB_ALIAS)
    try:
        yield DEFAULT_DB_ALIAS
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = original
        if postgres:
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{scratch["NAME"]}"')


def _tables(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


def _constraints(alias: str, table: str) -> dict[str, dict]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.get_constraints(cursor, table)


def test_feeds_survive_the_move_to_the_calendar_app(settings, tmp_path, django_db_blocker):
    settings.MIGRATION_MODULES = {}  # the suite turns migrations off; this test needs them
    with django_db_blocker.unblock(), scratch_database(tmp_path) as alias:
        executor = MigrationExecutor(connections[alias])
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        users = old.get_model("accounts", "User").objects.using(alias)
        guardian = users.create(username="sam", first_name="Sam")
        child = users.create(username="leo", first_name="Leo")
        feed = (
            old.get_model("families", "CalendarFeed")
            .objects.using(alias)
            .create(owner=guardian, student=child, digest=feed_digest(TOKEN))
        )
        content_type = (
            old.get_model("contenttypes", "ContentType")
            .objects.using(alias)
            .create(app_label="families", model="calendarfeed")
        )

        executor.loader.build_graph()
        latest = executor.loader.graph.leaf_nodes()
        executor.migrate(latest)
        new = executor.loader.project_state(latest).apps
        feeds = new.get_model("calendar", "CalendarFeed").objects.using(alias)
        assert feeds.model._meta.db_table == "calendar_calendarfeed"
        assert list(feeds.values_list("pk", "owner_id", "student_id", "digest")) == [
            (feed.pk, guardian.pk, child.pk, feed_digest(TOKEN))
        ]
        tables = _tables(alias)
        assert "calendar_calendarfeed" in tables
        assert "families_calendarfeed" not in tables
        constraints = _constraints(alias, "calendar_calendarfeed")
        assert {
            "calendarfeed_one_active_per_child",
            "calendarfeed_one_active_family_feed",
        } <= set(constraints)
        foreign_keys = {
            tuple(info["columns"]): info["foreign_key"]
            for info in constraints.values()
            if info["foreign_key"]
        }
        assert foreign_keys == {
            ("owner_id",): ("accounts_user", "id"),
            ("student_id",): ("accounts_user", "id"),
        }
        with pytest.raises(IntegrityError), transaction.atomic(using=alias):
            feeds.create(owner_id=guardian.pk, student_id=child.pk, digest="another")
        assert feeds.create(owner_id=guardian.pk, digest="family").pk > feed.pk  # ids go on
        types = new.get_model("contenttypes", "ContentType").objects.using(alias)
        assert types.get(pk=content_type.pk).app_label == "calendar"

        executor.loader.build_graph()
        executor.migrate([("calendar", None)])
        old_feeds = old.get_model("families", "CalendarFeed").objects.using(alias)
        assert old_feeds.get(pk=feed.pk).digest == feed_digest(TOKEN)
        assert "calendar_calendarfeed" not in _tables(alias)
        assert types.get(pk=content_type.pk).app_label == "families"
