"""Calendar feeds: what a guardian's feed shows, and the feed as iCalendar text.

A feed shows the entries the registered sources (``village.calendar.sources``) give for its
children (each child whose link allows classwork, ``policies.visible_feed_children``) from 30 days
ago to 180 days ahead. Whether the feed may be read at all (revoked, inactive owner, child no
longer visible) is decided before, by ``policies.feed_for_token``.

The children are read once per feed request (``feed_children``), by the caller, which also names
them in the audit log; building the entries then runs the sources' queries only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.translation import gettext as _

from village.calendar import ical
from village.calendar.models import CalendarFeed
from village.calendar.policies import visible_feed_children
from village.calendar.sources import CalendarEntry, SourceQuery, registered_sources

WINDOW_PAST = dt.timedelta(days=30)
WINDOW_AHEAD = dt.timedelta(days=180)
#: Calendars need an end after the start (RFC 5545, 3.8.2.2): entries without a length (a due
#: time) are shown for a quarter of an hour.
SHORTEST_ENTRY = dt.timedelta(minutes=15)
#: How often calendar apps are asked to check the feed again.
REFRESH = "PT1H"
PRODID = "-//Village//Family calendar feed//EN"


def feed_name(feed: CalendarFeed) -> str:
    """The calendar's name in the active language: "Leo's schoolwork", "Okoye family schoolwork"."""
    if feed.student is not None:
        return _("%(name)s's schoolwork") % {"name": feed.student.short_name}
    if feed.owner.last_name:
        return _("%(family)s family schoolwork") % {"family": feed.owner.last_name}
    return _("Family schoolwork")


def feed_children(feed: CalendarFeed) -> dict[int, str]:
    """The children (id → first name) the feed shows (one query)."""
    children = visible_feed_children(feed)
    return {
        child.pk: child.short_name
        for child in children.only("pk", "preferred_name", "first_name", "username").order_by(
            "first_name", "pk"
        )
    }


def feed_entries(
    feed: CalendarFeed, *, children: dict[int, str], now: dt.datetime, host: str, site: str
) -> list[CalendarEntry]:
    """The entries of ``feed`` for ``children`` (``feed_children``) at ``now``, in time order,
    in the active language.

    ``host`` makes the UIDs globally unique; ``site`` (``https://village.example.org``) goes
    before the entries' paths.
    """
    if not children:
        return []
    query = SourceQuery(
        reader=feed.owner,
        students=children,
        now=now,
        start=now - WINDOW_PAST,
        end=now + WINDOW_AHEAD,
    )
    entries = [
        _placed(entry, host=host, site=site)
        for source in registered_sources().values()
        for entry in source(query)
    ]
    return sorted(entries, key=lambda entry: entry.sort_key)


def _placed(entry: CalendarEntry, *, host: str, site: str) -> CalendarEntry:
    """``entry`` as the feed writes it: a UID naming the site, a full URL, an end after the
    start."""
    end = entry.end
    if isinstance(entry.start, dt.datetime) and isinstance(end, dt.datetime):
        end = max(end, entry.start + SHORTEST_ENTRY)
    url = site + entry.url if entry.url.startswith("/") else entry.url
    return dataclasses.replace(entry, uid=f"{entry.uid}@{host}", url=url, end=end)


# --- the feed as iCalendar --------------------------------------------------------------------


def feed_calendar(
    *, name: str, entries: list[CalendarEntry], now: dt.datetime, organizer_email: str
) -> ical.Component:
    """The VCALENDAR of a feed. ``organizer_email`` is the address ORGANIZER points to (iTIP
    PUBLISH asks for an organizer on every event; Village names the school)."""
    calendar = ical.Component(
        "VCALENDAR",
        [
            ical.Property("PRODID", PRODID),
            ical.Property("VERSION", "2.0"),
            ical.Property("CALSCALE", "GREGORIAN"),
            ical.Property("METHOD", "PUBLISH"),
            ical.text("X-WR-CALNAME", name),
            ical.Property("REFRESH-INTERVAL", REFRESH, (("VALUE", "DURATION"),)),
            ical.Property("X-PUBLISHED-TTL", REFRESH),
        ],
    )
    calendar.components = [_vevent(entry, now, organizer_email) for entry in entries]
    return calendar


def _vevent(entry: CalendarEntry, now: dt.datetime, organizer_email: str) -> ical.Component:
    if isinstance(entry.start, dt.datetime) and isinstance(entry.end, dt.datetime):
        span = [ical.moment("DTSTART", entry.start), ical.moment("DTEND", entry.end)]
    else:
        span = [ical.day("DTSTART", entry.start), ical.day("DTEND", entry.end)]
    properties = [
        ical.text("UID", entry.uid),
        ical.moment("DTSTAMP", now),
        *span,
        ical.text("SUMMARY", entry.summary),
        ical.uri("ORGANIZER", f"mailto:{organizer_email}", CN=entry.organizer),
        ical.moment("LAST-MODIFIED", entry.last_modified),
        ical.Property("TRANSP", "TRANSPARENT" if entry.transparent else "OPAQUE"),
    ]
    # libical drops an empty TEXT property with an error: leave out what has no value.
    if entry.description.strip():
        properties.append(ical.text("DESCRIPTION", entry.description))
    if entry.location.strip():
        properties.append(ical.text("LOCATION", entry.location))
    if entry.url:
        properties.append(ical.uri("URL", entry.url))
    return ical.Component("VEVENT", properties)


def feed_ics(
    feed: CalendarFeed,
    *,
    children: dict[int, str],
    now: dt.datetime,
    host: str,
    site: str,
    organizer_email: str,
) -> str:
    """The whole feed as iCalendar text, in the active language."""
    entries = feed_entries(feed, children=children, now=now, host=host, site=site)
    calendar = feed_calendar(
        name=feed_name(feed), entries=entries, now=now, organizer_email=organizer_email
    )
    return ical.serialize(calendar)
