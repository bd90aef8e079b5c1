"""The classwork services of a class's setup: topics, categories, rubrics, events.

Each use case is all or nothing: bad input raises ``ValidationError`` naming the field and
leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.classwork.models import (
    GradingCategory,
    Rubric,
    Topic,
)
from village.classwork.services.categories import CategoryChange, categories_save, category_create
from village.classwork.services.events import class_event_create
from village.classwork.services.rubrics import (
    CriterionSpec,
    LevelSpec,
    rubric_create,
    rubric_max_points,
)
from village.classwork.services.topics import topic_create, topic_update
from village.classwork.tests.factories import field_of, levels, water_rubric
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


# --- topics and categories -------------------------------------------------------------------


def test_a_topic_runs_between_two_dates(personas: Personas) -> None:
    today = timezone.localdate()
    topic = topic_create(
        school_class=personas.science8,
        title="  The water cycle ",
        starts_on=today,
        ends_on=today + dt.timedelta(days=10),
        summary="Evaporation, condensation, rain.",
    )
    assert topic.title == "The water cycle"
    topic_update(topic=topic, title="Water", starts_on=today, ends_on=today, summary="")
    topic.refresh_from_db()
    assert (topic.title, topic.ends_on) == ("Water", today)


def test_a_topic_that_ends_before_it_starts_is_refused_naming_the_end(personas: Personas) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        topic_create(
            school_class=personas.science8,
            title="Backwards",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )
    assert field_of(refused) == {"ends_on"}
    assert not Topic.objects.exists()


def test_categories_are_saved_all_or_nothing(personas: Personas) -> None:
    homework = category_create(school_class=personas.science8, name="Homework", weight=D(20))
    with pytest.raises(ValidationError) as refused:
        categories_save(
            school_class=personas.science8,
            changes=[
                CategoryChange(category_id=homework.pk, name="Homework", weight=D(30)),
                CategoryChange(category_id=None, name="homework", weight=D(10)),
            ],
        )
    assert field_of(refused) == {"name"}
    homework.refresh_from_db()
    assert homework.weight == D(20)
    assert GradingCategory.objects.count() == 1

    categories_save(
        school_class=personas.science8,
        changes=[
            CategoryChange(category_id=homework.pk, name="Homework", weight=D(0), delete=True),
            CategoryChange(category_id=None, name="Labs", weight=D(60)),
        ],
    )
    assert list(GradingCategory.objects.values_list("name", "weight")) == [("Labs", D(60))]


def test_a_weight_above_100_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        category_create(school_class=personas.science8, name="Tests", weight=D(120))
    assert field_of(refused) == {"weight"}


# --- rubrics ---------------------------------------------------------------------------------


def test_a_rubric_is_worth_the_best_level_of_each_criterion(personas: Personas) -> None:
    rubric = water_rubric(personas)
    assert rubric_max_points(rubric) == D(10)
    criteria = list(rubric.criteria.order_by("position"))
    assert [c.title for c in criteria] == ["Hypothesis", "Evidence"]
    assert [lv.title for lv in criteria[1].levels.all()] == ["Excellent", "Good", "Developing"]


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        [CriterionSpec(title="", levels=levels(4))],
        [CriterionSpec(title="Evidence", levels=[])],
        [CriterionSpec(title="Evidence", levels=[LevelSpec(title="", points=D(2))])],
        [CriterionSpec(title="Evidence", levels=levels(0, 0))],
    ],
)
def test_a_rubric_without_scorable_criteria_is_refused(personas: Personas, criteria) -> None:
    with pytest.raises(ValidationError) as refused:
        rubric_create(school_class=personas.science8, title="Broken", criteria=criteria)
    assert field_of(refused) == {"criteria"}
    assert not Rubric.objects.exists()


# --- events ----------------------------------------------------------------------------------


def test_an_event_without_an_end_lasts_an_hour(personas: Personas) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    event = class_event_create(school_class=personas.science8, title="Field trip", starts_at=start)
    assert event.ends_at - event.starts_at == dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        class_event_create(
            school_class=personas.science8,
            title="Backwards",
            starts_at=start,
            ends_at=start - dt.timedelta(minutes=1),
        )
    assert field_of(refused) == {"ends_at"}
