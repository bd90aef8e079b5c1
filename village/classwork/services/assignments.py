"""Posting and changing work, with its rubric and materials, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TypedDict, Unpack

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork import translations, versions
from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    Assignment,
    Feedback,
    GradingCategory,
    Rubric,
    RubricScore,
    Topic,
)
from village.classwork.richtext import render_instructions
from village.classwork.scores import points_text
from village.classwork.services.checks import clean, require
from village.classwork.services.materials import MaterialSpec, material_add, material_remove
from village.classwork.services.rubrics import RubricSpec, rubric_create, rubric_max_points
from village.community.models import SchoolClass


class AssignmentChanges(TypedDict, total=False):
    """What ``assignment_update`` may change; keys left out stay as they are."""

    title: str
    instructions: str
    topic: Topic | None
    category: GradingCategory | None
    rubric: Rubric | None
    points: Decimal | None
    assign_at: dt.datetime
    due_at: dt.datetime | None
    visible_to_families: bool


def _check_belongs(assignment: Assignment) -> None:
    class_id = assignment.school_class_id
    for field, related in (
        ("topic", assignment.topic),
        ("category", assignment.category),
        ("rubric", assignment.rubric),
    ):
        require(
            related is None or related.school_class_id == class_id,
            field,
            _("Choose one of this class's own."),
        )


def _instructions_html(instructions: str) -> str:
    """Instructions as typed, as the sanitised HTML shown; refused when too long."""
    require(
        len(instructions) <= LONG_TEXT_MAX,
        "instructions",
        _("Instructions are at most %(limit)s characters. Shorten them, or attach a file.")
        % {"limit": f"{LONG_TEXT_MAX:,}"},
    )
    return render_instructions(instructions)


def _check_assignment(assignment: Assignment) -> None:
    assignment.title = assignment.title.strip()
    require(bool(assignment.title), "title", _("Give the work a title."))
    _check_belongs(assignment)
    if assignment.rubric is not None:
        assignment.points = rubric_max_points(assignment.rubric)
        require(assignment.points > 0, "rubric", _("This rubric is worth no points."))
    require(
        assignment.points is None or assignment.points >= 0,
        "points",
        _("Points cannot be negative."),
    )
    require(
        assignment.due_at is None or assignment.due_at >= assignment.assign_at,
        "due_at",
        _("The work is due before it is assigned: choose a due time after the assign time."),
    )
    clean(assignment)


@transaction.atomic
def assignment_create(
    *,
    school_class: SchoolClass,
    title: str,
    created_by: User | None,
    instructions: str = "",
    topic: Topic | None = None,
    category: GradingCategory | None = None,
    rubric: Rubric | None = None,
    points: Decimal | None = None,
    assign_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
    visible_to_families: bool = True,
    new_rubric: RubricSpec | None = None,
    materials: Sequence[MaterialSpec] = (),
) -> Assignment:
    """Post work to a class, with its materials; with a rubric (an existing one of the class, or
    ``new_rubric`` written for it), ``points`` is the rubric's maximum."""
    if new_rubric is not None:
        rubric = rubric_create(
            school_class=school_class, title=new_rubric.title, criteria=new_rubric.criteria
        )
    assignment = Assignment(
        school_class=school_class,
        title=title,
        # Typed with light formatting or as HTML; kept as typed and shown as sanitised HTML.
        instructions=_instructions_html(instructions),
        instructions_source=instructions,
        topic=topic,
        category=category,
        rubric=rubric,
        points=points,
        assign_at=assign_at or timezone.now(),
        due_at=due_at,
        visible_to_families=visible_to_families,
        created_by=created_by,
    )
    _check_assignment(assignment)
    assignment.save()
    versions.classes_changed([school_class.pk])
    translations.assignment_saved(assignment)
    for spec in materials:
        material_add(assignment=assignment, title=spec.title, url=spec.url, file=spec.file)
    return assignment


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    new_rubric: RubricSpec | None = None,
    add_materials: Sequence[MaterialSpec] = (),
    remove_materials: Sequence[int] = (),
    **changes: Unpack[AssignmentChanges],
) -> Assignment:
    """Change posted work, and add or remove (by id) its materials, all or nothing.

    Its rubric cannot change once work was scored on it, and its points cannot drop below a
    grade already given (or kept to return)."""
    old_rubric_id = assignment.rubric_id
    if new_rubric is not None:
        changes["rubric"] = rubric_create(
            school_class=assignment.school_class,
            title=new_rubric.title,
            criteria=new_rubric.criteria,
        )
    for name, value in changes.items():
        setattr(assignment, name, value)
    if "instructions" in changes:
        assignment.instructions_source = changes["instructions"]
        assignment.instructions = _instructions_html(changes["instructions"])
    if assignment.rubric_id != old_rubric_id:
        scored = RubricScore.objects.filter(assessment__feedback__assignment=assignment).exists()
        require(
            not scored,
            "rubric",
            _("Work was already scored on this rubric, so the rubric cannot change."),
        )
    _check_assignment(assignment)
    if assignment.points is not None:
        # changes kept to return later count too: returning them would give a grade above
        over = Feedback.objects.filter(
            Q(score__gt=assignment.points)
            | Q(draft_score__gt=assignment.points, draft_saved_at__isnull=False),
            assignment=assignment,
        )
        require(
            not over.exists(),
            "points",
            _("Some grades already given are higher than %(points)s points.")
            % {"points": points_text(assignment.points)},
        )
    assignment.save()
    versions.classes_changed([assignment.school_class_id])
    if {"title", "instructions", "visible_to_families"} & changes.keys():
        translations.assignment_saved(assignment)
    for material in assignment.materials.filter(pk__in=list(remove_materials)):
        material_remove(material=material)
    for spec in add_materials:
        material_add(assignment=assignment, title=spec.title, url=spec.url, file=spec.file)
    return assignment
