"""Downloads of handed-in files and assignment materials: who may open them, and how they are
sent (as attachments, under their own name, never guessed or run by the browser)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.test_student_support import (
    PDF,
    assignment,
    client_for,
    material_file,
    material_link,
    media_root,
    upload,
)
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def ada_file(personas, media_root):
    work = assignment(personas.homeroom5)
    return submission_hand_in(
        student=personas.ada,
        assignment=work,
        file=upload("Ada’s poster (final).pdf", PDF, content_type="text/html"),  # noqa: RUF001
    )


def file_url(submission) -> str:
    return reverse("classwork:submission_file", args=[submission.pk])


def test_the_student_downloads_their_own_file_under_its_original_name(personas, ada_file):
    response = client_for(personas.ada).get(file_url(ada_file))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Ada%E2%80%99s%20poster%20%28final%29.pdf"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["rivera", "nguyen", "priya"])
def test_staff_of_the_class_download_it_and_the_view_is_audited(personas, ada_file, persona):
    viewer = getattr(personas, persona)
    response = client_for(viewer).get(file_url(ada_file))
    assert response.status_code == 200
    assert body(response) == PDF
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.student_id, event.action, event.organisation_id) == (
        viewer.pk,
        personas.ada.pk,
        AuditAction.VIEW_STUDENT,
        personas.school.pk,
    )


@pytest.mark.parametrize(
    "persona", ["maya", "leo", "jordan", "chen", "park", "stone", "olga", "eve", "library"]
)
def test_everyone_else_gets_404_for_a_handed_in_file(personas, ada_file, persona):
    response = client_for(getattr(personas, persona)).get(file_url(ada_file))
    assert response.status_code == 404
    assert PDF not in response.content
    assert not AuditEvent.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_for_a_file(personas, ada_file):
    response = Client().get(file_url(ada_file))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_attempt_without_a_file_has_nothing_to_download(personas, media_root):
    work = assignment(personas.homeroom5)
    text_only = submission_hand_in(student=personas.ada, assignment=work, text="Just words")
    assert client_for(personas.ada).get(file_url(text_only)).status_code == 404


def test_a_file_missing_from_storage_is_404_not_an_error(personas, ada_file):
    ada_file.file.storage.delete(ada_file.file.name)
    assert client_for(personas.ada).get(file_url(ada_file)).status_code == 404


def test_uploads_are_never_served_from_a_public_address(personas, ada_file, settings):
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    for prefix in ("/", "/media/"):
        response = client_for(personas.ada).get(prefix + ada_file.file.name)
        assert response.status_code == 404


# --- materials ----------------------------------------------------------------------------------


def material_url(material) -> str:
    return reverse("classwork:material_file", args=[material.pk])


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("ada", True),
        ("maya", True),
        ("sam", True),
        ("rivera", True),
        ("nguyen", True),
        ("priya", True),
        ("leo", False),
        ("jordan", False),
        ("chen", False),
        ("park", False),
        ("stone", False),
        ("olga", False),
        ("eve", False),
        ("library", False),
    ],
)
def test_a_material_file_is_for_those_who_see_the_assignment(
    personas, media_root, persona, allowed
):
    material = material_file(assignment(personas.homeroom5))
    response = client_for(getattr(personas, persona)).get(material_url(material))
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert body(response) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert "worksheet" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_material_of_work_kept_from_families_is_not_for_guardians(personas, media_root):
    material = material_file(assignment(personas.homeroom5, visible_to_families=False))
    assert client_for(personas.sam).get(material_url(material)).status_code == 404
    assert client_for(personas.ada).get(material_url(material)).status_code == 200


def test_a_material_of_a_draft_is_only_for_staff(personas, media_root):
    material = material_file(assignment(personas.homeroom5, status="inactive"))
    assert client_for(personas.ada).get(material_url(material)).status_code == 404
    assert client_for(personas.rivera).get(material_url(material)).status_code == 200


def test_a_link_material_has_no_file_to_download(personas, media_root):
    link = material_link(assignment(personas.homeroom5))
    assert client_for(personas.ada).get(material_url(link)).status_code == 404
