"""The one score rule (``village.classwork.scores``): which grade a piece of work may have."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from village.classwork.scores import check_score, score_error


@pytest.mark.parametrize("score", [None, D(0), D("7.5"), D(10), D("10.00")])
def test_a_grade_from_0_to_the_points_is_kept(score: D | None) -> None:
    assert score_error(score, points=D(10)) is None


@pytest.mark.parametrize(
    ("score", "points", "message"),
    [
        (D(-1), D(10), "between 0 and 10"),
        (D("10.01"), D(10), "between 0 and 10"),
        (D("2.505"), D(10), "at most two decimals"),
        (D("NaN"), D(10), "a number"),
        (D("Infinity"), D(10), "a number"),
        (D(1), None, "no points"),
    ],
)
def test_a_grade_outside_the_rule_is_refused(score: D, points: D | None, message: str) -> None:
    error = score_error(score, points=points)
    assert error is not None
    assert message in error


def test_on_rubric_work_the_grade_is_the_sum_of_the_levels() -> None:
    assert score_error(D(5), points=D(7), rubric=True, rubric_total=D(5)) is None
    mismatch = score_error(D(6), points=D(7), rubric=True, rubric_total=D(5))
    assert mismatch is not None
    assert "sum of the levels chosen, 5" in mismatch
    unscored = score_error(D(6), points=D(7), rubric=True, rubric_total=None)
    assert unscored is not None
    assert "choose a level for each criterion" in unscored


def test_check_score_names_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_score(D(11), points=D(10), field="grade")
    assert list(refused.value.message_dict) == ["grade"]
