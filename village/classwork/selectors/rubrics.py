"""Reading rubrics: the rubrics a user may see, a class's rubrics, the criteria an assignment is
graded on, and the scores given on a rubric (an assessment's lines, the levels chosen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from village.classwork.models import (
    Assignment,
    Feedback,
    Rubric,
    RubricAssessment,
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
    """The scores given with the rubric: on its criteria, or in assessments on it
    (``rubric`` may be an ``OuterRef`` to a rubric's id)."""
    return RubricScore.objects.filter(Q(criterion__rubric=rubric) | Q(assessment__rubric=rubric))


def assessment_levels(assessment_id: int | None) -> dict[int, int]:
    """The level chosen for each criterion scored in the assessment: criterion id to level id
    (one query; none without an assessment)."""
    if assessment_id is None:
        return {}
    return dict(
        RubricScore.objects.filter(assessment_id=assessment_id, level__isnull=False).values_list(
            "criterion_id", "level_id"
        )
    )


def feedback_rubric_totals(feedback: QuerySet[Feedback]) -> dict[int, Decimal]:
    """What the levels chosen on each of this feedback add up to (``scores.rubric_total``), by
    feedback id; feedback with no level chosen is left out (one query)."""
    return dict(
        RubricScore.objects.filter(
            assessment__feedback__in=feedback.values("pk"), level__isnull=False
        )
        .values("assessment__feedback")
        .annotate(total=Sum("points"))
        .values_list("assessment__feedback", "total")
    )


@dataclass(frozen=True)
class ScoreLine:
    """The level chosen for one criterion of an assessment, and the points it gave."""

    criterion: str
    level: str
    description: str
    points: Decimal
    max_points: Decimal | None


def scores_prefetch(through: str = "") -> Prefetch:
    """Prefetch an assessment's scores (``through`` leads to it: ``"assessment__"`` from
    feedback, which then selects the assessment too) as ``assessment_lines`` reads them."""
    return Prefetch(
        f"{through}scores",
        queryset=RubricScore.objects.select_related("criterion", "level").order_by(
            "criterion__position", "criterion_id"
        ),
    )


def assessment_lines(
    assessment: RubricAssessment | None, max_points: Mapping[int, Decimal]
) -> list[ScoreLine]:
    """The assessment's scores, criterion by criterion, out of ``max_points`` by criterion id
    (no query: its scores prefetched with ``scores_prefetch``)."""
    if assessment is None:
        return []
    return [
        ScoreLine(
            criterion=score.criterion.title,
            level=score.level.title if score.level else "",
            description=score.level.description if score.level else "",
            points=score.points,
            max_points=max_points.get(score.criterion_id),
        )
        for score in assessment.scores.all()
    ]


def assessment_read(assessment_id: int) -> list[ScoreLine]:
    """One assessment's lines, each out of its criterion's best level (three queries)."""
    assessment = RubricAssessment.objects.prefetch_related(scores_prefetch()).get(pk=assessment_id)
    best = (
        RubricLevel.objects.filter(criterion__rubric_id=assessment.rubric_id)
        .values("criterion_id")
        .annotate(best=Max("points"))
        .values_list("criterion_id", "best")
    )
    return assessment_lines(assessment, dict(best))


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
