"""A conference's day and hours as people read them, in the active language and time zone:
"Thursday December 10, 3 p.m. - 3:15 p.m.", "jueves 10 de diciembre, 15:00 - 15:15"."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone

from village.conferences.models import Slot


def day_label(value: dt.datetime | dt.date) -> str:
    """ "Thursday December 10", "jueves 10 de diciembre"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{formats.date_format(value, 'l')} {formats.date_format(value, 'MONTH_DAY_FORMAT')}"


def time_label(moment: dt.datetime) -> str:
    return formats.time_format(timezone.localtime(moment))


def hours_label(slot: Slot) -> str:
    """ "3 p.m. - 3:15 p.m.", "15:00 - 15:15" (with an en dash)."""
    return f"{time_label(slot.starts_at)} \u2013 {time_label(slot.ends_at)}"


def when_label(slot: Slot) -> str:
    """The day and the hours."""
    return f"{day_label(slot.starts_at)}, {hours_label(slot)}"


def start_label(moment: dt.datetime) -> str:
    """The day and the start: "Thursday December 10, 3 p.m."."""
    return f"{day_label(moment)}, {time_label(moment)}"
