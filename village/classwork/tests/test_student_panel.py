"""The student's home panel: what is due next and how much is missing, in constant queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.classwork.panels_student import student_work_panel
from village.classwork.services.events import class_event_create
from village.classwork.tests.test_student_support import (
    DAY,
    assignment,
    client_for,
    due,
    give_feedback,
    hand_in,
    media_root,
)
from village.classwork.tests.test_student_views import more_classes

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


def panel_html(client) -> str:
    html = client.get("/").content.decode()
    match = re.search(r'<section[^>]*aria-labelledby="home-work-heading".*?</section>', html, re.S)
    assert match, "no work panel on the home page"
    return match.group(0)


def test_the_home_page_shows_the_next_three_pieces_of_work_and_the_missing_count(
    personas, media_root
):
    for n, days in enumerate([5, 1, 3, 2]):
        assignment(personas.homeroom5, f"Task {n} in {days} days", due_in=days * DAY)
    assignment(personas.homeroom5, "Overdue one", due_in=-DAY)
    assignment(personas.homeroom5, "Overdue two", due_in=-2 * DAY)
    assignment(personas.science8, "Leo's work", due_in=DAY)
    html = panel_html(client_for(personas.ada))
    titles = re.findall(r'class="work-title" href="[^"]+">([^<]+)<', html)
    assert titles == ["Task 1 in 1 days", "Task 3 in 2 days", "Task 2 in 3 days"]
    assert "2 pieces of work are missing." in html
    assert 'href="/work/#missing"' in html
    assert 'href="/work/"' in html
    assert "Leo" not in html


def test_the_panel_tells_of_new_feedback(personas, media_root):
    work = assignment(personas.homeroom5, due_in=-DAY)
    hand_in(personas.ada, work, at=due(work) - DAY)
    give_feedback(work, personas.ada)
    assert "You have new feedback to read." in panel_html(client_for(personas.ada))


def test_the_panel_is_calm_when_nothing_is_due(personas):
    html = panel_html(client_for(personas.ada))
    assert "Nothing due right now." in html
    assert "missing" not in html


@pytest.mark.parametrize("persona", ["sam", "rivera", "nguyen"])
def test_only_students_get_the_panel(personas, persona):
    html = client_for(getattr(personas, persona)).get("/").content.decode()
    assert "home-work-heading" not in html


def panel_queries(user: User) -> int:
    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        student_work_panel(None, fresh)  # type: ignore[arg-type]
    return len(captured.captured_queries)


def test_the_panel_runs_the_same_queries_for_1_or_8_classes_and_3_or_40_assignments(
    personas, media_root
):
    for n in range(3):
        assignment(personas.homeroom5, f"Small {n}", due_in=(n - 1) * DAY)
    small_panel = panel_queries(personas.ada)
    client = client_for(personas.ada)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    small_home = len(captured.captured_queries)

    classes = [personas.homeroom5, *more_classes(personas, 7)]
    for n in range(37):
        work = assignment(classes[n % 8], f"Big {n}", due_in=(n % 5 - 2) * DAY)
        if n % 4 == 0:
            hand_in(personas.ada, work)
            give_feedback(work, personas.ada)
    for n, school_class in enumerate(classes):
        class_event_create(
            school_class=school_class,
            title=f"Trip {n}",
            starts_at=timezone.now() + n * DAY,
            visible_to_families=n % 2 == 0,
        )
    assert panel_queries(personas.ada) == small_panel == 5
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert len(captured.captured_queries) == small_home
