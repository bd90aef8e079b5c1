"""Read a Village calendar feed or invitation with libical (Debian's gir1.2-ical-3.0); print
what it read.

Run with the system Python, which has PyGObject (python3-gi): ``/usr/bin/python3
tests/ical/libical_check.py FEED.ics``. Prints JSON (the calendar's name and METHOD, and one
object per VEVENT) and exits 0; exits 1 if the text does not parse as a VCALENDAR, if libical's iTIP
restriction check fails, if libical marked anything with X-LIC-ERROR, or if an event lacks UID,
DTSTAMP, DTSTART or SUMMARY.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any


def load_libical() -> Any:
    gi = importlib.import_module("gi")
    gi.require_version("ICalGLib", "3.0")
    return importlib.import_module("gi.repository.ICalGLib")


def errors_in(ical: Any, component: Any) -> list[str]:
    """Every X-LIC-ERROR property of the component and its subcomponents."""
    found: list[str] = []
    prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(prop.as_ical_string().strip())
        prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
    while child is not None:
        found.extend(errors_in(ical, child))
        child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    return found


def event_row(ical: Any, event: Any) -> dict[str, Any]:
    missing = [
        name
        for name, kind in (
            ("UID", ical.PropertyKind.UID_PROPERTY),
            ("DTSTAMP", ical.PropertyKind.DTSTAMP_PROPERTY),
            ("DTSTART", ical.PropertyKind.DTSTART_PROPERTY),
            ("SUMMARY", ical.PropertyKind.SUMMARY_PROPERTY),
        )
        if event.get_first_property(kind) is None
    ]
    organizer = event.get_first_property(ical.PropertyKind.ORGANIZER_PROPERTY)
    return {
        "uid": event.get_uid(),
        "sequence": event.get_sequence(),
        "status": _status(ical, event),
        "organizer": organizer.get_organizer() if organizer is not None else "",
        "attendees": attendees(ical, event),
        "summary": event.get_summary(),
        "description": event.get_description() or "",
        "location": event.get_location() or "",
        "dtstamp": event.get_dtstamp().as_ical_string(),
        "dtstart": event.get_dtstart().as_ical_string(),
        "dtend": event.get_dtend().as_ical_string(),
        "allDay": bool(event.get_dtstart().is_date()),
        "missing": missing,
    }


def _status(ical: Any, event: Any) -> str:
    if event.get_first_property(ical.PropertyKind.STATUS_PROPERTY) is None:
        return ""
    return str(ical.Property.status_to_string(event.get_status()))


def attendees(ical: Any, event: Any) -> list[str]:
    found: list[str] = []
    prop = event.get_first_property(ical.PropertyKind.ATTENDEE_PROPERTY)
    while prop is not None:
        found.append(prop.get_attendee())
        prop = event.get_next_property(ical.PropertyKind.ATTENDEE_PROPERTY)
    return found


def calendar_method(ical: Any, calendar: Any) -> str:
    if calendar.get_first_property(ical.PropertyKind.METHOD_PROPERTY) is None:
        return ""
    return str(ical.Property.method_to_string(calendar.get_method()))


def check(text: str) -> tuple[dict[str, Any], list[str]]:
    ical = load_libical()
    calendar = ical.Component.new_from_string(text)
    if calendar is None or calendar.isa() != ical.ComponentKind.VCALENDAR_COMPONENT:
        return {}, ["the text is not a VCALENDAR"]
    problems: list[str] = []
    if not ical.restriction_check(calendar):
        problems.append("the iTIP restriction check failed")
    problems.extend(errors_in(ical, calendar))
    events = []
    event = calendar.get_first_component(ical.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        row = event_row(ical, event)
        problems.extend(f"{row['uid']}: no {name}" for name in row.pop("missing"))
        events.append(row)
        event = calendar.get_next_component(ical.ComponentKind.VEVENT_COMPONENT)
    found = {
        "name": calendar_name(ical, calendar),
        "method": calendar_method(ical, calendar),
        "events": events,
    }
    return found, problems


def calendar_name(ical: Any, calendar: Any) -> str | None:
    prop = calendar.get_first_property(ical.PropertyKind.X_PROPERTY)
    while prop is not None:
        if prop.get_x_name() == "X-WR-CALNAME":
            return str(prop.get_x())
        prop = calendar.get_next_property(ical.PropertyKind.X_PROPERTY)
    return None


def main(path: str) -> int:
    with open(path, encoding="utf-8", newline="") as feed:
        result, problems = check(feed.read())
    if problems:
        sys.stderr.write("libical: " + "\n".join(problems) + "\n")
        return 1
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 libical_check.py FEED.ics")
    sys.exit(main(sys.argv[1]))
