"""Parent-teacher conferences: a school's round of conferences, the teachers' slots in it, and
the families' bookings.

- :class:`ConferenceRound`: one school's round ("Fall conferences"): when families may book, how
  many hours before a conference they may still change or cancel it, whether families see it
  yet (``published``), and whether guardians living apart from the child book their own
  conferences (``households_apart``).
- :class:`Slot`: a time one teacher offers in a round: start, length, in person, by phone or by
  video, where (a room, a number to call, a link), and optionally the one class it is for.
- :class:`Booking`: a guardian's booking of a slot for one child, with the interpreter language
  asked for, and the household it is for (``household``: the child's home, or, in a round that
  keeps households apart, a guardian who does not live with the child). A booking moved to
  another time stays the same booking (its calendar invitation keeps its UID and counts up its
  ``sequence``); a cancelled one is kept, with who cancelled it and why.

Two rules hold in the database itself, so that two families booking at once can never both
win: a slot has at most one booking that is not cancelled, and a child at most one with each
teacher in a round for each household (one household, the home, unless the round keeps
households apart).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from village.community.models import Organisation, SchoolClass
from village.core.models import TimeStampedModel


class ConferenceRound(TimeStampedModel):
    """A school's round of conferences, in which teachers offer slots and families book."""

    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conference_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("booking opens"))
    closes_at = models.DateTimeField(_("booking closes"))
    cutoff_hours = models.PositiveSmallIntegerField(
        _("changes until (hours before)"),
        default=24,
        help_text=_("Families may move or cancel a conference until this many hours before it."),
    )
    published = models.BooleanField(_("families see it"), default=False)
    households_apart = models.BooleanField(
        _("guardians living apart book their own"),
        default=False,
        help_text=_(
            "A guardian who does not live with the child books their own conference with each "
            "teacher, and each household sees only its own."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "id"]
        verbose_name = _("conference round")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="conference_round_ordered"
            )
        ]
        indexes = [models.Index(fields=["school", "published", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def cutoff(self) -> dt.timedelta:
        return dt.timedelta(hours=self.cutoff_hours)

    def is_open(self, now: dt.datetime) -> bool:
        """Do families book now (published, and ``now`` inside the booking window)?"""
        return self.published and self.opens_at <= now < self.closes_at

    def state_at(self, now: dt.datetime) -> str:
        """What families see at ``now``: ``hidden`` (not published), ``coming``, ``open`` or
        ``closed``."""
        if not self.published:
            return "hidden"
        if now < self.opens_at:
            return "coming"
        return "open" if now < self.closes_at else "closed"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Slot(TimeStampedModel):
    """A time a teacher offers families in a round."""

    round = models.ForeignKey(ConferenceRound, on_delete=models.CASCADE, related_name="slots")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conference_slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    mode = models.CharField(_("how"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    #: A room, a number to call, or a video link, as ``mode`` says.
    place = models.CharField(_("where"), max_length=300, blank=True)
    #: Only for families of this class (none: any child the teacher teaches).
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "teacher_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "starts_at"],
                condition=Q(cancelled_at__isnull=True),
                name="conference_slot_one_per_teacher_time",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=5, minutes__lte=240), name="conference_slot_length"
            ),
        ]
        indexes = [models.Index(fields=["round", "teacher", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.teacher_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


#: ``Booking.household`` of the child's home: the guardians who live with the child, and every
#: booking of a round that does not keep households apart.
HOME = 0


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(TimeStampedModel):
    """One child's conference with one teacher, booked by a guardian.

    ``round`` and ``teacher`` repeat the slot's (the services keep them equal) so that the
    database can hold "one booking per child, teacher, round and household"."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    round = models.ForeignKey(ConferenceRound, on_delete=models.CASCADE, related_name="bookings")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conference_bookings"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conference_bookings_made"
    )
    #: Whose conference it is: :data:`HOME`, or (in a round that keeps households apart) the id
    #: of the guardian living apart from the child who booked it. ``policies.household`` decides.
    household = models.PositiveIntegerField(default=HOME)
    #: The language an interpreter is asked for (an IETF tag), or empty for none.
    interpreter_language = models.CharField(_("interpreter"), max_length=16, blank=True)
    note = models.CharField(_("note for the teacher"), max_length=500, blank=True)
    state = models.CharField(
        max_length=12, choices=BookingState.choices, default=BookingState.BOOKED
    )
    #: The iCalendar SEQUENCE of its invitation: counts every change sent after the first.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(state="booked"),
                name="conference_booking_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["round", "teacher", "child", "household"],
                condition=Q(state="booked"),
                name="conference_booking_one_per_household_teacher",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "state"]),
            models.Index(fields=["teacher", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} with {self.teacher_id} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state == BookingState.BOOKED
