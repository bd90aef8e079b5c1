"""The iCalendar writer: escaping, folding at 75 octets, CRLF, value forms, and the VEVENTs a feed
is made of (UID and DTSTAMP on each, UIDs unique)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from village.calendar import ical
from village.calendar.feeds import feed_calendar
from village.calendar.sources import CalendarEntry
from village.calendar.tests.calendar_data import read_events, unescape, unfold

NOW = dt.datetime(2025, 11, 3, 15, 30, tzinfo=dt.UTC)


# --- escaping ---------------------------------------------------------------------------------


def test_text_escapes_backslash_semicolon_comma_and_newline():
    assert ical.escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_text_turns_every_kind_of_line_break_into_one_escaped_newline():
    assert ical.escape_text("one\r\ntwo\rthree\nfour") == "one\\ntwo\\nthree\\nfour"


def test_text_keeps_colons_quotes_and_tabs_and_drops_other_control_characters():
    assert ical.escape_text('Read: "Holes"\tp.\x0712\x00') == 'Read: "Holes"\tp.12'


def test_text_drops_lone_surrogates_that_have_no_utf8_form():
    assert ical.escape_text("a\ud800b") == "ab"


@given(st.text())
def test_escaped_text_reads_back_as_the_original(value):
    expected = value.replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(
        char
        for char in expected
        if char in "\t\n" or (ord(char) >= 0x20 and ord(char) != 0x7F)
        if not 0xD800 <= ord(char) <= 0xDFFF
    )
    escaped = ical.escape_text(value)
    assert "\n" not in escaped
    assert "\r" not in escaped
    assert unescape(escaped) == expected


def test_parameter_values_with_separators_are_quoted_and_lose_double_quotes():
    assert ical.param_value("Riverside K-8 School") == "Riverside K-8 School"
    assert ical.param_value("School: North, East; West") == '"School: North, East; West"'
    assert ical.param_value('The "Best" School') == "The 'Best' School"
    assert ical.param_value("two\nlines") == "two lines"


# --- folding ----------------------------------------------------------------------------------


def test_short_lines_are_not_folded():
    line = "SUMMARY:" + "x" * 67
    assert len(line.encode()) == 75
    assert ical.fold(line) == line


def test_long_ascii_lines_fold_at_75_octets_with_a_leading_space():
    line = "DESCRIPTION:" + "x" * 200
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert [len(piece.encode()) for piece in pieces] == [
        75,
        75,
        64,
    ]  # 75 + 74 + 63 octets of content
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert folded.replace("\r\n ", "") == line


def test_folding_never_splits_a_multibyte_character():
    # "é" is two octets, "€" three, "👩‍🔬" several code points of four and three octets.
    line = "SUMMARY:" + "é€👩‍🔬漢字" * 40
    for piece in ical.fold(line).split("\r\n"):
        raw = piece.encode()
        assert len(raw) <= 75
        raw.decode("utf-8")  # each piece is whole UTF-8 on its own
    assert ical.fold(line).replace("\r\n ", "") == line


def test_a_piece_ends_early_rather_than_cut_a_character_at_the_boundary():
    line = "SUMMARY:" + "a" * 66 + "€"  # 74 octets of ASCII, then three octets
    first, second = ical.fold(line).split("\r\n")
    assert first == "SUMMARY:" + "a" * 66
    assert second == " €"


@given(st.text(min_size=0, max_size=400))
def test_any_text_folds_into_lines_of_at_most_75_octets_and_unfolds_back(value):
    line = "DESCRIPTION:" + ical.escape_text(value)
    folded = ical.fold(line)
    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


# --- values and content lines -----------------------------------------------------------------


def test_times_are_written_in_utc_with_z():
    chicago = dt.datetime(2025, 11, 3, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    assert ical.utc_stamp(chicago) == "20251103T150000Z"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        ical.utc_stamp(dt.datetime(2025, 11, 3, 9, 0))


def test_dates_are_marked_as_dates():
    prop = ical.day("DTSTART", dt.date(2025, 1, 9))
    assert prop.line() == "DTSTART;VALUE=DATE:20250109"


def test_properties_refuse_bad_names_and_raw_line_breaks():
    with pytest.raises(ValueError, match="name"):
        ical.Property("summary", "x")
    with pytest.raises(ValueError, match="line break"):
        ical.Property("SUMMARY", "two\nlines")


def test_uri_values_keep_their_characters_and_lose_line_breaks():
    prop = ical.uri("URL", "https://school.test/a?b=1,2;c\r\n")
    assert prop.line() == "URL:https://school.test/a?b=1,2;c"


def test_serialized_components_end_every_line_with_crlf():
    calendar = ical.Component(
        "VCALENDAR",
        [ical.Property("VERSION", "2.0")],
        [ical.Component("VEVENT", [ical.text("SUMMARY", "x" * 120)])],
    )
    text = ical.serialize(calendar)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


# --- a feed's calendar ------------------------------------------------------------------------


def _entry(uid: str, **changes: object) -> CalendarEntry:
    fields: dict[str, object] = {
        "uid": uid,
        "summary": "Leo: Lab report: density (due)",
        "description": "Class: Grade 8 Science\n\nMeasure, then write; carefully.",
        "start": NOW,
        "end": NOW + dt.timedelta(minutes=15),
        "organizer": "Riverside K-8 School",
        "last_modified": NOW - dt.timedelta(days=1),
        "url": "https://village.test/work/assignments/1/",
        "transparent": True,
    }
    fields.update(changes)
    return CalendarEntry(**fields)  # type: ignore[arg-type]


def _calendar(*entries: CalendarEntry) -> str:
    calendar = feed_calendar(
        name="Okoye family schoolwork",
        entries=list(entries),
        now=NOW,
        organizer_email="no-reply@village.test",
    )
    return ical.serialize(calendar)


def test_the_calendar_has_the_properties_calendar_apps_expect():
    lines = unfold(_calendar())
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "PRODID:-//Village//Family calendar feed//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert "X-WR-CALNAME:Okoye family schoolwork" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert lines[-1] == "END:VCALENDAR"


def test_every_event_has_a_uid_a_utc_dtstamp_and_an_organizer():
    text = _calendar(
        _entry("assignment-1-student-2@village.test"),
        _entry("assignment-1-student-3@village.test"),
        _entry(
            "classevent-4-student-2@village.test",
            start=dt.date(2025, 11, 20),
            end=dt.date(2025, 11, 21),
            transparent=False,
            location="Lab 2",
            url="",
        ),
    )
    events = read_events(text)
    assert len(events) == 3
    assert len({event["UID"] for event in events}) == 3
    assert {event["DTSTAMP"] for event in events} == {"20251103T153000Z"}
    for event in events:
        assert event["ORGANIZER;CN=Riverside K-8 School"] == "mailto:no-reply@village.test"


def test_timed_and_all_day_events_are_written_as_times_and_dates():
    due, trip = read_events(
        _calendar(
            _entry("a@village.test"),
            _entry("b@village.test", start=dt.date(2025, 11, 20), end=dt.date(2025, 11, 21)),
        )
    )
    assert (due["DTSTART"], due["DTEND"]) == ("20251103T153000Z", "20251103T154500Z")
    assert due["TRANSP"] == "TRANSPARENT"
    assert (trip["DTSTART;VALUE=DATE"], trip["DTEND;VALUE=DATE"]) == ("20251120", "20251121")


def test_event_text_is_escaped_in_the_feed():
    (event,) = read_events(_calendar(_entry("a@village.test")))
    assert event["DESCRIPTION"] == "Class: Grade 8 Science\\n\\nMeasure\\, then write\\; carefully."
    assert unescape(event["DESCRIPTION"]).endswith("Measure, then write; carefully.")
    assert event["URL"] == "https://village.test/work/assignments/1/"


def test_text_properties_drop_surrounding_whitespace_that_libical_would_drop():
    assert ical.text("SUMMARY", " \n Lab report, part 1 \n\t ").line() == (
        "SUMMARY:Lab report\\, part 1"
    )
