"""Writes the demo's planned classwork (``village.demo.classwork.term``) through classwork's bulk
service (``village.classwork.bulk``): a few statements per table, keys read back once where later
rows need them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from django.utils.text import slugify

from village.classwork import bulk
from village.classwork.models import RubricCriterion, RubricLevel
from village.classwork.richtext import sanitise
from village.demo.classwork.catalogue import Kind
from village.demo.classwork.outcomes import HOUR, score_for
from village.demo.classwork.texts import (
    CATEGORIES,
    INSTRUCTIONS,
    LEVELS,
    MATERIALS,
    RUBRIC_KINDS,
    RUBRICS,
)

if TYPE_CHECKING:
    from village.demo.classwork.term import ClassPlan, PlannedAssignment, Term

HANDED_IN_CLASS = frozenset({Kind.QUIZ, Kind.TEST})
ON_PAPER = frozenset({Kind.PRACTICE, Kind.READING})
# (rubric id, [(criterion id, [level id for each level])]) for each class and kind of work
Rubrics = dict[tuple[int, Kind], tuple[int, list[tuple[int, list[int]]]]]


def write_plans(term: Term, plans: list[ClassPlan]) -> dict[str, int]:
    topics = _topics(plans)
    categories = _categories(plans)
    rubrics = _rubrics(plans)
    counts = {"topics": len(topics)}
    counts["assignments"] = _assignments(plans, topics, categories, rubrics)
    counts["materials"] = _materials(plans)
    counts["class events"] = _events(term, plans)
    counts["submissions"] = _submissions(plans)
    counts["feedback"] = _feedback(term, plans, rubrics)
    return counts


def _topics(plans: list[ClassPlan]) -> dict[tuple[int, int], int]:
    rows = {
        (plan.school_class.pk, number): {
            "school_class_id": plan.school_class.pk,
            "title": topic.title,
            "summary": topic.summary,
            "starts_on": starts,
            "ends_on": ends,
        }
        for plan in plans
        for number, (topic, starts, ends) in enumerate(plan.topics)
    }
    return dict(zip(rows, bulk.topics_create(rows=list(rows.values())), strict=True))


def _categories(plans: list[ClassPlan]) -> dict[tuple[int, str], int]:
    """Each class's categories, weights scaled to add up to 100."""
    rows: list[dict[str, Any]] = []
    for plan in plans:
        used = sorted({CATEGORIES[planned.work.kind] for planned in plan.assignments})
        total = sum(weight for _name, weight in used)
        weights = [round(Decimal(weight * 100) / total, 2) for _name, weight in used]
        if weights:
            weights[-1] += Decimal(100) - sum(weights)
        rows += [
            {"school_class_id": plan.school_class.pk, "name": name, "weight": weight}
            for (name, _weight), weight in zip(used, weights, strict=True)
        ]
    ids = bulk.categories_create(rows=rows)
    return {(row["school_class_id"], row["name"]): pk for row, pk in zip(rows, ids, strict=True)}


def _rubrics(plans: list[ClassPlan]) -> Rubrics:
    """Each class's rubrics; criteria and levels are read back in one query each."""
    rubrics = {
        (plan.school_class.pk, kind): {
            "school_class_id": plan.school_class.pk,
            "title": RUBRICS[kind].title,
        }
        for plan in plans
        for kind in sorted({planned.work.kind for planned in plan.assignments} & RUBRIC_KINDS)
    }
    keys = dict(zip(rubrics, bulk.rubrics_create(rows=list(rubrics.values())), strict=True))
    kinds = {pk: kind for (_class, kind), pk in keys.items()}
    bulk.criteria_create(
        columns=("rubric_id", "title", "description", "position"),
        rows=[
            (rubric, title, description, position)
            for rubric, kind in kinds.items()
            for position, (title, description) in enumerate(RUBRICS[kind].criteria)
        ],
    )
    criteria: dict[int, list[int]] = {rubric: [] for rubric in kinds}
    for criterion, rubric in (
        RubricCriterion.objects.filter(rubric_id__in=list(kinds))
        .order_by("rubric_id", "position")
        .values_list("pk", "rubric_id")
    ):
        criteria[rubric].append(criterion)
    bulk.levels_create(
        columns=("criterion_id", "title", "description", "points", "position"),
        rows=[
            (criterion, title, description, points, position)
            for ids in criteria.values()
            for criterion in ids
            for position, (title, description, points) in enumerate(LEVELS)
        ],
    )
    levels: dict[int, list[int]] = {criterion: [] for ids in criteria.values() for criterion in ids}
    for level, criterion in (
        RubricLevel.objects.filter(criterion_id__in=list(levels))
        .order_by("criterion_id", "points")  # so that a level's index is its points less one
        .values_list("pk", "criterion_id")
    ):
        levels[criterion].append(level)
    return {
        key: (pk, [(criterion, levels[criterion]) for criterion in criteria[pk]])
        for key, pk in keys.items()
    }


def instructions(planned: PlannedAssignment, topic: str) -> str:
    lead, steps = INSTRUCTIONS[planned.work.kind]
    opening = planned.work.task or lead.format(topic=topic, title=planned.work.title)
    listing = "ol" if planned.work.kind == Kind.LAB else "ul"
    items = "".join(f"<li>{escape(step)}</li>" for step in steps)
    return sanitise(f"<p>{escape(opening)}</p><{listing}>{items}</{listing}>")


def _assignments(
    plans: list[ClassPlan],
    topics: dict[tuple[int, int], int],
    categories: dict[tuple[int, str], int],
    rubrics: Rubrics,
) -> int:
    planned_rows: list[PlannedAssignment] = []
    rows: list[dict[str, object]] = []
    for plan in plans:
        class_id = plan.school_class.pk
        for planned in plan.assignments:
            kind = planned.work.kind
            rubric = rubrics.get((class_id, kind))
            topic = plan.topics[planned.topic][0].name_in_sentence
            planned_rows.append(planned)
            rows.append(
                {
                    "school_class_id": class_id,
                    "topic_id": topics[(class_id, planned.topic)],
                    "category_id": categories[(class_id, CATEGORIES[kind][0])],
                    "rubric_id": rubric[0] if rubric else None,
                    "title": planned.work.title,
                    "instructions": instructions(planned, topic),
                    "assign_at": planned.assign_at,
                    "due_at": planned.due_at,
                    "points": Decimal(planned.points),
                    "visible_to_families": planned.work.families,
                    "created_by_id": plan.teacher_id,
                }
            )
    for planned, pk in zip(planned_rows, bulk.assignments_create(rows=rows), strict=True):
        planned.pk = pk
    return len(rows)


def _host(plan: ClassPlan) -> str:
    school = str(plan.school_class.school.sourced_id).removeprefix("demo-org-")
    return f"{school}.village.test"


def _materials(plans: list[ClassPlan]) -> int:
    """A link with every third piece of work: the sheet or guide that goes with it."""
    rows = [
        (
            planned.pk,
            MATERIALS[planned.work.kind],
            f"https://{_host(plan)}/classes/{plan.code.lower()}/{slugify(planned.work.title)}",
            "",
        )
        for plan in plans
        for number, planned in enumerate(plan.assignments)
        if number % 3 == 1
    ]
    return bulk.materials_create(columns=("assignment_id", "title", "url", "file"), rows=rows)


def _events(term: Term, plans: list[ClassPlan]) -> int:
    rows = []
    for plan in plans:
        for event in plan.catalogue.events:
            starts = term.at(term.day(event.week, event.weekday), event.start_hour)
            rows.append(
                (
                    plan.school_class.pk,
                    event.title,
                    event.description,
                    event.location,
                    starts,
                    starts + event.hours * HOUR,
                    event.all_day,
                )
            )
    columns = ("school_class_id", "title", "description", "location", "starts_at", "ends_at")
    return bulk.events_create(columns=(*columns, "all_day"), rows=rows)


def _submissions(plans: list[ClassPlan]) -> int:
    rows = []
    for plan in plans:
        names = {student.pk: student.username for student in plan.students}
        for (index, student), outcome in plan.outcomes.items():
            planned = plan.assignments[index]
            kind = planned.work.kind
            text = "Taken in class." if kind in HANDED_IN_CLASS else ""
            text = "Handed in on paper." if kind in ON_PAPER else text
            link = "" if text else f"https://docs.{_host(plan)}/{names[student]}/{planned.pk}"
            rows += [
                (planned.pk, student, attempt, text, link, moment)
                for attempt, moment in enumerate(outcome.attempts, start=1)
            ]
    columns = ("assignment_id", "student_id", "attempt", "text", "link", "submitted_at")
    return bulk.submissions_create(columns=columns, rows=rows)


def _feedback(term: Term, plans: list[ClassPlan], rubrics: Rubrics) -> int:
    """Feedback on graded and excused work with its rubric levels, then who has seen it."""
    rows = []
    levels: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for plan in plans:
        for (index, student), outcome in plan.outcomes.items():
            if outcome.percent is None and not outcome.excused:
                continue
            planned = plan.assignments[index]
            score = None
            if outcome.percent is not None:
                score, chosen = score_for(outcome.percent, planned.points, planned.criteria)
                rubric = rubrics.get((plan.school_class.pk, planned.work.kind))
                if rubric is not None:
                    levels[(planned.pk, student)] = [
                        (criterion, level_ids[level - 1], level)
                        for (criterion, level_ids), level in zip(rubric[1], chosen, strict=True)
                    ]
            rows.append(
                (
                    planned.pk,
                    student,
                    score,
                    outcome.comment,
                    outcome.excused,
                    outcome.returned_at,
                    outcome.graded_by or plan.teacher_id,
                )
            )
    columns = ("assignment_id", "student_id", "score", "comment", "excused", "returned_at")
    keys = bulk.feedback_create(
        columns=(*columns, "graded_by_id"), rows=rows, levels=levels, keys=True
    )
    _seen(term, plans, keys)
    return len(rows)


def _seen(term: Term, plans: list[ClassPlan], keys: dict[tuple[int, int], int]) -> None:
    rows = []
    for plan in plans:
        for (index, student), outcome in plan.outcomes.items():
            returned = outcome.returned_at
            if returned is None:
                continue
            seen_at = min(returned + 5 * HOUR, term.anchor - dt.timedelta(minutes=1))
            feedback = keys[(plan.assignments[index].pk, student)]
            rows += [(feedback, viewer, seen_at) for viewer in dict.fromkeys(outcome.seen_by)]
    bulk.feedback_seen_create(rows=rows)
