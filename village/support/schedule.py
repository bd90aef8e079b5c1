"""When a support plan's progress is next checked, and when its review comes near.

A plan in force (agreed, or in review) promises a progress check every ``check_every_days``: the
next one is due that many days after the later of the day the plan was agreed and the last
progress note written on it. A check is *late* once its day has passed without a note. A plan
not in force (a draft, a proposal, a closed plan) has no check due.

The review is *near* from ``REVIEW_NOTICE`` days before its date until the day itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from village.support.models import IN_FORCE

#: Staff and the family hear of a review this many days before it.
REVIEW_NOTICE = dt.timedelta(days=7)


@dataclass(frozen=True)
class Check:
    """A plan's next progress check: when it is due, and whether it is late on ``today``."""

    due_on: dt.date
    late: bool
    days_late: int


def next_check(
    *,
    state: str,
    agreed_on: dt.date | None,
    last_noted_on: dt.date | None,
    check_every_days: int,
    today: dt.date,
) -> Check | None:
    """The plan's next progress check, or ``None`` when it is not in force."""
    if state not in IN_FORCE or agreed_on is None:
        return None
    since = max(agreed_on, last_noted_on) if last_noted_on else agreed_on
    due = since + dt.timedelta(days=check_every_days)
    late_by = (today - due).days
    return Check(due_on=due, late=late_by > 0, days_late=max(late_by, 0))


def review_near(*, state: str, review_on: dt.date, today: dt.date) -> bool:
    """Is a plan in force within ``REVIEW_NOTICE`` of its review date (the day included)?"""
    return state in IN_FORCE and today <= review_on <= today + REVIEW_NOTICE
