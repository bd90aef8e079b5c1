"""The classwork services: topics, categories, rubrics, assignments, materials, events, feedback.

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

from village.classwork import services
from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    Rubric,
    RubricScore,
    Topic,
)
from village.classwork.services import CriterionSpec, LevelSpec, RubricSpec
from village.classwork.submissions import MAX_TEXT_LENGTH
from village.classwork.tests.factories import assignment, hand_in
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


def levels(*points: int) -> list[LevelSpec]:
    names = ["Excellent", "Good", "Developing", "Beginning"]
    return [LevelSpec(title=names[i], points=D(p)) for i, p in enumerate(points)]


def water_rubric(p: Personas) -> Rubric:
    return services.rubric_create(
        school_class=p.science8,
        title="Lab report",
        criteria=[
            CriterionSpec(title="Hypothesis", levels=levels(4, 3, 2, 1)),
            CriterionSpec(title="Evidence", levels=levels(6, 4, 2)),
        ],
    )


# --- topics and categories -------------------------------------------------------------------


def test_a_topic_runs_between_two_dates(personas: Personas) -> None:
    today = timezone.localdate()
    topic = services.topic_create(
        school_class=personas.science8,
        title="  The water cycle ",
        starts_on=today,
        ends_on=today + dt.timedelta(days=10),
        summary="Evaporation, condensation, rain.",
    )
    assert topic.title == "The water cycle"
    services.topic_update(topic=topic, title="Water", starts_on=today, ends_on=today, summary="")
    topic.refresh_from_db()
    assert (topic.title, topic.ends_on) == ("Water", today)


def test_a_topic_that_ends_before_it_starts_is_refused_naming_the_end(personas: Personas) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.topic_create(
            school_class=personas.science8,
            title="Backwards",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )
    assert field_of(refused) == {"ends_on"}
    assert not Topic.objects.exists()


def test_categories_are_saved_all_or_nothing(personas: Personas) -> None:
    homework = services.category_create(
        school_class=personas.science8, name="Homework", weight=D(20)
    )
    with pytest.raises(ValidationError) as refused:
        services.categories_save(
            school_class=personas.science8,
            changes=[
                services.CategoryChange(category_id=homework.pk, name="Homework", weight=D(30)),
                services.CategoryChange(category_id=None, name="homework", weight=D(10)),
            ],
        )
    assert field_of(refused) == {"name"}
    homework.refresh_from_db()
    assert homework.weight == D(20)
    assert GradingCategory.objects.count() == 1

    services.categories_save(
        school_class=personas.science8,
        changes=[
            services.CategoryChange(
                category_id=homework.pk, name="Homework", weight=D(0), delete=True
            ),
            services.CategoryChange(category_id=None, name="Labs", weight=D(60)),
        ],
    )
    assert list(GradingCategory.objects.values_list("name", "weight")) == [("Labs", D(60))]


def test_a_weight_above_100_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.category_create(school_class=personas.science8, name="Tests", weight=D(120))
    assert field_of(refused) == {"weight"}


# --- rubrics ---------------------------------------------------------------------------------


def test_a_rubric_is_worth_the_best_level_of_each_criterion(personas: Personas) -> None:
    rubric = water_rubric(personas)
    assert services.rubric_max_points(rubric) == D(10)
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
        services.rubric_create(school_class=personas.science8, title="Broken", criteria=criteria)
    assert field_of(refused) == {"criteria"}
    assert not Rubric.objects.exists()


# --- assignments -----------------------------------------------------------------------------


def test_instructions_are_sanitised_scripts_and_handlers_removed(personas: Personas) -> None:
    work = services.assignment_create(
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
        services.assignment_create(
            school_class=p.science8, title="Essay", created_by=p.rivera, instructions=too_long
        )
    assert field_of(refused) == {"instructions"}
    assert not Assignment.objects.filter(title="Essay").exists()
    work = services.assignment_create(
        school_class=p.science8,
        title="Essay",
        created_by=p.rivera,
        instructions="a" * LONG_TEXT_MAX,
    )
    with pytest.raises(ValidationError) as refused:
        services.assignment_update(assignment=work, instructions=too_long, title="Essay 2")
    assert field_of(refused) == {"instructions"}
    work.refresh_from_db()
    assert (work.title, work.instructions_source) == ("Essay", "a" * LONG_TEXT_MAX)


def test_with_a_rubric_the_points_are_its_maximum(personas: Personas) -> None:
    rubric = water_rubric(personas)
    work = services.assignment_create(
        school_class=personas.science8,
        title="Lab",
        created_by=personas.rivera,
        rubric=rubric,
        points=D(99),
    )
    assert work.points == D(10)


def test_a_new_rubric_is_written_with_the_work_in_one_go(personas: Personas) -> None:
    work = services.assignment_create(
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
        services.assignment_create(
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
        services.assignment_create(
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
        services.assignment_create(
            school_class=personas.science8,
            title=title,
            created_by=personas.rivera,
            points=None if points is None else D(points),
        )
    assert field in field_of(refused)


def test_a_topic_of_another_class_is_refused(personas: Personas) -> None:
    today = timezone.localdate()
    other = services.topic_create(
        school_class=personas.math8, title="Algebra", starts_on=today, ends_on=today
    )
    with pytest.raises(ValidationError) as refused:
        services.assignment_create(
            school_class=personas.science8, title="Lab", created_by=personas.rivera, topic=other
        )
    assert field_of(refused) == {"topic"}


def test_the_rubric_cannot_change_once_work_was_scored_on_it(personas: Personas) -> None:
    p = personas
    rubric = water_rubric(p)
    work = services.assignment_create(
        school_class=p.science8, title="Lab", created_by=p.rivera, rubric=rubric
    )
    criteria = list(rubric.criteria.all())
    services.feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        rubric_levels={c.pk: c.levels.all()[0].pk for c in criteria},
    )
    with pytest.raises(ValidationError) as refused:
        services.assignment_update(assignment=work, rubric=None, points=D(10))
    assert field_of(refused) == {"rubric"}
    assert Assignment.objects.get(pk=work.pk).rubric_id == rubric.pk


def test_points_cannot_drop_below_a_grade_given(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(9))
    with pytest.raises(ValidationError) as refused:
        services.assignment_update(assignment=work, points=D(5))
    assert field_of(refused) == {"points"}
    services.assignment_update(assignment=work, points=D(12), title="Quiz 1")
    work.refresh_from_db()
    assert (work.title, work.points) == ("Quiz 1", D(12))


def test_points_cannot_drop_below_a_grade_kept_to_return(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    services.feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, score=D(4), return_to_student=True
    )
    services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(9))
    with pytest.raises(ValidationError) as refused:
        services.assignment_update(assignment=work, points=D(5))
    assert field_of(refused) == {"points"}
    assert "higher than 5 points" in str(refused.value)
    assert Assignment.objects.get(pk=work.pk).points == D(10)
    services.assignment_update(assignment=work, points=D(9))
    assert Assignment.objects.get(pk=work.pk).points == D(9)


# --- materials -------------------------------------------------------------------------------


def test_materials_are_links_or_files(personas: Personas, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    work = assignment(personas.science8)
    link = services.material_add(assignment=work, url="https://example.org/video")
    paper = services.material_add(
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
        services.material_add(assignment=work, **kwargs)
    assert field_of(refused) == {field}
    assert words in " ".join(refused.value.message_dict[field])
    assert not AssignmentMaterial.objects.exists()


def test_a_file_over_20_mb_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    big = SimpleUploadedFile("slides.pdf", b"x")
    big.size = services.MAX_MATERIAL_BYTES + 1
    with pytest.raises(ValidationError) as refused:
        services.material_add(assignment=work, file=big)
    assert "at most 20 MB" in refused.value.message_dict["file"][0]


# --- events ----------------------------------------------------------------------------------


def test_an_event_without_an_end_lasts_an_hour(personas: Personas) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    event = services.class_event_create(
        school_class=personas.science8, title="Field trip", starts_at=start
    )
    assert event.ends_at - event.starts_at == dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        services.class_event_create(
            school_class=personas.science8,
            title="Backwards",
            starts_at=start,
            ends_at=start - dt.timedelta(minutes=1),
        )
    assert field_of(refused) == {"ends_at"}


# --- feedback --------------------------------------------------------------------------------


def rubric_work(p: Personas) -> tuple[Assignment, dict[str, dict[str, int]]]:
    """Lab work graded on the two-criterion rubric; level ids by criterion and level title."""
    rubric = water_rubric(p)
    work = services.assignment_create(
        school_class=p.science8, title="Lab", created_by=p.rivera, rubric=rubric
    )
    ids = {
        c.title: {lv.title: lv.pk for lv in c.levels.all()} | {"id": c.pk}
        for c in rubric.criteria.all()
    }
    return work, ids


def test_the_grade_is_the_sum_of_the_rubric_levels_chosen(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    feedback = services.feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        comment="Clear hypothesis; cite your measurements.",
        rubric_levels={
            ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"],
            ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
        },
        return_to_student=True,
    )
    assert feedback.score == D(5)
    assert feedback.returned_at is not None
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(3)]

    # Changing one level of returned feedback is kept as a change, not yet seen: the returned
    # grade and levels stay until it is returned again.
    services.feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        rubric_levels={
            ids["Hypothesis"]["id"]: ids["Hypothesis"]["Excellent"],
            ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
        },
    )
    kept = Feedback.objects.get()
    assert (kept.score, kept.draft_score) == (D(5), D(6))
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(3)]

    # Returned again: the sum and the stored row change, not a second row.
    services.feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    assert Feedback.objects.get().score == D(6)
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(4)]


def test_returning_needs_a_level_for_every_criterion(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    partial = {ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"]}
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(
            assignment=work,
            student=p.leo,
            graded_by=p.rivera,
            rubric_levels=partial,
            return_to_student=True,
        )
    assert field_of(refused) == {"rubric"}
    assert "Evidence" in refused.value.message_dict["rubric"][0]
    assert not Feedback.objects.exists()
    # As a draft, a partly scored rubric is fine.
    draft = services.feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels=partial
    )
    assert (draft.score, draft.returned_at) == (D(3), None)


def test_a_level_of_another_criterion_is_refused(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(
            assignment=work,
            student=p.leo,
            graded_by=p.rivera,
            rubric_levels={ids["Hypothesis"]["id"]: ids["Evidence"]["Good"]},
        )
    assert field_of(refused) == {"rubric"}


def test_a_grade_given_directly_on_rubric_work_must_be_the_rubric_sum(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(4))
    assert field_of(refused) == {"score"}
    assert "rubric" in refused.value.message_dict["score"][0]
    assert not Feedback.objects.exists()

    levels = {
        ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"],
        ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
    }
    services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels=levels)
    with pytest.raises(ValidationError) as mismatch:
        services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(6))
    assert "sum of the levels chosen, 5" in mismatch.value.message_dict["score"][0]
    assert Feedback.objects.get().score == D(5)

    # The sum itself, or no grade at all, keeps the levels chosen and their sum.
    same = services.feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, score=D(5), comment="Good."
    )
    assert (same.score, same.comment) == (D(5), "Good.")
    comment_only = services.feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, comment="Better."
    )
    assert comment_only.score == D(5)
    assert RubricScore.objects.filter(feedback=comment_only).count() == 2


@pytest.mark.parametrize("score", [D(11), D("10.01")])
def test_no_extra_credit_a_grade_above_the_points_is_refused(personas, score) -> None:
    work = assignment(personas.science8, points=10)
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(
            assignment=work, student=personas.leo, graded_by=personas.rivera, score=score
        )
    assert field_of(refused) == {"score"}
    assert "between 0 and 10" in refused.value.message_dict["score"][0]
    assert not Feedback.objects.exists()


def test_work_without_points_takes_a_comment_but_no_grade(personas: Personas) -> None:
    work = assignment(personas.science8, points=None)
    with pytest.raises(ValidationError):
        services.feedback_save(
            assignment=work, student=personas.leo, graded_by=personas.rivera, score=D(1)
        )
    feedback = services.feedback_save(
        assignment=work, student=personas.leo, graded_by=personas.rivera, comment="Lovely."
    )
    assert (feedback.score, feedback.comment) == (None, "Lovely.")


def test_feedback_for_a_student_not_in_the_class_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(
            assignment=work, student=personas.ada, graded_by=personas.rivera, score=D(5)
        )
    assert field_of(refused) == {"student"}


def test_returning_after_a_resubmission_updates_the_returned_time(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    hand_in(work, p.leo, days_ago=2)
    first_return = timezone.now() - dt.timedelta(days=1)
    feedback = services.feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        score=D(6),
        comment="Add units.",
        return_to_student=True,
        now=first_return,
    )
    FeedbackSeen.objects.create(feedback=feedback, user=p.leo)
    hand_in(work, p.leo, days_ago=0, attempt=2)
    returned = services.feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    assert returned.returned_at is not None
    assert returned.returned_at > first_return
    # Returned again: new to read for the student and family.
    assert not FeedbackSeen.objects.exists()


def test_a_draft_is_not_returned_and_saving_a_draft_keeps_a_return(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    draft = services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(7))
    assert draft.returned_at is None
    returned = services.feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    stamp = returned.returned_at
    again = services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(8))
    # The returned version stays what the student sees; the change waits to be returned.
    assert (again.score, again.returned_at, again.draft_score) == (D(7), stamp, D(8))
    assert again.has_draft


def test_returning_without_feedback_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    with pytest.raises(ValidationError) as refused:
        services.feedback_return(assignment=work, student=personas.leo, graded_by=personas.rivera)
    assert field_of(refused) == {"feedback"}
    assert not Feedback.objects.exists()


def test_excusing_and_unexcusing_keep_the_rest_of_the_feedback(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    services.feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, comment="Ill.")
    assert services.work_excuse(assignment=work, student=p.leo, graded_by=p.rivera).excused
    feedback = services.work_unexcuse(assignment=work, student=p.leo, graded_by=p.rivera)
    assert (feedback.excused, feedback.comment) == (False, "Ill.")
    assert Feedback.objects.count() == 1


def test_a_comment_has_the_same_limit_as_a_written_answer(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Essay", due_in_days=-1, points=10)
    longest = "a" * LONG_TEXT_MAX
    services.feedback_save(assignment=work, student=p.ada, graded_by=p.rivera, comment=longest)
    with pytest.raises(ValidationError) as refused:
        services.feedback_save(
            assignment=work, student=p.ada, graded_by=p.rivera, comment=longest + "a", score=D(5)
        )
    assert field_of(refused) == {"comment"}
    assert "50,000" in refused.value.message_dict["comment"][0]
    assert Feedback.objects.get(student=p.ada).score is None
    assert MAX_TEXT_LENGTH == LONG_TEXT_MAX
