"""A class's progress on one goal set, students x goals, for the teacher's overview (a picture
and a table) and its printout.

Each cell is the student's :class:`~village.goals.progress.GoalState` on the goal. The reads are
a fixed handful whatever the class's size: the class's students, the set's groups and goals,
the plans and their goals, and one grouped query over their efforts that finds each goal's
latest and whether one waits for feedback. Efforts themselves are never loaded.

Filters (a state, a group) are applied to the data read, so the counts of the whole class stay
at hand for the summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from village.accounts.models import display_name
from village.community.models import Enrollment, EnrollmentRole
from village.goals.models import (
    Effort,
    Goal,
    GoalGroup,
    GoalKind,
    GoalSet,
    Plan,
    PlanGoal,
    PlanState,
)
from village.goals.progress import GoalState, goal_state


@dataclass(frozen=True, slots=True)
class Column:
    """One goal of the set, numbered in the teacher's order (1, 2, …) across the groups."""

    goal_id: int
    number: int
    title: str
    group_id: int
    core: bool


@dataclass(frozen=True, slots=True)
class Band:
    """A group of goals: its columns are next to each other."""

    group_id: int
    title: str
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Row:
    """One student of the class: their plan (if any) and their state on each column."""

    student_id: int
    name: str
    plan_id: int | None
    plan_state: str | None
    states: tuple[GoalState, ...]

    @property
    def has_chosen(self) -> bool:
        """Has the student sent their plan (a draft, or no plan, is not chosen yet)?"""
        return self.plan_state is not None and self.plan_state != PlanState.DRAFT

    def count(self, state: GoalState) -> int:
        return sum(1 for found in self.states if found == state)


@dataclass(frozen=True)
class Overview:
    """The class on the set: ``bands`` of ``columns`` and one ``row`` per student shown.

    ``state`` and ``group_id`` are the filters applied (``None``: all); ``students`` is the
    number of students in the class, shown or not."""

    goal_set: GoalSet
    today: dt.date
    bands: tuple[Band, ...]
    rows: tuple[Row, ...]
    students: int
    not_chosen_yet: tuple[Row, ...] = ()
    state: GoalState | None = None
    group_id: int | None = None
    columns: tuple[Column, ...] = field(init=False)

    def __post_init__(self) -> None:
        columns = tuple(column for band in self.bands for column in band.columns)
        object.__setattr__(self, "columns", columns)

    def counts(self) -> dict[GoalState, int]:
        """How many cells shown are in each state (every state present, in order)."""
        found = Counter(state for row in self.rows for state in row.states)
        return {state: found.get(state, 0) for state in GoalState}

    def filtered(self, *, state: GoalState | None, group_id: int | None) -> Overview:
        """Only the students with at least one goal in ``state``, and only the goals of
        ``group_id`` (an unknown group leaves every group)."""
        bands = self.bands
        if group_id is not None and any(band.group_id == group_id for band in bands):
            bands = tuple(band for band in bands if band.group_id == group_id)
        else:
            group_id = None
        keep = [i for i, column in enumerate(self.columns) if column.group_id in _ids(bands)]
        rows = [replace(row, states=tuple(row.states[i] for i in keep)) for row in self.rows]
        if state is not None:
            rows = [row for row in rows if state in row.states]
        return replace(self, bands=bands, rows=tuple(rows), state=state, group_id=group_id)


def _ids(bands: tuple[Band, ...]) -> set[int]:
    return {band.group_id for band in bands}


def class_overview(goal_set: GoalSet, *, today: dt.date | None = None) -> Overview:
    """Every current student of the set's class on every goal of the set (six queries)."""
    today = today or timezone.localdate()
    students = _students(goal_set, today)
    bands = _bands(goal_set)
    columns = [column for band in bands for column in band.columns]
    plans = {
        student_id: (plan_id, state, submitted_at)
        for plan_id, student_id, state, submitted_at in Plan.objects.filter(
            goal_set=goal_set
        ).values_list("pk", "student_id", "state", "submitted_at")
    }
    cells = _cells(goal_set)
    rows = []
    for student_id, name in students:
        plan_id, plan_state, submitted_at = plans.get(student_id, (None, None, None))
        sent = timezone.localdate(submitted_at) if submitted_at else None
        chosen = cells.get(plan_id, {}) if plan_id is not None else {}
        states = tuple(
            _state(chosen.get(column.goal_id), sent, today, goal_set.stalled_after_days)
            for column in columns
        )
        rows.append(Row(student_id, name, plan_id, plan_state, states))
    return Overview(
        goal_set=goal_set,
        today=today,
        bands=tuple(bands),
        rows=tuple(rows),
        students=len(rows),
        not_chosen_yet=tuple(row for row in rows if not row.has_chosen),
    )


def _students(goal_set: GoalSet, today: dt.date) -> list[tuple[int, str]]:
    """The class's current students, by last name (one query)."""
    found = (
        Enrollment.objects.current(today)
        .filter(school_class_id=goal_set.school_class_id, role=EnrollmentRole.STUDENT)
        .order_by("user__last_name", "user__first_name", "user_id")
        .values_list(
            "user_id",
            "user__username",
            "user__first_name",
            "user__preferred_name",
            "user__last_name",
        )
    )
    seen: dict[int, str] = {}
    for user_id, username, first, preferred, last in found:
        seen.setdefault(
            user_id,
            display_name(
                username=username, first_name=first, preferred_name=preferred, last_name=last
            ),
        )
    return list(seen.items())


def _bands(goal_set: GoalSet) -> list[Band]:
    """The set's groups in order, each with its goals in order (two queries)."""
    groups = list(GoalGroup.objects.filter(goal_set=goal_set).values_list("pk", "title"))
    goals: dict[int, list[tuple[int, str, str]]] = {pk: [] for pk, _title in groups}
    for pk, group_id, title, kind in (
        Goal.objects.filter(goal_set=goal_set)
        .order_by("position", "pk")
        .values_list("pk", "group_id", "title", "kind")
    ):
        goals.setdefault(group_id, []).append((pk, title, kind))
    bands, number = [], 0
    for group_id, title in groups:
        columns = []
        for pk, goal_title, kind in goals[group_id]:
            number += 1
            columns.append(Column(pk, number, goal_title, group_id, kind == GoalKind.CORE))
        bands.append(Band(group_id, title, tuple(columns)))
    return bands


@dataclass(frozen=True, slots=True)
class _Cell:
    met: bool
    waiting: bool
    last: dt.date | None  # the day of the latest effort; None: no effort yet


def _cells(goal_set: GoalSet) -> dict[int, dict[int, _Cell]]:
    """Plan id -> goal id -> what the state needs, in two queries: the plans' goals, and their
    efforts grouped by goal of a plan (the day of the latest, whether one waits for feedback).
    Grouping the efforts alone, by one key, is about twice as fast as grouping them joined to
    the plans' goals."""
    chosen = PlanGoal.objects.filter(plan__goal_set=goal_set)
    waiting = Q(feedback_asked_at__isnull=False, answered_at__isnull=True)
    efforts = {
        plan_goal_id: (last, waits > 0)
        for plan_goal_id, last, waits in Effort.objects.filter(plan_goal_id__in=chosen.values("pk"))
        .values("plan_goal_id")
        .annotate(last=Max(TruncDate("created_at")), waits=Count("pk", filter=waiting))
        .order_by()
        .values_list("plan_goal_id", "last", "waits")
    }
    cells: dict[int, dict[int, _Cell]] = {}
    for pk, plan_id, goal_id, met_at, met_asked_at in chosen.order_by().values_list(
        "pk", "plan_id", "goal_id", "met_at", "met_asked_at"
    ):
        last, waits = efforts.get(pk, (None, False))
        cells.setdefault(plan_id, {})[goal_id] = _Cell(
            met=met_at is not None, waiting=waits or met_asked_at is not None, last=last
        )
    return cells


def _state(cell: _Cell | None, sent: dt.date | None, today: dt.date, days: int) -> GoalState:
    if cell is None:
        return GoalState.NOT_CHOSEN
    return goal_state(
        chosen=True,
        met=cell.met,
        waiting=cell.waiting,
        efforts=0 if cell.last is None else 1,
        last_effort=cell.last,
        sent=sent,
        today=today,
        stalled_after_days=days,
    )
