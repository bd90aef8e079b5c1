"""Starting and changing a school's round of conferences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import Organisation
from village.conferences import versions
from village.conferences.models import ConferenceRound
from village.core.text import single_line

#: The longest cut-off a round may have: two weeks.
MAX_CUTOFF_HOURS = 14 * 24


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """What a round says: its title, when families book, the cut-off for changes, and
    whether families see it."""

    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    cutoff_hours: int = 24
    published: bool = False


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
        created_by=by,
    )
    versions.school_changed(school.pk)
    return conference_round


@transaction.atomic
def round_update(*, conference_round: ConferenceRound, spec: RoundSpec) -> ConferenceRound:
    """Change what the round says. Bookings made stay as they are."""
    _check(spec)
    conference_round.title = spec.title.strip()
    conference_round.opens_at = spec.opens_at
    conference_round.closes_at = spec.closes_at
    conference_round.cutoff_hours = spec.cutoff_hours
    conference_round.published = spec.published
    conference_round.save()
    versions.school_changed(conference_round.school_id)
    return conference_round
