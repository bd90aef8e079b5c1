"""Reading a gradebook file of a validated OneRoster bundle, and the values of its rows as the
gradebook import takes them (see ``village.rostering.gradebook``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone

from village.rostering.bundle import Bundle, Manifest
from village.rostering.csvread import map_header, records
from village.rostering.report import Report
from village.rostering.schema import SCHEMAS, FileMode
from village.rostering.values import INVALID, QuietWhere, Value, read_value

CENTS = Decimal("0.01")
MAX_POINTS = Decimal("99999.99")  # what the seven-digit decimal columns hold
# Above this many sourcedIds, a kind is loaded whole rather than with a long ``IN (...)`` list.
MAX_IN_LIST = 5000

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class GradebookRecord:
    line: int
    values: dict[str, Value]
    deleted: bool

    @property
    def sourced_id(self) -> str:
        return str(self.values["sourcedId"])

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else ""


def member_name(bundle: Bundle, filename: str) -> str | None:
    """The bundle member of a file, found the way validation finds it (any case)."""
    if filename in bundle.sizes:
        return filename
    return {name.lower(): name for name in bundle.sizes}.get(filename.lower())


def read_records(bundle: Bundle, manifest: Manifest, kind: str) -> Iterator[GradebookRecord]:
    """The rows of one gradebook file, normalised as validation reads them; nothing reported
    (validation did). Rows that do not read are left out."""
    mode = manifest.files.get(kind, FileMode.ABSENT)
    schema = SCHEMAS[kind]
    member = member_name(bundle, schema.filename)
    if mode is FileMode.ABSENT or member is None:
        return
    quiet = Report()
    where = QuietWhere(quiet, schema.filename)
    with bundle.open(member) as stream:
        rows = records(stream, schema.filename, quiet)
        header = next(rows, None)
        if header is None:
            return
        positions = map_header(
            header[1],
            file=schema.filename,
            known=schema.names,
            required=schema.required(manifest.version),
            aliases=schema.aliases,
            report=quiet,
        )
        if positions is None:
            return
        for line, fields in rows:
            where.line = line
            values: dict[str, Value] = {}
            for column in schema.columns:
                index = positions.get(column.name)
                if index is None or index >= len(fields):
                    continue
                value = read_value(column, fields[index].strip(), where)
                if value is INVALID:
                    break
                if value is not None:
                    values[column.name] = value
            else:
                if values.get("sourcedId"):
                    deleted = mode is FileMode.DELTA and values.get("status") == "tobedeleted"
                    yield GradebookRecord(line, values, deleted)


def by_sourced_id(
    queryset: models.QuerySet[Any], sourced_ids: set[str], *fields: str
) -> dict[str, tuple[Any, ...]]:
    """``fields`` of the rows with these sourcedIds, by sourcedId, in one query."""
    if not sourced_ids:
        return {}
    if len(sourced_ids) <= MAX_IN_LIST:
        queryset = queryset.filter(sourced_id__in=sourced_ids)
    else:
        queryset = queryset.filter(sourced_id__isnull=False)
    return {
        row[0]: row[1:]
        for row in queryset.values_list("sourced_id", *fields)
        if row[0] in sourced_ids
    }


def decimal_points(value: Value) -> Decimal | None:
    if not isinstance(value, float | int):
        return None
    try:
        number = Decimal(str(value)).quantize(CENTS)
    except InvalidOperation:
        return None
    return number if abs(number) <= MAX_POINTS else None


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> Row:
    return {name: value for name, value in new.items() if name in old and old[name] != value}


def time_zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
