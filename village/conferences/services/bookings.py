"""A family's bookings: made, moved to another time with the same teacher, cancelled.

The rules (each refusal a ``ValidationError`` naming the field):

- a booking is made or moved only while the round is open (published, between its opening and
  its closing), and only until the round's cut-off before the slot starts;
- a family moves or cancels only until the cut-off before the conference; after it nothing
  changes and they are told to contact the school. The school cancels at any time;
- a slot holds one booking, and a child one booking with each teacher in a round for each
  household: the child's home, and (in a round that keeps households apart) each guardian who
  does not live with the child (``policies.household``). Two families booking the same slot at
  once: the slot's row is locked while a booking is made, so the second waits, then finds it
  taken; the database's unique constraints hold the rule should anything else write.

Each change gives the booking a new ``sequence`` and sends the family and the teacher the
calendar invitation, in the same transaction (``village.conferences.notices``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from village.accounts.languages import LANGUAGES, language_code
from village.accounts.models import User
from village.conferences import notices, policies, versions
from village.conferences.models import Booking, BookingState, Slot

NOTE_LENGTH = 500


def default_interpreter(guardian: User) -> str:
    """The interpreter language offered first: the guardian's own language (as Village lists
    it: ``es-MX`` is offered as ``es``), unless English."""
    tag = (guardian.preferred_language or "").lower()
    primary = tag.split("-")[0]
    if primary in ("", "en"):
        return ""
    listed = sorted((language.code for language in LANGUAGES), key=len, reverse=True)
    covering = [code for code in listed if f"{tag}-".startswith(f"{code.lower()}-")]
    return (covering or [code for code in listed if code.split("-")[0] == primary] or [""])[0]


def _at(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def changes_until(slot: Slot) -> dt.datetime:
    """The last moment a family may book, move or cancel ``slot``'s conference."""
    return slot.starts_at - slot.round.cutoff


def _check_bookable(slot: Slot, now: dt.datetime) -> None:
    """``slot`` (locked, with its round) may be booked now by a family, or ``ValidationError``."""
    conference_round = slot.round
    if slot.cancelled_at is not None:
        raise ValidationError({"slot": [_("This time is no longer offered.")]})
    # No full stop after a moment: in English it ends with "a.m." or "p.m." already.
    if not conference_round.published or now < conference_round.opens_at:
        raise ValidationError(
            {"slot": [_("Booking opens %(when)s") % {"when": _at(conference_round.opens_at)}]}
        )
    if now >= conference_round.closes_at:
        raise ValidationError(
            {"slot": [_("Booking closed %(when)s") % {"when": _at(conference_round.closes_at)}]}
        )
    if now >= changes_until(slot):
        raise ValidationError(
            {"slot": [_("This time is too soon to book: choose a later one, or call the school.")]}
        )
    if Booking.objects.filter(slot=slot, state=BookingState.BOOKED).exists():
        raise ValidationError({"slot": [_("Someone has just booked this time. Choose another.")]})


def _check_interpreter(tag: str) -> str:
    if not tag.strip():
        return ""
    try:
        return language_code(tag)
    except ValidationError as error:
        raise ValidationError({"interpreter_language": error.messages}) from error


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            {"note": [_("Keep the note under %(most)s characters.") % {"most": NOTE_LENGTH}]}
        )
    if "\x00" in note:
        raise ValidationError({"note": [_("The note holds a character that cannot be kept.")]})
    return note


def _lock_slot(slot_id: int) -> Slot:
    # Only the slot's row: locking its round too would make every booking in it wait in turn.
    return (
        Slot.objects.select_for_update(of=("self",))
        .select_related("round", "round__school", "teacher")
        .get(pk=slot_id)
    )


def _already(child: User, slot: Slot) -> ValidationError:
    return ValidationError(
        {
            "slot": [
                _(
                    "%(child)s already has a conference with %(teacher)s in this round: "
                    "move that one instead."
                )
                % {"child": child.short_name, "teacher": slot.teacher.display_name}
            ]
        }
    )


def _conflict(slot: Slot, child: User) -> ValidationError:
    """Which rule a booking that the database refused broke (another booking committed while
    this one was made): the time is taken, or the child has a conference with the teacher for
    this household (the only other unique rule: one per child, teacher, round and household)."""
    if Booking.objects.filter(slot=slot, state=BookingState.BOOKED).exists():
        return ValidationError({"slot": [_("Someone has just booked this time. Choose another.")]})
    return _already(child, slot)


@transaction.atomic
def booking_create(
    *,
    guardian: User,
    child: User,
    slot: Slot,
    interpreter_language: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book ``slot`` (loaded for ``guardian`` and ``child`` through the policy) for the child,
    for the guardian's household (``policies.household``)."""
    now = now or timezone.now()
    language = _check_interpreter(interpreter_language)
    note = _check_note(note)
    locked = _lock_slot(slot.pk)
    _check_bookable(locked, now)
    household = policies.household(guardian, child.pk, locked.round)
    taken = Booking.objects.filter(
        round=locked.round,
        teacher=locked.teacher,
        child=child,
        household=household,
        state=BookingState.BOOKED,
    )
    if taken.exists():
        raise _already(child, locked)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=locked,
                round=locked.round,
                teacher=locked.teacher,
                child=child,
                guardian=guardian,
                household=household,
                interpreter_language=language,
                note=note,
            )
    except IntegrityError as error:
        raise _conflict(locked, child) from error
    versions.booking_changed(child.pk, locked.round, locked, now=now)
    notices.booking_notify(booking, notices.BOOKED, now=now)
    return booking


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot", "round", "round__school", "teacher", "child", "guardian")
        .get(pk=booking.pk)
    )


def _check_changeable(booking: Booking, now: dt.datetime) -> None:
    if booking.state != BookingState.BOOKED:
        raise ValidationError({"booking": [_("This conference is cancelled already.")]})
    if now >= changes_until(booking.slot):
        raise ValidationError(
            {
                "booking": [
                    _(
                        "Changes closed %(when)s; to change or cancel this conference now, "
                        "contact the school."
                    )
                    % {"when": _at(changes_until(booking.slot))}
                ]
            }
        )


@transaction.atomic
def booking_reschedule(*, booking: Booking, slot: Slot, now: dt.datetime | None = None) -> Booking:
    """Move the booking to ``slot``, another time with the same teacher in the same round
    (loaded for the family through the policy). The invitation keeps its UID; its SEQUENCE
    counts up."""
    now = now or timezone.now()
    locked = _lock_booking(booking)
    _check_changeable(locked, now)
    if slot.round_id != locked.round_id or slot.teacher_id != locked.teacher_id:
        raise ValidationError({"slot": [_("Choose another time with the same teacher.")]})
    if slot.pk == locked.slot_id:
        raise ValidationError({"slot": [_("This is the time booked already.")]})
    new_slot = _lock_slot(slot.pk)
    _check_bookable(new_slot, now)
    old_slot = locked.slot
    locked.slot = new_slot
    locked.sequence += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=["slot", "sequence", "updated_at"])
    except IntegrityError as error:
        raise _conflict(new_slot, locked.child) from error
    versions.booking_changed(locked.child_id, locked.round, old_slot, new_slot, now=now)
    notices.booking_notify(locked, notices.MOVED, now=now)
    return locked


@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    by: User,
    note: str = "",
    by_school: bool = False,
    now: dt.datetime | None = None,
) -> Booking:
    """Cancel the booking: by the family until the cut-off, by the school (``by_school``: the
    teacher or an admin, with a ``note`` the family reads) at any time. The invitation is
    withdrawn (``METHOD:CANCEL``) for both sides."""
    now = now or timezone.now()
    locked = _lock_booking(booking)
    if by_school and locked.state != BookingState.BOOKED:
        raise ValidationError({"booking": [_("This conference is cancelled already.")]})
    if not by_school:
        _check_changeable(locked, now)
    locked.state = BookingState.CANCELLED
    locked.sequence += 1
    locked.cancelled_at = now
    locked.cancelled_by = by
    locked.cancel_note = _check_note(note)
    locked.save(
        update_fields=[
            "state",
            "sequence",
            "cancelled_at",
            "cancelled_by",
            "cancel_note",
            "updated_at",
        ]
    )
    versions.booking_changed(locked.child_id, locked.round, locked.slot, now=now)
    notices.booking_notify(locked, notices.CANCELLED, now=now, by_school=by_school)
    return locked
