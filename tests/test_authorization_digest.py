"""Authorization matrix for the weekly family digest and the teacher's weekly note: every page
and endpoint x every persona x every class (and family). What may not be seen is a 404 (the
sign-in page or 401 when anonymous), never data; an allowed view of students' records leaves an
audit entry for each child shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ModuleData, each_test
from tests.authorization import CLASSES, EVERYONE, api_client_for, client_for
from village.classwork.models import Assignment, Feedback, WeeklyNote
from village.classwork.services.notes import weekly_note_save
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas
from village.notifications.models import Digest, DigestPeriod

pytestmark = pytest.mark.django_db

PERSONAS = EVERYONE
GUARDIANS = {"sam", "jordan", "olga", "eve"}
# viewer -> classes they teach (or assist in)
TEACHES = {
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "park": {"sister_class"},
    "stone": {"other_class"},
}
# viewer -> classes of the schools they administer
ADMINISTERS = {
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
}
# class -> the guardians of its students (the families its digests reach)
FAMILIES = {
    "homeroom5": {"sam"},
    "science8": {"sam", "jordan"},
    "math8": {"sam", "jordan"},
    "sister_class": {"olga"},
    "other_class": {"eve"},
}


def _build(personas: Personas) -> Personas:
    """In every class: feedback with a comment and a score on the student's work, and the
    teacher's note; and a digest of this week for every guardian, which Sam confirmed."""
    now = timezone.now()
    for class_name, student_name in CLASSES.items():
        school_class = getattr(personas, class_name)
        student = getattr(personas, student_name)
        work = Assignment.objects.create(
            school_class=school_class,
            title=f"Work of {class_name}",
            assign_at=now - dt.timedelta(days=5),
            due_at=now - dt.timedelta(days=2),
            points=Decimal(10),
        )
        Feedback.objects.create(
            assignment=work,
            student=student,
            score=Decimal("7.25"),
            comment=f"Comment in {class_name}",
            returned_at=now - dt.timedelta(hours=6),
        )
        teacher = next(name for name, taught in TEACHES.items() if class_name in taught)
        weekly_note_save(
            school_class=school_class,
            student=student,
            author=getattr(personas, teacher),
            text=f"Note in {class_name}",
        )
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    for name in GUARDIANS:
        Digest.objects.create(
            recipient=getattr(personas, name),
            period=DigestPeriod.WEEKLY,
            starts=monday,
            created_at=now - dt.timedelta(days=1),
            children=[],
            confirmed_at=now if name == "sam" else None,
        )
    return personas


@pytest.fixture(scope="module")
def _district(module_data: ModuleData | None) -> Personas | None:
    """The feedback, notes and digests, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def district(personas: Personas, _district: Personas | None) -> Personas:
    return each_test(_district, personas, _build)


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audited(before: int) -> set[int | None]:
    return set(
        AuditEvent.objects.filter(pk__gt=before, action=AuditAction.VIEW_STUDENT).values_list(
            "student_id", flat=True
        )
    )


@pytest.mark.parametrize("viewer", PERSONAS)
def test_a_guardians_own_digest_preview_matrix(district, viewer):
    before = last_id()
    response = client_for(getattr(district, viewer)).get("/notifications/digest/")
    html = response.content.decode()
    if viewer not in GUARDIANS:
        assert response.status_code == 404, viewer
        assert "Comment in" not in html
        assert audited(before) == set()
        return
    assert response.status_code == 200, viewer
    own = {class_name for class_name, families in FAMILIES.items() if viewer in families}
    for class_name in CLASSES:
        assert (f"Comment in {class_name}" in html) == (class_name in own), (viewer, class_name)
        assert (f"Note in {class_name}" in html) == (class_name in own), (viewer, class_name)
    assert ("7.25" in html or "7,25" in html) == (viewer != "jordan")
    children = {getattr(district, CLASSES[class_name]).pk for class_name in own}
    assert audited(before) == children


@pytest.mark.parametrize("viewer", PERSONAS)
def test_a_class_digest_report_and_its_printed_copy_matrix(district, viewer):
    client = client_for(getattr(district, viewer))
    allowed = TEACHES.get(viewer, set()) | ADMINISTERS.get(viewer, set())
    for class_name in CLASSES:
        school_class = getattr(district, class_name)
        for path in (
            f"/notifications/classes/{school_class.pk}/digests/",
            f"/notifications/classes/{school_class.pk}/digests/print/",
        ):
            before = last_id()
            response = client.get(path)
            html = response.content.decode()
            student = getattr(district, CLASSES[class_name])
            if class_name in allowed:
                assert response.status_code == 200, (viewer, path)
                assert audited(before) == {student.pk}, (viewer, path)
                if path.endswith("/digests/"):
                    for guardian in FAMILIES[class_name]:
                        assert getattr(district, guardian).last_name in html
            else:
                assert response.status_code == 404, (viewer, path)
                assert audited(before) == set()
                assert student.first_name not in html


@pytest.mark.parametrize("viewer", PERSONAS)
def test_a_teachers_preview_of_a_familys_digest_matrix(district, viewer):
    """Only the class's teachers, only a family of the class, and in it only their classes."""
    client = client_for(getattr(district, viewer))
    taught = TEACHES.get(viewer, set())
    for class_name in CLASSES:
        school_class = getattr(district, class_name)
        for guardian_name in sorted(GUARDIANS):
            guardian = getattr(district, guardian_name)
            path = f"/notifications/classes/{school_class.pk}/digests/families/{guardian.pk}/"
            before = last_id()
            response = client.get(path)
            html = response.content.decode()
            if class_name in taught and guardian_name in FAMILIES[class_name]:
                assert response.status_code == 200, (viewer, path)
                for other in CLASSES:
                    shown = other in taught and guardian_name in FAMILIES[other]
                    assert (f"Comment in {other}" in html) == shown, (viewer, path, other)
                assert ("7.25" in html or "7,25" in html) == (guardian_name != "jordan")
                assert audited(before)  # the children shown
            else:
                assert response.status_code == 404, (viewer, path)
                assert "Comment in" not in html
                assert audited(before) == set()


@pytest.mark.parametrize("viewer", PERSONAS)
def test_the_weekly_note_page_and_endpoints_matrix(district, viewer):
    """Only the class's teachers (and aides) write notes: admins too get a 404."""
    user = getattr(district, viewer)
    web, api = client_for(user), api_client_for(user)
    taught = TEACHES.get(viewer, set())
    for class_name, student_name in CLASSES.items():
        school_class = getattr(district, class_name)
        student = getattr(district, student_name)
        page = f"/work/classes/{school_class.pk}/notes/{student.pk}/"
        listing = f"/api/v1/classwork/classes/{school_class.pk}/weekly-notes"
        endpoint = f"/api/v1/classwork/classes/{school_class.pk}/students/{student.pk}/weekly-note"
        body = {"text": f"Written by {viewer}"}
        answers = {
            "page": web.get(page).status_code,
            "save": web.post(page, body).status_code,
            "list": api.get(listing).status_code,
            "put": api.put(endpoint, body, content_type="application/json").status_code,
        }
        expected = (
            {"page": 200, "save": 302, "list": 200, "put": 200}
            if class_name in taught
            else {"page": 404, "save": 404, "list": 404, "put": 404}
        )
        assert answers == expected, (viewer, class_name)
        written = WeeklyNote.objects.filter(school_class=school_class, text=body["text"])
        assert written.exists() == (class_name in taught)


def test_a_teacher_writes_notes_only_for_students_of_the_class(district):
    p = district
    web = client_for(p.rivera)
    assert web.get(f"/work/classes/{p.science8.pk}/notes/{p.ada.pk}/").status_code == 404
    path = f"/api/v1/classwork/classes/{p.science8.pk}/students/{p.mina.pk}/weekly-note"
    answer = api_client_for(p.rivera).put(path, {"text": "x"}, content_type="application/json")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/notifications/digest/",
        "/notifications/classes/1/digests/",
        "/notifications/classes/1/digests/print/",
        "/notifications/classes/1/digests/families/1/",
        "/work/classes/1/notes/1/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/classwork/classes/1/weekly-notes",
        "/api/v1/classwork/classes/1/students/1/weekly-note",
    ],
)
def test_anonymous_api_callers_get_401(db, path):
    response = Client().get(path) if path.endswith("notes") else Client().put(path, {})
    assert response.status_code == 401
