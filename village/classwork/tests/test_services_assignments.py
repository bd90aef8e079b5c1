"""The classwork services of posting work: assignments and their materials.

Each use case is all or nothing: bad input raises ``ValidationError`` naming the field and
leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    Rubric,
)
from village.classwork.services.assignments import assignment_create, assignment_update
from village.classwork.services.feedback import (
    feedback_save,
)
from village.classwork.services.materials import MAX_MATERIAL_BYTES, material_add
from village.classwork.services.rubrics import (
    CriterionSpec,
    RubricSpec,
)
from village.classwork.services.topics import topic_create
from village.classwork.tests.factories import assignment, field_of, levels, water_rubric
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


# --- assignments -----------------------------------------------------------------------------


def test_instructions_are_sanitised_scripts_and_handlers_removed(personas: Personas) -> None:
    work = assignment_create(
        school_class=personas.science8,
        title="Lab",
        created_by=personas.rivera,
        instructions=(
            '<p onclick="steal()">Read <strong>pages 4-6</strong>'
            '<script>alert("x")</script></p><a href="javascript:evil()">here</a>'
            '<a href="https://example.org/water">video</a><iframe src="https://x"></iframe>'
        ),
    )
    html = work.instructions
    assert "<strong>pages 4-6</strong>" in html
    assert "script" not in html
    assert "alert" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "iframe" not in html
    assert 'href="https://example.org/water"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_instructions_longer_than_the_limit_are_refused_naming_them(personas: Personas) -> None:
    p = personas
    too_long = "a" * (LONG_TEXT_MAX + 1)
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            school_class=p.science8, title="Essay", created_by=p.rivera, instructions=too_long
        )
    assert field_of(refused) == {"instructions"}
    assert not Assignment.objects.filter(title="Essay").exists()
    work = assignment_create(
        school_class=p.science8,
        title="Essay",
        created_by=p.rivera,
        instructions="a" * LONG_TEXT_MAX,
    )
    with pytest.raises(ValidationError) as refused:
        assignment_update(assignment=work, instructions=too_long, title="Essay 2")
    assert field_of(refused) == {"instructions"}
    work.refresh_from_db()
    assert (work.title, work.instructions_source) == ("Essay", "a" * LONG_TEXT_MAX)


def test_with_a_rubric_the_points_are_its_maximum(personas: Personas) -> None:
    rubric = water_rubric(personas)
    work = assignment_create(
        school_class=personas.science8,
        title="Lab",
        created_by=personas.rivera,
        rubric=rubric,
        points=D(99),
    )
    assert work.points == D(10)


def test_a_new_rubric_is_written_with_the_work_in_one_go(personas: Personas) -> None:
    work = assignment_create(
        school_class=personas.science8,
        title="Poster",
        created_by=personas.rivera,
        new_rubric=RubricSpec(
            title="Poster rubric", criteria=[CriterionSpec(title="Design", levels=levels(5, 3))]
        ),
    )
    assert work.rubric is not None
    assert work.rubric.title == "Poster rubric"
    assert work.points == D(5)


def test_bad_new_rubric_leaves_no_assignment_and_no_rubric(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            school_class=personas.science8,
            title="Poster",
            created_by=personas.rivera,
            new_rubric=RubricSpec(title="Poster rubric", criteria=[]),
        )
    assert field_of(refused) == {"criteria"}
    assert not Rubric.objects.exists()
    assert not Assignment.objects.exists()


def test_due_before_assigned_is_refused_naming_the_due_time(personas: Personas) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            school_class=personas.science8,
            title="Lab",
            created_by=personas.rivera,
            assign_at=now,
            due_at=now - dt.timedelta(hours=1),
        )
    assert field_of(refused) == {"due_at"}
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("title", "points", "field"), [("  ", None, "title"), ("Lab", -1, "points")]
)
def test_missing_title_or_negative_points_are_refused(personas, title, points, field) -> None:
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            school_class=personas.science8,
            title=title,
            created_by=personas.rivera,
            points=None if points is None else D(points),
        )
    assert field in field_of(refused)


def test_a_topic_of_another_class_is_refused(personas: Personas) -> None:
    today = timezone.localdate()
    other = topic_create(
        school_class=personas.math8, title="Algebra", starts_on=today, ends_on=today
    )
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            school_class=personas.science8, title="Lab", created_by=personas.rivera, topic=other
        )
    assert field_of(refused) == {"topic"}


def test_the_rubric_cannot_change_once_work_was_scored_on_it(personas: Personas) -> None:
    p = personas
    rubric = water_rubric(p)
    work = assignment_create(
        school_class=p.science8, title="Lab", created_by=p.rivera, rubric=rubric
    )
    criteria = list(rubric.criteria.all())
    feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        rubric_levels={c.pk: c.levels.all()[0].pk for c in criteria},
    )
    with pytest.raises(ValidationError) as refused:
        assignment_update(assignment=work, rubric=None, points=D(10))
    assert field_of(refused) == {"rubric"}
    assert Assignment.objects.get(pk=work.pk).rubric_id == rubric.pk


def test_points_cannot_drop_below_a_grade_given(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(9))
    with pytest.raises(ValidationError) as refused:
        assignment_update(assignment=work, points=D(5))
    assert field_of(refused) == {"points"}
    assignment_update(assignment=work, points=D(12), title="Quiz 1")
    work.refresh_from_db()
    assert (work.title, work.points) == ("Quiz 1", D(12))


def test_points_cannot_drop_below_a_grade_kept_to_return(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, score=D(4), return_to_student=True
    )
    feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(9))
    with pytest.raises(ValidationError) as refused:
        assignment_update(assignment=work, points=D(5))
    assert field_of(refused) == {"points"}
    assert "higher than 5 points" in str(refused.value)
    assert Assignment.objects.get(pk=work.pk).points == D(10)
    assignment_update(assignment=work, points=D(9))
    assert Assignment.objects.get(pk=work.pk).points == D(9)


# --- materials -------------------------------------------------------------------------------


def test_materials_are_links_or_files(personas: Personas, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    work = assignment(personas.science8)
    link = material_add(assignment=work, url="https://example.org/video")
    paper = material_add(
        assignment=work, file=SimpleUploadedFile("worksheet.pdf", b"%PDF-1.4 worksheet")
    )
    assert (link.title, link.position) == ("https://example.org/video", 0)
    assert (paper.title, paper.position) == ("worksheet.pdf", 1)
    assert paper.file.read() == b"%PDF-1.4 worksheet"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({}, "url", "link or a file"),
        ({"url": "javascript:alert(1)"}, "url", "https://"),
        ({"file": SimpleUploadedFile("page.html", b"<script>")}, "file", "cannot be attached"),
        ({"file": SimpleUploadedFile("virus.exe", b"MZ")}, "file", "cannot be attached"),
        ({"file": SimpleUploadedFile("empty.pdf", b"")}, "file", "empty"),
    ],
)
def test_bad_materials_are_refused_with_a_clear_message(personas, kwargs, field, words) -> None:
    work = assignment(personas.science8)
    with pytest.raises(ValidationError) as refused:
        material_add(assignment=work, **kwargs)
    assert field_of(refused) == {field}
    assert words in " ".join(refused.value.message_dict[field])
    assert not AssignmentMaterial.objects.exists()


def test_a_file_over_20_mb_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    big = SimpleUploadedFile("slides.pdf", b"x")
    big.size = MAX_MATERIAL_BYTES + 1
    with pytest.raises(ValidationError) as refused:
        material_add(assignment=work, file=big)
    assert "at most 20 MB" in refused.value.message_dict["file"][0]
