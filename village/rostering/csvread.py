"""Streaming CSV reading for roster files.

Rows are read one at a time from a binary stream, so a 400,000-row file is never held in memory.
The stream is split into physical lines here (not by ``io.TextIOWrapper``) so that text that is
not UTF-8 is reported with the line it is on, and a single absurdly long line is refused before it
is decoded.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, NoReturn

from village.rostering.report import Report

MAX_LINE_BYTES = 1 << 20  # one physical line; OneRoster rows are a few hundred bytes
MAX_FIELD_CHARS = 100_000
_BOM = "\ufeff"
# Problems after which the rest of a file is not read.
STOPPING_CODES = ("encoding", "line_too_long", "field_too_long", "csv_syntax")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BLOCK_BYTES = 1 << 16  # read and decoded at once; lines are split out of it in C


class _StopFile(Exception):
    """Reading this file cannot go on; the reason is already in the report."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_line_bytes: int = MAX_LINE_BYTES
    max_field_chars: int = MAX_FIELD_CHARS


def _lines(stream: IO[bytes], file: str, report: Report, limits: Limits) -> Iterator[str]:
    """Decoded physical lines, line endings kept (the csv module needs them for quoted fields).

    The stream is read and decoded a block of whole lines at a time, and the lines of a block are
    handed out by ``io.StringIO``, without Python code per line. A block that cannot be decoded,
    or that may hold a line over the limit, is gone through line by line instead, so the problem
    is reported on the line it is on and every line before it is still read.
    """
    return itertools.chain.from_iterable(_blocks(stream, file, report, limits))


def _blocks(
    stream: IO[bytes], file: str, report: Report, limits: Limits
) -> Iterator[Iterable[str]]:
    limit = limits.max_line_bytes
    first = stream.read(max(_BLOCK_BYTES, len(_UTF16_BOMS[0])))
    if first.startswith(_UTF16_BOMS):
        report.error("encoding", "the file is UTF-16 text; save it as UTF-8", file=file, line=1)
        raise _StopFile
    number = 0  # lines handed out so far
    pending = first
    while True:
        block = stream.read(_BLOCK_BYTES)
        if not block:
            break
        pending += block
        cut = pending.rfind(b"\n") + 1
        if cut == 0:
            if len(pending) > limit:
                _too_long(file, report, limits, number + 1)
            continue
        body, pending = pending[:cut], pending[cut:]
        count = body.count(b"\n")
        yield _decoded(body, count, number, file, report, limits)
        number += count
    if pending:
        count = pending.count(b"\n") + (not pending.endswith(b"\n"))
        yield _decoded(pending, count, number, file, report, limits)


def _decoded(
    body: bytes, count: int, number: int, file: str, report: Report, limits: Limits
) -> Iterable[str]:
    """The ``count`` lines of ``body``, which follow line ``number``."""
    if len(body) <= limits.max_line_bytes:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if number == 0 and text.startswith(_BOM):
                text = text[1:]
            return io.StringIO(text)
    return _one_by_one(body, number, file, report, limits)


def _one_by_one(
    body: bytes, number: int, file: str, report: Report, limits: Limits
) -> Iterator[str]:
    for raw in io.BytesIO(body):
        number += 1
        if len(raw) > limits.max_line_bytes:
            _too_long(file, report, limits, number)
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


def _too_long(file: str, report: Report, limits: Limits, number: int) -> NoReturn:
    report.error(
        "line_too_long",
        f"line is longer than {limits.max_line_bytes} bytes",
        file=file,
        line=number,
    )
    raise _StopFile


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
    max_chars = limits.max_field_chars
    previous_end = 0
    try:
        for fields in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if len(fields) < 2 and (not fields or not fields[0].strip()):
                continue
            if max(map(len, fields)) > max_chars:
                report.error(
                    "field_too_long",
                    f"a value is longer than {max_chars} characters",
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
