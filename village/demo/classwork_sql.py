"""Set-based writes and deletes for the classwork tables, at any size.

``write`` streams plain value tuples into a table: ``COPY`` on PostgreSQL, one prepared
``INSERT`` run by ``executemany`` on SQLite. ``classwork_delete`` removes the classwork of some
classes with one ``DELETE`` per table, leaves first, without loading a row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from village.classwork import versions
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Submission,
    Topic,
)
from village.community.models import SchoolClass
from village.demo.bulk import insert_rows


def write(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[object, ...]]
) -> int:
    """Insert ``rows`` (values for ``columns``; every other field gets its default), streamed.

    PostgreSQL: one ``COPY``, values adapted by the driver. SQLite: ``executemany`` of one
    prepared ``INSERT``, each distinct date and time adapted once. Neither builds a model
    instance or asks a field to prepare each value, which would cost more than the insert.
    """
    if connection.vendor not in {"postgresql", "sqlite"}:
        return insert_rows(model, columns, list(rows))
    fields = {field.attname: field for field in model._meta.concrete_fields}
    now = timezone.now()
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
    ]
    constants = tuple(_default(field, now) for field in rest)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in [*(fields[c] for c in columns), *rest])
    table = quote(model._meta.db_table)
    # In one transaction: outside one, SQLite would commit (and sync) after every row.
    with transaction.atomic(), connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            if connection.vendor == "postgresql":
                constants = tuple(_copy_value(f, v) for f, v in zip(rest, constants, strict=True))
                return _copy(cursor, f"COPY {table} ({names}) FROM STDIN", rows, constants)
            timed = [
                n for n, c in enumerate(columns) if fields[c].get_internal_type() == "DateTimeField"
            ]
            constants = tuple(
                f.get_db_prep_save(v, connection) for f, v in zip(rest, constants, strict=True)
            )
            marks = ", ".join(["?"] * (len(columns) + len(rest)))
            statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            return _execute_many(cursor, statement, rows, constants, timed)
        finally:
            cursor.close()


def _default(field: models.Field[Any, Any], now: dt.datetime) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _copy_value(field: models.Field[Any, Any], value: object) -> object:
    """A default as COPY takes it: JSON as its text (the driver adapts every other kind)."""
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, cls=getattr(field, "encoder", None))
    return value


def _copy(
    cursor: Any, statement: str, rows: Iterable[tuple[object, ...]], constants: tuple[object, ...]
) -> int:
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + constants)
            count += 1
    return count


def _execute_many(
    cursor: Any,
    statement: str,
    rows: Iterable[tuple[object, ...]],
    constants: tuple[object, ...],
    timed: list[int],
) -> int:
    """SQLite keeps times as naive text in the connection's zone (UTC), as Django writes them."""
    zone = connection.timezone
    count = 0

    def values(row: tuple[object, ...]) -> tuple[object, ...]:
        nonlocal count
        count += 1
        if not timed:
            return row + constants
        cells = list(row)
        for position in timed:
            moment = cells[position]
            if isinstance(moment, dt.datetime):
                cells[position] = str(moment.astimezone(zone).replace(tzinfo=None))
        return (*cells, *constants)

    cursor.executemany(statement, map(values, rows))
    return count


@transaction.atomic
def classwork_delete(school_classes: models.QuerySet[SchoolClass]) -> int:
    """Remove the classwork of ``school_classes``: one ``DELETE`` per table, leaves first.

    (Django's cascade would first load every row it deletes: millions of feedback rows.)
    """
    analyze()  # a half-built district leaves stale statistics and a plan that never ends
    classes = school_classes.values("pk")
    work = Assignment.objects.filter(school_class__in=classes).values("pk")
    feedback = Feedback.objects.filter(assignment__in=work).values("pk")
    rubrics = Rubric.objects.filter(school_class__in=classes).values("pk")
    criteria = RubricCriterion.objects.filter(rubric__in=rubrics).values("pk")
    steps: list[tuple[type[models.Model], str, models.QuerySet[Any]]] = [
        (RubricScore, "feedback_id", feedback),
        (FeedbackSeen, "feedback_id", feedback),
        (Feedback, "assignment_id", work),
        (Submission, "assignment_id", work),
        (AssignmentMaterial, "assignment_id", work),
        (Assignment, "school_class_id", classes),
        (RubricLevel, "criterion_id", criteria),
        (RubricCriterion, "rubric_id", rubrics),
        (Rubric, "school_class_id", classes),
        (GradingCategory, "school_class_id", classes),
        (Topic, "school_class_id", classes),
        (ClassEvent, "school_class_id", classes),
    ]
    deleted = sum(_delete(model, column, keys) for model, column, keys in steps)
    versions.classes_changed(school_classes.values_list("pk", flat=True))
    return deleted


def _delete(model: type[models.Model], column: str, keys: models.QuerySet[Any]) -> int:
    """``DELETE FROM model WHERE column IN (keys)``, without loading a row."""
    subquery, params = keys.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {quote(column)} IN ({subquery})", params)  # noqa: S608
        return max(cursor.rowcount, 0)


CLASSWORK_MODELS: tuple[type[models.Model], ...] = (
    Topic, GradingCategory, Rubric, RubricCriterion, RubricLevel, Assignment,
    AssignmentMaterial, Submission, Feedback, RubricScore, FeedbackSeen, ClassEvent,
)  # fmt: skip


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL (after a bulk load they say the tables are empty)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in CLASSWORK_MODELS)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
