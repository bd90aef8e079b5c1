"""Removing demo and generated data, and whatever grew around it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from django.db import models
from django.db.models import ProtectedError, RestrictedError

M = TypeVar("M", bound=models.Model)

MAX_PURGE_DEPTH = 8


def purge(queryset: models.QuerySet[M], depth: int = 0) -> int:
    """Delete the rows of ``queryset`` and, first, any rows elsewhere that protect them.

    Demo and generated data may have gathered classwork, messages or audit entries by the time
    it is reset; those belong to the demo too, whatever app they live in.
    """
    for _attempt in range(MAX_PURGE_DEPTH):
        try:
            deleted, _by_model = queryset.delete()
        except (ProtectedError, RestrictedError) as blocked:
            if depth >= MAX_PURGE_DEPTH:
                raise
            for model, keys in _keys_by_model(_blockers(blocked)).items():
                purge(model._default_manager.filter(pk__in=keys), depth + 1)
        else:
            return deleted
    return queryset.delete()[0]  # still blocked: let Django say by what


def _blockers(error: ProtectedError | RestrictedError) -> Iterable[models.Model]:
    if isinstance(error, ProtectedError):
        return error.protected_objects
    return error.restricted_objects


def _keys_by_model(objs: Iterable[models.Model]) -> dict[type[models.Model], list[object]]:
    grouped: dict[type[models.Model], list[object]] = defaultdict(list)
    for obj in objs:
        grouped[type(obj)].append(obj.pk)
    return grouped
