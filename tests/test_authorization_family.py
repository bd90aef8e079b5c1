"""Authorization matrix for the family view: every page and endpoint x every persona x every
child, written out by hand. What may not be seen is a 404 (401 or the sign-in page when
anonymous), never data; an allowed view leaves exactly one audit entry per child shown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.authorization import (
    CLASSES,
    RIVERSIDE_STUDENTS_AND_ADULTS,
    STUDENTS,
    api_client_for,
    client_for,
)
from village.classwork.models import Assignment, Feedback, Topic
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

PERSONAS = RIVERSIDE_STUDENTS_AND_ADULTS

# viewer -> children whose family pages (child page, printable summary, child endpoint) they open
FAMILY_CHILDREN = {
    "sam": {"ada", "leo"},
    "jordan": {"leo"},
    "olga": {"mina"},
    "eve": {"finn"},
}
# viewer -> children whose scores and grades they see there
GRADES_VISIBLE = {"sam": {"ada", "leo"}, "olga": {"mina"}, "eve": {"finn"}}


def title(class_name: str) -> str:
    return f"Missing work in {class_name}"


def graded_title(class_name: str) -> str:
    return f"Graded work in {class_name}"


@pytest.fixture
def district(personas: Personas) -> Personas:
    """In every class: a current topic, missing work and graded work with a comment (7/10)."""
    now = timezone.now()
    today = timezone.localdate()
    for class_name, student_name in CLASSES.items():
        school_class = getattr(personas, class_name)
        student = getattr(personas, student_name)
        Topic.objects.create(
            school_class=school_class,
            title=f"Topic of {class_name}",
            starts_on=today - dt.timedelta(days=3),
            ends_on=today + dt.timedelta(days=3),
        )
        Assignment.objects.create(
            school_class=school_class,
            title=title(class_name),
            assign_at=now - dt.timedelta(days=5),
            due_at=now - dt.timedelta(days=1),
            points=Decimal(10),
        )
        graded = Assignment.objects.create(
            school_class=school_class,
            title=graded_title(class_name),
            assign_at=now - dt.timedelta(days=5),
            due_at=now - dt.timedelta(days=2),
            points=Decimal(10),
        )
        Feedback.objects.create(
            assignment=graded,
            student=student,
            score=Decimal("7.25"),
            comment=f"Comment for {student_name}",
            returned_at=now - dt.timedelta(hours=6),
        )
    return personas


def new_events(before: int) -> list[tuple[int | None, str, str]]:
    return list(
        AuditEvent.objects.filter(pk__gt=before)
        .order_by("student_id")
        .values_list("student_id", "action", "channel")
    )


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def classes_of(student_name: str) -> list[str]:
    return [name for name, student in CLASSES.items() if student == student_name]


@pytest.mark.parametrize("viewer", PERSONAS)
def test_child_page_and_summary_matrix(district, viewer):
    user = getattr(district, viewer)
    client = client_for(user)
    allowed = FAMILY_CHILDREN.get(viewer, set())
    for name in STUDENTS:
        student = getattr(district, name)
        for path in (f"/family/children/{student.pk}/", f"/family/children/{student.pk}/print/"):
            before = last_id()
            response = client.get(path)
            html = response.content.decode()
            if name in allowed:
                assert response.status_code == 200, (viewer, path)
                assert new_events(before) == [(student.pk, AuditAction.VIEW_STUDENT, "web")]
                for class_name in classes_of(name):
                    assert title(class_name) in html
                    assert f"Topic of {class_name}" in html
                assert f"Comment for {name}" in html
                sees_grades = name in GRADES_VISIBLE.get(viewer, set())
                assert ('class="fam-score' in html) == sees_grades, path  # "7.25" or "7,25"
            else:
                assert response.status_code == 404, (viewer, path)
                assert new_events(before) == []
                assert student.last_name not in html
                assert not any(title(c) in html for c in classes_of(name))


@pytest.mark.parametrize("viewer", PERSONAS)
def test_child_endpoint_matrix(district, viewer):
    client = api_client_for(getattr(district, viewer))
    allowed = FAMILY_CHILDREN.get(viewer, set())
    for name in STUDENTS:
        student = getattr(district, name)
        before = last_id()
        response = client.get(f"/api/v1/family/children/{student.pk}")
        if name in allowed:
            assert response.status_code == 200, (viewer, name)
            body = response.json()
            assert new_events(before) == [(student.pk, AuditAction.VIEW_STUDENT, "api")]
            assert {w["title"] for w in body["missing"]} == {title(c) for c in classes_of(name)}
            scores = {w["score"] for w in body["recent_feedback"]}
            sees_grades = name in GRADES_VISIBLE.get(viewer, set())
            expected_scores: set[str | None] = {"7.25"} if sees_grades else {None}
            assert scores == expected_scores, (viewer, name)
        else:
            assert response.status_code == 404, (viewer, name)
            assert response.json() == {"detail": "No such student."}
            assert new_events(before) == []


@pytest.mark.parametrize("viewer", PERSONAS)
def test_overview_endpoint_and_home_panel_matrix(district, viewer):
    user = getattr(district, viewer)
    allowed = FAMILY_CHILDREN.get(viewer, set())
    before = last_id()
    body = api_client_for(user).get("/api/v1/family/overview").json()
    assert {child["name"] for child in body["children"]} == {
        getattr(district, name).first_name for name in allowed
    }
    assert new_events(before) == sorted(
        (getattr(district, name).pk, AuditAction.VIEW_STUDENT, "api") for name in allowed
    )
    missing = {
        item["work"]["title"] for item in body["needs_attention"] if item["kind"] == "missing"
    }
    expected = {title(c) for name in allowed for c in classes_of(name)}
    assert missing == expected
    html = client_for(user).get("/").content.decode()
    for class_name in CLASSES:
        assert (title(class_name) in html) == (title(class_name) in expected), (viewer, class_name)
    assert ("family-overview-heading" in html) == bool(allowed)


@pytest.mark.parametrize(
    "path",
    [
        "/family/children/1/",
        "/family/children/1/print/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/api/v1/family/overview", "/api/v1/family/children/1"])
def test_anonymous_api_callers_get_401(db, path):
    response = Client().get(path)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_jordan_never_sees_a_grade_even_where_leo_has_them(district):
    p = district
    for path in (
        "/",
        f"/family/children/{p.leo.pk}/",
        f"/family/children/{p.leo.pk}/print/",
    ):
        html = client_for(p.jordan).get(path).content.decode()
        assert "Comment for leo" in html
        assert "7.25" not in html
        assert 'class="fam-score' not in html
    body = api_client_for(p.jordan).get(f"/api/v1/family/children/{p.leo.pk}").json()
    assert "7.25" not in str(body)
    assert [view["grade"] for view in body["classes"]] == [None, None]
