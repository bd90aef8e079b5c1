"""A small iCalendar (RFC 5545) writer: components, properties, escaping and line folding.

It knows nothing of Village; ``village.calendar.feeds`` builds the feeds with it.
Output follows the RFC where calendar apps are strict: lines end with CRLF, long lines are folded
at 75 octets without splitting a UTF-8 character, TEXT values escape backslash, semicolon, comma
and newline, times are written in UTC with a ``Z`` (no VTIMEZONE needed) and dates as
``VALUE=DATE``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

CRLF = "\r\n"
#: A content line is at most 75 octets, not counting the line break (RFC 5545, 3.1).
MAX_LINE_OCTETS = 75

#: Characters iCalendar TEXT may not contain (controls other than tab; newlines are escaped
#: before this applies) and lone surrogates, which have no UTF-8 form.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_NAME = re.compile("[A-Z][A-Z0-9-]*")


def _one_line(value: str) -> str:
    """``value`` with every kind of line break as a single ``\\n`` and unsafe characters gone."""
    return _UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped (RFC 5545, 3.3.11)."""
    return (
        _one_line(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def param_value(value: str) -> str:
    """A parameter value, quoted when it holds ``:``, ``;`` or ``,``.

    A double quote cannot appear in a parameter value at all; it becomes a single quote.
    Newlines become spaces.
    """
    cleaned = _one_line(value).replace("\n", " ").replace('"', "'")
    if any(mark in cleaned for mark in ":;,"):
        return f'"{cleaned}"'
    return cleaned


def utc_stamp(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC form, e.g. ``20251103T150000Z``. ``moment`` must be aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("iCalendar times need an aware datetime.")
    utc = moment.astimezone(dt.UTC)
    return (
        f"{utc.year:04d}{utc.month:02d}{utc.day:02d}"
        f"T{utc.hour:02d}{utc.minute:02d}{utc.second:02d}Z"
    )


def date_stamp(day: dt.date) -> str:
    """A DATE, e.g. ``20251103``."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets joined by CRLF and a space.

    Pieces break between characters, never inside one's UTF-8 bytes; the space that starts a
    continuation counts toward its 75 octets.
    """
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


@dataclass(frozen=True, slots=True)
class Property:
    """One content line. ``value`` is already in iCalendar form (see the helpers below)."""

    name: str
    value: str
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name) or any(
            not _NAME.fullmatch(key) for key, _ in self.params
        ):
            raise ValueError(f"Not an iCalendar name: {self.name!r}")
        if _UNSAFE.search(self.value) or "\n" in self.value:
            raise ValueError(f"{self.name} holds a line break or a control character.")

    def line(self) -> str:
        params = "".join(f";{key}={param_value(value)}" for key, value in self.params)
        return f"{self.name}{params}:{self.value}"


def text(name: str, value: str) -> Property:
    """A TEXT property. Whitespace around the value is dropped: libical drops it when reading,
    and every reader should see the same value."""
    return Property(name, escape_text(value.strip()))


def moment(name: str, value: dt.datetime) -> Property:
    return Property(name, utc_stamp(value))


def day(name: str, value: dt.date) -> Property:
    return Property(name, date_stamp(value), (("VALUE", "DATE"),))


def uri(name: str, value: str, **params: str) -> Property:
    """A URI value (not escaped: a URI has no characters TEXT escapes would change)."""
    return Property(name, _one_line(value).replace("\n", ""), tuple(params.items()))


@dataclass(slots=True)
class Component:
    """``BEGIN:NAME``, its properties, its subcomponents, ``END:NAME``."""

    name: str
    properties: list[Property] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield f"BEGIN:{self.name}"
        for prop in self.properties:
            yield prop.line()
        for component in self.components:
            yield from component.lines()
        yield f"END:{self.name}"


def serialize(component: Component) -> str:
    """The component as iCalendar text: folded lines, each ending with CRLF."""
    return "".join(fold(line) + CRLF for line in component.lines())
