"""Reading one CSV value as the type its column holds, normalising safe variants.

Each reader returns the value, or ``INVALID`` after reporting an error. Safe variants (``TRUE``,
``Scheduled``, a date where a date-time belongs) are accepted with a warning; anything a person
would have to guess about (``1/05/2023`` could be January or May) is an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from village.rostering.report import Report
from village.rostering.schema import Column, ValueType


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
Value = str | tuple[str, ...] | dt.date | dt.datetime | bool | int | float | None | _Invalid

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_YEAR = re.compile(r"\d{4}")


@dataclass(slots=True)
class Where:
    """The place of a value, for messages."""

    report: Report
    file: str
    line: int = 0

    def error(self, code: str, column: str, message: str) -> _Invalid:
        self.report.error(code, message, file=self.file, line=self.line, column=column)
        return INVALID

    def warning(self, code: str, column: str, message: str) -> None:
        self.report.warning(code, message, file=self.file, line=self.line, column=column)


class QuietWhere(Where):
    """A place that reports nothing: it only notes that a reader had something to say."""

    __slots__ = ("noted",)

    def __init__(self, report: Report, file: str) -> None:
        super().__init__(report, file)
        self.noted = False

    def error(self, code: str, column: str, message: str) -> _Invalid:
        self.noted = True
        return INVALID

    def warning(self, code: str, column: str, message: str) -> None:
        self.noted = True


_LISTS: dict[str, tuple[str, ...]] = {}
_LISTS_KEPT = 4096


def split_list(raw: str) -> tuple[str, ...]:
    """``"a, b,c"`` -> ``("a", "b", "c")``; empty items dropped.

    The same few lists (grades, a school's id) repeat on most rows, so recent ones are shared.
    """
    found = _LISTS.get(raw)
    if found is not None:
        return found
    items = tuple(sys.intern(item.strip()) for item in raw.split(",") if item.strip())
    if len(_LISTS) >= _LISTS_KEPT:
        _LISTS.clear()
    _LISTS[raw] = items
    return items


def _id(column: Column, raw: str, where: Where) -> Value:
    return sys.intern(raw) if column.ref else raw


def _ids(column: Column, raw: str, where: Where) -> Value:
    return split_list(raw)


def _date(column: Column, raw: str, where: Where) -> Value:
    if _DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    return where.error("bad_date", column.name, f'not a date "{raw}" (expected YYYY-MM-DD)')


def _datetime(column: Column, raw: str, where: Where) -> Value:
    if _DATE.fullmatch(raw):
        day = _date(column, raw, where)
        if isinstance(day, dt.date):
            where.warning(
                "date_for_datetime", column.name, "a date without a time; read as 00:00 UTC"
            )
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        return day
    if _DATETIME_PREFIX.match(raw):
        try:
            moment = dt.datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                where.warning(
                    "naive_datetime", column.name, "a date-time without a zone; read as UTC"
                )
                moment = moment.replace(tzinfo=dt.UTC)
            return moment
    message = f'not a date-time "{raw}" (expected ISO 8601, e.g. 2023-05-01T18:25:43.511Z)'
    return where.error("bad_datetime", column.name, message)


def _bool(column: Column, raw: str, where: Where) -> Value:
    if raw in ("true", "false"):
        return raw == "true"
    lowered = raw.strip().lower()
    if lowered in ("true", "false"):
        where.warning("bool_case", column.name, f'"{raw}" read as {lowered}')
        return lowered == "true"
    return where.error("bad_bool", column.name, f'not a boolean "{raw}" (expected true or false)')


def _enum(column: Column, raw: str, where: Where) -> Value:
    if raw in column.choices:
        return raw
    wanted = raw.strip().lower()
    for choice in column.choices:
        if choice.lower() == wanted:
            where.warning("enum_case", column.name, f'"{raw}" read as "{choice}"')
            return choice
    expected = ", ".join(column.choices)
    return where.error(
        "bad_enum", column.name, f'unknown {column.name} "{raw}" (expected {expected})'
    )


def _year(column: Column, raw: str, where: Where) -> Value:
    if _YEAR.fullmatch(raw):
        return int(raw)
    return where.error("bad_year", column.name, f'not a year "{raw}" (expected YYYY)')


def _number(column: Column, raw: str, where: Where) -> Value:
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return number
    return where.error("bad_number", column.name, f'not a number "{raw}"')


def _email(column: Column, raw: str, where: Where) -> Value:
    """An address Django's ``EmailField`` accepts: mail to anything else could not be sent (a
    line break in it would even write extra headers)."""
    try:
        validate_email(raw)
    except ValidationError:
        shown = raw.encode("unicode_escape").decode("ascii")  # a line break shows as \n
        return where.error("bad_email", column.name, f'not an email address "{shown}"')
    return raw


# ``None``: the text is the value.
READERS: dict[ValueType, Callable[[Column, str, Where], Value] | None] = {
    ValueType.TEXT: None,
    ValueType.ID: _id,
    ValueType.IDS: _ids,
    ValueType.LIST: _ids,
    ValueType.DATE: _date,
    ValueType.DATETIME: _datetime,
    ValueType.BOOL: _bool,
    ValueType.ENUM: _enum,
    ValueType.YEAR: _year,
    ValueType.NUMBER: _number,
    ValueType.EMAIL: _email,
}


def read_value(column: Column, raw: str, where: Where) -> Value:
    """The typed value of ``raw`` (already stripped); ``None`` when blank."""
    if not raw:
        return None
    reader = READERS[column.type]
    return raw if reader is None else reader(column, raw, where)
