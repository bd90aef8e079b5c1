"""An assignment's materials through the teachers' API: attaching a file or a link
(``POST /api/v1/classwork/assignments/{id}/materials``, multipart) and removing one
(``DELETE …/materials/{material_id}``), and who may do either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.classwork.models import Assignment, AssignmentMaterial
from village.classwork.services import materials
from village.classwork.services.materials import material_add
from village.classwork.tests.factories import assignment
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

BASE = "/api/v1/classwork"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

# persona -> what a change to Ms. Rivera's science8 work answers them, as the existing write
# endpoints (PATCH of an assignment, PUT of feedback) do: her own work is hers to change; admins
# of the school see it but may not change it (403); for everyone else it does not exist (404).
REFUSED = {
    "chen": 404,  # teaches math8 only
    "park": 404,  # teaches at the sister school
    "ada": 404,  # a student (of Ms. Rivera's homeroom)
    "leo": 404,  # a student of science8 itself
    "sam": 404,  # a guardian
    "jordan": 404,
    "library": 404,  # a community partner
    "eve": 404,  # another district
    "nguyen": 403,  # the principal: sees the class read-only
    "priya": 403,  # the district admin: the same
}


def api(user: User) -> Client:
    _token, secret = token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {secret}"})


def browser(user: User) -> Client:
    user.refresh_from_db(fields=["password"])
    client = Client()
    client.force_login(user)
    return client


def materials_path(work: Assignment) -> str:
    return f"{BASE}/assignments/{work.pk}/materials"


def fields_named(response: Any) -> set[str]:
    assert response.status_code == 422, response.content
    return {item["loc"][-1] for item in response.json()["detail"]}


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def downloaded(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def pdf(name: str = "steps.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def work(personas: Personas) -> Assignment:
    return assignment(personas.science8, "Density lab")


# --- attaching ---------------------------------------------------------------------------------


def test_a_teacher_attaches_a_pdf_listed_with_the_work_and_downloadable(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    client = api(personas.rivera)
    response = client.post(materials_path(work), {"title": "Lab steps", "file": pdf()})
    assert response.status_code == 201, response.content
    body = response.json()
    material = AssignmentMaterial.objects.get()
    assert body == {
        "id": material.pk,
        "title": "Lab steps",
        "url": reverse("classwork:material_file", args=[material.pk]),
        "is_file": True,
        "download": f"/api/v1/classwork/materials/{material.pk}/file",
    }
    assert material.assignment_id == work.pk
    assert len(stored_files(media_root)) == 1
    listed = client.get(f"{BASE}/assignments/{work.pk}").json()["materials"]
    assert listed == [body]
    download = browser(personas.rivera).get(body["url"])
    assert download.status_code == 200
    assert downloaded(download) == PDF


def test_without_a_title_the_file_name_is_the_title(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    response = api(personas.rivera).post(materials_path(work), {"file": pdf("density.pdf")})
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "density.pdf"


def test_a_teacher_attaches_a_link_after_the_other_materials(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    first = material_add(assignment=work, title="Video", url="https://example.org/v")
    response = api(personas.rivera).post(
        materials_path(work), {"title": "Simulation", "url": "https://example.org/sim"}
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": response.json()["id"],
        "title": "Simulation",
        "url": "https://example.org/sim",
        "is_file": False,
        "download": None,
    }
    assert [m.pk for m in work.materials.order_by("position")] == [
        first.pk,
        response.json()["id"],
    ]
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("page.html", b"<script>alert(1)</script>"),
        ("empty.pdf", b""),
    ],
)
def test_a_file_refused_by_type_or_size_answers_422_on_file_and_writes_nothing(
    personas: Personas, work: Assignment, media_root: Path, name: str, content: bytes
) -> None:
    upload = SimpleUploadedFile(name, content)
    response = api(personas.rivera).post(materials_path(work), {"title": "X", "file": upload})
    assert fields_named(response) == {"file"}
    assert not AssignmentMaterial.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_too_big_answers_422_on_file(
    personas: Personas, work: Assignment, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(materials, "MAX_MATERIAL_BYTES", len(PDF) - 1)
    response = api(personas.rivera).post(materials_path(work), {"file": pdf()})
    assert fields_named(response) == {"file"}
    assert "at most" in response.json()["detail"][0]["msg"]
    assert not AssignmentMaterial.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            lambda: {"title": "Both", "url": "https://example.org/x", "file": pdf()}, id="both"
        ),
        pytest.param(lambda: {"title": "Neither"}, id="neither"),
        pytest.param(lambda: {"title": "Blank link", "url": "   "}, id="blank-url"),
    ],
)
def test_exactly_one_of_file_and_url_else_422_naming_url_and_nothing_written(
    personas: Personas, work: Assignment, media_root: Path, data: Any
) -> None:
    response = api(personas.rivera).post(materials_path(work), data())
    assert fields_named(response) == {"url"}
    assert response.json()["detail"][0]["msg"] == "Give either a link or a file."
    assert not AssignmentMaterial.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", ["ftp://example.org/x", "javascript:alert(1)", "example"])
def test_a_bad_link_answers_422_naming_url(
    personas: Personas, work: Assignment, media_root: Path, url: str
) -> None:
    response = api(personas.rivera).post(materials_path(work), {"url": url})
    assert fields_named(response) == {"url"}
    assert not AssignmentMaterial.objects.exists()


# --- removing ----------------------------------------------------------------------------------


def test_a_teacher_removes_a_file_and_it_is_gone(
    personas: Personas,
    work: Assignment,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    material = material_add(assignment=work, title="Steps", file=pdf())
    kept = material_add(assignment=work, title="Video", url="https://example.org/v")
    assert len(stored_files(media_root)) == 1
    client = api(personas.rivera)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{materials_path(work)}/{material.pk}")
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert list(AssignmentMaterial.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files(media_root) == []
    listed = client.get(f"{BASE}/assignments/{work.pk}").json()["materials"]
    assert [item["id"] for item in listed] == [kept.pk]
    again = client.delete(f"{materials_path(work)}/{material.pk}")
    assert again.status_code == 404


def test_a_material_of_another_assignment_is_404_and_kept(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    # Both are Ms. Rivera's: the material exists and she may change it, but not through this
    # assignment.
    other = assignment(personas.homeroom5, "Spelling")
    material = material_add(assignment=other, url="https://example.org/words")
    response = api(personas.rivera).delete(f"{materials_path(work)}/{material.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such material."}
    assert AssignmentMaterial.objects.filter(pk=material.pk).exists()


# --- who may ------------------------------------------------------------------------------------


def test_the_teacher_of_either_of_her_classes_may_attach_and_remove(
    personas: Personas, media_root: Path
) -> None:
    client = api(personas.rivera)
    for school_class in (personas.homeroom5, personas.science8):
        piece = assignment(school_class, "Work")
        added = client.post(materials_path(piece), {"file": pdf()})
        assert added.status_code == 201, (school_class, added.content)
        removed = client.delete(f"{materials_path(piece)}/{added.json()['id']}")
        assert removed.status_code == 204, (school_class, removed.content)
    assert not AssignmentMaterial.objects.exists()


@pytest.mark.parametrize(("persona", "status"), sorted(REFUSED.items()))
def test_no_one_else_may_attach(
    personas: Personas, work: Assignment, media_root: Path, persona: str, status: int
) -> None:
    response = api(getattr(personas, persona)).post(
        materials_path(work), {"title": "Intruder", "file": pdf()}
    )
    assert response.status_code == status, response.content
    assert b"Density lab" not in response.content
    assert not AssignmentMaterial.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(("persona", "status"), sorted(REFUSED.items()))
def test_no_one_else_may_remove(
    personas: Personas, work: Assignment, media_root: Path, persona: str, status: int
) -> None:
    material = material_add(assignment=work, title="Steps", file=pdf())
    response = api(getattr(personas, persona)).delete(f"{materials_path(work)}/{material.pk}")
    assert response.status_code == status, response.content
    assert AssignmentMaterial.objects.filter(pk=material.pk).exists()
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(("persona", "status"), sorted(REFUSED.items()))
def test_the_existing_write_endpoints_answer_the_same(
    personas: Personas, work: Assignment, persona: str, status: int
) -> None:
    """The new endpoints refuse each persona exactly as changing the assignment does."""
    response = api(getattr(personas, persona)).patch(
        f"{BASE}/assignments/{work.pk}", {"title": "Changed"}, content_type="application/json"
    )
    assert response.status_code == status, response.content


def test_a_browser_session_may_attach_too(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    response = browser(personas.rivera).post(materials_path(work), {"file": pdf()})
    assert response.status_code == 201, response.content


def test_anonymous_callers_get_401_and_nothing_changes(
    personas: Personas, work: Assignment, media_root: Path
) -> None:
    material = material_add(assignment=work, url="https://example.org/v")
    client = Client()
    added = client.post(materials_path(work), {"file": pdf()})
    assert added.status_code == 401
    assert added.json() == {"detail": "Unauthorized"}
    removed = client.delete(f"{materials_path(work)}/{material.pk}")
    assert removed.status_code == 401
    assert list(AssignmentMaterial.objects.values_list("pk", flat=True)) == [material.pk]
    assert stored_files(media_root) == []


# --- documentation -------------------------------------------------------------------------------


def test_both_endpoints_are_documented(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    add = paths[f"{BASE}/assignments/{{assignment_id}}/materials"]["post"]
    remove = paths[f"{BASE}/assignments/{{assignment_id}}/materials/{{material_id}}"]["delete"]
    assert add["operationId"] == "village_classwork_api_teacher_material_add"
    assert remove["operationId"] == "village_classwork_api_teacher_material_remove"
    for operation in (add, remove):
        assert operation["summary"]
        assert operation["description"]
        assert operation["security"]
        assert {"401", "403", "404"} <= set(operation["responses"])
    assert {"201", "422"} <= set(add["responses"])
    assert "204" in remove["responses"]
    form = add["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"title", "url", "file"} <= set(form["properties"])
    assert "20 MB" in add["description"]


# --- downloading through the API -----------------------------------------------------------------


def test_the_api_download_serves_whoever_may_see_the_work_and_nobody_else(
    personas: Personas, media_root: Path, work: Assignment
) -> None:
    p = personas
    material = material_add(assignment=work, title="Lab steps", url="", file=pdf())
    link = material_add(assignment=work, title="Video", url="https://example.org/v")
    path = f"{BASE}/materials/{material.pk}/file"
    # the teacher, a student of the class, and Leo's guardians (Jordan's link allows classwork)
    for reader in (p.rivera, p.leo, p.sam, p.jordan):
        response = api(reader).get(path)
        assert response.status_code == 200, reader.username
        assert downloaded(response) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    for outsider in (p.chen, p.ada, p.eve, p.library):
        assert api(outsider).get(path).status_code == 404, outsider.username
    assert api(p.rivera).get(f"{BASE}/materials/{link.pk}/file").status_code == 404
    assert Client().get(path).status_code == 401


def test_a_file_whose_content_does_not_match_its_name_is_refused(
    personas: Personas, media_root: Path, work: Assignment
) -> None:
    disguised = SimpleUploadedFile("steps.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = api(personas.rivera).post(materials_path(work), {"file": disguised})
    assert fields_named(response) == {"file"}
    assert "does not match its name" in response.json()["detail"][0]["msg"]
    assert not AssignmentMaterial.objects.exists()
    assert stored_files(media_root) == []
