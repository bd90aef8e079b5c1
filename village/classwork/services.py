"""Writes to classwork: one typed, keyword-only, atomic function per use case.

Callers have already checked access through ``village.classwork.policies`` (a teacher of the class
for everything here). Bad input raises ``ValidationError`` naming the field, and nothing is saved:
each function runs in one transaction.

Grades follow the one score rule of ``village.classwork.scores``: between 0 and the assignment's
points, no extra credit, and on rubric-scored work the sum of the levels chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from village.accounts.models import User
from village.classwork import versions
from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Topic,
)
from village.classwork.policies import student_class_ids
from village.classwork.richtext import render_instructions
from village.classwork.scores import check_score, points_text
from village.classwork.selectors_teacher import rubric_scores
from village.classwork.submissions import content_matches_name
from village.community.models import SchoolClass

#: The largest file a teacher may attach to an assignment.
MAX_MATERIAL_BYTES = 20 * 1024 * 1024
#: File types a teacher may attach: documents, slides, sheets, pictures, sound and video that
#: every family's phone can open. Web pages, scripts and programs are refused.
_DOCUMENTS = (".pdf", ".txt", ".rtf", ".doc", ".docx", ".odt")
_SLIDES_AND_SHEETS = (".ppt", ".pptx", ".odp", ".xls", ".xlsx", ".ods", ".csv")
_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".m4a", ".mp4", ".webm")
MATERIAL_SUFFIXES = frozenset(_DOCUMENTS + _SLIDES_AND_SHEETS + _MEDIA)
_URLS = URLValidator(schemes=["http", "https"])


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise ValidationError({field: message})


def _clean(instance: Assignment | Topic | GradingCategory | ClassEvent | Rubric) -> None:
    """Field checks of the model (lengths, ranges, uniqueness) as a ``ValidationError``."""
    instance.full_clean(exclude=["school_class", "created_by", "topic", "category", "rubric"])


# --- topics ----------------------------------------------------------------------------------


def _check_topic(topic: Topic) -> None:
    topic.title = topic.title.strip()
    _require(bool(topic.title), "title", _("Give the topic a title."))
    _require(
        topic.ends_on >= topic.starts_on,
        "ends_on",
        _("The topic ends before it starts: choose an end date on or after the start date."),
    )
    _clean(topic)


@transaction.atomic
def topic_create(
    *,
    school_class: SchoolClass,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str = "",
) -> Topic:
    topic = Topic(
        school_class=school_class,
        title=title,
        summary=summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _check_topic(topic)
    topic.save()
    versions.classes_changed([topic.school_class_id])
    return topic


@transaction.atomic
def topic_update(
    *, topic: Topic, title: str, starts_on: dt.date, ends_on: dt.date, summary: str = ""
) -> Topic:
    topic.title, topic.summary = title, summary.strip()
    topic.starts_on, topic.ends_on = starts_on, ends_on
    _check_topic(topic)
    topic.save()
    versions.classes_changed([topic.school_class_id])
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Remove the topic from the class. Its work stays in the class, without a topic (the
    assignments' foreign key is ``SET_NULL``)."""
    class_id = topic.school_class_id
    topic.delete()
    versions.classes_changed([class_id])


# --- grading categories ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryChange:
    """One row of the class's categories: ``category_id`` ``None`` adds one; ``delete`` drops it."""

    category_id: int | None
    name: str
    weight: Decimal
    delete: bool = False


def _check_category(category: GradingCategory) -> None:
    category.name = category.name.strip()
    _require(bool(category.name), "name", _("Give the category a name."))
    _require(
        Decimal(0) <= category.weight <= Decimal(100),
        "weight",
        _("A weight is a percentage between 0 and 100."),
    )
    taken = GradingCategory.objects.filter(
        school_class_id=category.school_class_id, name__iexact=category.name
    ).exclude(pk=category.pk)
    _require(
        not taken.exists(),
        "name",
        _("This class already has a category called “%(name)s”.") % {"name": category.name},
    )
    _clean(category)


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
            _require(change.category_id in existing, "category", _("No such category."))
            category = existing[change.category_id]
        category.name, category.weight = change.name, change.weight
        _check_category(category)
        category.save()
        kept.append(category)
    versions.classes_changed([school_class.pk])
    return kept


# --- rubrics ---------------------------------------------------------------------------------


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
    _require(bool(criteria), "criteria", _("A rubric needs at least one criterion."))
    for number, criterion in enumerate(criteria, start=1):
        _require(
            bool(criterion.title.strip()),
            "criteria",
            _("Criterion %(number)d needs a title.") % {"number": number},
        )
        _require(
            bool(criterion.levels),
            "criteria",
            _("“%(criterion)s” needs at least one level.") % {"criterion": criterion.title},
        )
        for level in criterion.levels:
            _require(
                bool(level.title.strip()) and level.points >= 0,
                "criteria",
                _("Each level of “%(criterion)s” needs a name and points of 0 or more.")
                % {"criterion": criterion.title},
            )
    _require(
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
    _require(bool(rubric.title), "rubric_title", _("Give the rubric a title."))
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
    _require(bool(rubric.title), "title", _("Give the rubric a title."))
    _clean(rubric)
    rewrite = criteria is not None and _as_written(criteria) != _criteria_of(rubric)
    if criteria is not None and rewrite:
        _require(
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
    _require(
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
    _require(
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


# --- assignments -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """A link (``url``) or a file to attach; the title defaults to the file name or link."""

    title: str = ""
    url: str = ""
    file: File | None = None


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
        _require(
            related is None or related.school_class_id == class_id,
            field,
            _("Choose one of this class's own."),
        )


def _instructions_html(instructions: str) -> str:
    """Instructions as typed, as the sanitised HTML shown; refused when too long."""
    _require(
        len(instructions) <= LONG_TEXT_MAX,
        "instructions",
        _("Instructions are at most %(limit)s characters. Shorten them, or attach a file.")
        % {"limit": f"{LONG_TEXT_MAX:,}"},
    )
    return render_instructions(instructions)


def _check_assignment(assignment: Assignment) -> None:
    assignment.title = assignment.title.strip()
    _require(bool(assignment.title), "title", _("Give the work a title."))
    _check_belongs(assignment)
    if assignment.rubric is not None:
        assignment.points = rubric_max_points(assignment.rubric)
        _require(assignment.points > 0, "rubric", _("This rubric is worth no points."))
    _require(
        assignment.points is None or assignment.points >= 0,
        "points",
        _("Points cannot be negative."),
    )
    _require(
        assignment.due_at is None or assignment.due_at >= assignment.assign_at,
        "due_at",
        _("The work is due before it is assigned: choose a due time after the assign time."),
    )
    _clean(assignment)


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
        scored = RubricScore.objects.filter(feedback__assignment=assignment).exists()
        _require(
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
        _require(
            not over.exists(),
            "points",
            _("Some grades already given are higher than %(points)s points.")
            % {"points": points_text(assignment.points)},
        )
    assignment.save()
    versions.classes_changed([assignment.school_class_id])
    for material in assignment.materials.filter(pk__in=list(remove_materials)):
        material_remove(material=material)
    for spec in add_materials:
        material_add(assignment=assignment, title=spec.title, url=spec.url, file=spec.file)
    return assignment


# --- materials -------------------------------------------------------------------------------


def check_material_file(file: File) -> None:
    """Refuse a file of a type not allowed, or too big (``ValidationError`` on ``file``)."""
    name = PurePath(file.name or "").name
    suffix = PurePath(name).suffix.lower()
    _require(
        suffix in MATERIAL_SUFFIXES,
        "file",
        _("Files of this type cannot be attached. Allowed: %(types)s.")
        % {"types": ", ".join(sorted(s.lstrip(".") for s in MATERIAL_SUFFIXES))},
    )
    size = file.size or 0
    _require(
        size <= MAX_MATERIAL_BYTES,
        "file",
        _("This file is %(size)s MB; files may be at most %(limit)d MB.")
        % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_MATERIAL_BYTES // 1024 // 1024},
    )
    _require(size > 0, "file", _("This file is empty."))
    _require(
        content_matches_name(file, suffix),
        "file",
        _(
            "The content of this file does not match its name (%(name)s). Save it again as a "
            "real %(extension)s file, or choose another file."
        )
        % {"name": name, "extension": suffix.lstrip(".").upper()},
    )


@transaction.atomic
def material_add(
    *, assignment: Assignment, title: str = "", url: str = "", file: File | None = None
) -> AssignmentMaterial:
    """Attach a link or a file (not both) to the work, after its other materials."""
    url = url.strip()
    _require(bool(url) != (file is not None), "url", _("Give either a link or a file."))
    if url:
        try:
            _URLS(url)
        except ValidationError as error:
            raise ValidationError(
                {"url": _("Enter a full web address, starting with https://.")}
            ) from error
    else:
        assert file is not None
        check_material_file(file)
    title = title.strip() or (PurePath(file.name or "").name if file else url)
    position = assignment.materials.count()
    material = AssignmentMaterial(
        assignment=assignment, title=title[:200], url=url, position=position
    )
    if file is not None:
        material.file.save(PurePath(file.name or "file").name, file, save=False)
    material.save()
    return material


@transaction.atomic
def material_remove(*, material: AssignmentMaterial) -> None:
    if material.file:
        stored = material.file.name
        storage = material.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    material.delete()


# --- class events ----------------------------------------------------------------------------


def _event_end(starts_at: dt.datetime, ends_at: dt.datetime | None, all_day: bool) -> dt.datetime:
    """The end given, or without one an hour after the start (or the start, for a day)."""
    if ends_at is not None:
        return ends_at
    return starts_at if all_day else starts_at + dt.timedelta(hours=1)


def _check_event(event: ClassEvent) -> None:
    _require(bool(event.title), "title", _("Give the event a title."))
    _require(event.ends_at >= event.starts_at, "ends_at", _("The event ends before it starts."))
    _clean(event)


@transaction.atomic
def class_event_create(
    *,
    school_class: SchoolClass,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    description: str = "",
    location: str = "",
    all_day: bool = False,
    visible_to_families: bool = True,
) -> ClassEvent:
    """Something on the class calendar; without an end it lasts an hour (or the day)."""
    return class_event_update(
        event=ClassEvent(school_class=school_class),
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        location=location,
        all_day=all_day,
        visible_to_families=visible_to_families,
    )


@transaction.atomic
def class_event_update(
    *,
    event: ClassEvent,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    description: str = "",
    location: str = "",
    all_day: bool = False,
    visible_to_families: bool = True,
) -> ClassEvent:
    """Set an event's fields (a new, unsaved ``ClassEvent`` is added) and save it; without an
    end it lasts an hour (or the day). On bad input the row is unchanged (the caller reloads
    ``event`` if it shows it again)."""
    event.title, event.starts_at = title.strip(), starts_at
    event.ends_at = _event_end(starts_at, ends_at, all_day)
    event.description, event.location = description.strip(), location.strip()
    event.all_day, event.visible_to_families = all_day, visible_to_families
    _check_event(event)
    event.save()
    # students and families see events on their pages, kept by work version
    versions.classes_changed([event.school_class_id])
    return event


@transaction.atomic
def class_event_delete(*, event: ClassEvent) -> None:
    """Take the event off the class calendar."""
    class_id = event.school_class_id
    event.delete()
    versions.classes_changed([class_id])


# --- feedback --------------------------------------------------------------------------------


def _check_student(assignment: Assignment, student: User) -> None:
    enrolled = student_class_ids([student.pk]).filter(school_class_id=assignment.school_class_id)
    _require(enrolled.exists(), "student", _("This student is not in the class."))


def _check_comment(comment: str) -> None:
    _require(
        len(comment) <= LONG_TEXT_MAX,
        "comment",
        _("A comment is at most %(limit)s characters. Shorten it, or attach a file.")
        % {"limit": f"{LONG_TEXT_MAX:,}"},
    )


def _feedback_for(assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    feedback = (
        Feedback.objects.select_for_update().filter(assignment=assignment, student=student).first()
    )
    if feedback is None:
        feedback = Feedback(assignment=assignment, student=student)
    feedback.graded_by = graded_by or feedback.graded_by
    return feedback


def _rubric_points(
    assignment: Assignment, levels: Mapping[int, int | None], *, complete: bool
) -> tuple[dict[int, RubricLevel], Decimal | None]:
    """The chosen level of each criterion, checked against the rubric, and their sum."""
    criteria = {
        c.pk: c
        for c in RubricCriterion.objects.filter(rubric=assignment.rubric).prefetch_related("levels")
    }
    chosen: dict[int, RubricLevel] = {}
    for criterion_id, level_id in levels.items():
        criterion = criteria.get(criterion_id)
        _require(criterion is not None, "rubric", _("This criterion is not on the rubric."))
        assert criterion is not None
        if level_id is None:
            continue
        level = next((lv for lv in criterion.levels.all() if lv.pk == level_id), None)
        _require(
            level is not None,
            "rubric",
            _("Choose one of the levels of “%(criterion)s”.") % {"criterion": criterion.title},
        )
        assert level is not None
        chosen[criterion_id] = level
    if complete and chosen:
        unscored = [c.title for pk, c in criteria.items() if pk not in chosen]
        _require(
            not unscored,
            "rubric",
            _("Choose a level for every criterion before returning: %(criteria)s.")
            % {"criteria": ", ".join(unscored)},
        )
    total = sum((level.points for level in chosen.values()), Decimal(0)) if chosen else None
    return chosen, total


def _save_rubric_scores(feedback: Feedback, chosen: dict[int, RubricLevel]) -> None:
    RubricScore.objects.filter(feedback=feedback).exclude(criterion_id__in=list(chosen)).delete()
    for criterion_id, level in chosen.items():
        RubricScore.objects.update_or_create(
            feedback=feedback,
            criterion_id=criterion_id,
            defaults={"level": level, "points": level.points},
        )


def _saved_rubric_total(feedback: Feedback) -> Decimal | None:
    """The sum of the levels already chosen on ``feedback`` (``None`` when none is)."""
    if feedback.pk is None:
        return None
    points = list(
        RubricScore.objects.filter(feedback=feedback, level__isnull=False).values_list(
            "points", flat=True
        )
    )
    return sum(points, Decimal(0)) if points else None


@transaction.atomic
def feedback_save(
    *,
    assignment: Assignment,
    student: User,
    graded_by: User | None,
    score: Decimal | None = None,
    comment: str = "",
    rubric_levels: Mapping[int, int | None] | None = None,
    excused: bool | None = None,
    return_to_student: bool = False,
    now: dt.datetime | None = None,
) -> Feedback:
    """Save the teacher's feedback on one student's work, and return it if asked.

    With a rubric, ``rubric_levels`` maps criterion id to the chosen level id (``None`` clears
    it; left out, the levels already chosen stay, those of the kept changes if there are any)
    and the grade is the sum of the chosen levels; a ``score`` given as well must match it
    (``village.classwork.scores``). ``excused`` left out stays as it is, kept changes included.
    Returning with a rubric needs a level for every criterion (or none, for a comment alone).
    Until returned, feedback is a draft only the teacher sees. Feedback already returned keeps
    showing its returned version: changes saved without returning them are kept as a draft
    (``draft_*``) that replaces it when returned again, which marks it new for the student and
    family.
    """
    _check_student(assignment, student)
    _check_comment(comment)
    feedback = _feedback_for(assignment, student, graded_by)
    chosen: dict[int, RubricLevel] | None = None
    rubric = assignment.rubric_id is not None
    if feedback.has_draft:
        # What is left out stays as the teacher left it: as in the changes kept.
        rubric_levels = feedback.draft_levels if rubric_levels is None else rubric_levels
        excused = feedback.draft_excused if excused is None else excused
    total: Decimal | None = None
    if rubric and rubric_levels is not None:
        chosen, total = _rubric_points(assignment, rubric_levels, complete=return_to_student)
    elif rubric:
        total = _saved_rubric_total(feedback)
    check_score(score, points=assignment.points, rubric=rubric, rubric_total=total)
    if rubric:
        score = total
    if feedback.returned_at is not None and not return_to_student:
        _save_draft(feedback, score, comment, chosen, excused, now or timezone.now())
        return feedback
    feedback.score = score
    feedback.comment = comment.strip()
    if excused is not None:
        feedback.excused = excused
    _clear_draft(feedback)
    feedback.save()
    if chosen is not None:
        _save_rubric_scores(feedback, chosen)
    if return_to_student:
        _return(feedback, now or timezone.now())
    versions.students_changed([student.pk])
    return feedback


def _save_draft(
    feedback: Feedback,
    score: Decimal | None,
    comment: str,
    chosen: dict[int, RubricLevel] | None,
    excused: bool | None,
    now: dt.datetime,
) -> None:
    """Keep changes to returned feedback aside: the student and family still see what was
    returned. Nothing they see changes, so their work versions stay as they are."""
    if not feedback.has_draft:
        feedback.draft_excused = feedback.excused
        feedback.draft_rubric = {
            str(criterion): level for criterion, level in _returned_levels(feedback).items()
        }
    feedback.draft_saved_at = now
    feedback.draft_score = score
    feedback.draft_comment = comment.strip()
    if excused is not None:
        feedback.draft_excused = excused
    if chosen is not None:
        feedback.draft_rubric = {str(criterion): level.pk for criterion, level in chosen.items()}
    if _same_as_returned(feedback):
        _clear_draft(feedback)  # nothing changed: nothing waits to be returned
    feedback.save()


def _same_as_returned(feedback: Feedback) -> bool:
    returned_levels = {
        str(criterion): level for criterion, level in _returned_levels(feedback).items()
    }
    return (
        feedback.draft_score == feedback.score
        and feedback.draft_comment == feedback.comment
        and feedback.draft_excused == feedback.excused
        and feedback.draft_rubric == returned_levels
    )


def _returned_levels(feedback: Feedback) -> dict[int, int]:
    return dict(
        RubricScore.objects.filter(feedback=feedback, level__isnull=False).values_list(
            "criterion_id", "level_id"
        )
    )


def _clear_draft(feedback: Feedback) -> None:
    feedback.draft_saved_at = None
    feedback.draft_score = None
    feedback.draft_comment = ""
    feedback.draft_excused = False
    feedback.draft_rubric = {}


def _apply_draft(feedback: Feedback) -> None:
    """Make the kept changes the feedback's version, checked again as when returning them."""
    assignment = feedback.assignment
    score = feedback.draft_score
    rubric = assignment.rubric_id is not None
    total: Decimal | None = None
    if rubric:
        chosen, chosen_total = _rubric_points(assignment, feedback.draft_levels, complete=True)
        _save_rubric_scores(feedback, chosen)
        total = chosen_total if chosen else None
        score = total if chosen else score
    check_score(score, points=assignment.points, rubric=rubric, rubric_total=total)
    feedback.score = score
    feedback.comment = feedback.draft_comment
    feedback.excused = feedback.draft_excused
    _clear_draft(feedback)
    feedback.save()


@transaction.atomic
def feedback_draft_discard(*, assignment: Assignment, student: User) -> Feedback | None:
    """Forget the changes kept for returned feedback: its returned version stays."""
    feedback = (
        Feedback.objects.select_for_update().filter(assignment=assignment, student=student).first()
    )
    if feedback is not None and feedback.draft_saved_at is not None:
        _clear_draft(feedback)
        feedback.save()
    return feedback


def _return(feedback: Feedback, now: dt.datetime) -> None:
    feedback.returned_at = now
    feedback.save(update_fields=["returned_at", "updated_at"])
    # Returned again (after a resubmission, or with changes): new for the student and family.
    FeedbackSeen.objects.filter(feedback=feedback).delete()


@transaction.atomic
def feedback_return(
    *, assignment: Assignment, student: User, graded_by: User | None, now: dt.datetime | None = None
) -> Feedback:
    """Return the saved feedback (draft or already returned, with any changes kept since) to the
    student: it becomes visible to them and their family and counts toward the grade."""
    _check_student(assignment, student)
    feedback = _feedback_for(assignment, student, graded_by)
    _require(
        feedback.pk is not None,
        "feedback",
        _("There is no feedback to return yet: write a comment or a grade first."),
    )
    if feedback.has_draft:
        _apply_draft(feedback)
    _return(feedback, now or timezone.now())
    versions.students_changed([student.pk])
    return feedback


@transaction.atomic
def work_excuse(*, assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    """Excuse the student from the work: it is neither missing nor counted in the grade."""
    return _set_excused(assignment, student, graded_by, excused=True)


@transaction.atomic
def work_unexcuse(*, assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    return _set_excused(assignment, student, graded_by, excused=False)


def _set_excused(
    assignment: Assignment, student: User, graded_by: User | None, *, excused: bool
) -> Feedback:
    _check_student(assignment, student)
    feedback = _feedback_for(assignment, student, graded_by)
    feedback.excused = excused
    # Excusing is seen at once; changes kept for later must not undo it when returned.
    feedback.draft_excused = excused
    feedback.save()
    versions.students_changed([student.pk])
    return feedback
