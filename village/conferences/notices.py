"""What conferences tell people (``village.notifications``), and when.

Kinds:

- the family (the guardian who booked): a conference booked, moved, or cancelled (by them or
  by the school, with the teacher's note), each email carrying the calendar invitation
  (``METHOD:REQUEST``, or ``METHOD:CANCEL``); and a reminder the day before. In a round that
  keeps households apart, only while that guardian still belongs to the booking's household
  and books for the child (``policies.booker_in_household``): one household is never told of
  the other's conference;
- the teacher: the same invitations for each booking with them (one kind), and the day before
  a day with conferences, how many and from when.

Invitations are written in the service's transaction, each keyed by the booking and its
``sequence``; reminders by :func:`reminder_sweep`, keyed by the booking and its time (a
conference moved after its reminder is reminded again) or by the teacher's day. Quiet hours,
each person's email settings and their language apply as to every notification; none of these
count in a family's weekly budget of alert emails.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db.models import BooleanField, ExpressionWrapper
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import Scope
from village.conferences import invitation, policies, when
from village.conferences.invitation import Method
from village.conferences.models import Booking, BookingState
from village.notifications import registry
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import (
    Pending,
    notify,
    site_link,
    user_zone,
    zone_named,
)
from village.notifications.text import teacher as teacher_words

BOOKED = "conference_booked"
MOVED = "conference_moved"
CANCELLED = "conference_cancelled"
REMINDER = "conference_reminder"
TEACHER_BOOKINGS = "conference_teacher_bookings"
TEACHER_REMINDER = "conference_teacher_reminder"

#: Reminders go out this long before a conference.
AHEAD = dt.timedelta(days=1)
SWEEP = "conferences.reminders"


def register() -> None:
    family = (Audience.GUARDIAN, Scope.MESSAGES)
    kinds = [
        AlertKind(BOOKED, _("Conference booked"), *family, budgeted=False, order=70),
        AlertKind(MOVED, _("Conference moved"), *family, budgeted=False, order=71),
        AlertKind(
            CANCELLED,
            _("Conference cancelled"),
            *family,
            budgeted=False,
            help=_("By you, another of the child's guardians, or the school."),
            order=72,
        ),
        AlertKind(
            REMINDER,
            _("Conference reminder"),
            *family,
            budgeted=False,
            help=_("The day before."),
            order=73,
        ),
        AlertKind(
            TEACHER_BOOKINGS,
            _("Conferences booked, moved or cancelled with you"),
            Audience.TEACHER,
            Scope.MESSAGES,
            budgeted=False,
            help=_("Each with its calendar invitation."),
            order=30,
        ),
        AlertKind(
            TEACHER_REMINDER,
            _("Tomorrow's conferences"),
            Audience.TEACHER,
            Scope.MESSAGES,
            budgeted=False,
            default_email=EmailMode.IMMEDIATE,
            order=31,
        ),
    ]
    for kind in kinds:
        registry.register_kind(kind)
    registry.register_sweep(SWEEP, reminder_sweep)


def kind_names() -> list[str]:
    return [BOOKED, MOVED, CANCELLED, REMINDER, TEACHER_BOOKINGS, TEACHER_REMINDER]


# --- words ------------------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    return when.start_label(moment)


def family_link(booking: Booking) -> str:
    return reverse("conferences:family_booking", args=[booking.pk])


def teacher_link(booking: Booking) -> str:
    day = timezone.localdate(booking.slot.starts_at, user_zone(booking.teacher))
    return reverse("conferences:schedule") + f"?day={day.isoformat()}"


def _family_words(
    booking: Booking, kind: str, *, by_school: bool, place_changed: bool = False
) -> tuple[str, str]:
    names = {
        "child": booking.child.short_name,
        "teacher": booking.teacher.display_name,
        "when": _when(booking.slot.starts_at),
    }
    if place_changed:
        slot = booking.slot
        names["where"] = invitation.mode_line(slot.mode, teacher_words(slot.place))
        title = gettext("Conference changed: %(child)s with %(teacher)s, %(when)s, now %(where)s")
        return title % names, _details(booking)
    if kind == BOOKED:
        title = gettext("Conference booked: %(child)s with %(teacher)s, %(when)s") % names
    elif kind == MOVED:
        title = gettext("Conference moved: %(child)s with %(teacher)s, now %(when)s") % names
    elif by_school:
        title = gettext("The school cancelled %(child)s's conference with %(teacher)s") % names
    else:
        title = gettext("Conference cancelled: %(child)s with %(teacher)s, %(when)s") % names
    return title, _details(booking)


def _details(booking: Booking) -> str:
    slot = booking.slot
    lines = [invitation.mode_line(slot.mode, teacher_words(slot.place))]
    if booking.state == BookingState.CANCELLED:
        lines = [gettext("It was %(when)s.") % {"when": _when(slot.starts_at)}]
        if booking.cancel_note:
            lines.append(gettext("Note: %(note)s") % {"note": teacher_words(booking.cancel_note)})
    elif booking.interpreter_language:
        lines.append(
            gettext("Interpreter asked for: %(language)s")
            % {"language": invitation.language_name(booking.interpreter_language)}
        )
    if booking.state == BookingState.BOOKED:
        lines.append(gettext("The calendar invitation is attached."))
    return "\n".join(lines)


def _teacher_words(booking: Booking, kind: str, *, place_changed: bool = False) -> tuple[str, str]:
    names = {
        "guardian": booking.guardian.display_name,
        "child": booking.child.display_name,
        "when": _when(booking.slot.starts_at),
    }
    if place_changed:
        title = gettext("Conference about %(child)s on %(when)s: the place changed") % names
        return title, _details(booking)
    if kind == BOOKED:
        title = gettext("%(guardian)s booked a conference about %(child)s: %(when)s") % names
    elif kind == MOVED:
        title = gettext("Conference about %(child)s moved to %(when)s") % names
    else:
        title = gettext("Conference about %(child)s on %(when)s cancelled") % names
    return title, _details(booking)


# --- invitations ------------------------------------------------------------------------------


def booking_notify(
    booking: Booking,
    kind: str,
    *,
    now: dt.datetime,
    by_school: bool = False,
    place_changed: bool = False,
) -> None:
    """Tell the guardian who booked (of the booking's household: :func:`_family_told`) and the
    teacher, each with the invitation in their language (``kind``: :data:`BOOKED`,
    :data:`MOVED` or :data:`CANCELLED`; ``MOVED`` with ``place_changed``: the same time, another
    room, number or link). Call in the service's transaction, after the booking is saved with
    its new ``sequence``."""
    method = Method.CANCEL if kind == CANCELLED else Method.REQUEST
    key = f"booking:{booking.pk}:{booking.sequence}"
    school_id = booking.round.school_id
    guardian, teacher = booking.guardian, booking.teacher
    family = [
        Pending(
            recipient=guardian,
            kind=kind,
            key=key,
            compose=lambda: _family_words(
                booking, kind, by_school=by_school, place_changed=place_changed
            ),
            link=family_link(booking),
            child_id=booking.child_id,
            school_id=school_id,
            subject=f"conferences.booking:{booking.pk}",
            calendar=_invitation(booking, guardian, method, now, family_link(booking)),
        )
    ]
    pending = [
        *(family if _family_told(booking) else []),
        Pending(
            recipient=teacher,
            kind=TEACHER_BOOKINGS,
            key=key,
            compose=lambda: _teacher_words(booking, kind, place_changed=place_changed),
            link=teacher_link(booking),
            school_id=school_id,
            subject=f"conferences.booking:{booking.pk}",
            calendar=_invitation(booking, teacher, method, now, teacher_link(booking)),
        ),
    ]
    notify(pending, now=now)


def _family_told(booking: Booking) -> bool:
    """Is the guardian who booked told? Always, unless the round keeps households apart: then
    while they book for the child and belong to the booking's household (one query)."""
    if not booking.round.households_apart:
        return True
    told = Booking.objects.filter(pk=booking.pk).filter(policies.booker_in_household())
    return told.exists()


def _invitation(
    booking: Booking, recipient: User, method: Method, now: dt.datetime, path: str
) -> str:
    with translation.override(recipient.ui_language):
        return invitation.invitation(booking, method=method, now=now, link=site_link(path))


# --- reminders --------------------------------------------------------------------------------


def reminder_sweep(now: dt.datetime) -> int:
    """Remind the family and the teacher of the conferences starting in the next day (each
    conference once for its time, the family where the guardian who booked is still told:
    ``policies.booker_in_household``; each teacher once for each day). Four queries."""
    from village.notifications.services.sweeps import watermark

    with watermark(SWEEP, now + AHEAD, first=now) as (since, until):
        coming = list(
            Booking.objects.filter(
                state=BookingState.BOOKED,
                slot__cancelled_at__isnull=True,
                slot__starts_at__gt=max(since, now),
                slot__starts_at__lte=until,
            )
            .select_related("slot", "round", "teacher", "child", "guardian")
            .annotate(told=ExpressionWrapper(policies.booker_in_household(), BooleanField()))
            .order_by("slot__starts_at", "id")
        )
        if not coming:
            return 0
        pending = [_family_reminder(booking) for booking in coming if booking.told]
        pending += _teacher_reminders(coming, now)
        return len(notify(pending, now=now))


def _family_reminder(booking: Booking) -> Pending:
    def compose() -> tuple[str, str]:
        names = {
            "child": booking.child.short_name,
            "teacher": booking.teacher.display_name,
            "when": _when(booking.slot.starts_at),
        }
        title = gettext("Reminder: %(child)s's conference with %(teacher)s, %(when)s") % names
        return title, invitation.mode_line(booking.slot.mode, teacher_words(booking.slot.place))

    return Pending(
        recipient=booking.guardian,
        kind=REMINDER,
        key=f"booking:{booking.pk}:{booking.slot.starts_at.isoformat()}",
        compose=compose,
        link=family_link(booking),
        child_id=booking.child_id,
        school_id=booking.round.school_id,
        subject=f"conferences.booking:{booking.pk}",
    )


def _teacher_reminders(coming: Sequence[Booking], now: dt.datetime) -> list[Pending]:
    """One reminder per teacher and day, counting every conference of that day."""
    days: dict[tuple[int, dt.date], Booking] = {}
    for booking in coming:
        day = timezone.localdate(booking.slot.starts_at, user_zone(booking.teacher))
        days.setdefault((booking.teacher_id, day), booking)
    counts = _day_counts(days, now)
    pending = []
    for (teacher_id, day), first in days.items():
        count = counts.get((teacher_id, day), 1)
        pending.append(
            Pending(
                recipient=first.teacher,
                kind=TEACHER_REMINDER,
                key=day.isoformat(),
                compose=_compose_teacher_day(count, first.slot.starts_at),
                link=teacher_link(first),
                school_id=first.round.school_id,
            )
        )
    return pending


def _day_counts(
    days: dict[tuple[int, dt.date], Booking], now: dt.datetime
) -> dict[tuple[int, dt.date], int]:
    """Conferences booked with each teacher on each of these days (one query)."""
    teachers = {teacher_id for teacher_id, _day in days}
    rows = Booking.objects.filter(
        state=BookingState.BOOKED,
        teacher_id__in=teachers,
        slot__cancelled_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + AHEAD * 2,
    ).values_list("teacher_id", "slot__starts_at", "teacher__timezone")
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for teacher_id, starts_at, zone_name in rows:
        counts[(teacher_id, timezone.localdate(starts_at, zone_named(zone_name)))] += 1
    return counts


def _compose_teacher_day(count: int, first: dt.datetime) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = ngettext(
            "Tomorrow: %(count)s conference, from %(time)s",
            "Tomorrow: %(count)s conferences, from %(time)s",
            count,
        ) % {"count": count, "time": when.time_label(first)}
        return title, gettext("Your day's schedule and a list to print are in Village.")

    return compose
