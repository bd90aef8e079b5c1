"""Fall conferences at Riverside K-8, as the families see them a few days before booking
closes: Principal Nguyen's round, open since yesterday; Ms. Rivera's evening (in person, Room
12) and Mr. Chen's (Room 21, and an hour by phone the next day); Sam has booked Ada with
Ms. Rivera, asking for a Spanish interpreter, and Leo is still to book (the times next to Ada's
are suggested); other families of the homeroom and of Grade 8 Math have booked too. The round
keeps households apart: a homeroom parent who does not live with their child has booked their own
conference with Ms. Rivera beside the home's, so her day shows both, each labelled.

Everything goes through the conferences' services, so the invitations and notifications are
those Village would have written; their emails count as sent (the demo's worker does not send
them again)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from village.accounts.models import User
from village.community.models import GuardianLink, LinkStatus, SchoolClass
from village.conferences import notices
from village.conferences.models import HOME, Booking, BookingState, ConferenceRound, Mode, Slot
from village.conferences.services.bookings import booking_create
from village.conferences.services.rounds import RoundSpec, round_create
from village.conferences.services.slots import SlotRange, slots_generate
from village.notifications.models import Delivery, DeliveryState

#: The conferences are held this many days from today (the next weekday from then).
DAYS_AHEAD = 6
#: Other families of the homeroom, and of Grade 8 Math, who have booked.
HOMEROOM_BOOKED = 5
MATH_BOOKED = 3


def conference_day(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=DAYS_AHEAD)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def demo_conferences_build(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["nguyen", "rivera", "chen", "sam", "ada"])
    }
    if len(people) < 5:
        return {"conference bookings": 0}
    nguyen, rivera, chen = people["nguyen"], people["rivera"], people["chen"]
    homeroom = SchoolClass.objects.get(sourced_id="demo-class-G5-HR")
    math = SchoolClass.objects.get(sourced_id="demo-class-G8-MATH")
    conference_round = round_create(
        school=homeroom.school,
        by=nguyen,
        spec=RoundSpec(
            title="Fall conferences",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=DAYS_AHEAD - 2),
            cutoff_hours=24,
            published=True,
            households_apart=True,
        ),
    )
    day = conference_day(timezone.localdate(now))
    evening = _slots(conference_round, rivera, day, dt.time(15), dt.time(18), "Room 12")
    chens = _slots(conference_round, chen, day, dt.time(15), dt.time(17), "Room 21")
    _slots(
        conference_round,
        chen,
        day + dt.timedelta(days=1),
        dt.time(17),
        dt.time(18),
        "+1 555 0121",
        mode=Mode.PHONE,
    )
    # Sam: Ada at 15:40 with a Spanish interpreter; 15:20 and 16:00 stay free beside it.
    booking_create(
        guardian=people["sam"],
        child=people["ada"],
        slot=evening[2],
        interpreter_language="es",
        note="Nos gustaría hablar de la lectura en casa.",
        now=now,
    )
    booked = 1
    booked += _book_others(homeroom, [evening[i] for i in (0, 5, 6, 7, 8)][:HOMEROOM_BOOKED], now)
    booked += _book_apart(evening[4], now)
    booked += _book_others(math, chens[:MATH_BOOKED], now)
    Delivery.objects.filter(kind__in=notices.kind_names()).update(
        state=DeliveryState.SENT, sent_at=now, attempts=1
    )
    return {"conference bookings": booked}


def _slots(
    conference_round: ConferenceRound,
    teacher: User,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    place: str,
    *,
    mode: str = Mode.IN_PERSON,
) -> list[Slot]:
    spec = SlotRange(day=day, start=start, end=end, minutes=15, gap=5, mode=mode, place=place)
    return slots_generate(conference_round=conference_round, teacher=teacher, spec=spec)


def _usable_links() -> QuerySet[GuardianLink]:
    """Links that book conferences (active, not ``no_access``, allowing messages), other than
    the personas' children's."""
    return GuardianLink.objects.filter(
        status=LinkStatus.ACTIVE,
        no_access=False,
        scope_messages=True,
        guardian__is_active=True,
    ).exclude(student__username__in=["ada", "leo", "maya"])


def _book_apart(slot: Slot, now: dt.datetime) -> int:
    """Book ``slot`` for the first child (by name) whose home has a conference with the slot's
    teacher, by a guardian who does not live with them: their own household's conference."""
    home = Booking.objects.filter(
        round=slot.round, teacher=slot.teacher, household=HOME, state=BookingState.BOOKED
    )
    link = (
        _usable_links()
        .filter(student_id__in=home.values("child_id"), lives_with=False)
        .select_related("guardian", "student")
        .order_by("student__last_name", "student__first_name", "student__username", "guardian_id")
        .first()
    )
    if link is None:
        return 0
    booking_create(guardian=link.guardian, child=link.student, slot=slot, now=now)
    return 1


def _book_others(school_class: SchoolClass, slots: list[Slot], now: dt.datetime) -> int:
    """Book ``slots`` for the first families of the class (by the child's name) whose link
    allows messages, other than the personas'."""
    links = (
        _usable_links()
        .filter(student__enrollments__school_class=school_class)
        .select_related("guardian", "student")
        .order_by("student__last_name", "student__first_name", "student__username", "guardian_id")
    )
    children: dict[int, GuardianLink] = {}
    for link in links:
        children.setdefault(link.student_id, link)
        if len(children) == len(slots):
            break
    for slot, link in zip(slots, children.values(), strict=False):
        booking_create(guardian=link.guardian, child=link.student, slot=slot, now=now)
    return min(len(slots), len(children))
