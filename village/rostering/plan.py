"""What an import would change: a read-only comparison of a parsed roster with Village's rows.

Everything is compared in *sourcedId space*: a reference is held as the sourcedId it points at
(``parent_ref``, ``course_ref``, ...), so the plan needs no database ids of objects it has yet to
create. Each kind is loaded in one query; the differences are worked out in Python.

A plan holds, per kind, the rows to create, and the fields to change on existing rows (updates,
and deactivations, which are updates of the status fields). Only fields that actually differ are
listed, so importing the same bundle twice plans nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet

from village.core.models import RosterStatus
from village.rostering.records import ParsedRoster
from village.rostering.report import Report
from village.rostering.schema import FileMode

KINDS = (
    "orgs",
    "sessions",
    "courses",
    "classes",
    "users",
    "roles",
    "enrollments",
    "guardian_links",
)
# Plan kinds by the OneRoster file they come from, where the names differ.
FILE_OF_KIND = {"sessions": "academicSessions", "guardian_links": "users"}

Row = dict[str, Any]
Change = tuple[int, Row]  # (primary key, fields to set)


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deactivated


@dataclass
class ChangeCounts:
    """How many rows of each kind an import creates, updates and deactivates."""

    kinds: dict[str, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts() for kind in KINDS}
    )

    def __getitem__(self, kind: str) -> KindCounts:
        """The counts of ``kind``; none (all zero) for a kind this import did not touch."""
        return self.kinds.get(kind) or KindCounts()

    @property
    def total_changes(self) -> int:
        return sum(counts.total for counts in self.kinds.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            kind: {
                "created": counts.created,
                "updated": counts.updated,
                "deactivated": counts.deactivated,
            }
            for kind, counts in self.kinds.items()
        }


@dataclass
class KindPlan:
    """The changes to one kind. New rows are tuples of values named by ``columns`` (a district
    creates hundreds of thousands of them at once); changes to existing rows name their fields."""

    columns: tuple[str, ...] = ()
    create: list[tuple[Any, ...]] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    deactivate: list[Change] = field(default_factory=list)

    def created(self) -> Iterator[Row]:
        """The new rows as dicts, for readers that care about clarity more than speed."""
        for values in self.create:
            yield dict(zip(self.columns, values, strict=True))


@dataclass
class Plan:
    kinds: dict[str, KindPlan] = field(default_factory=lambda: {kind: KindPlan() for kind in KINDS})
    # Classes whose terms change: class sourcedId -> the term sourcedIds it must have.
    class_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # People whose email address the plan changes: user id -> the address they had.
    email_changes: dict[int, str] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> KindPlan:
        return self.kinds[kind]

    @property
    def counts(self) -> ChangeCounts:
        counts = ChangeCounts()
        for kind, kind_plan in self.kinds.items():
            counts[kind].created = len(kind_plan.create)
            counts[kind].updated = len(kind_plan.update)
            counts[kind].deactivated = len(kind_plan.deactivate)
        return counts


def file_mode(roster: ParsedRoster, kind: str) -> FileMode:
    """The mode of the file a plan kind comes from; roles fall back to users.csv (1.1)."""
    if kind == "roles" and roster.mode("roles") is FileMode.ABSENT:
        return roster.mode("users")
    return roster.mode(FILE_OF_KIND.get(kind, kind))


def deletions(roster: ParsedRoster, kind: str) -> set[str]:
    return roster.deletions.get(FILE_OF_KIND.get(kind, kind), set())


def rows_of(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Plain dicts of a ``values()`` query."""
    return [dict(row) for row in rows]


def keyed(rows: Iterable[Mapping[str, Any]]) -> dict[str, Row]:
    """Rows of a ``values()`` query of sourced rows, by sourcedId."""
    return {str(row["sourced_id"]): dict(row) for row in rows}


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> Row:
    return {name: value for name, value in new.items() if old[name] != value}


def diff(
    kind_plan: KindPlan,
    wanted: Mapping[str, Row],
    existing: Mapping[str, Row],
    columns: tuple[str, ...],
) -> None:
    """Plan creates for new keys and updates of the differing fields of existing ones.

    A new row's values are those of ``columns`` (its sourcedId first); a value a wanted row does
    not give is ``None``.
    """
    kind_plan.columns = ("sourced_id", *columns)
    for sourced_id, row in wanted.items():
        old = existing.get(sourced_id)
        if old is None:
            kind_plan.create.append((sourced_id, *(row.get(name) for name in columns)))
            continue
        fields = changed(old, row)
        if fields:
            kind_plan.update.append((int(old["id"]), fields))


def stale(
    roster: ParsedRoster,
    kind: str,
    wanted: Iterable[str],
    existing: Mapping[str, Row],
    in_scope: Callable[[Row], bool],
) -> list[Row]:
    """Existing active rows a bulk snapshot leaves out (in scope) or a delta marks deleted."""
    mode = file_mode(roster, kind)
    if mode is FileMode.BULK:
        present = set(wanted)
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id not in present and row["status"] == RosterStatus.ACTIVE and in_scope(row)
        ]
    if mode is FileMode.DELTA:
        gone = deletions(roster, kind)
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id in gone and row["status"] == RosterStatus.ACTIVE
        ]
    return []


def deactivate(kind_plan: KindPlan, rows: Iterable[Row], **extra: Any) -> None:
    for row in rows:
        kind_plan.deactivate.append((int(row["id"]), {"status": RosterStatus.INACTIVE, **extra}))


def text_limits(model: type[models.Model]) -> dict[str, int]:
    """The longest text each text field of ``model`` holds, by field name."""
    limits: dict[str, int] = {}
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.CharField) and model_field.max_length:
            limits[model_field.name] = model_field.max_length
    return limits


def check_lengths(
    report: Report, model: type[models.Model], file: str, wanted: Mapping[str, Row]
) -> None:
    """Report text too long for its column (PostgreSQL would refuse it mid-import)."""
    limits = text_limits(model)
    for sourced_id, row in wanted.items():
        for name, value in row.items():
            limit = limits.get(name)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                report.error(
                    "too_long",
                    f'"{sourced_id}": {len(value)} characters; Village keeps at most {limit}',
                    file=file,
                    column=name,
                )


def load_rows(queryset: QuerySet[Any], *fields: str) -> list[tuple[Any, ...]]:
    """The rows of ``queryset.values_list(*fields)``, as plain tuples.

    On PostgreSQL the query Django compiles runs on a plain cursor, and psycopg builds the
    tuples itself: several times faster than Django's row by row iteration for the hundreds of
    thousands of rows a district has. The fields loaded this way (keys, text, booleans, dates)
    need no conversion on PostgreSQL; other databases go through Django, which converts.
    """
    values = queryset.values_list(*fields)
    query = values.query
    if connection.vendor != "postgresql" or query.annotation_select or query.extra_select:
        return list(values)
    try:
        sql, params = query.get_compiler(using=values.db).as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def joined(values: tuple[str, ...]) -> str:
    return ",".join(values)


@dataclass
class Context:
    """What every kind's planner shares: the roster, the report and the day of the import."""

    roster: ParsedRoster
    report: Report
    today: dt.date
    plan: Plan = field(default_factory=Plan)
    # The organisations the importer administers (``reach.importer_organisations``): people
    # with a role or a child elsewhere keep their account as it is. ``None``: every one.
    organisations: frozenset[int] | None = None
    # The primary keys of the rows Village already holds, by kind and sourcedId (classes and
    # users), so that later kinds compare references as keys without loading their sourcedIds.
    pks: dict[str, dict[str, int]] = field(default_factory=dict)
