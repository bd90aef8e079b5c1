"""Classwork for a generated district (``village generate``), set-based and at any size.

Every generated class gets a term of topics (two weeks each, from thirteen weeks ago), about
forty assignments spread over them (what is due within two weeks is posted), three grading
categories and a class event. The students of a class then hand their work in: mostly on time,
about 5% late and 5% missing, a few excused; in-class quizzes are graded without a hand-in. The
teacher returns feedback (a score, and a comment on about a quarter) a few days after the due
date, so the latest work is still waiting.

At 50,000 students that is 10,000 classes, 400,000 assignments and some 24 million submissions
and feedback rows. So: one transaction per school; rows are plain tuples built in one pass over
each class's students, and classwork's bulk service (``village.classwork.bulk``) streams them in
(``COPY`` on PostgreSQL); indexes and constraints stay as the migrations made them. Generated
guardians have seen no feedback yet (no ``FeedbackSeen`` rows): the family pages' worst case.
``classes`` limits submissions and feedback to the classes of the families
``families_for_benchmark`` picks, for a quicker district that still gives those families their
full load.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from village.classwork import bulk
from village.classwork.models import (
    Assignment,
    GradingCategory,
    Topic,
)
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgKind,
    SchoolClass,
)
from village.demo.classwork.catalogue import DEFAULT_TOPICS, SUBJECT_TOPICS, Kind
from village.demo.classwork.texts import COMMENTS, GROWING, INSTRUCTIONS, SOLID, STRONG
from village.demo.goals import goals_delete

GEN_PREFIX = "gen-"
FIRST_WEEK, TOPIC_WEEKS, TOPICS = -13, 2, 9
POSTED_AHEAD = dt.timedelta(days=14)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
# The work of each topic: (kind, title pattern, points, category, school day of the topic due)
WORK = (
    (Kind.PRACTICE, "{topic}: practice", 10, "Homework", 1),
    (Kind.READING, "{topic}: reading and notes", 10, "Homework", 3),
    (Kind.QUIZ, "Quiz: {topic}", 20, "Quizzes and tests", 5),
    (Kind.PRACTICE, "{topic}: problem set", 10, "Homework", 7),
    (Kind.PROJECT, "{topic}: project", 25, "Projects", 9),
)
CATEGORIES = (("Homework", 30), ("Projects", 30), ("Quizzes and tests", 40))
COMMENT_SHARE = 0.25
EXCUSED_SHARE = 0.002
# Habits: (share of students, chance a piece of work is missing, chance it is late)
HABITS = ((0.8, 0.025, 0.045), (0.15, 0.08, 0.1), (0.05, 0.25, 0.15))


@dataclass
class ClassworkResult:
    counts: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class _Work:
    """A generated assignment and what its students' rows need, worked out once."""

    pk: int
    points: int
    in_class: bool  # a quiz taken in class: graded without anything handed in
    due_at: dt.datetime
    on_time: tuple[dt.datetime, ...]  # a few hand-in times for students to share
    late: tuple[dt.datetime, ...]
    returned_at: dt.datetime | None  # None: not graded yet
    comments: tuple[tuple[str, ...], ...]  # by band (strong, solid, growing), "{name}" left in


@dataclass(frozen=True)
class _Class:
    pk: int
    teacher: int | None
    students: list[tuple[int, str]]  # (id, first name)
    works: list[_Work]


def classwork_generate(
    *, seed: int = 1, today: dt.date | None = None, classes: int = 0
) -> ClassworkResult:
    """Add classwork to every generated class; they must have none yet.

    ``classes`` > 0: submissions and feedback only in the classes of the first families with
    several children (``families_for_benchmark``), until at least that many are covered.
    """
    started = time.perf_counter()
    generator = _Generator(random.Random(seed), today or timezone.localdate())
    generator.full = _full_classes(classes)
    schools = Organisation.objects.filter(sourced_id__startswith=GEN_PREFIX, kind=OrgKind.SCHOOL)
    try:
        for school_id in schools.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                generator.school(school_id)
    except BaseException:
        generated_classwork_delete()  # no half-built term (the schools done so far) is left
        raise
    bulk.analyze()
    return ClassworkResult(dict(generator.counts), time.perf_counter() - started)


def generated_classwork_exists() -> bool:
    return Assignment.objects.filter(school_class__sourced_id__startswith=GEN_PREFIX).exists()


def families_for_benchmark(limit: int) -> list[int]:
    """``limit`` generated guardians of two or three children, spread evenly over the district
    (and so over its schools), always the same ones for the same district."""
    guardians = list(
        GuardianLink.objects.filter(guardian__sourced_id__startswith=GEN_PREFIX)
        .values("guardian_id")
        .annotate(children=Count("student_id"))
        .filter(children__gte=2, children__lte=3)
        .order_by("guardian__sourced_id")
        .values_list("guardian_id", flat=True)
    )
    if limit <= 0 or not guardians:
        return []
    step = max(1.0, len(guardians) / limit)
    return [guardians[int(n * step)] for n in range(min(limit, len(guardians)))]


def _full_classes(wanted: int) -> set[int] | None:
    """The classes where students hand work in: all (``None``), or the first families' ones."""
    if wanted <= 0:
        return None
    guardians = families_for_benchmark(wanted)
    children: dict[int, list[int]] = {}
    for guardian, student in GuardianLink.objects.filter(guardian_id__in=guardians).values_list(
        "guardian_id", "student_id"
    ):
        children.setdefault(guardian, []).append(student)
    classes: dict[int, list[int]] = {}
    for student, school_class in Enrollment.objects.filter(
        user_id__in=[s for kids in children.values() for s in kids], role=EnrollmentRole.STUDENT
    ).values_list("user_id", "school_class_id"):
        classes.setdefault(student, []).append(school_class)
    chosen: set[int] = set()
    for guardian in guardians:
        for child in children[guardian]:
            chosen.update(classes.get(child, []))
        if len(chosen) >= wanted:
            break
    return chosen


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.full: set[int] | None = None
        self.tz = timezone.get_current_timezone()
        self.anchor = self.at(today, 0)  # everything that happened, happened before today
        self.counts: Counter[str] = Counter()
        self.instructions = {kind: f"<p>{INSTRUCTIONS[kind][0]}</p>" for kind, *_rest in WORK}

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), self.tz)

    def day(self, week: int, school_day: int) -> dt.date:
        monday = self.today - dt.timedelta(days=self.today.weekday())
        return monday + dt.timedelta(weeks=week + school_day // 5, days=school_day % 5)

    def school(self, school_id: int) -> None:
        subjects = dict(
            SchoolClass.objects.filter(school_id=school_id).values_list("pk", "subjects")
        )
        class_ids = sorted(subjects)
        teachers, rosters = _people(class_ids)
        topics = self._topics(class_ids, subjects)
        works = self._assignments(class_ids, teachers, topics, self._categories(class_ids))
        self._events(class_ids)
        self._students_work(
            [
                _Class(pk, teachers.get(pk), rosters.get(pk, []), works.get(pk, []))
                for pk in class_ids
                if self.full is None or pk in self.full
            ]
        )

    # --- what every class gets ----------------------------------------------------------------

    def _topics(
        self, class_ids: list[int], subjects: dict[int, str]
    ) -> dict[int, list[tuple[int, str]]]:
        rows = []
        for class_id in class_ids:
            titles = SUBJECT_TOPICS.get(subjects[class_id], DEFAULT_TOPICS)
            for number, title in enumerate(titles[:TOPICS]):
                week = FIRST_WEEK + number * TOPIC_WEEKS
                summary = f"We work on {title.lower()} through practice, discussion and a project."
                ends = self.day(week, 5 * TOPIC_WEEKS - 1)
                rows.append((class_id, title, summary, self.day(week, 0), ends))
        columns = ("school_class_id", "title", "summary", "starts_on", "ends_on")
        self.counts["topics"] += len(bulk.topics_create(rows=_mappings(columns, rows)))
        topics: dict[int, list[tuple[int, str]]] = {}
        for pk, class_id, title in (
            Topic.objects.filter(school_class_id__in=class_ids)
            .order_by("school_class_id", "starts_on", "pk")
            .values_list("pk", "school_class_id", "title")
        ):
            topics.setdefault(class_id, []).append((pk, title))
        return topics

    def _categories(self, class_ids: list[int]) -> dict[tuple[int, str], int]:
        rows = [(pk, name, weight) for pk in class_ids for name, weight in CATEGORIES]
        columns = ("school_class_id", "name", "weight")
        self.counts["grading categories"] += len(
            bulk.categories_create(rows=_mappings(columns, rows))
        )
        categories = GradingCategory.objects.filter(school_class_id__in=class_ids)
        return {
            (class_id, name): pk
            for pk, class_id, name in categories.values_list("pk", "school_class_id", "name")
        }

    def _assignments(
        self,
        class_ids: list[int],
        teachers: dict[int, int],
        topics: dict[int, list[tuple[int, str]]],
        categories: dict[tuple[int, str], int],
    ) -> dict[int, list[_Work]]:
        rows: list[tuple[object, ...]] = []
        kinds: dict[tuple[int, dt.datetime], tuple[Kind, str]] = {}
        for class_id in class_ids:
            for position, (topic_id, topic) in enumerate(topics.get(class_id, [])):
                for kind, pattern, points, category, school_day in WORK:
                    due = self.day(FIRST_WEEK + position * TOPIC_WEEKS, school_day - 1)
                    due += DAY if due == self.today else dt.timedelta()  # nothing due today
                    if due - self.today > POSTED_AHEAD:
                        continue
                    due_at = self.at(due, 10 if kind == Kind.QUIZ else 20)
                    title = pattern.format(topic=topic)
                    phrase = topic[:1].lower() + topic[1:]
                    text = self.instructions[kind].format(topic=phrase, title=title)
                    category_id = categories[(class_id, category)]
                    assigned = due_at - 6 * DAY
                    rows.append((class_id, topic_id, category_id, title, text, assigned, due_at))
                    rows[-1] += (points, teachers.get(class_id))
                    kinds[(class_id, due_at)] = (kind, phrase)
        columns: tuple[str, ...] = ("school_class_id", "topic_id", "category_id", "title")
        columns += ("instructions", "assign_at", "due_at", "points", "created_by_id")
        self.counts["assignments"] += len(bulk.assignments_create(rows=_mappings(columns, rows)))
        works: dict[int, list[_Work]] = {}
        for pk, class_id, due_time, worth in (
            Assignment.objects.filter(school_class_id__in=class_ids)
            .order_by("school_class_id", "due_at", "pk")
            .values_list("pk", "school_class_id", "due_at", "points")
        ):
            assert due_time is not None  # every generated assignment has a due time
            kind, phrase = kinds[(class_id, due_time)]
            works.setdefault(class_id, []).append(self._work(pk, kind, phrase, due_time, worth))
        return works

    def _work(self, pk: int, kind: Kind, topic: str, due_at: dt.datetime, points: Any) -> _Work:
        rng, latest = self.rng, self.anchor - HOUR
        returned: dt.datetime | None = due_at + HOUR * rng.uniform(40, 100)
        if returned is not None and returned >= latest:
            returned = None
        comments = tuple(
            tuple(
                template.format(name="{name}", topic=topic, topic_cap=topic.capitalize(), title="")
                for template in COMMENTS[kind][band]
            )
            for band in (STRONG, SOLID, GROWING)
        )
        return _Work(
            pk=pk,
            points=int(points),
            in_class=kind == Kind.QUIZ,
            due_at=due_at,
            on_time=tuple(due_at - HOUR * rng.uniform(1, 70) for _ in range(6)),
            late=tuple(min(due_at + HOUR * rng.uniform(2, 60), latest) for _ in range(4)),
            returned_at=returned,
            comments=comments,
        )

    def _events(self, class_ids: list[int]) -> None:
        rows = []
        for number, class_id in enumerate(class_ids):
            starts = self.at(self.day(1 + number % 3, number % 5), 18)
            rows.append((class_id, "Family learning night", starts, starts + 2 * HOUR))
        columns = ("school_class_id", "title", "starts_at", "ends_at")
        self.counts["class events"] += bulk.events_create(columns=columns, rows=rows)

    # --- the students' work -------------------------------------------------------------------

    def _students_work(self, classes: list[_Class]) -> None:
        """Every student's work on what is due, in one pass; then one write per table."""
        submissions: list[tuple[object, ...]] = []
        feedback: list[tuple[object, ...]] = []
        for school_class in classes:
            for student, name in school_class.students:
                self._student(school_class, student, name, submissions, feedback)
        columns: tuple[str, ...] = ("assignment_id", "student_id", "attempt", "submitted_at")
        self.counts["submissions"] += bulk.submissions_create(columns=columns, rows=submissions)
        columns = ("assignment_id", "student_id", "score", "comment", "excused", "returned_at")
        bulk.feedback_create(columns=(*columns, "graded_by_id"), rows=feedback)
        self.counts["feedback"] += len(feedback)

    def _student(
        self,
        school_class: _Class,
        student: int,
        name: str,
        submissions: list[tuple[object, ...]],
        feedback: list[tuple[object, ...]],
    ) -> None:
        """One student's work in one class: mostly on time, some late, some missing."""
        missing, late = _habit(self.rng.random())
        ability = min(99.0, max(45.0, self.rng.gauss(82, 10)))
        rng = random.Random(self.rng.randrange(1 << 30))
        teacher = school_class.teacher
        for work in school_class.works:
            if work.due_at >= self.anchor:
                break  # works are in due order
            draw, grade = rng.random(), rng.random()
            returned = work.returned_at
            if draw > 1 - EXCUSED_SHARE:
                feedback.append((work.pk, student, None, "", True, returned, teacher))
                continue
            if draw < missing:
                continue
            if work.in_class:
                handed_in = work.due_at  # a quiz taken in class: nothing to hand in
            else:
                times = work.late if draw < missing + late else work.on_time
                handed_in = times[int(grade * len(times))]
                submissions.append((work.pk, student, 1, handed_in))
            if returned is None or handed_in + DAY > returned:
                continue  # not graded yet
            percent = min(100.0, max(20.0, ability + (grade - 0.5) * 24))
            comment = ""
            if draw * 10 % 1 < COMMENT_SHARE:
                band = work.comments[0 if percent >= 88 else 1 if percent >= 72 else 2]
                comment = band[int(grade * 100) % len(band)].replace("{name}", name)
            score = round(work.points * percent / 100)
            feedback.append((work.pk, student, score, comment, False, returned, teacher))


def _mappings(
    columns: tuple[str, ...], rows: Sequence[tuple[object, ...]]
) -> list[dict[str, object]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _habit(draw: float) -> tuple[float, float]:
    """The (missing, late) chances of the habit a draw in [0, 1) lands in."""
    for share, missing, late in HABITS:
        if draw < share:
            return missing, late
        draw -= share
    return HABITS[-1][1], HABITS[-1][2]


def _people(class_ids: list[int]) -> tuple[dict[int, int], dict[int, list[tuple[int, str]]]]:
    """Each class's primary teacher, and its students as (id, first name) in id order."""
    teachers: dict[int, int] = {}
    rosters: dict[int, list[tuple[int, str]]] = {}
    for class_id, role, user_id, first_name in (
        Enrollment.objects.filter(school_class_id__in=class_ids)
        .filter(Q(role=EnrollmentRole.STUDENT) | Q(role=EnrollmentRole.TEACHER, is_primary=True))
        .order_by("school_class_id", "user_id")
        .values_list("school_class_id", "role", "user_id", "user__first_name")
    ):
        if role == EnrollmentRole.STUDENT:
            rosters.setdefault(class_id, []).append((user_id, first_name))
        else:
            teachers.setdefault(class_id, user_id)
    return teachers, rosters


def generated_classwork_delete() -> int:
    """Remove the classwork of the generated classes."""
    classes = SchoolClass.objects.filter(sourced_id__startswith=GEN_PREFIX)
    return goals_delete(classes) + bulk.classwork_delete(classes)
