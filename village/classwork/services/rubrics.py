"""Writing rubrics (criteria, each with levels and their points) and scoring on them.

A rubric is a class's or, without a class, its school's own (apps above classwork refer to
those). Once anything was scored on a rubric, only its title changes (``rubric_is_scored``).
Every score on a rubric is written by ``assessment_save``: a teacher's (feedback on work, through
``services.feedback``) or a student's own (``kind`` self), checked by ``rubric_choice``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from village.accounts.models import User
from village.classwork import versions
from village.classwork.models import (
    AssessmentKind,
    Assignment,
    Feedback,
    Rubric,
    RubricAssessment,
    RubricCriterion,
    RubricLevel,
    RubricScore,
)
from village.classwork.scores import points_text, rubric_total
from village.classwork.selectors.rubrics import rubric_scores
from village.classwork.services.checks import clean, require
from village.community.models import Organisation, SchoolClass


@dataclass(frozen=True, slots=True)
class LevelSpec:
    title: str
    points: Decimal
    description: str = ""


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    title: str
    levels: Sequence[LevelSpec]
    description: str = ""


@dataclass(frozen=True, slots=True)
class RubricSpec:
    """A new rubric, written while posting work."""

    title: str
    criteria: Sequence[CriterionSpec]


def _check_criteria(criteria: Sequence[CriterionSpec]) -> None:
    require(bool(criteria), "criteria", _("A rubric needs at least one criterion."))
    for number, criterion in enumerate(criteria, start=1):
        require(
            bool(criterion.title.strip()),
            "criteria",
            _("Criterion %(number)d needs a title.") % {"number": number},
        )
        require(
            bool(criterion.levels),
            "criteria",
            _("“%(criterion)s” needs at least one level.") % {"criterion": criterion.title},
        )
        for level in criterion.levels:
            require(
                bool(level.title.strip()) and level.points >= 0,
                "criteria",
                _("Each level of “%(criterion)s” needs a name and points of 0 or more.")
                % {"criterion": criterion.title},
            )
    require(
        sum((max(level.points for level in c.levels) for c in criteria), Decimal(0)) > 0,
        "criteria",
        _("The rubric is worth no points: give the best levels some points."),
    )


@transaction.atomic
def rubric_create(
    *,
    title: str,
    criteria: Sequence[CriterionSpec],
    school_class: SchoolClass | None = None,
    school: Organisation | None = None,
) -> Rubric:
    """A rubric of the class or, without one, of the school: criteria in order, each with
    levels (best first, as written). A class's rubric belongs to the class's school."""
    if school_class is not None:
        require(
            school is None or school.pk == school_class.school_id,
            "school",
            _("A class's rubric belongs to the class's school."),
        )
        rubric = Rubric(school_class=school_class, school_id=school_class.school_id)
    else:
        require(school is not None, "school", _("A rubric belongs to a class or a school."))
        rubric = Rubric(school=school)
    rubric.title = title.strip()
    require(bool(rubric.title), "rubric_title", _("Give the rubric a title."))
    _check_criteria(criteria)
    rubric.save()
    _write_criteria(rubric, criteria)
    return rubric


def _as_written(criteria: Sequence[CriterionSpec]) -> list[CriterionSpec]:
    """The criteria as ``_write_criteria`` stores them: trimmed, cut to the columns' lengths."""
    return [
        CriterionSpec(
            title=spec.title.strip()[:200],
            description=spec.description.strip()[:500],
            levels=tuple(
                LevelSpec(
                    title=level.title.strip()[:100],
                    points=level.points,
                    description=level.description.strip()[:500],
                )
                for level in spec.levels
            ),
        )
        for spec in criteria
    ]


def _write_criteria(rubric: Rubric, criteria: Sequence[CriterionSpec]) -> None:
    """Add the criteria to the rubric in order, each with its levels (as written)."""
    for position, spec in enumerate(_as_written(criteria)):
        criterion = RubricCriterion.objects.create(
            rubric=rubric, title=spec.title, description=spec.description, position=position
        )
        RubricLevel.objects.bulk_create(
            RubricLevel(
                criterion=criterion,
                title=level.title,
                description=level.description,
                points=level.points,
                position=index,
            )
            for index, level in enumerate(spec.levels)
        )


def _criteria_of(rubric: Rubric) -> list[CriterionSpec]:
    """The rubric's criteria and levels as they are stored (two queries)."""
    return [
        CriterionSpec(
            title=criterion.title,
            description=criterion.description,
            levels=tuple(
                LevelSpec(title=level.title, points=level.points, description=level.description)
                for level in criterion.levels.all()
            ),
        )
        for criterion in RubricCriterion.objects.filter(rubric=rubric).prefetch_related("levels")
    ]


def rubric_is_scored(rubric: Rubric) -> bool:
    """Was work already scored on the rubric (a draft included)? Its criteria are fixed then."""
    return rubric_scores(rubric).exists()


@transaction.atomic
def rubric_update(
    *, rubric: Rubric, title: str, criteria: Sequence[CriterionSpec] | None = None
) -> Rubric:
    """Rename the rubric and, with ``criteria``, write its criteria and levels anew.

    Criteria and levels cannot change once work was scored on the rubric (its title still can;
    ``criteria`` equal to the stored ones are no change). Work graded with the rubric is then out
    of its new maximum, which cannot drop below a grade already given.
    """
    rubric.title = title.strip()
    require(bool(rubric.title), "title", _("Give the rubric a title."))
    clean(rubric)
    rewrite = criteria is not None and _as_written(criteria) != _criteria_of(rubric)
    if criteria is not None and rewrite:
        require(
            not rubric_is_scored(rubric),
            "criteria",
            _(
                "Work was already scored on this rubric, so its criteria and levels cannot "
                "change: only its title can."
            ),
        )
        _check_criteria(criteria)
    rubric.save()
    if criteria is not None and rewrite:
        RubricCriterion.objects.filter(rubric=rubric).delete()
        _write_criteria(rubric, criteria)
        _points_follow_rubric(rubric)
    if rubric.school_class_id is not None and Assignment.objects.filter(rubric=rubric).exists():
        # students see the rubric of their work, and its points
        versions.classes_changed([rubric.school_class_id])
    return rubric


def _points_follow_rubric(rubric: Rubric) -> None:
    """Work graded with the rubric is out of its maximum; no grade given may be above it."""
    points = rubric_max_points(rubric)
    over = Feedback.objects.filter(assignment__rubric=rubric, score__gt=points)
    require(
        not over.exists(),
        "criteria",
        _("Some grades already given are higher than %(points)s points.")
        % {"points": points_text(points)},
    )
    Assignment.objects.filter(rubric=rubric).exclude(points=points).update(
        points=points, updated_at=timezone.now()
    )


@transaction.atomic
def rubric_delete(*, rubric: Rubric) -> None:
    """Delete a rubric no work is graded with (work keeps its rubric: change its grading first)."""
    uses = Assignment.objects.filter(rubric=rubric).count()
    require(
        uses == 0,
        "rubric",
        ngettext(
            "“%(title)s” is used by %(count)d piece of work, so it cannot be deleted.",
            "“%(title)s” is used by %(count)d pieces of work, so it cannot be deleted.",
            uses,
        )
        % {"title": rubric.title, "count": uses},
    )
    rubric.delete()


def rubric_max_points(rubric: Rubric) -> Decimal:
    """The most a piece of work can score on the rubric: the best level of every criterion."""
    best = (
        RubricLevel.objects.filter(criterion__rubric=rubric)
        .values("criterion_id")
        .annotate(best=Max("points"))
        .values_list("best", flat=True)
    )
    return sum(best, Decimal(0)).quantize(Decimal("0.01"))


# --- scoring on a rubric -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RubricChoice:
    """Levels chosen on a rubric, checked: the level of each criterion chosen, and what they
    are worth by the score rule (``scores.rubric_total``; ``None`` while none is chosen)."""

    levels: dict[int, RubricLevel]
    total: Decimal | None


def rubric_choice(
    *, rubric_id: int, levels: Mapping[int, int | None], complete: bool, kind: str
) -> RubricChoice:
    """Check the levels chosen (criterion id to level id; ``None`` leaves a criterion
    unscored): each criterion on the rubric, each level one of its criterion's. ``complete``
    asks for a level on every criterion; a teacher may still choose none (a comment alone), a
    student assessing themself may not (two queries)."""
    criteria = {
        c.pk: c
        for c in RubricCriterion.objects.filter(rubric_id=rubric_id).prefetch_related("levels")
    }
    chosen: dict[int, RubricLevel] = {}
    for criterion_id, level_id in levels.items():
        criterion = criteria.get(criterion_id)
        require(criterion is not None, "rubric", _("This criterion is not on the rubric."))
        assert criterion is not None
        if level_id is None:
            continue
        level = next((lv for lv in criterion.levels.all() if lv.pk == level_id), None)
        require(
            level is not None,
            "rubric",
            _("Choose one of the levels of “%(criterion)s”.") % {"criterion": criterion.title},
        )
        assert level is not None
        chosen[criterion_id] = level
    teacher = kind == AssessmentKind.TEACHER
    if complete and (chosen or not teacher):
        unscored = ", ".join(c.title for pk, c in criteria.items() if pk not in chosen)
        require(
            not unscored,
            "rubric",
            (
                _("Choose a level for every criterion before returning: %(criteria)s.")
                if teacher
                else _("Choose a level for every criterion: %(criteria)s.")
            )
            % {"criteria": unscored},
        )
    return RubricChoice(chosen, rubric_total(level.points for level in chosen.values()))


@transaction.atomic
def assessment_save(
    *,
    rubric: Rubric,
    student: User,
    assessor: User | None,
    kind: str,
    levels: Mapping[int, int | None],
    complete: bool = True,
    assessment: RubricAssessment | None = None,
) -> RubricAssessment:
    """Score ``student`` on ``rubric``: a new assessment, or ``assessment`` (the same rubric,
    student and kind) scored anew. ``levels`` maps criterion id to level id, checked by
    ``rubric_choice``; each score is worth its level's points."""
    require(kind in AssessmentKind.values, "kind", _("Unknown kind of assessment."))
    choice = rubric_choice(rubric_id=rubric.pk, levels=levels, complete=complete, kind=kind)
    if assessment is None:
        assessment = RubricAssessment(rubric=rubric, student=student, kind=kind)
    require(
        (assessment.rubric_id, assessment.student_id, assessment.kind)
        == (rubric.pk, student.pk, kind),
        "rubric",
        _("This assessment is of another rubric, student or kind."),
    )
    if assessor is not None:
        assessment.assessor = assessor
    assessment.save()
    RubricScore.objects.filter(assessment=assessment).delete()
    RubricScore.objects.bulk_create(
        RubricScore(assessment=assessment, criterion_id=criterion, level=level, points=level.points)
        for criterion, level in choice.levels.items()
    )
    return assessment
