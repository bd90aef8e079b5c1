"""Rubrics owned by a class or a school, who sees them, and scoring on them: a teacher's
feedback and a student's self-assessment go through the same service and reader."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from village.classwork.models import (
    AssessmentKind,
    Feedback,
    Rubric,
    RubricAssessment,
    RubricLevel,
)
from village.classwork.policies import rubric_for_editor, visible_rubrics
from village.classwork.selectors.grading import grading_page
from village.classwork.selectors.my_work import positions
from village.classwork.selectors.rubrics import (
    ScoreLine,
    assessment_levels,
    assessment_read,
    class_rubrics,
    feedback_rubric_totals,
    rubric_rows,
)
from village.classwork.services.feedback import feedback_save
from village.classwork.services.rubrics import (
    CriterionSpec,
    assessment_save,
    rubric_create,
    rubric_is_scored,
)
from village.classwork.tests.factories import assignment, field_of, levels, water_rubric
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def school_rubric(p: Personas) -> Rubric:
    """The school's own rubric (no class): two criteria, levels worth 4 down to 1."""
    return rubric_create(
        school=p.school,
        title="Reading goal",
        criteria=[
            CriterionSpec(title="Fluency", levels=levels(4, 3, 2, 1)),
            CriterionSpec(title="Understanding", levels=levels(4, 3, 2, 1)),
        ],
    )


def level_worth(rubric: Rubric, criterion: str, points: int) -> RubricLevel:
    return RubricLevel.objects.get(
        criterion__rubric=rubric, criterion__title=criterion, points=points
    )


# --- owners -----------------------------------------------------------------------------------


def test_a_class_rubric_belongs_to_the_class_school(personas: Personas) -> None:
    rubric = water_rubric(personas)
    assert (rubric.school_class, rubric.school) == (personas.science8, personas.school)


def test_a_class_rubric_of_another_school_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as error:
        rubric_create(
            school_class=personas.science8,
            school=personas.other_school,
            title="Lab report",
            criteria=[CriterionSpec(title="Evidence", levels=levels(4, 2))],
        )
    assert field_of(error) == {"school"}
    assert not Rubric.objects.exists()


def test_a_rubric_needs_a_class_or_a_school(personas: Personas) -> None:
    with pytest.raises(ValidationError) as error:
        rubric_create(
            title="Nobody's", criteria=[CriterionSpec(title="Evidence", levels=levels(4))]
        )
    assert field_of(error) == {"school"}


def test_a_school_rubric_is_not_on_any_class_rubrics_page(personas: Personas) -> None:
    p = personas
    own = school_rubric(p)
    assert (own.school, own.school_class) == (p.school, None)
    class_rubric = water_rubric(p)
    assert [line.rubric for line in class_rubrics(p.science8)] == [class_rubric]
    assert class_rubrics(p.homeroom5) == []
    with pytest.raises(Http404):
        rubric_for_editor(p.science8, own.pk)
    assert rubric_for_editor(p.science8, class_rubric.pk) == class_rubric


def test_who_sees_which_rubric(personas: Personas) -> None:
    p = personas
    own = school_rubric(p)
    science = water_rubric(p)
    elsewhere = rubric_create(
        school=p.other_school,
        title="Their goal",
        criteria=[CriterionSpec(title="Effort", levels=levels(2, 1))],
    )

    def seen(user: object) -> set[int]:
        return set(visible_rubrics(user).values_list("pk", flat=True))  # type: ignore[arg-type]

    assert seen(p.rivera) == {own.pk, science.pk}  # teaches science 8, at the school
    assert seen(p.chen) == {own.pk}  # a teacher of the school, not of science 8
    assert seen(p.nguyen) == {own.pk, science.pk}  # the school's admin
    assert seen(p.priya) == {own.pk, science.pk}  # the district's admin
    assert seen(p.stone) == {elsewhere.pk}
    assert seen(p.park) == set()  # a teacher at the sister school
    for outsider in (p.ada, p.sam, p.library, p.eve):
        assert seen(outsider) == set()


# --- scoring --------------------------------------------------------------------------------


def test_teacher_feedback_keeps_its_scores_in_a_teacher_assessment(personas: Personas) -> None:
    p = personas
    rubric = water_rubric(p)
    work = assignment(p.science8, "Lab", rubric=rubric, points=10)
    chosen = {
        level_worth(rubric, "Hypothesis", 3).criterion_id: level_worth(rubric, "Hypothesis", 3).pk,
        level_worth(rubric, "Evidence", 6).criterion_id: level_worth(rubric, "Evidence", 6).pk,
    }
    feedback = feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels=chosen
    )
    assessment = RubricAssessment.objects.get()
    assert feedback.assessment == assessment
    assert (assessment.rubric, assessment.student, assessment.assessor, assessment.kind) == (
        rubric,
        p.leo,
        p.rivera,
        AssessmentKind.TEACHER,
    )
    assert feedback.score == Decimal(9)
    assert assessment_levels(assessment.pk) == chosen
    assert feedback_rubric_totals(Feedback.objects.all()) == {feedback.pk: Decimal(9)}

    feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels={})
    feedback.refresh_from_db()
    assert feedback.assessment is None  # no level chosen: no assessment
    assert not RubricAssessment.objects.exists()


def test_a_self_assessment_on_a_school_rubric_is_saved_and_read_by_the_same_code(
    personas: Personas,
) -> None:
    p = personas
    rubric = school_rubric(p)
    fluency, understanding = (
        level_worth(rubric, "Fluency", 3),
        level_worth(rubric, "Understanding", 4),
    )
    assessment = assessment_save(
        rubric=rubric,
        student=p.ada,
        assessor=p.ada,
        kind=AssessmentKind.SELF,
        levels={fluency.criterion_id: fluency.pk, understanding.criterion_id: understanding.pk},
    )
    assert (assessment.kind, assessment.student, assessment.assessor) == (
        AssessmentKind.SELF,
        p.ada,
        p.ada,
    )
    assert assessment_read(assessment.pk) == [
        ScoreLine("Fluency", "Good", "", Decimal(3), Decimal(4)),
        ScoreLine("Understanding", "Excellent", "", Decimal(4), Decimal(4)),
    ]
    assert rubric_is_scored(rubric)  # its criteria are fixed now, as with graded work

    lower = level_worth(rubric, "Understanding", 1)
    again = assessment_save(
        rubric=rubric,
        student=p.ada,
        assessor=None,
        kind=AssessmentKind.SELF,
        levels={fluency.criterion_id: fluency.pk, understanding.criterion_id: lower.pk},
        assessment=assessment,
    )
    assert (again.pk, again.assessor) == (assessment.pk, p.ada)  # scored anew, same assessor
    assert [line.points for line in assessment_read(again.pk)] == [Decimal(3), Decimal(1)]
    with pytest.raises(ValidationError):
        assessment_save(
            rubric=rubric,
            student=p.leo,
            assessor=p.leo,
            kind=AssessmentKind.SELF,
            levels={fluency.criterion_id: fluency.pk, understanding.criterion_id: lower.pk},
            assessment=assessment,
        )  # Ada's assessment is not Leo's


def test_a_self_assessment_never_shows_up_as_teacher_feedback(personas: Personas) -> None:
    p = personas
    rubric = water_rubric(p)
    work = assignment(p.science8, "Lab", rubric=rubric, points=10)
    hypothesis, evidence = level_worth(rubric, "Hypothesis", 4), level_worth(rubric, "Evidence", 6)
    assessment_save(
        rubric=rubric,
        student=p.leo,
        assessor=p.leo,
        kind=AssessmentKind.SELF,
        levels={hypothesis.criterion_id: hypothesis.pk, evidence.criterion_id: evidence.pk},
    )
    assert not Feedback.objects.exists()
    assert feedback_rubric_totals(Feedback.objects.all()) == {}
    page = grading_page(work, p.leo, now=work.assign_at)
    assert (page.feedback, page.chosen_levels) == (None, {})
    [position] = positions(
        work,
        [p.leo],
        viewer=p.leo,
        with_attempts=False,
        grades_for={p.leo.pk},
        rubric=rubric_rows(work),
    )
    assert position.feedback is None


def test_a_self_assessment_scores_every_criterion_with_its_own_levels(
    personas: Personas,
) -> None:
    p = personas
    rubric = school_rubric(p)
    fluency, understanding = (
        level_worth(rubric, "Fluency", 3),
        level_worth(rubric, "Understanding", 4),
    )
    for chosen in (
        {},
        {fluency.criterion_id: fluency.pk},  # a criterion left out
        {fluency.criterion_id: understanding.pk},  # another criterion's level
        {understanding.pk * 1000: fluency.pk},  # not a criterion of the rubric
    ):
        with pytest.raises(ValidationError) as error:
            assessment_save(
                rubric=rubric,
                student=p.ada,
                assessor=p.ada,
                kind=AssessmentKind.SELF,
                levels=chosen,
            )
        assert field_of(error) == {"rubric"}
    with pytest.raises(ValidationError) as error:
        assessment_save(
            rubric=rubric,
            student=p.ada,
            assessor=p.ada,
            kind="guess",
            levels={fluency.criterion_id: fluency.pk},
        )
    assert field_of(error) == {"kind"}
    assert not RubricAssessment.objects.exists()
