"""Writing a class's grading categories and their weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from village.classwork import versions
from village.classwork.models import (
    GradingCategory,
)
from village.classwork.services.checks import clean, require
from village.community.models import SchoolClass


@dataclass(frozen=True, slots=True)
class CategoryChange:
    """One row of the class's categories: ``category_id`` ``None`` adds one; ``delete`` drops it."""

    category_id: int | None
    name: str
    weight: Decimal
    delete: bool = False


def _check_category(category: GradingCategory) -> None:
    category.name = category.name.strip()
    require(bool(category.name), "name", _("Give the category a name."))
    require(
        Decimal(0) <= category.weight <= Decimal(100),
        "weight",
        _("A weight is a percentage between 0 and 100."),
    )
    taken = GradingCategory.objects.filter(
        school_class_id=category.school_class_id, name__iexact=category.name
    ).exclude(pk=category.pk)
    require(
        not taken.exists(),
        "name",
        _("This class already has a category called “%(name)s”.") % {"name": category.name},
    )
    clean(category)


@transaction.atomic
def category_create(*, school_class: SchoolClass, name: str, weight: Decimal) -> GradingCategory:
    category = GradingCategory(school_class=school_class, name=name, weight=weight)
    _check_category(category)
    category.save()
    versions.classes_changed([school_class.pk])
    return category


@transaction.atomic
def categories_save(
    *, school_class: SchoolClass, changes: Sequence[CategoryChange]
) -> list[GradingCategory]:
    """Rename, reweigh, add and delete the class's categories in one go (all or nothing).

    Deleting a category keeps its work, which then counts without a category.
    """
    existing = {c.pk: c for c in GradingCategory.objects.filter(school_class=school_class)}
    deleted = [c.category_id for c in changes if c.delete and c.category_id in existing]
    GradingCategory.objects.filter(pk__in=deleted).delete()
    kept: list[GradingCategory] = []
    for change in changes:
        if change.delete:
            continue
        if change.category_id is None:
            category = GradingCategory(school_class=school_class)
        else:
            require(change.category_id in existing, "category", _("No such category."))
            category = existing[change.category_id]
        category.name, category.weight = change.name, change.weight
        _check_category(category)
        category.save()
        kept.append(category)
    versions.classes_changed([school_class.pk])
    return kept
