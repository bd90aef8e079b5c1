"""Authorization of the teacher's classwork pages and API, as a matrix: every page and endpoint x
every persona x every class.

Expectations are written out by hand. A class's teachers (and aides) see and change its work;
admins of its school (or district) see it read-only, and a change they send is refused with 403;
for everyone else, students and guardians included (Jordan, Eve), it does not exist (404), and
nothing of it is shown or changed. Views of students' work leave one audit entry per student.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ModuleData, each_test
from tests.authorization import CLASSES, RIVERSIDE_STUDENTS_AND_ADULTS, api_client_for, client_for
from village.classwork.models import (
    Assignment,
    ClassEvent,
    Feedback,
    GradingCategory,
    Rubric,
    Topic,
)
from village.classwork.services.events import class_event_create
from village.classwork.services.feedback import feedback_save
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.classwork.services.topics import topic_create
from village.classwork.tests.factories import assignment, hand_in
from village.core.models import AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

PERSONAS = RIVERSIDE_STUDENTS_AND_ADULTS
# A student of each class, whose work is graded in the matrix.
STUDENT_OF = {
    "homeroom5": "ada",
    "science8": "leo",
    "math8": "leo",
    "sister_class": "mina",
    "other_class": "finn",
}
# Students each class's gradebook shows.
STUDENTS_IN = {
    "homeroom5": 2,
    "science8": 1,
    "math8": 1,
    "sister_class": 1,
    "other_class": 1,
}

# viewer -> classes they teach (see and change)
TEACHES = {
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "park": {"sister_class"},
    "stone": {"other_class"},
}
# viewer -> classes they see read-only as admins of the school or district
ADMIN_VIEWS = {
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
}


def sees(viewer: str, name: str) -> bool:
    return name in TEACHES.get(viewer, set()) | ADMIN_VIEWS.get(viewer, set())


def expected_read(viewer: str, name: str) -> int:
    return 200 if sees(viewer, name) else 404


def expected_change(viewer: str, name: str, ok: int) -> int:
    if name in TEACHES.get(viewer, set()):
        return ok
    return 403 if sees(viewer, name) else 404


Calendar = dict[str, tuple[Topic, ClassEvent, ClassEvent]]
Rubrics = dict[str, tuple[Rubric, Rubric]]


@dataclass
class World:
    work: dict[str, Assignment]
    calendar: Calendar
    rubrics: Rubrics


def _work(personas: Personas) -> dict[str, Assignment]:
    """One published piece of work in each class, handed in by the class's student."""
    found = {}
    for name in CLASSES:
        found[name] = assignment(getattr(personas, name), f"Work of {name}", due_in_days=-1)
        hand_in(found[name], getattr(personas, STUDENT_OF[name]), days_ago=2)
    return found


def _calendar(personas: Personas) -> Calendar:
    """A topic and two events in each class: one event to edit, one to delete."""
    found = {}
    today, start = timezone.localdate(), timezone.now() + dt.timedelta(days=3)
    for name in CLASSES:
        school_class = getattr(personas, name)
        topic = topic_create(
            school_class=school_class, title=f"Topic of {name}", starts_on=today, ends_on=today
        )
        trip = class_event_create(
            school_class=school_class, title=f"Trip of {name}", starts_at=start
        )
        show = class_event_create(
            school_class=school_class, title=f"Show of {name}", starts_at=start
        )
        found[name] = (topic, trip, show)
    return found


def _rubrics(personas: Personas) -> Rubrics:
    """Two rubrics in each class: one to edit, one to delete."""
    found = {}
    criteria = [CriterionSpec(title="Care", levels=[LevelSpec("Done", Decimal(2))])]
    for name in CLASSES:
        school_class = getattr(personas, name)
        rubric = rubric_create(
            school_class=school_class, title=f"Rubric of {name}", criteria=criteria
        )
        doomed = rubric_create(
            school_class=school_class, title=f"Doomed of {name}", criteria=criteria
        )
        found[name] = (rubric, doomed)
    return found


def _build(personas: Personas) -> World:
    return World(_work(personas), _calendar(personas), _rubrics(personas))


@pytest.fixture(scope="module")
def _world(module_data: ModuleData | None) -> World | None:
    """The work, calendars and rubrics of every class, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def world(personas: Personas, _world: World | None) -> World:
    return each_test(_world, personas, _build)


@pytest.fixture
def work(world: World) -> dict[str, Assignment]:
    return world.work


@pytest.fixture
def calendar(world: World) -> Calendar:
    return world.calendar


@pytest.fixture
def rubrics(world: World) -> Rubrics:
    return world.rubrics


def audited(before: int) -> int:
    return AuditEvent.objects.count() - before


@pytest.mark.parametrize("viewer", PERSONAS)
def test_class_pages_matrix(personas, work, calendar, rubrics, viewer):
    client = client_for(getattr(personas, viewer))
    for name in CLASSES:
        school_class = getattr(personas, name)
        base = f"/work/classes/{school_class.pk}/"
        read = expected_read(viewer, name)
        assert client.get(base).status_code == read, (viewer, name)
        before = AuditEvent.objects.count()
        response = client.get(base + "gradebook/")
        assert response.status_code == read, (viewer, name)
        assert audited(before) == (STUDENTS_IN[name] if read == 200 else 0), (viewer, name)
        if read == 404:
            assert f"Work of {name}".encode() not in response.content
        topic, trip, show = calendar[name]
        rubric, doomed = rubrics[name]
        for path in (
            "settings/",
            "topics/new/",
            f"topics/{topic.pk}/delete/",
            "events/new/",
            f"events/{trip.pk}/",
            f"events/{show.pk}/delete/",
            "assignments/new/",
            "rubrics/",
            "rubrics/new/",
            f"rubrics/{rubric.pk}/",
            f"rubrics/{doomed.pk}/delete/",
        ):
            status = client.get(base + path).status_code
            assert status == expected_change(viewer, name, 200), (viewer, name, path)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_assignment_pages_matrix(personas, work, viewer):
    client = client_for(getattr(personas, viewer))
    for name in CLASSES:
        school_class = getattr(personas, name)
        piece = work[name]
        student = getattr(personas, STUDENT_OF[name])
        manage = f"/work/classes/{school_class.pk}/assignments/{piece.pk}/"
        read = expected_read(viewer, name)
        before = AuditEvent.objects.count()
        response = client.get(manage)
        assert response.status_code == read, (viewer, name)
        assert audited(before) == (STUDENTS_IN[name] if read == 200 else 0), (viewer, name)
        if read == 404:
            assert student.last_name.encode() not in response.content
        assert client.get(manage + "edit/").status_code == expected_change(viewer, name, 200)
        grade = f"/work/assignments/{piece.pk}/grade/{student.pk}/"
        before = AuditEvent.objects.count()
        assert client.get(grade).status_code == read, (viewer, name)
        assert audited(before) == (1 if read == 200 else 0), (viewer, name)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_changes_are_made_only_by_the_class_teachers(personas, work, calendar, rubrics, viewer):
    client = client_for(getattr(personas, viewer))
    now = timezone.localtime()
    for name in CLASSES:
        school_class = getattr(personas, name)
        piece = work[name]
        student = getattr(personas, STUDENT_OF[name])
        posted = client.post(
            f"/work/classes/{school_class.pk}/assignments/new/",
            {
                "title": f"New work by {viewer}",
                "assign_at": now.strftime("%Y-%m-%dT%H:%M"),
                "grading": "points",
                "points": "5",
                "criteria_count": "3",
            },
        )
        assert posted.status_code == expected_change(viewer, name, 302), (viewer, name)
        graded = client.post(
            f"/work/assignments/{piece.pk}/grade/{student.pk}/",
            {"score": "5", "comment": f"From {viewer}", "action": "return"},
        )
        assert graded.status_code == expected_change(viewer, name, 302), (viewer, name)
        topic = client.post(
            f"/work/classes/{school_class.pk}/topics/new/",
            {"title": f"Topic by {viewer}", "starts_on": "2026-01-05", "ends_on": "2026-01-09"},
        )
        assert topic.status_code == expected_change(viewer, name, 302), (viewer, name)
        old_topic, trip, show = calendar[name]
        base = f"/work/classes/{school_class.pk}/"
        edited = client.post(
            f"{base}events/{trip.pk}/",
            {"title": f"Event by {viewer}", "starts_at": now.strftime("%Y-%m-%dT%H:%M")},
        )
        assert edited.status_code == expected_change(viewer, name, 302), (viewer, name)
        removed = client.post(f"{base}topics/{old_topic.pk}/delete/")
        assert removed.status_code == expected_change(viewer, name, 302), (viewer, name)
        removed = client.post(f"{base}events/{show.pk}/delete/")
        assert removed.status_code == expected_change(viewer, name, 302), (viewer, name)
        created = client.post(
            f"{base}rubrics/new/",
            {
                "title": f"Rubric by {viewer}",
                "criteria_count": "1",
                "levels_count": "1",
                "criterion_1": "Care",
                "criterion_1_level_1": "Done",
                "criterion_1_points_1": "2",
            },
        )
        assert created.status_code == expected_change(viewer, name, 302), (viewer, name)
        rubric, doomed = rubrics[name]
        renamed = client.post(f"{base}rubrics/{rubric.pk}/", {"title": f"Renamed by {viewer}"})
        assert renamed.status_code == expected_change(viewer, name, 302), (viewer, name)
        removed = client.post(f"{base}rubrics/{doomed.pk}/delete/")
        assert removed.status_code == expected_change(viewer, name, 302), (viewer, name)
    allowed = TEACHES.get(viewer, set())
    assert Assignment.objects.filter(title=f"New work by {viewer}").count() == len(allowed)
    assert Feedback.objects.filter(comment=f"From {viewer}").count() == len(allowed)
    assert Topic.objects.filter(title=f"Topic by {viewer}").count() == len(allowed)
    assert ClassEvent.objects.filter(title=f"Event by {viewer}").count() == len(allowed)
    assert Rubric.objects.filter(title=f"Rubric by {viewer}").count() == len(allowed)
    assert Rubric.objects.filter(title=f"Renamed by {viewer}").count() == len(allowed)
    kept = set(CLASSES) - allowed
    assert set(
        Topic.objects.filter(title__startswith="Topic of ").values_list("title", flat=True)
    ) == {f"Topic of {name}" for name in kept}
    assert set(
        ClassEvent.objects.filter(title__startswith="Show of ").values_list("title", flat=True)
    ) == {f"Show of {name}" for name in kept}
    assert set(
        Rubric.objects.filter(title__startswith="Doomed of ").values_list("title", flat=True)
    ) == {f"Doomed of {name}" for name in kept}


def test_a_teacher_cannot_grade_a_student_of_another_class_on_their_work(personas, work):
    # Leo is Ms. Rivera's student in science, not in her homeroom.
    client = client_for(personas.rivera)
    url = f"/work/assignments/{work['homeroom5'].pk}/grade/{personas.leo.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"score": "1", "action": "return"}).status_code == 404
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("viewer", PERSONAS)
def test_the_home_panel_shows_only_the_classes_taught(personas, work, viewer):
    html = client_for(getattr(personas, viewer)).get("/").content.decode()
    shown = {name for name in CLASSES if f'id="glance-{getattr(personas, name).pk}"' in html}
    assert shown == TEACHES.get(viewer, set())


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", PERSONAS)
def test_class_endpoints_matrix(personas, work, viewer):
    api = api_client_for(getattr(personas, viewer))
    for name in CLASSES:
        school_class = getattr(personas, name)
        base = f"/api/v1/classwork/classes/{school_class.pk}"
        read = expected_read(viewer, name)
        listed = api.get(base + "/assignments")
        assert listed.status_code == read, (viewer, name)
        if read == 200:
            assert [item["title"] for item in listed.json()["items"]] == [f"Work of {name}"]
        else:
            assert listed.json() == {"detail": "No such class."}
        assert api.get(base + "/topics").status_code == read
        assert api.get(base + "/categories").status_code == read
        created = api.post(
            base + "/assignments",
            {"title": f"API work by {viewer}", "points": "5"},
            content_type="application/json",
        )
        assert created.status_code == expected_change(viewer, name, 201), (viewer, name)
        category = api.post(
            base + "/categories",
            {"name": f"Kind by {viewer}", "weight": "10"},
            content_type="application/json",
        )
        assert category.status_code == expected_change(viewer, name, 201), (viewer, name)
    allowed = TEACHES.get(viewer, set())
    assert Assignment.objects.filter(title=f"API work by {viewer}").count() == len(allowed)
    assert GradingCategory.objects.filter(name=f"Kind by {viewer}").count() == len(allowed)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_assignment_endpoints_matrix(personas, work, viewer):
    api = api_client_for(getattr(personas, viewer))
    for name in CLASSES:
        piece = work[name]
        student = getattr(personas, STUDENT_OF[name])
        base = f"/api/v1/classwork/assignments/{piece.pk}"
        read = expected_read(viewer, name)
        assert api.get(base).status_code == read, (viewer, name)
        before = AuditEvent.objects.filter(channel="api").count()
        statuses = api.get(base + "/work")
        assert statuses.status_code == read, (viewer, name)
        written = AuditEvent.objects.filter(channel="api").count() - before
        assert written == (STUDENTS_IN[name] if read == 200 else 0), (viewer, name)
        if read == 404:
            assert student.last_name not in statuses.content.decode()
        patched = api.patch(
            base, {"title": f"Renamed by {viewer}"}, content_type="application/json"
        )
        assert patched.status_code == expected_change(viewer, name, 200), (viewer, name)
        put = api.put(
            f"{base}/feedback/{student.pk}",
            {"score": "4", "comment": f"API from {viewer}"},
            content_type="application/json",
        )
        assert put.status_code == expected_change(viewer, name, 200), (viewer, name)
    allowed = TEACHES.get(viewer, set())
    assert Assignment.objects.filter(title=f"Renamed by {viewer}").count() == len(allowed)
    assert Feedback.objects.filter(comment=f"API from {viewer}").count() == len(allowed)
    assert not Feedback.objects.exclude(score=Decimal(4)).exists()


@pytest.mark.parametrize("viewer", PERSONAS)
def test_discarding_changes_to_returned_feedback_matrix(personas, work, viewer):
    """Only the class's teachers discard the changes kept for returned feedback; an admin is
    refused with 403, and for everyone else (a student, a guardian, another teacher, Eve) the
    feedback does not exist. The changes stay unless discarded by a teacher of the class."""
    for name in CLASSES:
        student = getattr(personas, STUDENT_OF[name])
        feedback_save(
            assignment=work[name],
            student=student,
            graded_by=None,
            score=Decimal(8),
            comment=f"Returned in {name}",
            return_to_student=True,
        )
        feedback_save(
            assignment=work[name],
            student=student,
            graded_by=None,
            score=Decimal(3),
            comment=f"Changes in {name}",
        )
    api = api_client_for(getattr(personas, viewer))
    for name in CLASSES:
        student = getattr(personas, STUDENT_OF[name])
        url = f"/api/v1/classwork/assignments/{work[name].pk}/feedback/{student.pk}/changes"
        response = api.delete(url)
        assert response.status_code == expected_change(viewer, name, 200), (viewer, name)
        assert f"Changes in {name}" not in response.content.decode(), (viewer, name)
        if response.status_code == 404:
            assert f"Returned in {name}" not in response.content.decode(), (viewer, name)
    kept = set(CLASSES) - TEACHES.get(viewer, set())
    assert set(
        Feedback.objects.filter(draft_saved_at__isnull=False).values_list(
            "draft_comment", flat=True
        )
    ) == {f"Changes in {name}" for name in kept}
    assert set(Feedback.objects.values_list("comment", flat=True)) == {
        f"Returned in {name}" for name in CLASSES
    }


# --- anonymous visitors ----------------------------------------------------------------------


@pytest.fixture
def paths(personas, work, calendar, rubrics) -> list[str]:
    c, a, s = personas.homeroom5.pk, work["homeroom5"].pk, personas.ada.pk
    t, e, _show = (row.pk for row in calendar["homeroom5"])
    r = rubrics["homeroom5"][0].pk
    return [
        f"/work/classes/{c}/",
        f"/work/classes/{c}/gradebook/",
        f"/work/classes/{c}/settings/",
        f"/work/classes/{c}/topics/new/",
        f"/work/classes/{c}/topics/{t}/delete/",
        f"/work/classes/{c}/events/new/",
        f"/work/classes/{c}/events/{e}/",
        f"/work/classes/{c}/events/{e}/delete/",
        f"/work/classes/{c}/assignments/new/",
        f"/work/classes/{c}/rubrics/",
        f"/work/classes/{c}/rubrics/new/",
        f"/work/classes/{c}/rubrics/{r}/",
        f"/work/classes/{c}/rubrics/{r}/delete/",
        f"/work/classes/{c}/assignments/{a}/",
        f"/work/classes/{c}/assignments/{a}/edit/",
        f"/work/assignments/{a}/grade/{s}/",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(paths):
    for path in paths:
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith("/accounts/login/")
    assert Assignment.objects.count() == len(CLASSES)
    assert Topic.objects.count() == len(CLASSES)
    assert ClassEvent.objects.count() == 2 * len(CLASSES)
    assert Rubric.objects.count() == 2 * len(CLASSES)


def test_anonymous_api_callers_get_401(personas, work):
    c, a, s = personas.homeroom5.pk, work["homeroom5"].pk, personas.ada.pk
    client = Client()
    base = "/api/v1/classwork"
    for path in (
        f"{base}/classes/{c}/assignments",
        f"{base}/classes/{c}/topics",
        f"{base}/classes/{c}/categories",
        f"{base}/assignments/{a}",
        f"{base}/assignments/{a}/work",
    ):
        assert client.get(path).status_code == 401, path
    assert client.post(f"{base}/classes/{c}/assignments", {}).status_code == 401
    assert client.patch(f"{base}/assignments/{a}", {}).status_code == 401
    assert client.put(f"{base}/assignments/{a}/feedback/{s}", {}).status_code == 401
    assert client.delete(f"{base}/assignments/{a}/feedback/{s}/changes").status_code == 401
