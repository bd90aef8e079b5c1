"""Set-based writes for the demo and the generator: batched inserts and thorough deletes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

BATCH_SIZE = 1000
ROWS_PER_STATEMENT = 500
# Field types whose values the field itself must adapt for the database (dates, times).
ADAPTED_TYPES = frozenset({"DateField", "DateTimeField", "TimeField", "DecimalField", "JSONField"})
MAX_PURGE_DEPTH = 8


def insert(objs: Sequence[M]) -> Sequence[M]:
    """Insert ``objs`` in batches; afterwards every object carries its primary key.

    Databases that cannot return keys from a bulk insert (SQLite before 3.35) get them back
    through ``sourced_id``, so objects that need their key must have one.
    """
    if not objs:
        return objs
    model = type(objs[0])
    model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    if objs[0].pk is None:
        _fill_keys(model, objs)
    return objs


def _fill_keys(model: type[M], objs: Sequence[M]) -> None:
    for start in range(0, len(objs), BATCH_SIZE):
        batch = objs[start : start + BATCH_SIZE]
        sourced_ids = [getattr(obj, "sourced_id", None) for obj in batch]
        keys = dict(
            model._default_manager.filter(sourced_id__in=sourced_ids).values_list(
                "sourced_id", "pk"
            )
        )
        for obj, sourced_id in zip(batch, sourced_ids, strict=True):
            obj.pk = keys[sourced_id]


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> int:
    """Insert plain value tuples, one per row, for ``columns`` (field attnames) of ``model``.

    For millions of rows, where building model instances and compiling each value costs far
    more than the database's work. Every other concrete field gets its default, the same for
    all rows (``auto_now`` fields: now). The primary key must be an auto field. Values of
    date and time fields are adapted by the field; all others must already be plain values
    the database takes as they are (str, int, bool, None).
    """
    if not rows:
        return 0
    plan = _InsertPlan(model, columns)
    with _unlogged_cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, plan, rows)
        else:
            _insert_statements(cursor, plan, rows)
    return len(rows)


def _copy(cursor: Any, plan: _InsertPlan, rows: Sequence[Sequence[object]]) -> None:
    """PostgreSQL's COPY: the fastest way in, and no SQL text to build for each row."""
    with cursor.copy(f"COPY {plan.table} ({plan.column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(plan.values(row))


def _insert_statements(cursor: Any, plan: _InsertPlan, rows: Sequence[Sequence[object]]) -> None:
    statement_rows = max(1, min(ROWS_PER_STATEMENT, _max_params() // len(plan.fields)))
    for start in range(0, len(rows), statement_rows):
        chunk = rows[start : start + statement_rows]
        params: list[Any] = []
        for row in chunk:
            params.extend(plan.values(row))
        cursor.execute(plan.sql(len(chunk)), params)


@contextmanager
def _unlogged_cursor() -> Iterator[Any]:
    """The driver's own cursor, inside Django's error translation.

    Django's cursor logs every query when DEBUG is on, and on SQLite that costs an extra query
    per statement to quote its parameters: it would double the time of a large insert.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


class _InsertPlan:
    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        given = [by_attname[column] for column in columns]
        rest = [
            field
            for field in model._meta.concrete_fields
            if field.attname not in columns and not field.primary_key
        ]
        now = timezone.now()
        self.fields = [*given, *rest]
        self.constants = tuple(_db_value(field, _default(field, now)) for field in rest)
        self.adapted = [
            (position, field)
            for position, field in enumerate(given)
            if field.get_internal_type() in ADAPTED_TYPES
        ]
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.column_list = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marker = "?" if connection.vendor == "sqlite" else "%s"  # the driver's own style
        self.row_placeholder = "(" + ", ".join([marker] * len(self.fields)) + ")"

    def sql(self, row_count: int) -> str:
        values = ", ".join([self.row_placeholder] * row_count)
        return f"INSERT INTO {self.table} ({self.column_list}) VALUES {values}"  # noqa: S608

    def values(self, row: Sequence[object]) -> list[object]:
        """The row's values in column order, adapted, followed by the shared defaults."""
        values = [*row, *self.constants]
        for position, field in self.adapted:
            values[position] = _db_value(field, values[position])
        return values


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or 65535)


def _default(field: models.Field[Any, Any], now: dt.datetime) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now.date() if field.get_internal_type() == "DateField" else now
    return field.get_default()


def _db_value(field: models.Field[Any, Any], value: object) -> object:
    return field.get_db_prep_save(value, connection)


def purge(queryset: models.QuerySet[M], depth: int = 0) -> int:
    """Delete the rows of ``queryset`` and, first, any rows elsewhere that protect them.

    Demo and generated data may have gathered classwork, messages or audit entries by the time
    it is reset; those belong to the demo too, whatever app they live in.
    """
    for _attempt in range(MAX_PURGE_DEPTH):
        try:
            deleted, _by_model = queryset.delete()
        except (ProtectedError, RestrictedError) as blocked:
            if depth >= MAX_PURGE_DEPTH:
                raise
            for model, keys in _keys_by_model(_blockers(blocked)).items():
                purge(model._default_manager.filter(pk__in=keys), depth + 1)
        else:
            return deleted
    return queryset.delete()[0]  # still blocked: let Django say by what


def _blockers(error: ProtectedError | RestrictedError) -> Iterable[models.Model]:
    if isinstance(error, ProtectedError):
        return error.protected_objects
    return error.restricted_objects


def _keys_by_model(objs: Iterable[models.Model]) -> dict[type[models.Model], list[object]]:
    grouped: dict[type[models.Model], list[object]] = defaultdict(list)
    for obj in objs:
        grouped[type(obj)].append(obj.pk)
    return grouped
