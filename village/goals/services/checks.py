"""Checks every goals write shares."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise ValidationError({field: message})


def clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """The model's own field checks (lengths, choices, ranges) as a ``ValidationError``; the
    relations are the service's to check."""
    relations = [f.name for f in instance._meta.fields if f.is_relation]
    instance.full_clean(exclude=[*relations, *(exclude or [])], validate_constraints=False)
