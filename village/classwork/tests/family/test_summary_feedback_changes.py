"""Changes a teacher saves to returned feedback stay out of the family's overview (the summary and
the API) until they are returned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from village.classwork.family import overview as overviews
from village.classwork.services.feedback import feedback_return, feedback_save
from village.classwork.tests.factories import assignment
from village.classwork.tests.family.test_family_api import OVERVIEW, api
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_overview_shows_the_returned_feedback_until_changes_are_returned(
    personas: Personas,
) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling list 12", due_in_days=-1)
    feedback_save(
        assignment=work,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(9),
        comment="Neat.",
        return_to_student=True,
    )
    overviews.family_overview(p.sam)  # the summary is built with the returned feedback
    feedback_save(
        assignment=work,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(4),
        comment="DRAFT - talk to counselor?",
    )

    recent = overviews.family_overview(p.sam).recent_feedback
    assert [(w.comment, w.score) for w in recent] == [("Neat.", Decimal(9))]
    body = api(p.sam).get(OVERVIEW).json()
    assert [(w["title"], w["score"]) for w in body["recent_feedback"]] == [
        ("Spelling list 12", "9.00")
    ]

    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    recent = overviews.family_overview(p.sam).recent_feedback
    assert [(w.comment, w.score) for w in recent] == [("DRAFT - talk to counselor?", Decimal(4))]
