"""Where a student stands on a goal, from plain values (the overview, the plan pages, the API
and the family's pages share it).

- *met*: a teacher confirmed it;
- *asked*: the student waits for feedback on an effort, or said they think it is met;
- *stalled*: no effort for the set's ``stalled_after_days`` (counted from the last effort, or
  from the day the plan was sent when there is none yet);
- *in progress*: at least one effort; *chosen*: in the plan, no effort yet;
- *not chosen*: an optional goal the student did not choose (or no plan yet).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalState(models.TextChoices):
    NOT_CHOSEN = "not_chosen", _("Not chosen")
    CHOSEN = "chosen", _("Chosen")
    IN_PROGRESS = "in_progress", _("In progress")
    ASKED = "asked", _("Asked for feedback")
    STALLED = "stalled", _("Stalled")
    MET = "met", _("Met")


def goal_state(
    *,
    chosen: bool,
    met: bool,
    waiting: bool,
    efforts: int,
    last_effort: dt.date | None,
    sent: dt.date | None,
    today: dt.date,
    stalled_after_days: int,
) -> GoalState:
    if not chosen:
        return GoalState.NOT_CHOSEN
    if met:
        return GoalState.MET
    if waiting:
        return GoalState.ASKED
    since = last_effort or sent
    if since is not None and (today - since).days > stalled_after_days:
        return GoalState.STALLED
    return GoalState.IN_PROGRESS if efforts else GoalState.CHOSEN
