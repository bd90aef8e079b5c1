"""The one bulk writer: the same rows come out of COPY (PostgreSQL) and of Django's bulk
operations (any database), defaults and given times included.

The kernel imports no app, so these tests write the kernel's own audit entries (their actor is
a user of whatever user model the project has).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from village.core import bulk
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
COLUMNS = ("actor_id", "action", "object_id", "at")


def writers() -> list[Any]:
    """Django's writer everywhere, and COPY in the PostgreSQL suite (deselected on SQLite)."""
    return [bulk.DjangoWriter, pytest.param(bulk.CopyWriter, marks=pytest.mark.postgresql)]


@pytest.fixture
def actor() -> Any:
    return get_user_model().objects.create_user(username="bulk-actor")


def entries() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.order_by("object_id").values_list(
            "action", "object_id", "at", "channel", "organisation_id", "path"
        )
    )


@pytest.mark.parametrize("writer", writers())
def test_insert_writes_the_values_given_and_defaults_for_the_rest(writer: Any, actor: Any) -> None:
    rows = [(actor.pk, AuditAction.VIEW_ROSTER.value, f"{n:02d}", MOMENT) for n in range(7)]
    written = writer().insert(AuditEvent, COLUMNS, iter(rows), {"organisation_id": 42})
    assert written == 7
    assert entries() == [
        (AuditAction.VIEW_ROSTER.value, f"{n:02d}", MOMENT, "web", 42, "") for n in range(7)
    ]


@pytest.mark.parametrize("writer", writers())
def test_insert_stamps_a_time_not_given_with_now(writer: Any, actor: Any) -> None:
    before = timezone.now()
    writer().insert(AuditEvent, ("actor_id", "action"), [(actor.pk, "view_roster")], {})
    assert AuditEvent.objects.get().at >= before


@pytest.mark.parametrize("writer", writers())
def test_insert_streams_more_rows_than_a_batch(writer: Any, actor: Any) -> None:
    small = writer()
    small.batch = 3
    rows = ((actor.pk, "view_roster", f"{n:02d}", MOMENT) for n in range(10))
    assert small.insert(AuditEvent, COLUMNS, rows, {}) == 10
    assert [entry[1] for entry in entries()] == [f"{n:02d}" for n in range(10)]


@pytest.mark.parametrize("writer", writers())
def test_update_sets_only_the_columns_named(writer: Any, actor: Any) -> None:
    bulk.insert_rows(AuditEvent, COLUMNS, [(actor.pk, "view_roster", "a", MOMENT)] * 2)
    first, second = AuditEvent.objects.order_by("pk").values_list("pk", flat=True)
    later = MOMENT + dt.timedelta(days=1)
    assert writer().update(AuditEvent, ("path", "at"), [(first, "/x/", later)]) == 1
    assert list(AuditEvent.objects.order_by("pk").values_list("path", "at", "object_id")) == [
        ("/x/", later, "a"),
        ("", MOMENT, "a"),
    ]
    assert second


def test_the_database_gets_its_fastest_writer() -> None:
    expected = bulk.CopyWriter if connection.vendor == "postgresql" else bulk.DjangoWriter
    assert type(bulk.writer_for_connection()) is expected


def test_insert_and_update_rows_go_through_that_writer(actor: Any) -> None:
    rows = [(actor.pk, "view_roster", str(n), MOMENT) for n in range(3)]
    assert bulk.insert_rows(AuditEvent, COLUMNS, rows, constants={"channel": "api"}) == 3
    keys = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert bulk.update_rows(AuditEvent, ("object_type",), ((pk, "class") for pk in keys)) == 3
    assert set(AuditEvent.objects.values_list("channel", "object_type")) == {("api", "class")}


def test_insert_objects_gives_each_its_key(actor: Any) -> None:
    objects = [AuditEvent(actor=actor, action="view_roster", object_id=str(n)) for n in range(3)]
    assert all(obj.pk is not None for obj in bulk.insert_objects(objects))
    assert bulk.insert_objects([]) == []


def test_delete_in_removes_the_rows_of_a_subquery_without_loading_them(actor: Any) -> None:
    bulk.insert_rows(
        AuditEvent, COLUMNS, [(actor.pk, "view_roster", str(n), MOMENT) for n in range(4)]
    )
    keys = AuditEvent.objects.filter(object_id__in=["1", "2"]).values("pk")
    assert bulk.delete_in(AuditEvent, "id", keys) == 2
    assert sorted(AuditEvent.objects.values_list("object_id", flat=True)) == ["0", "3"]


def test_analyze_runs_on_any_database() -> None:
    bulk.analyze([AuditEvent])  # PostgreSQL: fresh statistics; elsewhere nothing to do


def test_insert_new_leaves_out_taken_keys_and_gives_the_new_rows_keys(actor: Any) -> None:
    model = get_user_model()
    before = model.objects.get(pk=actor.pk)
    objs = [
        model(username="bulk-actor", first_name="Changed", email="changed@example.org"),
        model(username="bulk-new-1", first_name="Ana", email="ana@example.org"),
        model(username="bulk-new-2", first_name="Bo", email="bo@example.org"),
    ]

    written = bulk.insert_new(objs, key="username")

    assert set(written) == {"bulk-new-1", "bulk-new-2"}
    assert (
        dict(model.objects.filter(username__startswith="bulk-new").values_list("username", "pk"))
        == written
    )
    assert (
        model.objects.filter(username="bulk-new-1").values_list("first_name", flat=True).get()
        == "Ana"
    )
    unchanged = model.objects.get(pk=actor.pk)
    assert (unchanged.first_name, unchanged.email) == (before.first_name, before.email)
    assert bulk.insert_new([], key="username") == {}


def test_insert_new_rows_leaves_out_taken_keys_and_gives_the_new_rows_keys(actor: Any) -> None:
    model = get_user_model()
    rows = [
        ("bulk-actor", "Changed", MOMENT),
        ("bulk-row-1", "Ana", MOMENT),
        ("bulk-row-2", "Bo", MOMENT),
    ]

    written = bulk.insert_new_rows(
        model,
        ("username", "first_name", "date_joined"),
        rows,
        key="username",
        constants={"email": "rows@example.org"},
    )

    assert set(written) == {"bulk-row-1", "bulk-row-2"}
    found = model.objects.filter(username__startswith="bulk-row")
    assert dict(found.values_list("username", "pk")) == written
    assert set(found.values_list("first_name", "email", "date_joined")) == {
        ("Ana", "rows@example.org", MOMENT),
        ("Bo", "rows@example.org", MOMENT),
    }
    assert model.objects.get(pk=actor.pk).first_name == ""
    assert bulk.insert_new_rows(model, ("username",), [], key="username") == {}
