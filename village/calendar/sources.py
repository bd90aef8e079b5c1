"""Calendar sources: what other apps put in the family calendar feeds.

An app registers a source in its ``AppConfig.ready()``::

    register_source("classwork.due_work", calendar_sources.due_work)

A source is a function of a ``SourceQuery`` (whose feed, which children, which window) returning
``CalendarEntry`` rows. The calendar app knows no domain app: it checks who may read a feed and
which children the feed shows, asks every registered source, and writes what they return.

What a source promises:

- It returns only what ``query.reader`` may see about ``query.students`` (the children the feed
  shows, already checked against the reader's guardian links), meant for families, in the window
  (ending after ``query.start``, starting before ``query.end``).
- One entry per child it is about, its summary naming the child (``query.students`` gives the
  name to show); entries are made in the active language (the feed sets it).
- An entry's ``uid`` is unique among all sources' entries (start it with the source's name) and
  stays the same from one read to the next; the feed adds ``@`` and the site's domain.
- It runs a constant number of queries, however many children and entries there are; what
  several sources of an app need (a child's classes) they read once (``SourceQuery.once``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from village.accounts.models import User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One calendar entry (a VEVENT): a moment or a span of time, or whole days.

    ``start`` and ``end`` are both aware datetimes, or both dates (all-day entries; ``end`` is
    the day after the last one, as iCalendar counts). A datetime ``end`` that is not after
    ``start`` (a due time is a moment) is lengthened by the feed to ``SHORTEST_ENTRY``.
    ``url`` is a path on this site (the feed puts the site's address before it) or a full
    address; ``organizer`` names who the entry comes from (the school).
    """

    uid: str
    summary: str
    description: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    organizer: str
    last_modified: dt.datetime
    url: str = ""
    location: str = ""
    #: An entry that is not an appointment (due work) does not make the family look busy.
    transparent: bool = False

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        start = self.start
        if not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
        return start, self.uid


@dataclass(frozen=True, slots=True)
class SourceQuery:
    """What a feed asks its sources for."""

    #: The feed's owner: sources show only what this guardian may see.
    reader: User
    #: The children the feed shows (id → the name entries show), never empty.
    students: Mapping[int, str]
    now: dt.datetime
    start: dt.datetime
    end: dt.datetime
    #: What several sources of one app read, read once per feed request (see ``once``).
    _shared: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: str, read: Callable[[], T]) -> T:
        """``read()``, called by the first source that asks for ``key`` in this feed request;
        the sources after it get the same value. Keys start with the app's name."""
        if key not in self._shared:
            self._shared[key] = read()
        return cast(T, self._shared[key])


CalendarSource = Callable[[SourceQuery], Iterable[CalendarEntry]]

_sources: dict[str, CalendarSource] = {}


def register_source(name: str, source: CalendarSource) -> None:
    """Put ``source``'s entries in every feed, under ``name`` (``"<app>.<what>"``; registering a
    name again replaces its source)."""
    _sources[name] = source


def registered_sources() -> dict[str, CalendarSource]:
    """Every registered source, by name (a copy)."""
    return dict(_sources)
