"""Feeds read by parsers Village does not write: libical (Debian's gir1.2-ical-3.0, with its iTIP
restriction check) and ical.js (npm). Both must accept the feed and read back exactly the text
Village put in: commas, semicolons, backslashes, newlines, quotes, accents, emoji and CJK, long
titles, all-day events, several children.

Install steps (CI does them; missing ones fail these tests, they are never skipped):
  apt-get install gir1.2-ical-3.0      (libical for the system Python, /usr/bin/python3)
  npm ci --prefix tests/ical           (ical.js, pinned in tests/ical/package-lock.json)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from village.calendar import ical
from village.calendar.feeds import feed_calendar
from village.calendar.sources import CalendarEntry
from village.calendar.tests.calendar_data import (
    assignment,
    class_event,
    feed_for,
    feed_path,
    in_english,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(personas):
    in_english(personas.sam)


CHECKS = Path(__file__).resolve().parents[3] / "tests" / "ical"
SYSTEM_PYTHON = "/usr/bin/python3"

TRICKY = 'Lab report, part 1; "density" \\ mass/volume'
ACCENTS = "Élève, café; naïve — 数学の宿題 📐✏️ 👩‍🔬 "
LONG_TITLE = (ACCENTS * 6)[:200]  # as long as an assignment title may be
INSTRUCTIONS = (
    "<p>Measure three objects; write down mass, volume.</p>"
    '<p>Use a backslash \\ like this, and “curly” and "straight" quotes.</p>'
)
EXPECTED_INSTRUCTIONS = (
    "Measure three objects; write down mass, volume. "
    'Use a backslash \\ like this, and “curly” and "straight" quotes.'
)


def _clean_env() -> dict[str, str]:
    """The environment without this virtualenv's Python settings (the checks use other runtimes)."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }


def _run(command: list[str], what: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - fixed programs on a file this test wrote
        command, capture_output=True, text=True, timeout=120, check=False, env=_clean_env()
    )
    assert done.returncode == 0, f"{what} rejected the feed:\n{done.stderr}{done.stdout}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def read_with_libical(path: Path) -> dict[str, Any]:
    probe = (
        subprocess.run(  # noqa: S603 - the system interpreter, a fixed one-liner
            [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
            capture_output=True,
            check=False,
            env=_clean_env(),
        )
        if Path(SYSTEM_PYTHON).exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.fail(
            "libical is not installed for the system Python: run "
            "`apt-get install -y gir1.2-ical-3.0` (it brings python3-gi's ICalGLib 3.0)."
        )
    return _run([SYSTEM_PYTHON, str(CHECKS / "libical_check.py"), str(path)], "libical")


def read_with_icaljs(path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: apt-get install -y nodejs npm.")
    if not (CHECKS / "node_modules" / "ical.js" / "package.json").exists():
        pytest.fail("ical.js is not installed: run `npm ci --prefix tests/ical`.")
    return _run([node, str(CHECKS / "check.mjs"), str(path)], "ical.js")


def _same_time(value: str) -> str:
    """libical writes 20251103T150000Z, ical.js 2025-11-03T15:00:00Z: compare them as one."""
    return value.replace("-", "").replace(":", "")


def _comparable(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            event["uid"],
            event["summary"],
            event["description"],
            event["location"],
            _same_time(event["dtstamp"]),
            _same_time(event["dtstart"]),
            _same_time(event["dtend"]),
            event["allDay"],
        )
        for event in result["events"]
    )


def read_with_both(path: Path) -> list[tuple[Any, ...]]:
    """What both parsers read; they must agree on every event."""
    libical = read_with_libical(path)
    icaljs = read_with_icaljs(path)
    assert libical["name"] == icaljs["name"]
    assert _comparable(libical) == _comparable(icaljs)
    return _comparable(icaljs)


@pytest.fixture
def tricky_feed(personas, tmp_path) -> Path:
    """Sam's family feed, fetched as a calendar app would, with awkward content for both kids."""
    assignment(personas.science8, title=TRICKY, instructions=INSTRUCTIONS)
    assignment(personas.homeroom5, title=LONG_TITLE, instructions="<p>" + "é" * 1500 + "</p>")
    assignment(personas.math8, title="Fractions\nnew line, \\n literal")
    # At nine in the morning, school time, in five days: 26 hours later is the next day,
    # whatever the hour the test runs.
    nine = (timezone.localtime() + dt.timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    class_event(
        personas.homeroom5,
        title="Sports day; bring water, hats",
        all_day=True,
        starts_in=nine - timezone.now(),
        length=dt.timedelta(days=1, hours=2),
        location='Field "B", north\\east',
        description="Line one\nLine two; three, four",
    )
    class_event(personas.science8, title="Science fair 🔬", location="Gym")
    _feed, token = feed_for(personas.sam)
    response = Client().get(feed_path(token))
    assert response.status_code == 200
    path = tmp_path / "family.ics"
    path.write_bytes(response.content)
    return path


def test_libical_and_icaljs_accept_the_feed_and_read_back_the_same_text(tricky_feed):
    events = read_with_both(tricky_feed)
    summaries = sorted(event[1] for event in events)
    assert summaries == sorted(
        [
            f"Leo: {TRICKY} (due)",
            f"Ada: {LONG_TITLE} (due)",
            "Leo: Fractions\nnew line, \\n literal (due)",
            "Ada: Sports day; bring water, hats",
            "Leo: Science fair 🔬",
        ]
    )
    by_summary = {event[1]: event for event in events}
    lab = by_summary[f"Leo: {TRICKY} (due)"]
    assert lab[2] == f"Class: Grade 8 Science\n\n{EXPECTED_INSTRUCTIONS}"
    sports = by_summary["Ada: Sports day; bring water, hats"]
    assert sports[2] == "Class: Grade 5 Homeroom\n\nLine one\nLine two; three, four"
    assert sports[3] == 'Field "B", north\\east'
    assert sports[7] is True  # all day: a date, two days long (to the day after it ends)
    start, end = (dt.date.fromisoformat(value) for value in sports[5:7])
    assert end - start == dt.timedelta(days=2)
    assert len({event[0] for event in events}) == 5


def test_the_feed_file_has_crlf_lines_of_at_most_75_octets(tricky_feed):
    raw = tricky_feed.read_bytes()
    assert raw.endswith(b"\r\n")
    lines = raw[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character split across a fold


def test_a_300_character_title_and_many_events_parse_in_both(tmp_path):
    now = dt.datetime(2025, 11, 3, 15, 30, tzinfo=dt.UTC)
    title = (ACCENTS + 'quote " semicolon ; comma , backslash \\ ') * 6
    title = title[:300]
    entries = [
        CalendarEntry(
            uid=f"assignment-{number}-student-{child}@village.test",
            summary=f"{name}: {title} (due)",
            description=f"Class: Science\n\n{title}\n{title}",
            start=now + dt.timedelta(days=number),
            end=now + dt.timedelta(days=number, minutes=15),
            organizer='Riverside K-8, "North"; campus',
            last_modified=now,
            url=f"https://village.test/work/assignments/{number}/",
            transparent=True,
        )
        for number in range(1, 21)
        for child, name in ((7, "Ada"), (8, "Leo"))
    ]
    entries.append(
        CalendarEntry(
            uid="classevent-1-student-7@village.test",
            summary="Ada: 文化祭",
            description="",
            start=dt.date(2025, 12, 24),
            end=dt.date(2025, 12, 25),
            organizer="Riverside K-8 School",
            last_modified=now,
        )
    )
    calendar = feed_calendar(
        name="Okoye family schoolwork",
        entries=entries,
        now=now,
        organizer_email="no-reply@village.test",
    )
    path = tmp_path / "long.ics"
    path.write_bytes(ical.serialize(calendar).encode())
    events = read_with_both(path)
    assert len(events) == 41
    assert {event[1] for event in events if event[0].startswith("assignment-")} == {
        f"Ada: {title} (due)",
        f"Leo: {title} (due)",
    }
    assert all(event[4] == "20251103T153000Z" for event in events)
