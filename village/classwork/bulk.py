"""Classwork written many rows at a time, under classwork's own rules: for the roster's gradebook
import, the demo and the generated district (any app that writes classwork in bulk does it here).

Rows whose keys the caller needs back (topics, categories, rubrics, assignments) come as
mappings of field attnames to values and are created with ``bulk_create``, which returns their
keys in order. The many rows nothing refers to (criteria, levels, materials, events,
submissions, feedback, rubric scores, seen marks) come as value tuples named by ``columns``
and are streamed by ``village.core.bulk`` (``COPY`` on PostgreSQL).

The rules are the ones the one-at-a-time services keep, checked once per row without a query
per row; a row that breaks one is a mistake of the caller and raises ``ValueError``, nothing
written:

- titles and names are not blank; a topic ends on or after it starts, an event too; a
  category's weight is 0 to 100; a level's points are 0 or more;
- work is due at or after it is assigned, has points of 0 or more, and its topic, category
  and rubric are its own class's; work graded with a rubric is worth the rubric's best levels;
- a grade follows the score rule of ``village.classwork.scores`` (with a rubric: the sum of
  the levels chosen, kept in a teacher assessment of the work's rubric, as
  ``services.rubrics.assessment_save`` keeps them), and excused work has none;
- a grade set from outside Village replaces the changes a teacher saved without returning
  them (they would otherwise overwrite it when returned); withdrawn feedback is no longer
  returned;
- every write changes the work versions of the classes it touches (a bulk write changes the
  version of each current student of them, ``village.classwork.versions``), and seen marks the
  readers' seen versions, in the caller's transaction, so summaries kept of classwork (the
  families' pages) are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Max

from village.classwork import alerts, versions
from village.classwork.models import (
    AssessmentKind,
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    Rubric,
    RubricAssessment,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Submission,
    Topic,
)
from village.classwork.scores import rubric_total, score_error
from village.classwork.selectors.rubrics import feedback_rubric_totals
from village.community.models import SchoolClass
from village.core import bulk
from village.core.models import RosterStatus

M = TypeVar("M", bound=models.Model)
Row = Mapping[str, Any]
Values = Sequence[Any]
Change = tuple[int, Row]  # (primary key, fields to set)
#: (criterion id, level id, points) chosen for one student's work
Levels = Sequence[tuple[int, int, Any]]

#: Keys per ``IN (...)`` list when rows are read back.
BATCH = 2000
#: Fields of feedback that make a grade: setting any from outside drops the teacher's draft.
GRADE_FIELDS = frozenset({"score", "comment", "excused", "returned_at"})
NO_DRAFT: dict[str, Any] = {
    "draft_saved_at": None,
    "draft_score": None,
    "draft_comment": "",
    "draft_excused": False,
    "draft_rubric": {},
}


# --- rows with keys --------------------------------------------------------------------------


def topics_create(*, rows: Sequence[Row]) -> list[int]:
    """New topics; their keys, in order."""
    for row in rows:
        _require_text(row, "title", Topic)
        if row["ends_on"] < row["starts_on"]:
            raise ValueError(f"Topic {row['title']!r} ends before it starts.")
    return _create(Topic, rows)


def categories_create(*, rows: Sequence[Row]) -> list[int]:
    """New grading categories; their keys, in order."""
    for row in rows:
        _require_text(row, "name", GradingCategory)
        if not Decimal(0) <= Decimal(row.get("weight", 0)) <= Decimal(100):
            raise ValueError(f"Category {row['name']!r}: a weight is between 0 and 100.")
    return _create(GradingCategory, rows)


def rubrics_create(*, rows: Sequence[Row]) -> list[int]:
    """New rubrics of classes (their criteria and levels follow); their keys, in order. Each
    belongs to its class's school (``school_id`` is set from the class)."""
    schools = _values(SchoolClass, {row["school_class_id"] for row in rows}, "school_id")
    for row in rows:
        _require_text(row, "title", Rubric)
        school = schools[row["school_class_id"]]
        if row.get("school_id", school) != school:
            raise ValueError(f"Rubric {row['title']!r} is not of its class's school.")
    return _create(Rubric, [{**row, "school_id": schools[row["school_class_id"]]} for row in rows])


def assignments_create(*, rows: Sequence[Row]) -> list[int]:
    """New work; its keys, in order. A rubric's criteria and levels must be written first."""
    for row in rows:
        _check_assignment(row)
    _check_belongs(rows)
    _check_rubric_points(rows)
    return _create(Assignment, rows)


def _create(model: type[models.Model], rows: Sequence[Row]) -> list[int]:
    objects = bulk.insert_objects([model(**row) for row in rows])
    versions.classes_changed({row["school_class_id"] for row in rows})
    return [obj.pk for obj in objects]


def _require_text(row: Row, name: str, model: type[models.Model]) -> None:
    if not str(row.get(name, "")).strip():
        raise ValueError(f"A {model._meta.model_name} needs a {name}.")


def _check_assignment(row: Row) -> None:
    _require_text(row, "title", Assignment)
    due_at, assign_at = row.get("due_at"), row["assign_at"]
    if due_at is not None and due_at < assign_at:
        raise ValueError(f"Work {row['title']!r} is due before it is assigned.")
    points = row.get("points")
    if points is not None and points < 0:
        raise ValueError(f"Work {row['title']!r} has negative points.")


def _check_belongs(rows: Sequence[Row]) -> None:
    """A piece of work's topic, category and rubric are its own class's (one query a kind)."""
    for name, model in (
        ("topic_id", Topic),
        ("category_id", GradingCategory),
        ("rubric_id", Rubric),
    ):
        wanted = {row[name]: row["school_class_id"] for row in rows if row.get(name) is not None}
        classes = _values(model, wanted, "school_class_id")
        for key, class_id in wanted.items():
            if classes.get(key) != class_id:
                raise ValueError(f"{name} {key} is not of class {class_id}.")


def _check_rubric_points(rows: Sequence[Row]) -> None:
    """Work graded with a rubric is worth the sum of its criteria's best levels."""
    rubrics = {row["rubric_id"] for row in rows if row.get("rubric_id") is not None}
    if not rubrics:
        return
    best: dict[int, Decimal] = defaultdict(Decimal)
    for rubric_id, points in (
        RubricLevel.objects.filter(criterion__rubric_id__in=rubrics)
        .values("criterion_id")
        .annotate(best=Max("points"))
        .values_list("criterion__rubric_id", "best")
    ):
        best[rubric_id] += points
    for row in rows:
        rubric = row.get("rubric_id")
        if rubric is not None and Decimal(row["points"]) != best[rubric]:
            raise ValueError(f"Work {row['title']!r} is not worth its rubric's {best[rubric]}.")


# --- the many rows ---------------------------------------------------------------------------


def criteria_create(*, columns: Sequence[str], rows: Iterable[Values]) -> int:
    """Criteria of new rubrics (``rubric_id``, ``title``, ...)."""
    title = list(columns).index("title")
    return bulk.insert_rows(RubricCriterion, columns, _checked(rows, title, "criterion"))


def levels_create(*, columns: Sequence[str], rows: Iterable[Values]) -> int:
    """Levels of new criteria (``criterion_id``, ``title``, ``points``, ...)."""
    title, points = list(columns).index("title"), list(columns).index("points")

    def checked(row: Values) -> Values:
        if row[points] < 0:
            raise ValueError("A rubric level's points are 0 or more.")
        return row

    return bulk.insert_rows(RubricLevel, columns, map(checked, _checked(rows, title, "level")))


def materials_create(*, columns: Sequence[str], rows: Sequence[Values]) -> int:
    """Materials of work (``assignment_id``, ``title``, ``url`` or ``file``, ...)."""
    title = list(columns).index("title")
    written = bulk.insert_rows(AssignmentMaterial, columns, _checked(rows, title, "material"))
    _classes_of_work(row[list(columns).index("assignment_id")] for row in rows)
    return written


def events_create(*, columns: Sequence[str], rows: Sequence[Values]) -> int:
    """Class events (``school_class_id``, ``title``, ``starts_at``, ``ends_at``, ...)."""
    names = list(columns)
    title, starts, ends = names.index("title"), names.index("starts_at"), names.index("ends_at")
    for row in rows:
        if not str(row[title]).strip() or row[ends] < row[starts]:
            raise ValueError(f"Event {row[title]!r} needs a title and an end after its start.")
    written = bulk.insert_rows(ClassEvent, columns, rows)
    versions.classes_changed({row[names.index("school_class_id")] for row in rows})
    return written


def submissions_create(*, columns: Sequence[str], rows: Sequence[Values]) -> int:
    """Work students handed in (``assignment_id``, ``student_id``, ``attempt``, ...)."""
    written = bulk.insert_rows(Submission, columns, rows)
    work = list(columns).index("assignment_id")
    _classes_of_work(row[work] for row in rows)
    return written


def feedback_create(
    *,
    columns: Sequence[str],
    rows: Sequence[Values],
    levels: Mapping[tuple[int, int], Levels] | None = None,
    keys: bool = False,
) -> dict[tuple[int, int], int]:
    """Feedback (``assignment_id``, ``student_id``, and ``score``, ``excused``... as wanted),
    with the rubric levels chosen on each, by (assignment id, student id). Every grade must
    keep the score rule. With ``keys``, returns the new feedback's keys by (assignment id,
    student id); else nothing is read back (an empty mapping)."""
    names = list(columns)
    work, student = names.index("assignment_id"), names.index("student_id")
    score = names.index("score") if "score" in names else None
    excused = names.index("excused") if "excused" in names else None
    levels = levels or {}
    scales = _scales({row[work] for row in rows})
    for row in rows:
        pair = (row[work], row[student])
        given = row[score] if score is not None else None
        if excused is not None and row[excused] and given is not None:
            raise ValueError(f"Excused work takes no grade: {pair}.")
        if pair in levels and scales[row[work]][1] is None:
            raise ValueError(f"Work without a rubric takes no rubric levels: {pair}.")
        total = rubric_total(Decimal(p) for _c, _l, p in levels.get(pair, ()))
        _check_score(given, scales[row[work]], total, pair)
    if levels:
        rubrics = {pk: rubric for pk, (_points, rubric) in scales.items() if rubric is not None}
        assessments = _assessments(names, rows, levels, rubrics)
        columns = (*columns, "assessment_id")
        rows = [(*row, assessments.get((row[work], row[student]))) for row in rows]
        bulk.insert_rows(
            RubricScore,
            ("assessment_id", "criterion_id", "level_id", "points"),
            (
                (assessments[pair], criterion, level, points)
                for pair, chosen in levels.items()
                for criterion, level, points in chosen
            ),
        )
    bulk.insert_rows(Feedback, columns, rows)
    ids: dict[tuple[int, int], int] = {}
    if keys:
        ids = _feedback_keys([(row[work], row[student]) for row in rows])
    _classes_of_work(row[work] for row in rows)
    return ids


def _assessments(
    names: list[str],
    rows: Sequence[Values],
    levels: Mapping[tuple[int, int], Levels],
    rubrics: Mapping[int, int],
) -> dict[tuple[int, int], int]:
    """A teacher assessment of the work's rubric for each feedback with levels, by (assignment
    id, student id); its assessor is who graded the feedback, when given."""
    work, student = names.index("assignment_id"), names.index("student_id")
    grader = names.index("graded_by_id") if "graded_by_id" in names else None
    pairs = [(row[work], row[student]) for row in rows if (row[work], row[student]) in levels]
    graders = {(row[work], row[student]): row[grader] for row in rows} if grader is not None else {}
    made = bulk.insert_objects(
        [
            RubricAssessment(
                rubric_id=rubrics[assignment],
                student_id=pupil,
                assessor_id=graders.get((assignment, pupil)),
                kind=AssessmentKind.TEACHER,
            )
            for assignment, pupil in pairs
        ]
    )
    return {pair: assessment.pk for pair, assessment in zip(pairs, made, strict=True)}


def feedback_seen_create(*, rows: Sequence[tuple[int, int, dt.datetime]]) -> int:
    """Who has seen which feedback, when: (feedback id, user id, seen at)."""
    written = bulk.insert_rows(FeedbackSeen, ("feedback_id", "user_id", "seen_at"), rows)
    for user in sorted({user for _feedback, user, _seen in rows}):
        versions.feedback_seen_changed(user)
    return written


def _checked(rows: Iterable[Values], title: int, what: str) -> Iterable[Values]:
    for row in rows:
        if not str(row[title]).strip():
            raise ValueError(f"A {what} needs a title.")
        yield row


def _scales(assignment_ids: Iterable[int]) -> dict[int, tuple[Decimal | None, int | None]]:
    """Each assignment's (points, rubric id)."""
    return _values(Assignment, set(assignment_ids), "points", "rubric_id")


def _check_score(
    score: Any, scale: tuple[Decimal | None, int | None], total: Decimal | None, where: object
) -> None:
    if score is None:
        return
    points, rubric = scale
    message = score_error(
        Decimal(score), points=points, rubric=rubric is not None, rubric_total=total
    )
    if message is not None:
        raise ValueError(f"{message} ({where})")


def _feedback_keys(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    wanted = set(pairs)
    keys: dict[tuple[int, int], int] = {}
    for start in range(0, len(pairs), BATCH):
        work = {assignment for assignment, _student in pairs[start : start + BATCH]}
        for pk, assignment, student in Feedback.objects.filter(assignment_id__in=work).values_list(
            "pk", "assignment_id", "student_id"
        ):
            if (assignment, student) in wanted:
                keys[(assignment, student)] = pk
    return keys


# --- changes ---------------------------------------------------------------------------------


def assignments_update(*, changes: Sequence[Change], now: dt.datetime) -> None:
    """Set fields of existing work. New instructions are shown as given, and edited so (what
    the teacher typed no longer applies)."""
    checked: list[Change] = []
    for pk, fields in changes:
        if "instructions" in fields and "instructions_source" not in fields:
            fields = {**fields, "instructions_source": ""}
        if "title" in fields:
            _require_text(fields, "title", Assignment)
        if fields.get("points") is not None and fields["points"] < 0:
            raise ValueError(f"Work {pk} would have negative points.")
        checked.append((pk, fields))
    _update(Assignment, checked, now)
    _classes_of_work(pk for pk, _fields in changes)


def assignments_withdraw(*, ids: Sequence[int], now: dt.datetime) -> None:
    """Work no longer active (its feedback stays as it is)."""
    _update(Assignment, [(pk, {"status": RosterStatus.INACTIVE}) for pk in ids], now)
    _classes_of_work(ids)


def feedback_update(*, changes: Sequence[Change], now: dt.datetime) -> None:
    """Set fields of existing feedback; a new grade keeps the score rule and replaces the
    teacher's unreturned changes."""
    scored = [pk for pk, fields in changes if fields.get("score") is not None]
    scales = _values(Feedback, set(scored), "assignment__points", "assignment__rubric_id")
    totals = _rubric_totals([pk for pk in scored if scales[pk][1] is not None])
    ready: list[Change] = []
    for pk, fields in changes:
        if fields.get("score") is not None:
            _check_score(fields["score"], scales[pk], totals.get(pk), f"feedback {pk}")
        ready.append((pk, {**fields, **NO_DRAFT} if GRADE_FIELDS & fields.keys() else fields))
    _update(Feedback, ready, now)
    _classes_of_feedback(pk for pk, _fields in changes)


def feedback_withdraw(*, ids: Sequence[int], now: dt.datetime) -> None:
    """Feedback no longer active, withdrawn from the student (no longer returned)."""
    changes = [(pk, {"status": RosterStatus.INACTIVE, "returned_at": None}) for pk in ids]
    _update(Feedback, changes, now)
    _classes_of_feedback(ids)


def _update(model: type[models.Model], changes: Iterable[Change], now: dt.datetime) -> None:
    """Set the changed fields, grouped by which fields change (one write a group)."""
    groups: dict[tuple[str, ...], list[Values]] = defaultdict(list)
    for pk, fields in changes:
        names = (*sorted(fields), "updated_at")
        groups[names].append((pk, *(fields[name] for name in names[:-1]), now))
    for names, rows in groups.items():
        bulk.update_rows(model, names, rows)


def _rubric_totals(feedback_ids: Sequence[int]) -> dict[int, Decimal]:
    """The sum of the rubric levels chosen on each of this feedback."""
    totals: dict[int, Decimal] = {}
    for start in range(0, len(feedback_ids), BATCH):
        totals.update(
            feedback_rubric_totals(
                Feedback.objects.filter(pk__in=feedback_ids[start : start + BATCH])
            )
        )
    return totals


def _classes_of_work(assignment_ids: Iterable[int]) -> None:
    versions.classes_changed(_values(Assignment, set(assignment_ids), "school_class_id").values())


def _classes_of_feedback(feedback_ids: Iterable[int]) -> None:
    rows = _values(Feedback, set(feedback_ids), "assignment__school_class_id", "student_id")
    versions.classes_changed({class_id for class_id, _student in rows.values()})
    # Grades changed: look at these students' alerts once the hold is over.
    alerts.record_change(sorted({student for _class, student in rows.values()}), "import")


def _values(model: type[models.Model], keys: Iterable[int], *fields: str) -> dict[int, Any]:
    """``fields`` of the rows with these keys, by key: one value if one field, else a tuple."""
    ids = sorted(keys)
    found: dict[int, Any] = {}
    for start in range(0, len(ids), BATCH):
        for pk, *values in model._default_manager.filter(
            pk__in=ids[start : start + BATCH]
        ).values_list("pk", *fields):
            found[pk] = values[0] if len(fields) == 1 else tuple(values)
    return found


# --- removing --------------------------------------------------------------------------------


@transaction.atomic
def classwork_delete(school_classes: models.QuerySet[SchoolClass]) -> int:
    """Remove all the classwork of ``school_classes``: one ``DELETE`` per table, leaves first,
    without loading a row. The caller holds the transaction."""
    analyze()  # a half-built district leaves stale statistics and a plan that never ends
    classes = school_classes.values("pk")
    work = Assignment.objects.filter(school_class__in=classes).values("pk")
    feedback = Feedback.objects.filter(assignment__in=work).values("pk")
    rubrics = Rubric.objects.filter(school_class__in=classes).values("pk")
    assessments = RubricAssessment.objects.filter(rubric__in=rubrics).values("pk")
    criteria = RubricCriterion.objects.filter(rubric__in=rubrics).values("pk")
    steps: list[tuple[type[models.Model], str, models.QuerySet[Any]]] = [
        (RubricScore, "assessment_id", assessments),
        (FeedbackSeen, "feedback_id", feedback),
        (Feedback, "assignment_id", work),
        (Submission, "assignment_id", work),
        (AssignmentMaterial, "assignment_id", work),
        (Assignment, "school_class_id", classes),
        (RubricAssessment, "rubric_id", rubrics),
        (RubricLevel, "criterion_id", criteria),
        (RubricCriterion, "rubric_id", rubrics),
        (Rubric, "school_class_id", classes),
        (GradingCategory, "school_class_id", classes),
        (Topic, "school_class_id", classes),
        (ClassEvent, "school_class_id", classes),
    ]
    deleted = sum(bulk.delete_in(model, column, keys) for model, column, keys in steps)
    versions.classes_changed(school_classes.values_list("pk", flat=True))
    return deleted


def analyze() -> None:
    """Fresh planner statistics for the classwork tables (after a bulk load, on PostgreSQL)."""
    bulk.analyze(
        (Topic, GradingCategory, Rubric, RubricCriterion, RubricLevel, Assignment,
         AssignmentMaterial, Submission, Feedback, RubricAssessment, RubricScore, FeedbackSeen,
         ClassEvent)
    )  # fmt: skip
