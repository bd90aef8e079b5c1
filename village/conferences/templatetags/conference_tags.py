"""How conference times and languages read on the pages, in the reader's language and time
zone (``village.conferences.when``)."""

from __future__ import annotations

import datetime as dt

from django import template

from village.conferences import invitation, when
from village.conferences.models import Slot

register = template.Library()


@register.filter
def conference_day(value: dt.datetime | dt.date | None) -> str:
    return when.day_label(value) if value is not None else ""


@register.filter
def conference_hours(slot: Slot) -> str:
    return when.hours_label(slot)


@register.filter
def conference_start(slot: Slot) -> str:
    return when.time_label(slot.starts_at)


@register.filter
def conference_when(slot: Slot) -> str:
    return when.when_label(slot)


@register.filter
def language_label(tag: str) -> str:
    return invitation.language_name(tag) if tag else ""
