"""Authorization matrix for the student's pages, the shared assignment page, the downloads and the
student API: every page and endpoint x every persona x every class.

Expectations are written out by hand (not derived from the policy under test). What may not be
seen is a 404 (a redirect to sign in when anonymous, 401 in the API), never data; a guardian's
view of an assignment leaves one audit entry per child shown; nothing is written by a refused
hand-in.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from conftest import ModuleData, each_test
from tests.authorization import CLASSES, EVERYONE, STUDENTS
from village.classwork.models import Assignment, AssignmentMaterial, Submission
from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.test_student_support import (
    PDF,
    api_client_for,
    assignment,
    client_for,
    give_feedback,
    material_file,
    media_root,
    upload,
)
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

PERSONAS = EVERYONE

# viewer -> classes whose assignment page they see as a student of the class
AS_STUDENT = {
    "ada": {"homeroom5"},
    "maya": {"homeroom5"},
    "leo": {"science8", "math8"},
    "mina": {"sister_class"},
    "finn": {"other_class"},
}
# viewer -> classes whose assignment page they see as a guardian, and the child shown there
AS_GUARDIAN = {
    "sam": {"homeroom5": "ada", "science8": "leo", "math8": "leo"},
    "jordan": {"science8": "leo", "math8": "leo"},
    "olga": {"sister_class": "mina"},
    "eve": {"other_class": "finn"},
}
# viewer -> classes whose assignments they manage elsewhere (redirected to the teacher's page)
AS_STAFF = {
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "park": {"sister_class"},
    "stone": {"other_class"},
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
}
# the student of each class whose handed-in file the matrix tries to open
FILE_OWNER = {
    "homeroom5": "ada",
    "science8": "leo",
    "math8": "leo",
    "sister_class": "mina",
    "other_class": "finn",
}
# viewer -> guardians whose link allows grades for the child shown
SEES_GRADES = {"sam", "olga", "eve"}


Work = dict[str, tuple[Assignment, AssignmentMaterial, Submission]]


def _build(personas: Personas) -> Work:
    """In each class: a family-visible assignment with a material file, and one handed-in file
    with returned feedback (grade 7 out of 10, comment "Keep going")."""
    built = {}
    for name in CLASSES:
        school_class = getattr(personas, name)
        piece = assignment(school_class, f"Work of {name}")
        owner = getattr(personas, FILE_OWNER[name])
        submission = submission_hand_in(
            student=owner, assignment=piece, file=upload(f"{name}.pdf", PDF)
        )
        give_feedback(piece, owner, comment="Keep going", score=Decimal(7))
        built[name] = (piece, material_file(piece), submission)
    return built


@pytest.fixture(scope="module")
def _work(
    module_data: ModuleData | None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Work, Path] | None:
    """The work of every class, built once for the module (files in its own folder)."""
    if module_data is None:
        return None
    media = tmp_path_factory.mktemp("media")
    return module_data.build(_build, MEDIA_ROOT=media), media


@pytest.fixture
def work(personas: Personas, _work: tuple[Work, Path] | None, settings, media_root: Path) -> Work:
    if _work is None:
        return _build(personas)
    shared, media = _work
    settings.MEDIA_ROOT = media
    return each_test(shared, personas, _build)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_my_work_page_and_endpoint_matrix(personas, work, viewer):
    user = getattr(personas, viewer)
    expected = 200 if viewer in STUDENTS else 404
    page = client_for(user).get("/work/")
    assert page.status_code == expected
    endpoint = api_client_for(user).get("/api/v1/my-work")
    assert endpoint.status_code == expected
    if viewer in STUDENTS:
        own = {f"Work of {name}" for name in AS_STUDENT[viewer]}
        body = endpoint.json()
        titles = {item["title"] for part in ("to_do", "missing", "done") for item in body[part]}
        assert titles == own
        for name in CLASSES:
            assert (f"Work of {name}" in page.content.decode()) == (name in AS_STUDENT[viewer])


@pytest.mark.parametrize("viewer", PERSONAS)
def test_assignment_page_matrix(personas, work, viewer):
    user = getattr(personas, viewer)
    client = client_for(user)
    for name in CLASSES:
        piece, _material, _submission = work[name]
        before = AuditEvent.objects.count()
        response = client.get(f"/work/assignments/{piece.pk}/")
        html = response.content.decode()
        written = list(AuditEvent.objects.order_by("id")[before:])
        if name in AS_STAFF.get(viewer, set()):
            assert response.status_code == 302, (viewer, name)
            assert response["Location"] == (
                f"/work/classes/{piece.school_class_id}/assignments/{piece.pk}/"
            )
            assert written == []
        elif name in AS_STUDENT.get(viewer, set()):
            assert response.status_code == 200, (viewer, name)
            # a classmate's feedback is not theirs to read
            assert ("Keep going" in html) == (FILE_OWNER[name] == viewer), (viewer, name)
            assert 'enctype="multipart/form-data"' in html
            assert written == []
        elif name in AS_GUARDIAN.get(viewer, {}):
            child = getattr(personas, AS_GUARDIAN[viewer][name])
            assert response.status_code == 200, (viewer, name)
            assert "Keep going" in html
            # Sam reads Spanish ("7 de 10"): look for the grade line itself.
            assert ('class="feedback-grade"' in html) == (viewer in SEES_GRADES), (viewer, name)
            assert [(e.actor_id, e.student_id, e.action) for e in written] == [
                (user.pk, child.pk, AuditAction.VIEW_STUDENT)
            ]
        else:
            assert response.status_code == 404, (viewer, name)
            assert f"Work of {name}" not in html
            assert written == []


@pytest.mark.parametrize("viewer", PERSONAS)
def test_hand_in_matrix(personas, work, viewer):
    """Only students of the class hand in, on the page and through the API."""
    user = getattr(personas, viewer)
    web = client_for(user)
    api = api_client_for(user)
    for name in CLASSES:
        piece, _material, _submission = work[name]
        before = Submission.objects.count()
        page = web.post(f"/work/assignments/{piece.pk}/", {"text": "From the page"})
        endpoint = api.post(
            f"/api/v1/my-work/assignments/{piece.pk}/submissions",
            json.dumps({"text": "From the API"}),
            content_type="application/json",
        )
        if name in AS_STUDENT.get(viewer, set()):
            assert (page.status_code, endpoint.status_code) == (302, 201), (viewer, name)
            assert Submission.objects.count() == before + 2
            continue
        expected_page = (
            302
            if name in AS_STAFF.get(viewer, set())
            else 403
            if name in AS_GUARDIAN.get(viewer, {})
            else 404
        )
        assert page.status_code == expected_page, (viewer, name)
        assert endpoint.status_code == 404, (viewer, name)
        assert Submission.objects.count() == before


@pytest.mark.parametrize("viewer", PERSONAS)
def test_student_assignment_endpoints_matrix(personas, work, viewer):
    api = api_client_for(getattr(personas, viewer))
    for name in CLASSES:
        piece, _material, _submission = work[name]
        expected = 200 if name in AS_STUDENT.get(viewer, set()) else 404
        detail = api.get(f"/api/v1/my-work/assignments/{piece.pk}")
        attempts = api.get(f"/api/v1/my-work/assignments/{piece.pk}/submissions")
        assert (detail.status_code, attempts.status_code) == (expected, expected), (viewer, name)
        if expected == 200:
            mine = FILE_OWNER[name] == viewer
            assert len(attempts.json()) == (1 if mine else 0)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_download_matrix(personas, work, viewer):
    """Handed-in files: the student who handed in, staff of the class and the guardians who see
    the student's classwork. Materials: anyone who sees the assignment."""
    client = client_for(getattr(personas, viewer))
    for name in CLASSES:
        _piece, material, submission = work[name]
        own_file = FILE_OWNER[name] == viewer
        staff = name in AS_STAFF.get(viewer, set())
        family = AS_GUARDIAN.get(viewer, {}).get(name) == FILE_OWNER[name]
        response = client.get(f"/work/submissions/{submission.pk}/file/")
        expected = 200 if own_file or staff or family else 404
        assert response.status_code == expected, (viewer, name)
        sees_work = (
            staff or name in AS_STUDENT.get(viewer, set()) or name in AS_GUARDIAN.get(viewer, {})
        )
        response = client.get(f"/work/materials/{material.pk}/file/")
        assert response.status_code == (200 if sees_work else 404), (viewer, name)


def test_anonymous_visitors_are_sent_to_sign_in(personas, work):
    piece, material, submission = work["homeroom5"]
    for path in (
        "/work/",
        f"/work/assignments/{piece.pk}/",
        f"/work/submissions/{submission.pk}/file/",
        f"/work/materials/{material.pk}/file/",
    ):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    response = Client().post(f"/work/assignments/{piece.pk}/", {"text": "x"})
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_api_callers_get_401(personas, work):
    piece, _material, _submission = work["homeroom5"]
    for path in (
        "/api/v1/my-work",
        f"/api/v1/my-work/assignments/{piece.pk}",
        f"/api/v1/my-work/assignments/{piece.pk}/submissions",
    ):
        assert Client().get(path).status_code == 401, path
    response = Client().post(
        f"/api/v1/my-work/assignments/{piece.pk}/submissions",
        json.dumps({"text": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
