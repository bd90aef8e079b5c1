"""Streaming CSV reading for roster files.

Rows are read one at a time from a binary stream, so a 400,000-row file is never held in memory.
The stream is split into physical lines here (not by ``io.TextIOWrapper``) so that text that is
not UTF-8 is reported with the line it is on, and a single absurdly long line is refused before it
is decoded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from village.rostering.report import Report

MAX_LINE_BYTES = 1 << 20  # one physical line; OneRoster rows are a few hundred bytes
MAX_FIELD_CHARS = 100_000
_BOM = "\ufeff"
# Problems after which the rest of a file is not read.
STOPPING_CODES = ("encoding", "line_too_long", "field_too_long", "csv_syntax")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class _StopFile(Exception):
    """Reading this file cannot go on; the reason is already in the report."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_line_bytes: int = MAX_LINE_BYTES
    max_field_chars: int = MAX_FIELD_CHARS


def _lines(stream: IO[bytes], file: str, report: Report, limits: Limits) -> Iterator[str]:
    """Decoded physical lines, line endings kept (the csv module needs them for quoted fields)."""
    number = 0
    while True:
        raw = stream.readline(limits.max_line_bytes + 1)
        if not raw:
            return
        number += 1
        if number == 1 and raw.startswith(_UTF16_BOMS):
            report.error(
                "encoding",
                "the file is UTF-16 text; save it as UTF-8",
                file=file,
                line=1,
            )
            raise _StopFile
        if len(raw) > limits.max_line_bytes:
            report.error(
                "line_too_long",
                f"line is longer than {limits.max_line_bytes} bytes",
                file=file,
                line=number,
            )
            raise _StopFile
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.error(
                "encoding",
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at character {exc.start + 1}); "
                "save the file as UTF-8",
                file=file,
                line=number,
            )
            raise _StopFile from None
        if number == 1 and text.startswith(_BOM):
            text = text[1:]
        yield text


def records(
    stream: IO[bytes], file: str, report: Report, limits: Limits | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` for every CSV record, the header included.

    The line number is where the record starts. Blank lines are skipped. Problems that make the
    rest of the file unreadable are reported as errors and end the iteration.
    """
    limits = limits or Limits()
    source = _lines(stream, file, report, limits)
    reader = csv.reader(source, strict=False)
    previous_end = 0
    try:
        for fields in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if max(map(len, fields)) > limits.max_field_chars:
                report.error(
                    "field_too_long",
                    f"a value is longer than {limits.max_field_chars} characters",
                    file=file,
                    line=start,
                )
                return
            yield start, fields
    except _StopFile:
        return
    except csv.Error as exc:
        report.error(
            "csv_syntax", f"not readable as CSV: {exc}", file=file, line=reader.line_num or 1
        )


def map_header(
    fields: list[str],
    *,
    file: str,
    known: tuple[str, ...],
    required: frozenset[str],
    aliases: dict[str, str],
    report: Report,
) -> dict[str, int] | None:
    """Map each known column name to its position in ``fields`` (the header row).

    Names are case-sensitive in OneRoster, but a name that differs from a known one only in case,
    or is a known misspelling (``aliases``), is safe to read as that column: it is, with a warning.
    Trailing empty names are dropped; unknown columns (``metadata.*``, ``ext_*``) are ignored with
    one warning. Returns ``None`` when a required column is missing or a column appears twice.
    """
    names = [name.strip() for name in fields]
    while names and not names[-1]:
        names.pop()
    by_lower = {name.lower(): name for name in known}
    positions: dict[str, int] = {}
    extra: list[str] = []
    ok = True
    for index, name in enumerate(names):
        column = _canonical(name, known, aliases, by_lower)
        if column is None:
            extra.append(name or f"(empty, position {index + 1})")
            continue
        if column != name:
            report.warning(
                "header_variant",
                f'header "{name}" read as "{column}"',
                file=file,
                line=1,
                column=name,
            )
        if column in positions:
            report.error(
                "duplicate_column", "column appears twice", file=file, line=1, column=column
            )
            ok = False
        positions[column] = index
    if extra:
        report.warning(
            "extra_columns",
            f"ignored columns Village does not use: {', '.join(extra)}",
            file=file,
            line=1,
        )
    for column in known:
        if column in required and column not in positions:
            report.error(
                "missing_column", "required column is missing", file=file, line=1, column=column
            )
            ok = False
    return positions if ok else None


def _canonical(
    name: str, known: tuple[str, ...], aliases: dict[str, str], by_lower: dict[str, str]
) -> str | None:
    if name in known:
        return name
    if name in aliases:
        return aliases[name]
    return by_lower.get(name.lower())
