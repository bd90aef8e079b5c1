"""Each child's work summary: what the family overview needs of one child's classwork, kept in a
row of its own between page loads.

The family home page is the page families open most; recomputing every child's statuses,
feedback and grades from the classwork tables on each load reads thousands of rows. A summary
holds, for one child, the rows the overview can need during one day:

- family-visible work due from six weeks before it was built that was missing or late then,
  and all work due from then to a week (and a day) after, with the child's latest hand-in and
  returned feedback. Statuses are computed when the page is read, against the clock, so work that
  falls due turns "missing" on time; work that was already handed in on time, graded or excused
  when the summary was built cannot need attention again without a change that rebuilds it;
- feedback returned in the last four weeks, with its comment, grade and teacher;
- the child's course grade in each current class.

A summary is used while the classwork versions it was built from are current (the child's own
version, and each current class's: ``village.classwork.versions``), its classes are still the
child's current classes, and it is less than a day old. Otherwise it is rebuilt, in a fixed
number of queries for all stale children at once, and saved. Nothing in a summary depends on who
reads it: what a guardian may see (grades, feedback they have opened) is applied when reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from village.classwork.family.work import feedback_rows, grades_now
from village.classwork.models import ChildWorkSummary, FeedbackSeen
from village.classwork.selectors.work import work_items
from village.classwork.status import WorkStatus
from village.classwork.versions import UNCHANGED
from village.families.surface import Child

#: Bump when the stored layout changes: every summary is then rebuilt on its next read.
FORMAT = 1
#: How long a summary serves; its windows reach this far past the time it was built.
LIFETIME = dt.timedelta(days=1)
#: Work due this long before the build time is kept (the overview looks back six weeks).
LOOK_BACK = dt.timedelta(weeks=6)
#: ... and this long after it (the overview looks a week ahead), plus ``LIFETIME``.
LOOK_AHEAD = dt.timedelta(days=7)
#: Feedback returned this long before the build time is kept (unseen feedback: four weeks).
FEEDBACK_BACK = dt.timedelta(days=28)
#: Statuses of past work that stay on the overview until something changes.
OVERDUE = frozenset({WorkStatus.MISSING, WorkStatus.LATE})

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def micros(when: dt.datetime) -> int:
    """A moment as whole microseconds since 1970 (UTC): small in JSON, ordered like moments."""
    return (when - _EPOCH) // _MICROSECOND


def micros_of(span: dt.timedelta) -> int:
    """A length of time in whole microseconds."""
    return span // _MICROSECOND


def _maybe_micros(when: dt.datetime | None) -> int | None:
    return None if when is None else micros(when)


def moment(stamp: int | None) -> dt.datetime | None:
    """A stored moment back as an aware datetime (UTC)."""
    return None if stamp is None else _EPOCH + dt.timedelta(microseconds=stamp)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def number(value: str | None) -> Decimal | None:
    """A stored decimal back as a ``Decimal``."""
    return None if value is None else Decimal(value)


class Work(NamedTuple):
    """A family-visible piece of work of the child's, due around the build time."""

    assignment_id: int
    class_id: int
    title: str
    topic_title: str
    assign_at: int  # microseconds, as every moment below
    due_at: int | None
    points: str | None
    submitted_at: int | None
    returned_at: int | None
    excused: bool
    #: The returned feedback, if any (its comment and grade as on ``Returned``).
    feedback_id: int | None
    comment: str
    score: str | None


class Returned(NamedTuple):
    """Feedback returned to the child with something to read: a comment, a grade or both."""

    feedback_id: int
    assignment_id: int
    class_id: int
    title: str
    topic_title: str
    assign_at: int
    due_at: int | None
    points: str | None
    returned_at: int
    comment: str
    score: str | None
    submitted_at: int | None
    teacher: str


@dataclass(frozen=True, slots=True)
class Summary:
    """One child's summary, as read back."""

    student_id: int
    built_at: dt.datetime
    work: list[Work]
    feedback: list[Returned]
    #: The course grade now (percent as text; ``None`` before any graded work), by class id.
    grades: dict[int, str | None]

    @classmethod
    def from_data(cls, student_id: int, built_at: dt.datetime, data: Mapping[str, Any]) -> Summary:
        return cls(
            student_id=student_id,
            built_at=built_at,
            work=[Work(*row) for row in data["work"]],
            feedback=[Returned(*row) for row in data["feedback"]],
            grades={int(class_id): grade for class_id, grade in data["grades"]},
        )

    def data(self) -> dict[str, Any]:
        return {
            "work": [list(row) for row in self.work],
            "feedback": [list(row) for row in self.feedback],
            "grades": [[class_id, grade] for class_id, grade in self.grades.items()],
        }


def summary_key(student_token: int | None, class_ids: Iterable[int]) -> str:
    """The version a summary is built from: the child's work version and current classes."""
    parts = [str(FORMAT), str(student_token or UNCHANGED), *map(str, sorted(class_ids))]
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Wanted:
    """A child whose summary a page needs, with the versions it must be built from."""

    student_id: int
    key: str
    class_titles: list[tuple[int, str]]


def summaries(wanted: Collection[Wanted], *, now: dt.datetime) -> dict[int, Summary]:
    """The current summary of each wanted child: one query, and a rebuild of the stale ones."""
    if not wanted:
        return {}
    stored = {
        row.student_id: row
        for row in ChildWorkSummary.objects.filter(student_id__in=[w.student_id for w in wanted])
    }
    found: dict[int, Summary] = {}
    stale: list[Wanted] = []
    for child in wanted:
        row = stored.get(child.student_id)
        if (
            row is not None
            and row.key == child.key
            and row.built_at <= now < row.built_at + LIFETIME
        ):
            found[child.student_id] = Summary.from_data(child.student_id, row.built_at, row.data)
        else:
            stale.append(child)
    if stale:
        found.update(rebuild(stale, now=now))
    return found


def rebuild(children: Collection[Wanted], *, now: dt.datetime) -> dict[int, Summary]:
    """Build and save the summaries of ``children`` as of ``now`` (five queries for them all)."""
    built = build({child.student_id: child.class_titles for child in children}, now=now)
    ChildWorkSummary.objects.bulk_create(
        [
            ChildWorkSummary(
                student_id=child.student_id,
                key=child.key,
                built_at=now,
                data=built[child.student_id].data(),
            )
            for child in children
        ],
        update_conflicts=True,
        unique_fields=["student"],
        update_fields=["key", "built_at", "data"],
    )
    return built


def build(classes: Mapping[int, list[tuple[int, str]]], *, now: dt.datetime) -> dict[int, Summary]:
    """The summaries of these children (student id to current classes) as of ``now``."""
    until = now + LIFETIME
    items = work_items(
        dict(classes),
        viewer_id=None,
        families_only=True,
        due_after=now - LOOK_BACK,
        due_before=until + LOOK_AHEAD,
        now=now,
        assigned_before=until,
    )
    work: dict[int, list[Work]] = {student_id: [] for student_id in classes}
    for item in items:
        past = item.due_at is not None and item.due_at < now
        if past and item.status not in OVERDUE:
            continue  # done, graded or excused: only a change (and a rebuild) can alter that
        work[item.student_id].append(
            Work(
                item.assignment_id,
                item.class_id,
                item.title,
                item.topic_title,
                micros(item.assign_at),
                _maybe_micros(item.due_at),
                _text(item.points),
                _maybe_micros(item.submitted_at),
                _maybe_micros(item.returned_at),
                item.excused,
                item.feedback_id if item.returned_at else None,
                item.comment,
                _text(item.score),
            )
        )
    # Every child may have scores here: what a guardian may see is decided on reading.
    everyone = [Child(student_id, "", "", "", grades=True) for student_id in classes]
    feedback: dict[int, list[Returned]] = {student_id: [] for student_id in classes}
    for row in feedback_rows(everyone, dict(classes), since=now - FEEDBACK_BACK, until=until):
        feedback[row.student_id].append(
            Returned(
                row.feedback_id,
                row.assignment_id,
                row.class_id,
                row.title,
                row.topic_title or "",
                micros(row.assign_at),
                _maybe_micros(row.due_at),
                _text(row.points),
                micros(row.returned_at),
                row.comment,
                _text(row.score),
                _maybe_micros(row.submitted_at),
                row.teacher,
            )
        )
    grades = grades_now(dict(classes), now=now)
    return {
        student_id: Summary(
            student_id=student_id,
            built_at=now,
            work=work[student_id],
            feedback=feedback[student_id],
            grades={
                class_id: _text(grades.get((student_id, class_id)))
                for class_id, _title in classes[student_id]
            },
        )
        for student_id in classes
    }


def seen_feedback(viewer_id: int, *, since: dt.datetime) -> set[int]:
    """The feedback ``viewer_id`` has opened since ``since`` (one query on their own rows).

    Feedback returned since ``since`` can only have been opened after it, and returning it
    again forgets who had opened it, so this covers every piece a summary can list from then.
    """
    return set(
        FeedbackSeen.objects.filter(user_id=viewer_id, seen_at__gte=since).values_list(
            "feedback_id", flat=True
        )
    )
