"""One student's work on one assignment in the demo: when it came in, the grade, the feedback.

Each student has a profile (how well they do, how often work is late or missing); a seeded
generator draws each outcome from it. Every time is before ``Timing.anchor`` (today's midnight).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from village.demo.classwork.catalogue import Kind
from village.demo.classwork.texts import (
    COMMENTS,
    GROWING,
    LATE_NOTE,
    RESUBMITTED_NOTE,
    SOLID,
    STRONG,
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# Criteria of a rubric do not all land on the same level: a student is stronger at some.
CRITERION_OFFSETS = (0.3, -0.25, 0.1, -0.15)


@dataclass(frozen=True)
class Student:
    pk: int
    username: str
    first_name: str


@dataclass(frozen=True)
class Profile:
    ability: float  # the percentage a student's work is usually worth
    late: float  # chance that a piece of work comes in late
    missing: float  # chance that it never comes in
    early: float  # chance of handing in work due in the next days already

    @classmethod
    def draw(cls, rng: random.Random) -> Profile:
        ability = min(98.0, max(55.0, rng.gauss(83, 9)))
        habit = rng.random()
        if habit < 0.7:
            return cls(ability, late=0.03, missing=0.01, early=0.25)
        if habit < 0.95:
            return cls(ability, late=0.08, missing=0.06, early=0.1)
        return cls(min(ability, 72.0), late=0.15, missing=0.2, early=0.0)


@dataclass
class Outcome:
    """What happened; ``percent`` is ``None`` until the teacher has graded the work."""

    attempts: list[dt.datetime]
    percent: float | None = None
    returned_at: dt.datetime | None = None
    excused: bool = False
    comment: str = ""
    #: who has seen the returned feedback: the student, guardians
    seen_by: list[int] = field(default_factory=list)
    graded_by: int | None = None  # the class's teacher when not given


@dataclass(frozen=True)
class Timing:
    """When things happen, relative to the due time and never after ``anchor``."""

    anchor: dt.datetime

    @property
    def latest(self) -> dt.datetime:
        return self.anchor - 30 * dt.timedelta(minutes=1)

    def on_time(
        self, rng: random.Random, assign_at: dt.datetime, due_at: dt.datetime
    ) -> dt.datetime | None:
        moment = max(due_at - HOUR * rng.uniform(1, 72), assign_at + HOUR)
        return moment if moment < min(due_at, self.latest) else None

    def late(self, rng: random.Random, due_at: dt.datetime) -> dt.datetime | None:
        moment = min(due_at + HOUR * rng.uniform(2, 60), self.latest)
        return moment if moment > due_at else None

    def returned(self, rng: random.Random, handed_in: dt.datetime) -> dt.datetime | None:
        moment = handed_in + HOUR * rng.uniform(20, 96)
        return moment if moment < self.anchor - HOUR else None


def plan_outcome(
    rng: random.Random,
    timing: Timing,
    profile: Profile,
    student: Student,
    *,
    assign_at: dt.datetime,
    due_at: dt.datetime,
    revisable: bool,
    grading_now: bool,
) -> Outcome | None:
    """A student's work on one assignment; ``None`` when nothing was handed in."""
    draw = rng.random()
    if due_at >= timing.anchor:
        if draw < profile.early and due_at - timing.anchor < 3 * DAY:
            early = timing.on_time(rng, assign_at, due_at)
            return Outcome([early]) if early else None
        return None
    if draw < profile.missing:
        return None
    late = draw < profile.missing + profile.late
    handed_in = timing.late(rng, due_at) if late else timing.on_time(rng, assign_at, due_at)
    if handed_in is None:
        return None
    attempts = [handed_in]
    if revisable and not late and rng.random() < 0.05:
        first = handed_in - HOUR * rng.uniform(24, 48)
        if first > assign_at:
            attempts.insert(0, first)
    percent = min(100.0, max(30.0, rng.gauss(profile.ability, 7)))
    returned = timing.returned(rng, handed_in)
    if returned is None and not (grading_now and rng.random() < 0.5):
        return Outcome(attempts)  # handed in, not graded yet
    outcome = Outcome(attempts, percent, returned)
    if returned is not None and rng.random() < (0.9 if returned < timing.anchor - DAY else 0.4):
        outcome.seen_by.append(student.pk)
    return outcome


def band(percent: float) -> str:
    return STRONG if percent >= 88 else SOLID if percent >= 72 else GROWING


def write_comment(
    rng: random.Random,
    kind: Kind,
    outcome: Outcome,
    *,
    name: str,
    topic: str,
    title: str,
    due_at: dt.datetime,
) -> str:
    """A teacher's comment on graded work (specific, kind, with a next step)."""
    assert outcome.percent is not None
    template = rng.choice(COMMENTS[kind][band(outcome.percent)])
    text = template.format(
        name=name, topic=topic, topic_cap=topic[:1].upper() + topic[1:], title=title
    )
    if len(outcome.attempts) > 1:
        text = RESUBMITTED_NOTE + text
    if outcome.attempts and outcome.attempts[-1] > due_at:
        text = LATE_NOTE + text
    return text


def rubric_levels(percent: float, criteria: int, levels: int = 4) -> list[int]:
    """The level (1 to ``levels``) reached on each criterion for work worth ``percent``."""
    base = percent / 100 * levels
    return [
        min(levels, max(1, round(base + CRITERION_OFFSETS[c % len(CRITERION_OFFSETS)])))
        for c in range(criteria)
    ]


def score_for(percent: float, points: int, criteria: int) -> tuple[int, list[int]]:
    """The score out of ``points`` and, with a rubric (``criteria`` > 0), the level of each."""
    if criteria:
        levels = rubric_levels(percent, criteria)
        return sum(levels), levels
    return round(points * percent / 100), []
