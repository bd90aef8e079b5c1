"""Classwork in the family calendar feeds: due work and class events, one entry per child.

Two sources for ``village.calendar.sources`` (registered in ``ClassworkConfig.ready``):

- ``due_work``: the published, family-visible work of the children's current classes, due in
  the feed's window, at its due time.
- ``class_events``: the classes' family-visible events in the window; all-day events as dates
  in the school's time zone.

Together they run three queries (the children's classes, read once for both, then each one's
rows) however much there is to show, and one more each for a reader who reads another language
than the teachers': what teachers wrote (titles, instructions, descriptions) is then shown in the
reader's language where its machine translation is ready, the original title named in the
description (a calendar has no "see original").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from village.calendar.sources import CalendarEntry, SourceQuery, register_source
from village.classwork.models import ClassEvent
from village.classwork.policies import visible_assignments
from village.classwork.richtext import plain_text
from village.classwork.selectors.work import current_classes
from village.classwork.translations import page_translations
from village.community.templatetags.content_lang import content_language
from village.core.models import RosterStatus
from village.translation import languages
from village.translation.texts import Shown, Text, Translations

#: How much of an assignment's instructions (or an event's description) goes into the entry.
DESCRIPTION_CHARS = 1000


def register() -> None:
    register_source("classwork.due_work", due_work)
    register_source("classwork.class_events", class_events)


@dataclass(frozen=True, slots=True)
class _Classes:
    """The children's current classes: each class's title, and the children in it."""

    titles: dict[int, str]
    #: Each class → the query's children in it, as (child id, name).
    children: dict[int, list[tuple[int, str]]]


def _classes(query: SourceQuery) -> _Classes:
    return query.once("classwork.classes", lambda: _read_classes(query))


def _read_classes(query: SourceQuery) -> _Classes:
    titles: dict[int, str] = {}
    children: dict[int, list[tuple[int, str]]] = {}
    for child_id, pairs in current_classes(list(query.students)).items():
        for class_id, title in pairs:
            titles[class_id] = title
            children.setdefault(class_id, []).append((child_id, query.students[child_id]))
    return _Classes(titles=titles, children=children)


def assignment_path(assignment_id: int) -> str:
    """The assignment's page, where the entry links to."""
    try:
        return reverse("classwork:assignment", args=[assignment_id])
    except NoReverseMatch:  # the assignment page is not routed in this build
        return f"/work/assignments/{assignment_id}/"


def _reads_another_language(query: SourceQuery) -> bool:
    target = query.reader.preferred_language
    return bool(target) and not languages.same(target, content_language())


def _translations(query: SourceQuery, wanted: dict[int, list[Text]]) -> Translations:
    """What the reader sees of the teachers' texts (one query; none for a reader of the
    teachers' language)."""
    if not _reads_another_language(query) or not wanted:
        return Translations()
    return page_translations(query.reader, wanted)


def _text(
    translations: Translations, class_id: int, text: str, *, html: bool = False
) -> Shown | None:
    found = translations.get(class_id, text, is_html=html)
    return found if found is not None and found.translated else None


def _original_note(title: Shown | None) -> str:
    """The line naming what the teacher wrote, under a translated entry."""
    if title is None:
        return ""
    return _("Machine-translated from %(language)s. Original: %(title)s") % {
        "language": languages.name(title.original_language),
        "title": title.original,
    }


def due_work(query: SourceQuery) -> list[CalendarEntry]:
    classes = _classes(query)
    if not classes.titles:
        return []
    # visible_assignments is the classwork policy; the filters below narrow it to what families
    # see even when the reader also works at the school (staff see drafts of their classes).
    rows = (
        visible_assignments(query.reader)
        .published(query.now)
        .filter(
            school_class_id__in=list(classes.titles),
            visible_to_families=True,
            due_at__gte=query.start,
            due_at__lt=query.end,
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
    found = list(rows)
    wanted: dict[int, list[Text]] = {}
    if _reads_another_language(query):
        for _pk, title, instructions, _due, class_id, _updated, _school in found:
            wanted.setdefault(class_id, []).append(Text(title, content_language()))
            if instructions:
                wanted[class_id].append(Text(instructions, content_language(), is_html=True))
    translations = _translations(query, wanted)
    entries: list[CalendarEntry] = []
    for pk, title, instructions, due_at, class_id, updated_at, school in found:
        if due_at is None:  # excluded by the query; work without a due time has no date
            continue
        shown_title = _text(translations, class_id, title)
        shown_instructions = _text(translations, class_id, instructions, html=True)
        details = _describe(
            classes.titles[class_id],
            plain_text(shown_instructions.text if shown_instructions else instructions),
            note=_original_note(shown_title),
        )
        title = shown_title.text if shown_title else title
        for child_id, child in classes.children[class_id]:
            entries.append(
                CalendarEntry(
                    uid=f"assignment-{pk}-student-{child_id}",
                    summary=_("%(child)s: %(title)s (due)") % {"child": child, "title": title},
                    description=details,
                    start=due_at,
                    end=due_at,  # a moment: the feed gives it its shortest length
                    organizer=school,
                    last_modified=updated_at,
                    url=assignment_path(pk),
                    transparent=True,
                )
            )
    return entries


def class_events(query: SourceQuery) -> list[CalendarEntry]:
    classes = _classes(query)
    if not classes.titles:
        return []
    rows = (
        ClassEvent.objects.filter(
            school_class_id__in=list(classes.titles),
            school_class__status=RosterStatus.ACTIVE,
            visible_to_families=True,
            starts_at__lt=query.end,
            ends_at__gte=query.start,
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
    found = list(rows)
    wanted: dict[int, list[Text]] = {}
    if _reads_another_language(query):
        for _pk, title, text, *_rest, class_id, _updated, _school, _zone in found:
            wanted.setdefault(class_id, []).append(Text(title, content_language()))
            if text:
                wanted[class_id].append(Text(text, content_language()))
    translations = _translations(query, wanted)
    entries: list[CalendarEntry] = []
    for pk, title, text, place, starts, ends, all_day, class_id, updated, school, zone in found:
        start, end = _event_span(starts, ends, all_day=all_day, zone=zone)
        shown_title = _text(translations, class_id, title)
        shown_text = _text(translations, class_id, text)
        details = _describe(
            classes.titles[class_id],
            shown_text.text if shown_text else text,
            note=_original_note(shown_title),
        )
        title = shown_title.text if shown_title else title
        for child_id, child in classes.children[class_id]:
            entries.append(
                CalendarEntry(
                    uid=f"classevent-{pk}-student-{child_id}",
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


def _describe(class_title: str, details: str, *, note: str = "") -> str:
    heading = _("Class: %(class)s") % {"class": class_title}
    details = Truncator(details.strip()).chars(DESCRIPTION_CHARS)
    parts = [heading, details, note]
    return "\n\n".join(part for part in parts if part)


def _event_span(
    starts: dt.datetime, ends: dt.datetime, *, all_day: bool, zone: str
) -> tuple[dt.datetime, dt.datetime] | tuple[dt.date, dt.date]:
    """Start and (exclusive) end of an event: dates in the school's time zone when all day."""
    if not all_day:
        return starts, ends
    try:
        local = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = starts.astimezone(local).date()
    last = max(ends.astimezone(local).date(), first)
    return first, last + dt.timedelta(days=1)
