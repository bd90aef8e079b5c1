"""The status of one student's work on one assignment, computed from facts and the clock.

Nobody types a status. It follows from the due time, the latest attempt handed in, and the
teacher's feedback:

- ``excused``: the teacher excused the work (whatever else happened);
- ``graded``: feedback was returned and nothing was handed in since;
- ``submitted`` / ``late``: the latest attempt came in on time / after the due time, and awaits
  feedback;
- ``missing``: nothing handed in and the due time has passed;
- ``not_yet_due``: nothing handed in yet, and the work is not due (or has no due time).
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    SUBMITTED = "submitted", _("Handed in")
    LATE = "late", _("Handed in late")
    MISSING = "missing", _("Missing")
    EXCUSED = "excused", _("Excused")
    GRADED = "graded", _("Graded")


#: Statuses that mean "something is wrong" for a family or a teacher.
NEEDS_ATTENTION = frozenset({WorkStatus.MISSING, WorkStatus.LATE})
#: Statuses where the student has nothing left to do.
DONE = frozenset({WorkStatus.SUBMITTED, WorkStatus.LATE, WorkStatus.EXCUSED, WorkStatus.GRADED})


def work_status(
    *,
    due_at: dt.datetime | None,
    submitted_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    excused: bool,
    now: dt.datetime,
) -> WorkStatus:
    """The status of one student's work; ``submitted_at`` is the latest attempt's time."""
    return status_from_moments(
        due_at=due_at, submitted_at=submitted_at, returned_at=returned_at, excused=excused, now=now
    )


#: A moment: a datetime, or the same instant as an integer that keeps the order of moments.
Moment = TypeVar("Moment", dt.datetime, int)


def status_from_moments(
    *,
    due_at: Moment | None,
    submitted_at: Moment | None,
    returned_at: Moment | None,
    excused: bool,
    now: Moment,
) -> WorkStatus:
    """``work_status``, for moments given all as datetimes or all as integers in the same order
    (the gradebook reads its times from the database as microseconds since 1970): the rules
    only compare moments."""
    if excused:
        return WorkStatus.EXCUSED
    if returned_at is not None and (submitted_at is None or submitted_at <= returned_at):
        return WorkStatus.GRADED
    if submitted_at is not None:
        if due_at is not None and submitted_at > due_at:
            return WorkStatus.LATE
        return WorkStatus.SUBMITTED
    if due_at is not None and due_at < now:
        return WorkStatus.MISSING
    return WorkStatus.NOT_YET_DUE
