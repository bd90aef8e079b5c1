"""The quick ways of reading a bundle give exactly what the thorough ways give.

Lines are read a block at a time (``csvread``) and common rows are checked with little work per
value (``validate._FastRows``); both must agree with reading line by line and checking every row
in full, for any bytes and any rows, report included.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.rostering import csvread
from village.rostering.csvread import Limits, records
from village.rostering.report import Report
from village.rostering.tests.builders import HEADERS, ROWS, base_files, csv_text, write_zip
from village.rostering.validate import Validation, _FastRows, validate_bundle

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE = st.one_of(
    st.sampled_from(["a,b,c", '"x\ny",z', "", " ", "\r", "caf\u00e9,\u00fc", '"open', "\ufeffa"]),
    st.text(max_size=12),
)


class Stop(Exception):
    """The rest of the file is not read (as ``csvread`` stops on such a problem)."""


def reference_records(
    content: bytes, limits: Limits, report: Report
) -> list[tuple[int, list[str]]]:
    """Records read the simple way: one ``readline`` and one decode per line."""

    def lines() -> Any:
        stream = io.BytesIO(content)
        number = 0
        while raw := stream.readline(limits.max_line_bytes + 1):
            number += 1
            if number == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                report.error(
                    "encoding", "the file is UTF-16 text; save it as UTF-8", file="f", line=1
                )
                raise Stop
            if len(raw) > limits.max_line_bytes:
                report.error(
                    "line_too_long",
                    f"line is longer than {limits.max_line_bytes} bytes",
                    file="f",
                    line=number,
                )
                raise Stop
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.error(
                    "encoding",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at character "
                    f"{exc.start + 1}); save the file as UTF-8",
                    file="f",
                    line=number,
                )
                raise Stop from None
            yield text[1:] if number == 1 and text.startswith("\ufeff") else text

    out = []
    reader = csv.reader(lines(), strict=False)
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if max(map(len, fields)) > limits.max_field_chars:
                report.error(
                    "field_too_long",
                    f"a value is longer than {limits.max_field_chars} characters",
                    file="f",
                    line=start,
                )
                break
            out.append((start, fields))
    except Stop:
        pass
    except csv.Error as exc:
        report.error(
            "csv_syntax", f"not readable as CSV: {exc}", file="f", line=reader.line_num or 1
        )
    return out


@FUZZ
@given(
    lines=st.lists(LINE, max_size=30),
    ending=st.sampled_from(["\n", "\r\n"]),
    tail=st.binary(max_size=6),
    block=st.integers(1, 40),
    max_line=st.integers(4, 60),
)
def test_reading_blocks_of_lines_reads_what_reading_line_by_line_reads(
    lines: list[str], ending: str, tail: bytes, block: int, max_line: int
) -> None:
    content = ending.join(lines).encode() + tail
    limits = Limits(max_line_bytes=max_line, max_field_chars=20)
    expected_report, report = Report(), Report()
    expected = reference_records(content, limits, expected_report)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvread, "_BLOCK_BYTES", block)
        got = list(records(io.BytesIO(content), "f", report, limits))
    assert got == expected
    assert str(report) == str(expected_report)


def test_a_utf16_file_is_refused_whatever_the_block_size() -> None:
    report = Report()
    assert list(records(io.BytesIO("a,b\n".encode("utf-16")), "f", report)) == []
    assert [issue.code for issue in report.errors] == ["encoding"]


# -- checking rows ----------------------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from(["", " ", "d1", "s1", "t1", "c1", "k1", "ada", "jordan", "rivera", "nope"]),
    st.sampled_from(["true", "TRUE", "false", "yes", "student", "Student", "parent", "teacher"]),
    st.sampled_from(["2024-09-01", "2024-13-45", "2025-01-05T00:00:00Z", "2025-01-05", "active"]),
    st.sampled_from(["tobedeleted", "scheduled", "homeroom", "04", "04,05", "ada,jordan", ","]),
    st.text(max_size=8),
)


def outcome(files: dict[str, str | bytes], fast: bool) -> tuple[str, Any]:
    with TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(_FastRows, "values", lambda self, fields, line: None)
        validation: Validation = validate_bundle(write_zip(Path(folder) / "r.zip", files))
    roster = validation.roster
    kept = (
        roster.orgs,
        roster.sessions,
        roster.courses,
        roster.classes,
        roster.users,
        roster.roles,
        roster.enrollments,
        sorted(roster.guardians),
        roster.deletions,
    )
    return str(validation.report), repr(kept)


@FUZZ
@given(
    kind=st.sampled_from(list(HEADERS)),
    edits=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 20), VALUES), min_size=1, max_size=4
    ),
    mode=st.sampled_from(["bulk", "delta"]),
)
def test_quick_checks_agree_with_thorough_ones(
    kind: str, edits: list[tuple[int, int, str]], mode: str
) -> None:
    rows = [*ROWS[kind], ROWS[kind][-1].replace(",", "x,", 1)]
    for row, column, value in edits:
        cells = rows[row % len(rows)].split(",")
        cells[column % len(cells)] = value
        rows[row % len(rows)] = ",".join(cells)
    files = base_files(mode, **{kind: rows})
    assert outcome(files, fast=True) == outcome(files, fast=False)


def test_quick_checks_agree_on_a_bulk_file_with_status_columns_filled() -> None:
    users = [
        row.replace(",,,true", ",active,2025-01-05T00:00:00Z,true", 1) for row in ROWS["users"]
    ]
    files = base_files(users=users)
    files["users.csv"] = csv_text("users", users)
    fast, thorough = outcome(files, fast=True), outcome(files, fast=False)
    assert fast == thorough
    assert "bulk_status" not in fast[0] or "status and dateLastModified are ignored" in fast[0]
