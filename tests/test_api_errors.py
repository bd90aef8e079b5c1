"""Bad requests to the JSON API get a documented error naming what is wrong, never a server
error, and change nothing (what schemathesis found in ``tests/test_api_contract.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.authorization import api_client_for
from village.accounts.models import User
from village.classwork.models import Assignment, Submission, Topic
from village.classwork.tests.factories import assignment
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

WORK = "/api/v1/classwork"


def api(user: User) -> Client:
    return api_client_for(user)


def post_json(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def test_every_endpoint_documents_its_error_answers() -> None:
    from village.api import api as village_api

    paths = village_api.get_openapi_schema()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert "401" in documented or 401 in documented, (method, path)
            takes_input = operation.get("parameters") or operation.get("requestBody")
            if takes_input:
                assert {"422"} <= {str(code) for code in documented}, (method, path)
            if operation.get("requestBody"):
                assert {"400"} <= {str(code) for code in documented}, (method, path)


@pytest.mark.parametrize("path", ["/api/v1/classes", "/api/v1/me/children"])
def test_a_huge_offset_answers_422_naming_it(personas: Personas, path: str) -> None:
    response = api(personas.rivera).get(path, {"offset": 10**20})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_far_offset_within_bounds_is_an_empty_page(personas: Personas) -> None:
    response = api(personas.rivera).get("/api/v1/classes", {"offset": 2**31 - 1})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_huge_id_answers_422_not_a_server_error(personas: Personas) -> None:
    response = api(personas.rivera).get(f"/api/v1/classes/{10**20}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "class_id"]


def test_a_multipart_body_without_boundary_answers_400(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling")
    ada = api(p.ada).post(
        f"/api/v1/my-work/assignments/{work.pk}/submissions",
        b"text=hello",
        content_type="multipart/form-data",
    )
    assert ada.status_code == 400
    assert "multipart" in ada.json()["detail"]
    assert not Submission.objects.exists()
    rivera = api(p.rivera).post(
        f"{WORK}/assignments/{work.pk}/materials", b"x", content_type="multipart/form-data"
    )
    assert rivera.status_code == 400
    assert not work.materials.exists()


@pytest.mark.parametrize("body", ['"hello world"', "42", "[]", "null"])
def test_a_body_that_is_not_an_object_answers_422_and_creates_nothing(
    personas: Personas, body: str
) -> None:
    p = personas
    response = api(p.rivera).post(
        f"{WORK}/classes/{p.science8.pk}/assignments", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload"]
    assert "JSON object" in error["msg"]
    assert not Assignment.objects.exists()


def test_a_hand_in_body_that_is_not_an_object_answers_422(personas: Personas) -> None:
    work = assignment(personas.homeroom5, "Spelling")
    response = post_json(
        api(personas.ada), f"/api/v1/my-work/assignments/{work.pk}/submissions", "hello"
    )
    assert response.status_code == 422
    assert not Submission.objects.exists()


@pytest.mark.parametrize("title", ["Density\r\nlab", "Density\nlab", "Tab\there", "Bell\x07"])
def test_a_title_with_control_characters_answers_422_naming_it(
    personas: Personas, title: str
) -> None:
    p = personas
    client = api(p.rivera)
    created = post_json(client, f"{WORK}/classes/{p.science8.pk}/assignments", {"title": title})
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", "payload", "title"]
    assert "one line" in created.json()["detail"][0]["msg"]
    assert not Assignment.objects.exists()
    topic = post_json(
        client,
        f"{WORK}/classes/{p.science8.pk}/topics",
        {"title": title, "starts_on": "2026-03-01", "ends_on": "2026-03-10"},
    )
    assert topic.status_code == 422
    assert not Topic.objects.exists()
    work = assignment(p.science8, "Quiz")
    patched = client.patch(
        f"{WORK}/assignments/{work.pk}", {"title": title}, content_type="application/json"
    )
    assert patched.status_code == 422
    work.refresh_from_db()
    assert work.title == "Quiz"


def test_a_nul_in_instructions_answers_422(personas: Personas) -> None:
    p = personas
    response = post_json(
        api(p.rivera),
        f"{WORK}/classes/{p.science8.pk}/assignments",
        {"title": "Lab", "instructions": "a\x00b"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "instructions"]
    assert not Assignment.objects.exists()


def test_teacher_answers_match_the_published_assignment_schema(personas: Personas) -> None:
    from village.api import api as village_api

    p = personas
    work = assignment(p.science8, "Quiz")
    body = api(p.rivera).get(f"{WORK}/assignments/{work.pk}").json()
    components = village_api.get_openapi_schema()["components"]["schemas"]
    operation = village_api.get_openapi_schema()["paths"][
        "/api/v1/classwork/assignments/{assignment_id}"
    ]
    ref = operation["get"]["responses"][200]["content"]["application/json"]["schema"]["$ref"]
    published = components[ref.rsplit("/", 1)[1]]
    assert set(published["required"]) <= set(body)
    assert set(body) <= set(published["properties"])


def test_a_material_title_with_a_line_break_answers_422_naming_it(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz")
    response = api(p.rivera).post(
        f"{WORK}/assignments/{work.pk}/materials",
        {"title": "Video\r\nclip", "url": "https://example.org/clip"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    assert not work.materials.exists()
