"""Checks every classwork write shares: a condition on one field, and the model's own field
checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from village.classwork.models import (
    Assignment,
    ClassEvent,
    GradingCategory,
    Rubric,
    Topic,
)


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise ValidationError({field: message})


def clean(instance: Assignment | Topic | GradingCategory | ClassEvent | Rubric) -> None:
    """Field checks of the model (lengths, ranges, uniqueness) as a ``ValidationError``."""
    instance.full_clean(exclude=["school_class", "created_by", "topic", "category", "rubric"])
