"""A booking's calendar invitation, as iTIP has it (RFC 5546): ``METHOD:REQUEST`` when it is
booked or moved, ``METHOD:CANCEL`` when it is cancelled, written with ``village.calendar.ical``.

The teacher is the ORGANIZER and the guardian who booked the ATTENDEE (already accepted: they
chose the time). The UID names the booking, so every later message updates the same calendar
entry; SEQUENCE is the booking's ``sequence``, counted up by every change (a move, the
cancellation), so calendars know which message is newest. Times are in UTC. The words
(summary, description) are in the active language: callers write each recipient's copy in
theirs.
"""

from __future__ import annotations

import datetime as dt
import enum
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from village.accounts.languages import LANGUAGES
from village.calendar import ical
from village.conferences.models import Booking, BookingState, Mode

PRODID = "-//Village//Conferences//EN"


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def booking_uid(booking: Booking) -> str:
    """The booking's UID: the same in every message about it, unique to this site."""
    return f"conference-booking-{booking.pk}@{settings.VILLAGE_SITE_DOMAIN}"


def language_name(tag: str) -> str:
    """A language tag as people read it, in the active language (``es-MX`` → "Español
    (Spanish)")."""
    primary = tag.split("-")[0].lower()
    for language in LANGUAGES:
        if language.code.lower() == tag.lower():
            return language.label
    for language in LANGUAGES:
        if language.code.split("-")[0] == primary:
            return language.label
    return tag


def mode_line(mode: str, place: str) -> str:
    """How and where, in one line: "In person: Room 12", "By phone: +1 555 0142"."""
    label = str(Mode(mode).label)
    return f"{label}: {place}" if place else label


def summary(booking: Booking) -> str:
    return _("Conference about %(child)s with %(teacher)s") % {
        "child": booking.child.short_name,
        "teacher": booking.teacher.display_name,
    }


def description(booking: Booking, *, link: str) -> str:
    slot = booking.slot
    lines = [
        _("Parent-teacher conference about %(child)s at %(school)s.")
        % {"child": booking.child.display_name, "school": booking.round.school.name},
        mode_line(slot.mode, slot.place),
    ]
    if booking.interpreter_language:
        lines.append(
            _("Interpreter asked for: %(language)s")
            % {"language": language_name(booking.interpreter_language)}
        )
    if booking.note:
        lines.append(_("Note from the family: %(note)s") % {"note": booking.note})
    if booking.state == BookingState.CANCELLED and booking.cancel_note:
        lines.append(_("Why it was cancelled: %(note)s") % {"note": booking.cancel_note})
    if link:
        lines.append(_("In Village: %(link)s") % {"link": link})
    return "\n".join(lines)


def _mailto(address: str) -> str:
    return f"mailto:{address or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"


def invitation(booking: Booking, *, method: Method, now: dt.datetime, link: str) -> str:
    """The booking's invitation (``method``) as iCalendar text, in the active language.
    ``link`` is the booking's address in Village (with the site), for the description and URL."""
    slot = booking.slot
    cancelled = method == Method.CANCEL
    event = [
        ical.text("UID", booking_uid(booking)),
        ical.moment("DTSTAMP", now),
        ical.moment("DTSTART", slot.starts_at),
        ical.moment("DTEND", slot.ends_at),
        ical.Property("SEQUENCE", str(booking.sequence)),
        ical.text("SUMMARY", summary(booking)),
        ical.text("DESCRIPTION", description(booking, link=link)),
        ical.text("LOCATION", mode_line(slot.mode, slot.place)),
        ical.uri("ORGANIZER", _mailto(booking.teacher.email), CN=booking.teacher.display_name),
        ical.uri(
            "ATTENDEE",
            _mailto(booking.guardian.email),
            CN=booking.guardian.display_name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="ACCEPTED",
            RSVP="FALSE",
        ),
        ical.Property("STATUS", "CANCELLED" if cancelled else "CONFIRMED"),
        ical.Property("TRANSP", "OPAQUE"),
        ical.moment("LAST-MODIFIED", booking.updated_at or now),
    ]
    if link:
        event.append(ical.uri("URL", link))
    calendar = ical.Component(
        "VCALENDAR",
        [
            ical.Property("PRODID", PRODID),
            ical.Property("VERSION", "2.0"),
            ical.Property("CALSCALE", "GREGORIAN"),
            ical.Property("METHOD", str(method)),
        ],
        [ical.Component("VEVENT", event)],
    )
    return ical.serialize(calendar)
