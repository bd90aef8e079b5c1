"""Reading rubrics: a class's rubrics, the criteria an assignment is graded on, and the scores
given with a rubric."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from village.classwork.models import (
    Assignment,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricScore,
)
from village.community.models import SchoolClass


def rubric_criteria(assignment: Assignment) -> list[RubricCriterion]:
    """The rubric's criteria with their levels (two queries; none without a rubric)."""
    if assignment.rubric_id is None:
        return []
    return list(RubricCriterion.objects.filter(rubric=assignment.rubric).prefetch_related("levels"))


@dataclass(frozen=True)
class RubricRow:
    """A rubric criterion with its levels, best first (shown before the work is handed in)."""

    criterion: RubricCriterion
    levels: list[RubricLevel]

    @property
    def max_points(self) -> Decimal:
        return max((level.points for level in self.levels), default=Decimal(0))


def rubric_rows(assignment: Assignment) -> list[RubricRow]:
    """The assignment's rubric, criterion by criterion (two queries; none without a rubric)."""
    if assignment.rubric_id is None:
        return []
    criteria = RubricCriterion.objects.filter(rubric_id=assignment.rubric_id).prefetch_related(
        Prefetch("levels", queryset=RubricLevel.objects.order_by("-points", "position", "id"))
    )
    return [RubricRow(criterion, list(criterion.levels.all())) for criterion in criteria]


def rubric_scores(rubric: Rubric | OuterRef) -> QuerySet[RubricScore]:
    """The scores given with the rubric: on its criteria, or on feedback for work graded with it
    (``rubric`` may be an ``OuterRef`` to a rubric's id)."""
    return RubricScore.objects.filter(
        Q(criterion__rubric=rubric) | Q(feedback__assignment__rubric=rubric)
    )


@dataclass(frozen=True)
class RubricLine:
    """A rubric on the class's rubrics page."""

    rubric: Rubric
    criteria: list[RubricCriterion]
    max_points: Decimal
    uses: int
    scored: bool


def class_rubrics(school_class: SchoolClass) -> list[RubricLine]:
    """The class's rubrics with their criteria and levels, how many pieces of work each grades
    and whether work was scored on it (three queries, however many rubrics)."""
    rubrics = (
        Rubric.objects.filter(school_class=school_class)
        .annotate(
            uses=Count("assignments"),
            scored=Exists(rubric_scores(OuterRef("pk"))),
        )
        .prefetch_related("criteria__levels")
    )
    lines = []
    for rubric in rubrics:
        criteria = list(rubric.criteria.all())
        best = (max((lv.points for lv in c.levels.all()), default=Decimal(0)) for c in criteria)
        lines.append(
            RubricLine(
                rubric=rubric,
                criteria=criteria,
                max_points=sum(best, Decimal(0)),
                uses=getattr(rubric, "uses", 0),
                scored=getattr(rubric, "scored", False),
            )
        )
    return lines
