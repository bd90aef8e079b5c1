"""Fill the rubrics' school from their class, and give every feedback with rubric scores a
teacher assessment holding them. Backwards: scores return to their feedback, and what the old
shape cannot hold (self-assessments, school rubrics) is deleted."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 1000


def forwards(apps: Any, schema_editor: Any) -> None:
    Rubric = apps.get_model("classwork", "Rubric")
    SchoolClass = apps.get_model("community", "SchoolClass")
    Feedback = apps.get_model("classwork", "Feedback")
    RubricScore = apps.get_model("classwork", "RubricScore")
    RubricAssessment = apps.get_model("classwork", "RubricAssessment")
    Rubric.objects.filter(school__isnull=True).update(
        school_id=Subquery(
            SchoolClass.objects.filter(pk=OuterRef("school_class_id")).values("school_id")[:1]
        )
    )
    # The rubric of the criteria scored (the assignment's rubric: it cannot change once scored).
    scored = (
        RubricScore.objects.filter(feedback__isnull=False)
        .values_list("feedback_id", "criterion__rubric_id")
        .order_by("feedback_id")
        .distinct()
    )
    rubric_of = dict(scored)
    ids = sorted(rubric_of)
    for start in range(0, len(ids), BATCH):
        feedback = list(
            Feedback.objects.filter(pk__in=ids[start : start + BATCH], assessment__isnull=True)
        )
        assessments = RubricAssessment.objects.bulk_create(
            RubricAssessment(
                rubric_id=rubric_of[item.pk],
                student_id=item.student_id,
                assessor_id=item.graded_by_id,
                kind="teacher",
            )
            for item in feedback
        )
        for item, assessment in zip(feedback, assessments, strict=True):
            item.assessment_id = assessment.pk
        Feedback.objects.bulk_update(feedback, ["assessment"])
    RubricScore.objects.filter(feedback__isnull=False).update(
        assessment_id=Subquery(
            Feedback.objects.filter(pk=OuterRef("feedback_id")).values("assessment_id")[:1]
        )
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    Rubric = apps.get_model("classwork", "Rubric")
    Feedback = apps.get_model("classwork", "Feedback")
    RubricScore = apps.get_model("classwork", "RubricScore")
    RubricAssessment = apps.get_model("classwork", "RubricAssessment")
    RubricScore.objects.update(
        feedback_id=Subquery(
            Feedback.objects.filter(assessment_id=OuterRef("assessment_id")).values("pk")[:1]
        )
    )
    RubricScore.objects.filter(feedback__isnull=True).delete()
    RubricScore.objects.update(assessment=None)  # deleting assessments would take their scores
    Feedback.objects.update(assessment=None)
    RubricAssessment.objects.all().delete()
    Rubric.objects.filter(school_class__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("classwork", "0005_rubric_owners_assessments")]

    operations = [migrations.RunPython(forwards, backwards)]
