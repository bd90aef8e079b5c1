"""Calendar feeds: what a guardian's feed shows, and the feed as iCalendar text.

A feed shows, for each child whose link allows classwork (``guardian_children_ids`` with
``Scope.CLASSWORK``), the published, family-visible work of the child's current classes that is
due from 30 days ago to 180 days ahead, and the classes' family-visible events in that window.
Whether the feed may be read at all (revoked, inactive owner, child no longer visible) is decided
before, by ``policies_calendar.feed_for_token``.

``feed_entries`` runs a constant number of queries (four) however many children, classes,
assignments and events there are.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.models import ClassEvent
from village.classwork.policies import visible_assignments
from village.classwork.richtext import plain_text
from village.classwork.selectors.work import current_classes
from village.community.models import OrgRole, Role, Scope
from village.community.policies import guardian_children_ids, today
from village.core.models import RosterStatus
from village.families import ical
from village.families.models import CalendarFeed

WINDOW_PAST = dt.timedelta(days=30)
WINDOW_AHEAD = dt.timedelta(days=180)
#: A due time is a moment; calendars need an end after the start (RFC 5545, 3.8.2.2), so due
#: work and events without a length are shown for a quarter of an hour.
SHORTEST_EVENT = dt.timedelta(minutes=15)
#: How much of an assignment's instructions goes into the calendar entry.
DESCRIPTION_CHARS = 1000
#: How often calendar apps are asked to check the feed again.
REFRESH = "PT1H"
PRODID = "-//Village//Family calendar feed//EN"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One calendar entry: a piece of due work or a class event, for one child."""

    uid: str
    summary: str
    description: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    organizer: str
    last_modified: dt.datetime
    url: str = ""
    location: str = ""
    #: Due work does not make the family look busy; events do.
    transparent: bool = False

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        start = self.start
        if not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
        return start, self.uid


def feed_name(feed: CalendarFeed) -> str:
    """The calendar's name in the active language: "Leo's schoolwork", "Okoye family schoolwork"."""
    if feed.student is not None:
        return _("%(name)s's schoolwork") % {"name": feed.student.short_name}
    if feed.owner.last_name:
        return _("%(family)s family schoolwork") % {"family": feed.owner.last_name}
    return _("Family schoolwork")


def _children_of(feed: CalendarFeed) -> QuerySet[User]:
    children = User.objects.filter(pk__in=guardian_children_ids(feed.owner, scope=Scope.CLASSWORK))
    if feed.student_id is not None:
        children = children.filter(pk=feed.student_id)
    return children


def feed_children_schools(feed: CalendarFeed) -> list[tuple[int, int | None]]:
    """The children the feed shows, each with their school (primary current one), for the
    audit log (one query)."""
    school = (
        OrgRole.objects.current(today())
        .filter(user_id=OuterRef("pk"), role=Role.STUDENT)
        .order_by("-is_primary", "id")
        .values("organisation_id")[:1]
    )
    rows = _children_of(feed).annotate(school_id=Subquery(school)).values_list("pk", "school_id")
    return list(rows)


def feed_children(feed: CalendarFeed) -> dict[int, str]:
    """The children (id → first name) whose classwork the feed shows (one query)."""
    children = _children_of(feed)
    return {
        child.pk: child.short_name
        for child in children.only("pk", "preferred_name", "first_name", "username").order_by(
            "first_name", "pk"
        )
    }


@dataclass(frozen=True, slots=True)
class _FeedScope:
    """What one feed reads: its children, their current classes, the window, how to name things."""

    children: dict[int, str]
    class_titles: dict[int, str]
    #: Each class → the feed's children in it, as (child id, first name).
    by_class: dict[int, list[tuple[int, str]]]
    now: dt.datetime
    start: dt.datetime
    end: dt.datetime
    host: str


def _feed_scope(feed: CalendarFeed, *, now: dt.datetime, host: str) -> _FeedScope:
    children = feed_children(feed)
    classes = current_classes(list(children)) if children else {}
    by_class: dict[int, list[tuple[int, str]]] = {}
    class_titles: dict[int, str] = {}
    for child_id, pairs in classes.items():
        for class_id, title in pairs:
            class_titles[class_id] = title
            by_class.setdefault(class_id, []).append((child_id, children[child_id]))
    return _FeedScope(
        children=children,
        class_titles=class_titles,
        by_class=by_class,
        now=now,
        start=now - WINDOW_PAST,
        end=now + WINDOW_AHEAD,
        host=host,
    )


def feed_entries(
    feed: CalendarFeed,
    *,
    now: dt.datetime,
    host: str,
    assignment_url: Callable[[int], str],
) -> list[FeedEntry]:
    """The entries of ``feed`` at ``now``, in time order. Translated in the active language.

    ``host`` makes the UIDs globally unique; ``assignment_url`` gives an assignment's page.
    """
    scope = _feed_scope(feed, now=now, host=host)
    if not scope.class_titles:
        return []
    entries = [*_work_entries(feed.owner, scope, assignment_url), *_event_entries(scope)]
    return sorted(entries, key=lambda entry: entry.sort_key)


def _work_entries(
    owner: User, scope: _FeedScope, assignment_url: Callable[[int], str]
) -> list[FeedEntry]:
    # visible_assignments is the classwork policy; the filters below narrow it to what families
    # see even when the owner also works at the school (staff see drafts of their classes).
    rows = (
        visible_assignments(owner)
        .published(scope.now)
        .filter(
            school_class_id__in=list(scope.class_titles),
            visible_to_families=True,
            due_at__gte=scope.start,
            due_at__lt=scope.end,
        )
        .order_by("due_at", "pk")
        .values_list(
            "pk",
            "title",
            "instructions",
            "due_at",
            "school_class_id",
            "updated_at",
            "school_class__school__name",
        )
    )
    entries: list[FeedEntry] = []
    for pk, title, instructions, due_at, class_id, updated_at, school in rows:
        if due_at is None:  # excluded by the query; work without a due time has no date
            continue
        details = _describe(scope.class_titles[class_id], plain_text(instructions))
        for child_id, child in scope.by_class[class_id]:
            entries.append(
                FeedEntry(
                    uid=f"assignment-{pk}-student-{child_id}@{scope.host}",
                    summary=_("%(child)s: %(title)s (due)") % {"child": child, "title": title},
                    description=details,
                    start=due_at,
                    end=due_at + SHORTEST_EVENT,
                    organizer=school,
                    last_modified=updated_at,
                    url=assignment_url(pk),
                    transparent=True,
                )
            )
    return entries


def _event_entries(scope: _FeedScope) -> list[FeedEntry]:
    rows = (
        ClassEvent.objects.filter(
            school_class_id__in=list(scope.class_titles),
            school_class__status=RosterStatus.ACTIVE,
            visible_to_families=True,
            starts_at__lt=scope.end,
            ends_at__gte=scope.start,
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "title",
            "description",
            "location",
            "starts_at",
            "ends_at",
            "all_day",
            "school_class_id",
            "updated_at",
            "school_class__school__name",
            "school_class__school__time_zone",
        )
    )
    entries: list[FeedEntry] = []
    for pk, title, text, place, starts, ends, all_day, class_id, updated, school, zone in rows:
        start, end = _event_span(starts, ends, all_day=all_day, zone=zone)
        details = _describe(scope.class_titles[class_id], text)
        for child_id, child in scope.by_class[class_id]:
            entries.append(
                FeedEntry(
                    uid=f"classevent-{pk}-student-{child_id}@{scope.host}",
                    summary=_("%(child)s: %(title)s") % {"child": child, "title": title},
                    description=details,
                    start=start,
                    end=end,
                    organizer=school,
                    last_modified=updated,
                    location=place,
                )
            )
    return entries


def _describe(class_title: str, details: str) -> str:
    heading = _("Class: %(class)s") % {"class": class_title}
    details = Truncator(details.strip()).chars(DESCRIPTION_CHARS)
    return f"{heading}\n\n{details}" if details else heading


def _event_span(
    starts: dt.datetime, ends: dt.datetime, *, all_day: bool, zone: str
) -> tuple[dt.datetime, dt.datetime] | tuple[dt.date, dt.date]:
    """Start and (exclusive) end of an event: dates in the school's time zone when all day."""
    if not all_day:
        return starts, max(ends, starts + SHORTEST_EVENT)
    try:
        local = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = starts.astimezone(local).date()
    last = max(ends.astimezone(local).date(), first)
    return first, last + dt.timedelta(days=1)


# --- the feed as iCalendar --------------------------------------------------------------------


def feed_calendar(
    *, name: str, entries: list[FeedEntry], now: dt.datetime, organizer_email: str
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


def _vevent(entry: FeedEntry, now: dt.datetime, organizer_email: str) -> ical.Component:
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
    now: dt.datetime,
    host: str,
    assignment_url: Callable[[int], str],
    organizer_email: str,
) -> str:
    """The whole feed as iCalendar text, in the active language."""
    entries = feed_entries(feed, now=now, host=host, assignment_url=assignment_url)
    calendar = feed_calendar(
        name=feed_name(feed), entries=entries, now=now, organizer_email=organizer_email
    )
    return ical.serialize(calendar)
