"""Helpers for the calendar-feed tests: classwork rows, feeds, and reading a feed back.

``read_events`` is a deliberately plain reader (unfold, split name/params/value, unescape) for
asserting on content; the feeds are also checked with libical and ical.js
(``test_calendar_parsers``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User
from village.calendar import services
from village.calendar.models import CalendarFeed
from village.classwork.models import Assignment, ClassEvent
from village.classwork.richtext import sanitise
from village.community.models import SchoolClass


def assignment(
    school_class: SchoolClass,
    *,
    title: str = "Lab report: density",
    instructions: str = "<p>Measure three objects.</p>",
    due_in: dt.timedelta | None = dt.timedelta(days=3),
    assigned_ago: dt.timedelta = dt.timedelta(days=1),
    **fields: object,
) -> Assignment:
    now = timezone.now()
    return Assignment.objects.create(
        school_class=school_class,
        title=title,
        instructions=sanitise(instructions),
        assign_at=now - assigned_ago,
        due_at=now + due_in if due_in is not None else None,
        **fields,
    )


def class_event(
    school_class: SchoolClass,
    *,
    title: str = "Field trip",
    starts_in: dt.timedelta = dt.timedelta(days=5),
    length: dt.timedelta = dt.timedelta(hours=2),
    **fields: object,
) -> ClassEvent:
    starts = timezone.now() + starts_in
    return ClassEvent.objects.create(
        school_class=school_class, title=title, starts_at=starts, ends_at=starts + length, **fields
    )


def feed_for(guardian: User, student: User | None = None) -> tuple[CalendarFeed, str]:
    return services.calendar_feed_create(owner=guardian, student=student)


def feed_path(token: str) -> str:
    return reverse("calendar:feed", args=[token])


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text (CRLF line ends; a leading space continues)."""
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


_LINE = re.compile(r'(?P<name>[A-Z-]+)(?P<params>(;(?:[^:"]|"[^"]*")*)?):(?P<value>.*)')


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def read_events(text: str) -> list[dict[str, str]]:
    """Each VEVENT as {property name (with params, as written): raw value}."""
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            match = _LINE.fullmatch(line)
            assert match, line
            current[match["name"] + match["params"]] = match["value"]
    return events


def calendar_property(text: str, name: str) -> str:
    for line in unfold(text):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in the calendar")


def summaries(text: str) -> list[str]:
    return [unescape(event["SUMMARY"]) for event in read_events(text)]


def in_english(*people: User) -> None:
    """Texts asserted on are English msgids: keep them so once the catalogue translates them."""
    User.objects.filter(pk__in=[person.pk for person in people]).update(preferred_language="en")
    for person in people:
        person.preferred_language = "en"
