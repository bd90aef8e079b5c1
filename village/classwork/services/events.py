"""Writing a class's calendar events."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from village.classwork import translations, versions
from village.classwork.models import (
    ClassEvent,
)
from village.classwork.services.checks import clean, require
from village.community.models import SchoolClass


def _event_end(starts_at: dt.datetime, ends_at: dt.datetime | None, all_day: bool) -> dt.datetime:
    """The end given, or without one an hour after the start (or the start, for a day)."""
    if ends_at is not None:
        return ends_at
    return starts_at if all_day else starts_at + dt.timedelta(hours=1)


def _check_event(event: ClassEvent) -> None:
    require(bool(event.title), "title", _("Give the event a title."))
    require(event.ends_at >= event.starts_at, "ends_at", _("The event ends before it starts."))
    clean(event)


@transaction.atomic
def class_event_create(
    *,
    school_class: SchoolClass,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    description: str = "",
    location: str = "",
    all_day: bool = False,
    visible_to_families: bool = True,
) -> ClassEvent:
    """Something on the class calendar; without an end it lasts an hour (or the day)."""
    return class_event_update(
        event=ClassEvent(school_class=school_class),
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        location=location,
        all_day=all_day,
        visible_to_families=visible_to_families,
    )


@transaction.atomic
def class_event_update(
    *,
    event: ClassEvent,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    description: str = "",
    location: str = "",
    all_day: bool = False,
    visible_to_families: bool = True,
) -> ClassEvent:
    """Set an event's fields (a new, unsaved ``ClassEvent`` is added) and save it; without an
    end it lasts an hour (or the day). On bad input the row is unchanged (the caller reloads
    ``event`` if it shows it again)."""
    event.title, event.starts_at = title.strip(), starts_at
    event.ends_at = _event_end(starts_at, ends_at, all_day)
    event.description, event.location = description.strip(), location.strip()
    event.all_day, event.visible_to_families = all_day, visible_to_families
    _check_event(event)
    event.save()
    # students and families see events on their pages, kept by work version
    versions.classes_changed([event.school_class_id])
    translations.event_saved(event)
    return event


@transaction.atomic
def class_event_delete(*, event: ClassEvent) -> None:
    """Take the event off the class calendar."""
    class_id = event.school_class_id
    event.delete()
    versions.classes_changed([class_id])
