"""A term of classwork in the demo school, dated around today so the demo always looks current.

Every demo class gets its catalogue's topics laid out week by week (six weeks back, this week and
three ahead) and the work of each topic as assignments: what is due up to two weeks ahead is
posted. Then each student's work: mostly on time, some late, a few resubmitted, some missing, two
excused; feedback with rubric scores and comments, most of it returned, some still a draft; and
who has seen it. The persona stories of PRODUCT.md are told in ``stories``.

Nothing depends on the time of day: every fact is dated before today's midnight and nothing is
due today, so the statuses are the same all day long on the day the demo is built. A seeded
generator per class makes every build identical; rows are written set-based
(``village.demo.classwork.rows``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from village.classwork.bulk import classwork_delete
from village.classwork.translations import classes_ask
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, SchoolClass
from village.demo.classwork.catalogue import Catalogue, Kind, Topic, Work
from village.demo.classwork.outcomes import (
    DAY,
    Outcome,
    Profile,
    Student,
    Timing,
    plan_outcome,
    write_comment,
)
from village.demo.classwork.rows import write_plans
from village.demo.classwork.stories import tell_stories
from village.demo.classwork.subjects import catalogue_for
from village.demo.classwork.texts import EXCUSED_COMMENT, POINTS, RUBRIC_KINDS, RUBRICS
from village.demo.goals import goals_delete

DEMO_CLASS_PREFIX = "demo-class-"
FIRST_WEEK, TERM_WEEKS = -6, 10  # topics run from six weeks ago to three weeks ahead
POSTED_AHEAD = dt.timedelta(days=14)  # teachers post work up to two weeks before it is due
IN_CLASS = frozenset({Kind.QUIZ, Kind.TEST})
# Two students were away for a piece of work and are excused from it (class, assignment index).
EXCUSED = (("G8-SCI", 2), ("G3-HR", 4))
PERSONA_STUDENTS = frozenset({"ada", "leo", "maya"})  # their stories are told elsewhere
# How often a teacher writes a comment on graded work, beyond the grade.
COMMENT_CHANCE = {kind: 0.9 if kind in RUBRIC_KINDS else 0.55 for kind in Kind}


@dataclass(frozen=True)
class Term:
    """The calendar the demo is laid out on: weeks relative to this one, in the school's zone."""

    today: dt.date
    tz: dt.tzinfo

    @property
    def anchor(self) -> dt.datetime:
        """The start of today: everything that has happened, happened before it."""
        return self.at(self.today, 0)

    def day(self, week: int, weekday: int) -> dt.date:
        monday = self.today - dt.timedelta(days=self.today.weekday())
        return monday + dt.timedelta(weeks=week, days=weekday)

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), self.tz)


@dataclass
class PlannedAssignment:
    work: Work
    topic: int  # index into ClassPlan.topics
    assign_at: dt.datetime
    due_at: dt.datetime
    points: int
    pk: int = 0

    @property
    def criteria(self) -> int:
        """How many rubric criteria it is scored on (0: scored in points)."""
        return len(RUBRICS[self.work.kind].criteria) if self.work.kind in RUBRIC_KINDS else 0


@dataclass
class ClassPlan:
    school_class: SchoolClass
    catalogue: Catalogue
    teacher_id: int | None = None
    students: list[Student] = field(default_factory=list)
    topics: list[tuple[Topic, dt.date, dt.date]] = field(default_factory=list)
    assignments: list[PlannedAssignment] = field(default_factory=list)
    #: (assignment index, student id) -> that student's work on it; absent: nothing handed in
    outcomes: dict[tuple[int, int], Outcome] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return str(self.school_class.sourced_id).removeprefix(DEMO_CLASS_PREFIX)

    def index_of(self, title: str) -> int:
        return next(i for i, a in enumerate(self.assignments) if a.work.title == title)


def demo_classwork_build(*, today: dt.date | None = None, seed: int = 0) -> dict[str, int]:
    """Seed a term of classwork in every demo class (they must have none yet); return counts."""
    term = Term(today or timezone.localdate(), timezone.get_current_timezone())
    classes = SchoolClass.objects.filter(sourced_id__startswith=DEMO_CLASS_PREFIX)
    plans = [_plan_class(term, c) for c in classes.select_related("school").order_by("sourced_id")]
    _fill_rosters(plans)
    guardians = _guardians([student.pk for plan in plans for student in plan.students])
    timing = Timing(term.anchor)
    for plan in plans:
        _plan_outcomes(timing, plan, guardians, random.Random(f"{seed}:work:{plan.code}"))
    tell_stories({plan.code: plan for plan in plans}, timing)
    for plan in plans:
        _comment(plan, random.Random(f"{seed}:comments:{plan.code}"))
    with transaction.atomic():
        counts = write_plans(term, plans)
        # written in bulk: ask for what families read in their languages, as saving would
        asked = classes_ask([plan.school_class.pk for plan in plans])
        return counts | {"translations asked": asked}


# --- the term: topics and assignments -------------------------------------------------------


def _plan_class(term: Term, school_class: SchoolClass) -> ClassPlan:
    plan = ClassPlan(school_class, catalogue_for(school_class.subjects, school_class.grades))
    for strand_number, strand in enumerate(plan.catalogue.strands):
        weeks = TERM_WEEKS // len(strand)
        for position, topic in enumerate(strand):
            first = FIRST_WEEK + position * weeks
            plan.topics.append((topic, term.day(first, 0), term.day(first + weeks - 1, 4)))
            for number, work in enumerate(topic.work):
                # spread the topic's work over its school days; strands fall due on different days
                school_day = round((number + 1) * weeks * 5 / len(topic.work)) - 1
                school_day = max(0, school_day - strand_number)
                due = term.day(first + school_day // 5, school_day % 5)
                if due == term.today:
                    due += DAY
                if due - term.today <= POSTED_AHEAD:
                    plan.assignments.append(_planned(term, work, len(plan.topics) - 1, due))
    plan.assignments.sort(key=lambda planned: (planned.due_at, planned.work.title))
    return plan


def _planned(term: Term, work: Work, topic: int, due: dt.date) -> PlannedAssignment:
    assigned = min(due - 6 * DAY, term.today - DAY)
    due_at = term.at(due, 10 if work.kind in IN_CLASS else 20)
    rubric = RUBRICS.get(work.kind)
    points = 4 * len(rubric.criteria) if rubric else POINTS.get(work.kind, 10)
    return PlannedAssignment(work, topic, term.at(assigned, 8), due_at, points)


def _fill_rosters(plans: list[ClassPlan]) -> None:
    by_class = {plan.school_class.pk: plan for plan in plans}
    rows = (
        Enrollment.objects.filter(
            school_class_id__in=list(by_class),
            role__in=[EnrollmentRole.STUDENT, EnrollmentRole.TEACHER],
        )
        .order_by("-is_primary", "user__username")
        .values_list("school_class_id", "role", "user_id", "user__username", "user__first_name")
    )
    for class_id, role, user_id, username, first_name in rows:
        plan = by_class[class_id]
        if role == EnrollmentRole.STUDENT:
            plan.students.append(Student(user_id, username, first_name))
        elif plan.teacher_id is None:
            plan.teacher_id = user_id


def _guardians(student_ids: list[int]) -> dict[int, list[tuple[int, dt.datetime | None]]]:
    """Each student's guardians who may see classwork, with when they last signed in."""
    links = GuardianLink.objects.filter(
        student_id__in=student_ids, no_access=False, scope_classwork=True
    )
    guardians: dict[int, list[tuple[int, dt.datetime | None]]] = {}
    for student, guardian, last_login in links.order_by("guardian_id").values_list(
        "student_id", "guardian_id", "guardian__last_login"
    ):
        guardians.setdefault(student, []).append((guardian, last_login))
    return guardians


# --- the students' work ---------------------------------------------------------------------


def _plan_outcomes(
    timing: Timing,
    plan: ClassPlan,
    guardians: dict[int, list[tuple[int, dt.datetime | None]]],
    rng: random.Random,
) -> None:
    profiles = {s.pk: Profile.draw(random.Random(s.username)) for s in plan.students}
    past = [i for i, a in enumerate(plan.assignments) if a.due_at < timing.anchor]
    for index, planned in enumerate(plan.assignments):
        for student in plan.students:
            outcome = plan_outcome(
                rng,
                timing,
                profiles[student.pk],
                student,
                assign_at=planned.assign_at,
                due_at=planned.due_at,
                revisable=planned.criteria > 0,
                grading_now=bool(past) and index == past[-1],
            )
            if outcome is None:
                continue
            returned = outcome.returned_at
            outcome.seen_by += [
                guardian
                for guardian, last_login in guardians.get(student.pk, [])
                if returned and last_login and returned < last_login and rng.random() < 0.7
            ]
            plan.outcomes[(index, student.pk)] = outcome
    for code, index in EXCUSED:
        classmates = [s for s in plan.students if s.username not in PERSONA_STUDENTS]
        if plan.code == code and classmates and index < len(past):
            student = classmates[len(classmates) // 2]
            returned = plan.assignments[index].due_at + DAY
            plan.outcomes[(index, student.pk)] = Outcome(
                [], excused=True, returned_at=returned, comment=EXCUSED_COMMENT
            )


def _comment(plan: ClassPlan, rng: random.Random) -> None:
    """Teachers write a comment on most graded work (the stories bring their own)."""
    names = {student.pk: student.first_name for student in plan.students}
    for (index, student), outcome in plan.outcomes.items():
        planned = plan.assignments[index]
        kind = planned.work.kind
        if outcome.percent is None or outcome.comment or rng.random() > COMMENT_CHANCE[kind]:
            continue
        outcome.comment = write_comment(
            rng,
            kind,
            outcome,
            name=names[student],
            topic=plan.topics[planned.topic][0].name_in_sentence,
            title=planned.work.title,
            due_at=planned.due_at,
        )


def demo_classwork_delete() -> int:
    """Remove the classwork of the demo classes (topics, work, feedback, events), set-based,
    after the goal sets that report progress on their rubrics."""
    classes = SchoolClass.objects.filter(sourced_id__startswith=DEMO_CLASS_PREFIX)
    return goals_delete(classes) + classwork_delete(classes)
