"""Reminders the day before: the family once per conference (again if it moves), the teacher
once per day; quiet hours and each person's language apply; running the sweep twice tells
nobody twice."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from village.conferences import notices
from village.conferences.services.bookings import booking_cancel, booking_create
from village.conferences.tests.factories import add_slots
from village.notifications.models import Delivery, Notification, UserSettings
from village.notifications.services.sweeps import run_due

pytestmark = pytest.mark.django_db


def sweep(at: dt.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return notices.reminder_sweep(at)


def test_the_day_before_the_family_and_the_teacher_are_reminded_once(conferences):
    people = conferences.people
    leo = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    booking_create(guardian=people.sam, child=people.ada, slot=conferences.rivera[1])
    starts = leo.slot.starts_at
    assert sweep(starts - dt.timedelta(days=2)) == 0  # the first run looks a day ahead
    assert sweep(starts - dt.timedelta(days=1, minutes=1)) == 0
    assert sweep(starts - dt.timedelta(hours=23)) == 3  # Leo's, Ada's, and Ms. Rivera's day
    assert sweep(starts - dt.timedelta(hours=22)) == 0
    family = Notification.objects.filter(kind=notices.REMINDER, recipient=people.sam)
    assert family.count() == 2
    assert {note.child_id for note in family} == {people.leo.pk, people.ada.pk}
    assert all(note.language == "es" for note in family)
    (day,) = Notification.objects.filter(kind=notices.TEACHER_REMINDER)
    assert day.recipient == people.rivera
    assert day.title.startswith("Tomorrow: 2 conferences, from ")
    assert day.link.startswith("/conferences/schedule/?day=")


def test_a_cancelled_conference_is_not_reminded(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    booking_cancel(booking=booking, by=people.sam)
    assert sweep(booking.slot.starts_at - dt.timedelta(hours=23)) == 0


def test_quiet_hours_hold_a_late_reminder_until_morning(conferences):
    """A conference at 21:30 is reminded at 21:30 the day before, inside Sam's quiet hours
    (21:00 to 7:00): the email waits for 7:00; the notification is there at once."""
    people = conferences.people
    UserSettings.objects.create(user=people.sam, quiet_hours=True)
    (late,) = add_slots(conferences.round, people.rivera, start=dt.time(21, 30), end=dt.time(22))
    booking_create(guardian=people.sam, child=people.leo, slot=late)
    sweep(late.starts_at - dt.timedelta(hours=23, minutes=59))
    reminder = Delivery.objects.get(kind=notices.REMINDER)
    due = reminder.due_at.astimezone(zoneinfo.ZoneInfo(people.sam.timezone))
    assert (due.date(), due.time()) == (late.starts_at.astimezone(due.tzinfo).date(), dt.time(7))
    assert Notification.objects.filter(kind=notices.REMINDER, recipient=people.sam).exists()


def test_the_worker_runs_the_sweep(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    at = booking.slot.starts_at - dt.timedelta(hours=12)
    with time_machine.travel(at, tick=False):
        run_due(at, force=True)
    assert Notification.objects.filter(kind=notices.REMINDER).count() == 1
