"""The score rule: which grade a piece of work may have. One rule, used wherever a grade comes in:
the teacher's grading page, the JSON API and the gradebook import.

- A grade is a number from 0 to the work's points, with at most two decimals (what Village
  keeps). Village takes no extra credit above the points: a teacher who wants to reward more
  raises the points, so a percentage is never above 100.
- Work without points takes a comment but no grade.
- Work graded with a rubric takes its grade from the rubric: the sum of the levels chosen. A
  grade given directly must be that sum, or it is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Decimals a grade may have (the database column keeps two).
DECIMALS = 2


def points_text(value: Decimal) -> str:
    """Points as people write them: ``10.00`` as ``10``, ``7.50`` as ``7.5``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rubric_total(points: Iterable[Decimal]) -> Decimal | None:
    """What work scored on a rubric is worth: the sum of the points of the levels chosen
    (``None`` while no level is chosen)."""
    chosen = list(points)
    return sum(chosen, Decimal(0)) if chosen else None


def score_error(
    score: Decimal | None,
    *,
    points: Decimal | None,
    rubric: bool = False,
    rubric_total: Decimal | None = None,
) -> str | None:
    """Why ``score`` cannot be the grade of work out of ``points``, or ``None`` if it can.

    ``rubric`` says the work is graded with a rubric, and ``rubric_total`` is then the sum of
    the levels chosen for this student (``None`` while no level is chosen).
    """
    if score is None:
        return None
    if not score.is_finite():
        return _("A grade is a number.")
    if points is None:
        return _("This work has no points, so it takes a comment but no grade.")
    if rubric and score != rubric_total:
        if rubric_total is None:
            return _(
                "This work is graded with its rubric: choose a level for each criterion, "
                "and the grade is their sum."
            )
        return _(
            "This work is graded with its rubric: the grade is the sum of the levels "
            "chosen, %(total)s."
        ) % {"total": points_text(rubric_total)}
    if not Decimal(0) <= score <= points:
        return _("A grade is between 0 and %(points)s.") % {"points": points_text(points)}
    if -score.as_tuple().exponent > DECIMALS:  # type: ignore[operator]
        return _("A grade has at most two decimals.")
    return None


def check_score(
    score: Decimal | None,
    *,
    points: Decimal | None,
    rubric: bool = False,
    rubric_total: Decimal | None = None,
    field: str = "score",
) -> None:
    """:func:`score_error` as a ``ValidationError`` naming ``field``."""
    message = score_error(score, points=points, rubric=rubric, rubric_total=rubric_total)
    if message is not None:
        raise ValidationError({field: message})
