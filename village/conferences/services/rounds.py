"""Starting and changing a school's round of conferences.

A round that starts keeping households apart gives each booking made by a guardian who does not
live with the child to that guardian's household (the others stay the home's); one that stops
gives every booking back to the home, which it may only do while no child has a conference with
the same teacher for two households (the school cancels one of them first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import Organisation
from village.conferences import policies, versions
from village.conferences.models import HOME, Booking, BookingState, ConferenceRound
from village.core.text import single_line

#: The longest cut-off a round may have: two weeks.
MAX_CUTOFF_HOURS = 14 * 24


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """What a round says: its title, when families book, the cut-off for changes, whether
    families see it, and whether guardians living apart book their own conferences."""

    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    cutoff_hours: int = 24
    published: bool = False
    households_apart: bool = False


def _check(spec: RoundSpec) -> None:
    errors: dict[str, list[str]] = {}
    title = spec.title.strip()
    if not title:
        errors["title"] = [_("Give the round a title, for example “Fall conferences”.")]
    else:
        try:
            single_line(title)
        except ValidationError as error:
            errors["title"] = error.messages
    if spec.closes_at <= spec.opens_at:
        errors["closes_at"] = [_("Booking must close after it opens.")]
    if not 0 <= spec.cutoff_hours <= MAX_CUTOFF_HOURS:
        errors["cutoff_hours"] = [
            _("The cut-off is between 0 and %(most)s hours.") % {"most": MAX_CUTOFF_HOURS}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(*, school: Organisation, by: User, spec: RoundSpec) -> ConferenceRound:
    _check(spec)
    conference_round = ConferenceRound.objects.create(
        school=school,
        title=spec.title.strip(),
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        cutoff_hours=spec.cutoff_hours,
        published=spec.published,
        households_apart=spec.households_apart,
        created_by=by,
    )
    versions.school_changed(school.pk)
    return conference_round


@transaction.atomic
def round_update(*, conference_round: ConferenceRound, spec: RoundSpec) -> ConferenceRound:
    """Change what the round says. Bookings made stay as they are, but for their household when
    the round starts or stops keeping households apart (see the module)."""
    _check(spec)
    if spec.households_apart != conference_round.households_apart:
        _households_changed(conference_round, apart=spec.households_apart)
    conference_round.title = spec.title.strip()
    conference_round.opens_at = spec.opens_at
    conference_round.closes_at = spec.closes_at
    conference_round.cutoff_hours = spec.cutoff_hours
    conference_round.published = spec.published
    conference_round.households_apart = spec.households_apart
    conference_round.save()
    versions.school_changed(conference_round.school_id)
    return conference_round


def _households_changed(conference_round: ConferenceRound, *, apart: bool) -> None:
    """Each booking of the round to its household as the round will keep them (two queries)."""
    bookings = Booking.objects.filter(round=conference_round)
    if apart:
        bookings.filter(policies.booked_apart()).update(household=F("guardian_id"))
        return
    if _two_households(conference_round):
        raise _together_refused()
    try:
        with transaction.atomic():
            bookings.exclude(household=HOME).update(household=HOME)
    except IntegrityError as error:  # a household booked meanwhile
        raise _together_refused() from error


def _two_households(conference_round: ConferenceRound) -> bool:
    """Does a child have a conference with one teacher for two households in the round?"""
    return (
        Booking.objects.filter(round=conference_round, state=BookingState.BOOKED)
        .values("teacher_id", "child_id")
        .annotate(households=Count("pk"))
        .filter(households__gt=1)
        .exists()
    )


def _together_refused() -> ValidationError:
    return ValidationError(
        {
            "households_apart": [
                _(
                    "Some children have a conference with the same teacher for each household: "
                    "cancel one of them before the households book together."
                )
            ]
        }
    )
