"""The student's work in the API (``/api/v1/my-work``): the lists, one assignment, handing in
(JSON and multipart) and the caller's attempts; 404 for what is not theirs, 422 naming the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from village.classwork.models import FeedbackSeen, Submission
from village.classwork.tests.test_student_support import (
    DAY,
    EXE,
    PDF,
    api_client_for,
    assignment,
    due,
    give_feedback,
    hand_in,
    material_file,
    material_link,
    media_root,
    rubric,
    topic,
    upload,
)

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

BASE = "/api/v1/my-work"


def post_json(client: Client, path: str, payload: object):
    return client.post(path, json.dumps(payload), content_type="application/json")


def locs(response) -> list[list[str]]:
    return [item["loc"] for item in response.json()["detail"]]


# --- GET /my-work -------------------------------------------------------------------------------


def test_my_work_lists_to_do_missing_done_and_feedback(personas, media_root):
    water = topic(personas.homeroom5)
    later = assignment(personas.homeroom5, "Rain diary", due_in=4 * DAY, topic=water)
    sooner = assignment(personas.homeroom5, "Cloud quiz", due_in=DAY)
    missing = assignment(personas.homeroom5, "Spelling", due_in=-DAY)
    graded = assignment(personas.homeroom5, "River map", due_in=-2 * DAY)
    hand_in(personas.ada, graded, at=due(graded) - DAY)
    give_feedback(graded, personas.ada, score=Decimal(9))
    assignment(personas.science8, "Leo's lab")

    body = api_client_for(personas.ada).get(BASE).json()
    assert [w["assignment_id"] for w in body["to_do"]] == [sooner.pk, later.pk]
    assert [w["assignment_id"] for w in body["missing"]] == [missing.pk]
    assert [w["assignment_id"] for w in body["done"]] == [graded.pk]
    assert [w["assignment_id"] for w in body["feedback_to_read"]] == [graded.pk]
    rain = body["to_do"][1]
    assert (rain["title"], rain["class_title"], rain["topic"], rain["status"]) == (
        "Rain diary",
        "Grade 5 Homeroom",
        "The water cycle",
        "not_yet_due",
    )
    assert rain["url"] == f"/work/assignments/{later.pk}/"
    done = body["done"][0]
    assert (done["status"], done["attempts"], Decimal(done["score"]), done["feedback_seen"]) == (
        "graded",
        1,
        Decimal(9),
        False,
    )


@pytest.mark.parametrize("persona", ["sam", "jordan", "rivera", "nguyen", "library"])
def test_my_work_is_404_for_people_who_are_not_students(personas, persona):
    response = api_client_for(getattr(personas, persona)).get(BASE)
    assert response.status_code == 404
    assert response.json() == {"detail": "No work: the caller is not a student."}


def test_my_work_needs_a_signed_in_caller(db):
    assert Client().get(BASE).status_code == 401


# --- GET /my-work/assignments/{id} --------------------------------------------------------------


def test_one_assignment_with_materials_rubric_attempts_and_feedback(personas, media_root):
    work = assignment(
        personas.homeroom5,
        "Poster",
        rubric=rubric(personas.homeroom5),
        due_in=-DAY,
        instructions="<p>Draw it.</p><img src=x onerror=alert(1)>",
    )
    link = material_link(work)
    sheet = material_file(work)
    hand_in(personas.ada, work, text="One", at=due(work) - DAY)
    hand_in(personas.ada, work, text="Two")
    feedback = give_feedback(
        work,
        personas.ada,
        comment="Nice.",
        levels={"Science": "Secure", "Presentation": "Beginning"},
    )
    response = api_client_for(personas.ada).get(f"{BASE}/assignments/{work.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["instructions_html"] == "<p>Draw it.</p>"
    assert body["materials"] == [
        {"id": link.pk, "title": link.title, "url": link.url, "is_file": False, "download": None},
        {
            "id": sheet.pk,
            "title": "Worksheet",
            "url": f"/work/materials/{sheet.pk}/file/",
            "is_file": True,
            "download": f"/api/v1/classwork/materials/{sheet.pk}/file",
        },
    ]
    assert [c["title"] for c in body["rubric"]] == ["Science", "Presentation"]
    assert [level["title"] for level in body["rubric"][0]["levels"]] == [
        "Secure",
        "Developing",
        "Beginning",
    ]
    assert [(s["attempt"], s["text"], s["late"]) for s in body["submissions"]] == [
        (2, "Two", True),
        (1, "One", False),
    ]
    assert body["status"] == "graded"
    assert body["may_hand_in"] is True
    assert body["feedback"]["comment"] == "Nice."
    assert [(r["criterion"], r["level"]) for r in body["feedback"]["rubric"]] == [
        ("Science", "Secure"),
        ("Presentation", "Beginning"),
    ]
    assert FeedbackSeen.objects.filter(feedback=feedback, user=personas.ada).exists()


@pytest.mark.parametrize(
    ("persona", "class_name"),
    [
        ("ada", "science8"),
        ("leo", "homeroom5"),
        ("maya", "science8"),
        ("sam", "homeroom5"),
        ("jordan", "science8"),
        ("rivera", "homeroom5"),
        ("nguyen", "homeroom5"),
        ("eve", "homeroom5"),
        ("finn", "homeroom5"),
        ("mina", "homeroom5"),
    ],
)
def test_an_assignment_that_is_not_the_callers_own_work_is_404(
    personas, media_root, persona, class_name
):
    work = assignment(getattr(personas, class_name))
    client = api_client_for(getattr(personas, persona))
    for path in (f"{BASE}/assignments/{work.pk}", f"{BASE}/assignments/{work.pk}/submissions"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such assignment."}
    response = post_json(client, f"{BASE}/assignments/{work.pk}/submissions", {"text": "x"})
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_drafts_are_404_for_their_students(personas, media_root):
    work = assignment(personas.homeroom5, status="inactive")
    assert api_client_for(personas.ada).get(f"{BASE}/assignments/{work.pk}").status_code == 404


# --- POST /my-work/assignments/{id}/submissions -------------------------------------------------


def test_handing_in_json_adds_an_attempt(personas, media_root):
    work = assignment(personas.homeroom5)
    client = api_client_for(personas.ada)
    path = f"{BASE}/assignments/{work.pk}/submissions"
    first = post_json(client, path, {"text": "Answer", "link": "https://example.org/mine"})
    assert first.status_code == 201
    body = first.json()
    assert (body["attempt"], body["text"], body["link"], body["file"], body["late"]) == (
        1,
        "Answer",
        "https://example.org/mine",
        None,
        False,
    )
    second = post_json(client, path, {"text": "Again"})
    assert second.json()["attempt"] == 2
    listed = client.get(path).json()
    assert [(s["attempt"], s["text"]) for s in listed] == [(2, "Again"), (1, "Answer")]


def test_handing_in_a_file_as_multipart(personas, media_root):
    work = assignment(personas.homeroom5, due_in=-DAY)
    client = api_client_for(personas.ada)
    response = client.post(
        f"{BASE}/assignments/{work.pk}/submissions",
        {"text": "See the file", "file": upload("poster.pdf", PDF)},
    )
    assert response.status_code == 201
    body = response.json()
    submission = Submission.objects.get()
    assert body["file"] == {
        "name": "poster.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "url": f"/work/submissions/{submission.pk}/file/",
    }
    assert body["late"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "ok", "link": "not a link"}, "link"),
        ({"text": 5}, "text"),
        ({"link": ["https://example.org"]}, "link"),
    ],
)
def test_bad_json_is_422_naming_the_field(personas, media_root, payload, field):
    work = assignment(personas.homeroom5)
    response = post_json(
        api_client_for(personas.ada), f"{BASE}/assignments/{work.pk}/submissions", payload
    )
    assert response.status_code == 422
    assert ["body", field] in locs(response)
    assert all(item["msg"] for item in response.json()["detail"])
    assert not Submission.objects.exists()


def test_a_renamed_program_is_422_naming_the_file(personas, media_root):
    work = assignment(personas.homeroom5)
    response = api_client_for(personas.ada).post(
        f"{BASE}/assignments/{work.pk}/submissions", {"file": upload("essay.pdf", EXE)}
    )
    assert response.status_code == 422
    assert locs(response) == [["body", "file"]]
    assert "does not match its name" in response.json()["detail"][0]["msg"]
    assert not Submission.objects.exists()


def test_a_body_that_is_neither_json_nor_a_form_is_422(personas, media_root):
    work = assignment(personas.homeroom5)
    client = api_client_for(personas.ada)
    path = f"{BASE}/assignments/{work.pk}/submissions"
    response = client.post(path, "text=hello", content_type="text/plain")
    assert response.status_code == 422
    assert locs(response) == [["body"]]
    broken = client.post(path, "{not json", content_type="application/json")
    assert broken.status_code == 422
    assert not Submission.objects.exists()


def test_the_browser_session_must_send_its_csrf_token_to_hand_in(personas, media_root):
    work = assignment(personas.homeroom5)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.ada)
    response = post_json(client, f"{BASE}/assignments/{work.pk}/submissions", {"text": "x"})
    assert response.status_code in (401, 403)
    assert not Submission.objects.exists()


# --- documentation ------------------------------------------------------------------------------


def test_the_endpoints_are_documented_in_openapi(personas):
    schema = api_client_for(personas.ada).get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) >= {
        BASE,
        f"{BASE}/assignments/{{assignment_id}}",
        f"{BASE}/assignments/{{assignment_id}}/submissions",
    }
    hand_in_doc = paths[f"{BASE}/assignments/{{assignment_id}}/submissions"]["post"]
    content = hand_in_doc["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    assert {"201", "404", "422"} <= set(hand_in_doc["responses"])
    assert hand_in_doc["description"]
