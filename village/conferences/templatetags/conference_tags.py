"""How conference times, languages and households read on the pages, in the reader's language
and time zone (``village.conferences.when``)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from village.conferences import invitation, when
from village.conferences.models import HOME, Booking, Slot

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


@register.filter
def household_label(booking: Booking) -> str:
    """Whose conference ``booking`` is, for the school's pages, where its round keeps
    households apart: "Leo's home", or "Jordan Bell's household" (the guardian living apart who
    booked it); empty in other rounds. Reads the booking's round, child and guardian."""
    if booking.household == HOME and not booking.round.households_apart:
        return ""
    if booking.household == HOME:
        return _("%(child)s’s home") % {"child": booking.child.short_name}  # noqa: RUF001
    return _("%(guardian)s’s household") % {"guardian": booking.guardian.display_name}  # noqa: RUF001
