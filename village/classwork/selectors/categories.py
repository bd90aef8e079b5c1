"""Reading a class's grading categories."""

from __future__ import annotations

from decimal import Decimal

from village.classwork.models import (
    GradingCategory,
)
from village.community.models import SchoolClass


def category_weights(school_class: SchoolClass) -> Decimal:
    """The sum of the class's category weights (the grade scales them to 100)."""
    weights = GradingCategory.objects.filter(school_class=school_class).values_list(
        "weight", flat=True
    )
    return sum(weights, Decimal(0))
