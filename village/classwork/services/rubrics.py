"""Writing rubrics: criteria, each with levels and their points.

Once work was scored on a rubric, only its title changes (``rubric_is_scored``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from village.classwork import versions
from village.classwork.models import (
    Assignment,
    Feedback,
    Rubric,
    RubricCriterion,
    RubricLevel,
)
from village.classwork.scores import points_text
from village.classwork.selectors.rubrics import rubric_scores
from village.classwork.services.checks import clean, require
from village.community.models import SchoolClass


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
    *, school_class: SchoolClass, title: str, criteria: Sequence[CriterionSpec]
) -> Rubric:
    """A rubric of the class: criteria in order, each with levels (best first, as written)."""
    rubric = Rubric(school_class=school_class, title=title.strip())
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
    if Assignment.objects.filter(rubric=rubric).exists():
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
