"""The move of rubric scores from feedback to assessments keeps every score.

Migrates a scratch database (``village.calendar.tests.test_migrations.scratch_database``: a
SQLite file, or a PostgreSQL database next to the test one) from before the move to the latest
state and back, with Django's ``MigrationExecutor``. It runs on both suites.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from village.calendar.tests.test_migrations import scratch_database

BEFORE = [("classwork", "0004_child_work_summary")]
AFTER = [("classwork", "0007_rubric_owners_assessments_done")]


def _old_rows(apps: Any, alias: str) -> dict[str, Any]:
    """A school with a class, a rubric of two criteria, and work graded on it: one feedback
    with both criteria scored, one with a comment only."""

    def model(app: str, name: str) -> Any:
        return apps.get_model(app, name).objects.using(alias)

    users = model("accounts", "User")
    teacher = users.create(username="rivera", first_name="Ms.")
    ada = users.create(username="ada", first_name="Ada")
    leo = users.create(username="leo", first_name="Leo")
    district = model("community", "Organisation").create(kind="district", name="Riverside")
    school = model("community", "Organisation").create(kind="school", name="Maple", parent=district)
    course = model("community", "Course").create(organisation=school, title="Grade 5")
    school_class = model("community", "SchoolClass").create(
        course=course, school=school, title="Homeroom 5"
    )
    rubric = model("classwork", "Rubric").create(school_class=school_class, title="Poster")
    criteria = [
        model("classwork", "RubricCriterion").create(rubric=rubric, title=title, position=n)
        for n, title in enumerate(["Science", "Presentation"])
    ]
    levels = [
        model("classwork", "RubricLevel").create(criterion=c, title="Secure", points=Decimal(3))
        for c in criteria
    ]
    now = timezone.now()
    work = model("classwork", "Assignment").create(
        school_class=school_class,
        rubric=rubric,
        title="Poster",
        assign_at=now - dt.timedelta(days=2),
        points=Decimal(6),
    )
    scored = model("classwork", "Feedback").create(
        assignment=work, student=ada, score=Decimal(6), returned_at=now, graded_by=teacher
    )
    model("classwork", "Feedback").create(assignment=work, student=leo, comment="See me.")
    for criterion, level in zip(criteria, levels, strict=True):
        model("classwork", "RubricScore").create(
            feedback=scored, criterion=criterion, level=level, points=level.points
        )
    return {
        "teacher": teacher.pk,
        "ada": ada.pk,
        "school": school.pk,
        "rubric": rubric.pk,
        "scored": scored.pk,
        "criteria": sorted(c.pk for c in criteria),
    }


def test_rubric_scores_move_to_teacher_assessments_and_back(settings, tmp_path, django_db_blocker):
    settings.MIGRATION_MODULES = {}  # the suite turns migrations off; this test needs them
    with django_db_blocker.unblock(), scratch_database(tmp_path) as alias:
        executor = MigrationExecutor(connections[alias])
        executor.migrate(BEFORE)
        made = _old_rows(executor.loader.project_state(BEFORE).apps, alias)

        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        rubric = new.get_model("classwork", "Rubric").objects.using(alias).get()
        assert rubric.school_id == made["school"]
        feedback = new.get_model("classwork", "Feedback").objects.using(alias)
        assessment = new.get_model("classwork", "RubricAssessment").objects.using(alias).get()
        assert (
            assessment.rubric_id,
            assessment.student_id,
            assessment.assessor_id,
            assessment.kind,
        ) == (made["rubric"], made["ada"], made["teacher"], "teacher")
        assert feedback.get(pk=made["scored"]).assessment_id == assessment.pk
        assert feedback.filter(assessment__isnull=True).count() == 1  # the comment alone
        scores = new.get_model("classwork", "RubricScore").objects.using(alias)
        assert (
            sorted(scores.filter(assessment=assessment).values_list("criterion_id", flat=True))
            == (made["criteria"])
        )

        executor.loader.build_graph()
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        old_scores = old.get_model("classwork", "RubricScore").objects.using(alias)
        assert sorted(old_scores.values_list("feedback_id", "criterion_id")) == [
            (made["scored"], criterion) for criterion in made["criteria"]
        ]
