"""The guardian's home page keeps its rendered overview and child cards: every change a family
must see shows on the next load, the clock still moves statuses on, and every load is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Feedback
from village.classwork.services.assignments import assignment_create
from village.classwork.services.feedback import feedback_mark_seen, feedback_save
from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.factories import assignment, version_tokens
from village.classwork.tests.family.test_family_selectors import build_term
from village.community.models import GuardianLink
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def sam(personas: Personas) -> Client:
    """Sam, reading English (these tests read labels), signed in."""
    User.objects.filter(pk=personas.sam.pk).update(preferred_language="en")
    client = Client()
    client.force_login(personas.sam)
    return client


def home(client: Client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def attention(html: str) -> str:
    start = html.index('id="attention-heading"')
    return html[start : html.index('id="this-week-heading"')]


def test_a_returned_piece_of_feedback_shows_on_the_next_load(personas: Personas, sam: Client):
    p = personas
    term = build_term(p)
    home(sam)  # kept from here on
    assert "Neat handwriting." not in home(sam)
    submission_hand_in(student=p.ada, assignment=term.spelling, text="My list")
    feedback_save(
        assignment=term.spelling,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(9),
        comment="Neat handwriting.",
        return_to_student=True,
    )
    assert "Neat handwriting." in home(sam)


def test_work_posted_to_a_class_shows_on_the_next_load(personas: Personas, sam: Client):
    p = personas
    build_term(p)
    home(sam)
    assignment_create(
        school_class=p.science8,
        title="Moon phases diary",
        created_by=p.rivera,
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    assert "Moon phases diary" in home(sam)


def test_opening_feedback_clears_new_on_the_next_load(personas: Personas, sam: Client):
    p = personas
    term = build_term(p)
    assert "Lab report: density" in attention(home(sam))
    lab = Feedback.objects.get(assignment=term.lab_report, student=p.leo)
    feedback_mark_seen(user_id=p.sam.pk, feedback_ids=[lab.pk])
    assert "Lab report: density" not in attention(home(sam))


def test_seeing_feedback_again_changes_no_version(personas: Personas):
    p = personas
    term = build_term(p)
    lab = Feedback.objects.get(assignment=term.lab_report, student=p.leo)
    feedback_mark_seen(user_id=p.sam.pk, feedback_ids=[lab.pk])
    first = version_tokens([p.sam.pk])[p.sam.pk]
    feedback_mark_seen(user_id=p.sam.pk, feedback_ids=[lab.pk])
    assert version_tokens([p.sam.pk])[p.sam.pk] == first


def test_links_losing_grades_hide_grades_on_the_next_load(personas: Personas, sam: Client):
    p = personas
    build_term(p)
    assert "out of 10" in home(sam)
    for link in GuardianLink.objects.filter(guardian=p.sam):
        link.scope_grades = False
        link.save()
    html = home(sam)
    assert "out of 10" not in html
    assert "Low grade" not in html
    assert "Fractions worksheet" in html  # the comment is still Sam's to read


def test_an_ended_link_drops_the_child_on_the_next_load(personas: Personas, sam: Client):
    p = personas
    build_term(p)
    assert "Leo Okoye" in home(sam)
    # even a bulk change that leaves ``updated_at`` alone: the key holds the link's status
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(status="ended")
    html = home(sam)
    assert "Leo Okoye" not in html
    assert "Lab report: density" not in html


def test_work_falling_due_turns_missing_on_a_kept_page(personas: Personas, sam: Client):
    p = personas
    now = timezone.now()
    assignment(p.homeroom5, "Poem due soon", due_in_days=1 / 24)
    with time_machine.travel(now, tick=False):
        assert "Poem due soon" not in attention(home(sam))
    with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
        assert "Poem due soon" in attention(home(sam))


def test_every_load_is_audited_kept_or_not(personas: Personas, sam: Client):
    p = personas
    build_term(p)
    before = AuditEvent.objects.count()
    home(sam)
    home(sam)
    events = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.student_id, e.action) for e in events] == [
        (p.ada.pk, AuditAction.VIEW_STUDENT),
        (p.leo.pk, AuditAction.VIEW_STUDENT),
    ] * 2
    assert {e.organisation_id for e in events} == {p.school.pk}
