"""Class events as students and families read them: what is coming up in a set of classes.

Teachers add events to a class's calendar (a field trip, a science fair); students see every
event of their classes, families only those marked for families. ``upcoming_events`` reads
them in one query, whatever the number of classes and events.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from village.classwork.models import ClassEvent
from village.core.models import RosterStatus

#: "Coming up": events that have not ended and start within this window.
AHEAD = dt.timedelta(days=14)


@dataclass(frozen=True, slots=True)
class UpcomingEvent:
    """One class event, with its days in the school's time zone (what an all-day event means)."""

    id: int
    class_id: int
    class_title: str
    title: str
    description: str
    location: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    #: The first and last day of the event in the school's time zone.
    first_day: dt.date
    last_day: dt.date
    #: When the event stops being "coming up": its end, or the end of its last day.
    until: dt.datetime
    #: On a family's pages: the names of the reader's children in the class.
    children: tuple[str, ...] = ()

    @property
    def several_days(self) -> bool:
        return self.last_day > self.first_day


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _event(row: tuple[object, ...], class_titles: Mapping[int, str]) -> UpcomingEvent:
    pk, class_id, title, text, place, starts, ends, all_day, zone_name = row
    assert isinstance(starts, dt.datetime)
    assert isinstance(ends, dt.datetime)
    assert isinstance(class_id, int)
    assert isinstance(pk, int)
    zone = _zone(str(zone_name or ""))
    first = starts.astimezone(zone).date()
    last = max(ends.astimezone(zone).date(), first)
    until = ends
    if all_day:
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return UpcomingEvent(
        id=pk,
        class_id=class_id,
        class_title=class_titles.get(class_id, ""),
        title=str(title),
        description=str(text),
        location=str(place),
        starts_at=starts,
        ends_at=ends,
        all_day=bool(all_day),
        first_day=first,
        last_day=last,
        until=until,
    )


def upcoming_events(
    class_titles: Mapping[int, str],
    *,
    now: dt.datetime,
    families_only: bool,
    ahead: dt.timedelta = AHEAD,
) -> list[UpcomingEvent]:
    """Events of these classes (id → title) that have not ended at ``now`` and start within
    ``ahead``, in time order (one query). ``families_only`` keeps the events marked for
    families. The caller decides which classes the reader may see."""
    if not class_titles:
        return []
    rows = ClassEvent.objects.filter(
        school_class_id__in=list(class_titles),
        school_class__status=RosterStatus.ACTIVE,
        starts_at__lt=now + ahead,
        # an all-day event lasts to the end of its last day, wherever the school is
        ends_at__gte=now - dt.timedelta(days=1),
    )
    if families_only:
        rows = rows.filter(visible_to_families=True)
    values = rows.order_by("starts_at", "pk").values_list(
        "pk",
        "school_class_id",
        "title",
        "description",
        "location",
        "starts_at",
        "ends_at",
        "all_day",
        "school_class__school__time_zone",
    )
    events = [_event(row, class_titles) for row in values]
    return [event for event in events if event.until > now]
