"""The teachers' classwork API: ``/api/v1/classwork/…`` (who may call it is in the authorization
matrix, ``tests/test_authorization_classwork_teacher.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.classwork.models import Assignment, Feedback, Rubric, RubricCriterion
from village.classwork.services.assignments import assignment_create
from village.classwork.services.feedback import feedback_return, feedback_save
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.classwork.services.topics import topic_create
from village.classwork.tests.factories import assignment, feedback, hand_in
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

BASE = "/api/v1/classwork"


def api(user: User) -> Client:
    _token, secret = token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {secret}"})


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(BASE + path, body, content_type="application/json")


def fields_named(response: Any) -> set[str]:
    assert response.status_code == 422, response.content
    return {item["loc"][-1] for item in response.json()["detail"]}


def test_posting_work_with_a_new_rubric_and_a_link(personas: Personas) -> None:
    p = personas
    response = send(
        api(p.rivera),
        "post",
        f"/classes/{p.science8.pk}/assignments",
        {
            "title": "Density lab",
            "instructions": "<p>Float <b>or</b> sink?</p><script>x()</script>",
            "due_at": "2030-05-01T17:00:00",
            "rubric": {
                "title": "Lab rubric",
                "criteria": [
                    {"title": "Method", "levels": [{"title": "Strong", "points": 4}]},
                    {"title": "Data", "levels": [{"title": "Strong", "points": "6"}]},
                ],
            },
            "links": [{"title": "Video", "url": "https://example.org/density"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["points"] == "10.00"
    assert body["instructions"] == "<p>Float <b>or</b> sink?</p>"
    assert body["materials"] == [
        {
            "id": body["materials"][0]["id"],
            "title": "Video",
            "url": "https://example.org/density",
            "is_file": False,
            "download": None,
        }
    ]
    # A time without an offset is read in Ms. Rivera's time zone (Chicago: UTC-5 in May).
    assert body["due_at"].startswith("2030-05-01T22:00:00")
    assert body["published"] is True
    assert Rubric.objects.get().title == "Lab rubric"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "Lab", "due_at": "2000-01-01T00:00:00Z"}, "due_at"),
        ({"title": "Lab", "rubric": {"title": "R", "criteria": []}}, "rubric"),
        ({"title": "Lab", "links": [{"url": "ftp://example.org/x"}]}, "links"),
        ({"title": "Lab", "points": -1}, "points"),
        ({"points": 3}, "title"),
    ],
)
def test_bad_work_answers_422_naming_the_field_and_saves_nothing(personas, body, field) -> None:
    response = send(
        api(personas.rivera), "post", f"/classes/{personas.science8.pk}/assignments", body
    )
    assert field in fields_named(response)
    assert not Assignment.objects.exists()
    assert not Rubric.objects.exists()


def test_a_topic_of_another_class_answers_422(personas: Personas) -> None:
    today = timezone.localdate()
    topic = topic_create(
        school_class=personas.math8, title="Algebra", starts_on=today, ends_on=today
    )
    response = send(
        api(personas.rivera),
        "post",
        f"/classes/{personas.science8.pk}/assignments",
        {"title": "Lab", "topic_id": topic.pk},
    )
    assert fields_named(response) == {"topic_id"}


def test_listing_and_changing_work(personas: Personas) -> None:
    p = personas
    first = assignment(p.science8, "First", due_in_days=1)
    second = assignment(p.science8, "Second", due_in_days=2)
    client = api(p.rivera)
    listed = client.get(f"{BASE}/classes/{p.science8.pk}/assignments").json()
    assert [item["id"] for item in listed["items"]] == [second.pk, first.pk]
    changed = send(client, "patch", f"/assignments/{first.pk}", {"title": "First lab"})
    assert changed.status_code == 200
    assert changed.json()["title"] == "First lab"
    first.refresh_from_db()
    assert (first.title, first.points) == ("First lab", Decimal(10))
    cleared = send(client, "patch", f"/assignments/{first.pk}", {"due_at": None})
    assert cleared.json()["due_at"] is None
    refused = send(client, "patch", f"/assignments/{first.pk}", {"title": None})
    assert fields_named(refused) == {"title"}


def test_points_below_a_given_grade_answer_422(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    feedback(work, p.leo, score=9)
    response = send(api(p.rivera), "patch", f"/assignments/{work.pk}", {"points": 5})
    assert fields_named(response) == {"points"}
    work.refresh_from_db()
    assert work.points == Decimal(10)


def test_each_students_work_with_its_computed_status(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling", due_in_days=-1)
    hand_in(work, p.ada, days_ago=0)
    rows = api(p.rivera).get(f"{BASE}/assignments/{work.pk}/work").json()
    assert [(r["student"]["name"], r["status"], r["late"]) for r in rows] == [
        ("Maya Lopez", "missing", False),
        ("Ada Okoye", "late", True),
    ]


def test_feedback_with_rubric_levels_is_scored_and_returned(personas: Personas) -> None:
    p = personas
    rubric = rubric_create(
        school_class=p.science8,
        title="Lab",
        criteria=[
            CriterionSpec(
                title="Method",
                levels=[
                    LevelSpec("Strong", Decimal(4)),
                    LevelSpec("Weak", Decimal(1)),
                ],
            ),
            CriterionSpec(title="Data", levels=[LevelSpec("Strong", Decimal(6))]),
        ],
    )
    work = assignment_create(
        school_class=p.science8,
        title="Lab",
        created_by=p.rivera,
        rubric=rubric,
        assign_at=timezone.now() - dt.timedelta(days=1),
    )
    method, data = rubric.criteria.all()
    levels = {
        str(method.pk): method.levels.get(title="Weak").pk,
        str(data.pk): data.levels.get().pk,
    }
    client = api(p.rivera)
    response = send(
        client,
        "put",
        f"/assignments/{work.pk}/feedback/{p.leo.pk}",
        {"rubric_levels": levels, "comment": "Good data.", "return_to_student": True},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["score"] == "7.00"
    assert body["returned_at"] is not None
    assert body["rubric_levels"] == {str(k): v for k, v in levels.items()}
    wrong = send(
        client, "put", f"/assignments/{work.pk}/feedback/{p.leo.pk}", {"rubric_levels": {}}
    )
    assert wrong.status_code == 200  # a comment-only draft clears nothing but the levels
    over = send(
        client,
        "put",
        f"/assignments/{work.pk}/feedback/{p.leo.pk}",
        {"rubric_levels": {str(method.pk): data.levels.get().pk}},
    )
    assert fields_named(over) == {"rubric_id"}


def test_a_score_on_rubric_work_without_levels_answers_422_naming_score(
    personas: Personas,
) -> None:
    p = personas
    rubric = rubric_create(
        school_class=p.science8,
        title="Lab",
        criteria=[CriterionSpec(title="Data", levels=[LevelSpec("A", Decimal(6))])],
    )
    work = assignment_create(
        school_class=p.science8, title="Lab", created_by=p.rivera, rubric=rubric
    )
    response = send(
        api(p.rivera), "put", f"/assignments/{work.pk}/feedback/{p.leo.pk}", {"score": 3}
    )
    assert fields_named(response) == {"score"}
    assert "rubric" in response.json()["detail"][0]["msg"]
    assert not Feedback.objects.exists()


def test_a_grade_above_the_points_answers_422_and_changes_nothing(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Quiz", points=10)
    response = send(
        api(p.rivera), "put", f"/assignments/{work.pk}/feedback/{p.leo.pk}", {"score": 11}
    )
    assert fields_named(response) == {"score"}
    assert not Feedback.objects.exists()


def test_feedback_for_a_student_outside_the_class_is_404(personas: Personas) -> None:
    work = assignment(personas.science8, "Quiz")
    response = send(
        api(personas.rivera), "put", f"/assignments/{work.pk}/feedback/{personas.ada.pk}", {}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No such student."}


def test_an_admin_is_refused_a_change_with_403(personas: Personas) -> None:
    work = assignment(personas.science8, "Quiz")
    response = send(api(personas.nguyen), "patch", f"/assignments/{work.pk}", {"title": "X"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the class's teachers change its work."}


def test_topics_and_categories(personas: Personas) -> None:
    p = personas
    client = api(p.rivera)
    path = f"/classes/{p.science8.pk}"
    topic = send(
        client,
        "post",
        path + "/topics",
        {"title": "Water", "starts_on": "2026-03-01", "ends_on": "2026-03-10"},
    )
    assert topic.status_code == 201
    backwards = send(
        client,
        "post",
        path + "/topics",
        {"title": "Water", "starts_on": "2026-03-10", "ends_on": "2026-03-01"},
    )
    assert fields_named(backwards) == {"ends_on"}
    assert (
        send(client, "post", path + "/categories", {"name": "Labs", "weight": 60}).status_code
        == 201
    )
    duplicate = send(client, "post", path + "/categories", {"name": "labs", "weight": 10})
    assert fields_named(duplicate) == {"name"}
    too_heavy = send(client, "post", path + "/categories", {"name": "Tests", "weight": 101})
    assert fields_named(too_heavy) == {"weight"}
    assert [t["title"] for t in client.get(BASE + path + "/topics").json()] == ["Water"]
    assert client.get(BASE + path + "/categories").json() == [
        {
            "id": client.get(BASE + path + "/categories").json()[0]["id"],
            "name": "Labs",
            "weight": "60.00",
        }
    ]


def test_the_endpoints_are_documented_in_openapi(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/classwork/classes/{class_id}/assignments", "post"),
        ("/api/v1/classwork/assignments/{assignment_id}", "patch"),
        ("/api/v1/classwork/assignments/{assignment_id}/work", "get"),
        ("/api/v1/classwork/assignments/{assignment_id}/feedback/{student_id}", "put"),
        ("/api/v1/classwork/assignments/{assignment_id}/feedback/{student_id}/changes", "delete"),
        ("/api/v1/classwork/classes/{class_id}/topics", "get"),
        ("/api/v1/classwork/classes/{class_id}/categories", "post"),
    ]:
        operation = paths[path][method]
        assert operation["summary"]
        assert operation["description"]
        if method != "get":
            assert {"403", "404", "422"} <= set(operation["responses"])


# --- changes to returned feedback ------------------------------------------------------------

RETURNED = "Clear diagram."
CHANGED = "Check the labels again."


def returned_to_ada(p: Personas) -> Assignment:
    """Spelling work of Ada's, returned with 8 and a comment."""
    work = assignment(p.homeroom5, "Spelling", due_in_days=-1, points=10)
    hand_in(work, p.ada, days_ago=2)
    feedback_save(
        assignment=work,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(8),
        comment=RETURNED,
        return_to_student=True,
    )
    return work


def ada_row(client: Client, work: Assignment, p: Personas) -> dict[str, Any]:
    rows = client.get(f"{BASE}/assignments/{work.pk}/work").json()
    return next(row for row in rows if row["student"]["id"] == p.ada.pk)


def test_a_put_on_returned_feedback_answers_the_returned_version_and_the_changes_kept(
    personas: Personas,
) -> None:
    p = personas
    work = returned_to_ada(p)
    client = api(p.rivera)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    response = send(client, "put", url, {"score": "5", "comment": CHANGED})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["comment"], body["excused"]) == ("8.00", RETURNED, False)
    assert body["returned_at"] is not None
    saved_at = body["changes"].pop("saved_at")
    assert body["changes"] == {
        "score": "5.00",
        "comment": CHANGED,
        "excused": False,
        "rubric_levels": {},
    }
    kept = Feedback.objects.get()
    assert kept.draft_saved_at is not None
    answered = dt.datetime.fromisoformat(saved_at)  # in UTC, to the millisecond
    assert answered.utcoffset() == dt.timedelta(0)
    assert abs(kept.draft_saved_at - answered) < dt.timedelta(milliseconds=1)
    # Sent again with return_to_student: returned with the changes, nothing kept any more.
    response = send(
        client, "put", url, {"score": "5", "comment": CHANGED, "return_to_student": True}
    )
    body = response.json()
    assert (body["score"], body["comment"], body["changes"]) == ("5.00", CHANGED, None)
    assert not Feedback.objects.get().has_draft


def test_feedback_without_changes_kept_answers_changes_null(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling", points=10)
    client = api(p.rivera)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    draft = send(client, "put", url, {"score": "6", "comment": "Not returned yet."})
    assert (draft.json()["score"], draft.json()["changes"]) == ("6.00", None)
    returned = send(client, "put", url, {"score": "6", "return_to_student": True})
    assert returned.json()["changes"] is None
    same = send(client, "put", url, {"score": "6"})  # the returned version again: nothing kept
    assert same.json()["changes"] is None
    assert not ada_row(client, work, p)["changes_pending"]


def poster_on_a_rubric(p: Personas) -> tuple[Assignment, RubricCriterion, int, int]:
    """Work graded with a one-criterion rubric: the work, its criterion, and the ids of its
    "Strong" (4 points) and "Weak" (1 point) levels."""
    rubric = rubric_create(
        school_class=p.homeroom5,
        title="Poster",
        criteria=[
            CriterionSpec(
                title="Labels",
                levels=[
                    LevelSpec("Strong", Decimal(4)),
                    LevelSpec("Weak", Decimal(1)),
                ],
            )
        ],
    )
    work = assignment_create(
        school_class=p.homeroom5, title="Poster", created_by=p.rivera, rubric=rubric
    )
    criterion = rubric.criteria.get()
    strong, weak = (criterion.levels.get(title=title).pk for title in ("Strong", "Weak"))
    return work, criterion, strong, weak


def test_changes_on_rubric_work_name_the_levels_kept(personas: Personas) -> None:
    p = personas
    work, criterion, strong, weak = poster_on_a_rubric(p)
    client = api(p.rivera)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    send(client, "put", url, {"rubric_levels": {criterion.pk: strong}, "return_to_student": True})
    body = send(client, "put", url, {"rubric_levels": {criterion.pk: weak}}).json()
    assert (body["score"], body["rubric_levels"]) == ("4.00", {str(criterion.pk): strong})
    assert (body["changes"]["score"], body["changes"]["rubric_levels"]) == (
        "1.00",
        {str(criterion.pk): weak},
    )


def test_the_work_listing_says_which_returned_feedback_has_changes_pending(
    personas: Personas,
) -> None:
    p = personas
    work = returned_to_ada(p)
    client = api(p.rivera)
    row = ada_row(client, work, p)
    assert (row["score"], row["draft"], row["changes_pending"]) == ("8.00", False, False)
    send(client, "put", f"/assignments/{work.pk}/feedback/{p.ada.pk}", {"score": "5"})
    row = ada_row(client, work, p)
    assert (row["score"], row["draft"], row["changes_pending"]) == ("8.00", False, True)
    maya = next(r for r in client.get(f"{BASE}/assignments/{work.pk}/work").json() if r != row)
    assert maya["changes_pending"] is False
    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    row = ada_row(client, work, p)
    assert (row["score"], row["changes_pending"]) == ("5.00", False)


def test_deleting_the_changes_keeps_the_returned_version(personas: Personas) -> None:
    p = personas
    work = returned_to_ada(p)
    client = api(p.rivera)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    send(client, "put", url, {"score": "5", "comment": CHANGED, "excused": True})
    response = client.delete(f"{BASE}{url}/changes")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["comment"], body["excused"]) == ("8.00", RETURNED, False)
    assert body["changes"] is None
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment, feedback.has_draft) == (Decimal(8), RETURNED, False)
    assert feedback.draft_comment == ""
    assert not ada_row(client, work, p)["changes_pending"]
    # Nothing left to discard: the same answer again.
    again = client.delete(f"{BASE}{url}/changes")
    assert (again.status_code, again.json()) == (200, body)
    # Returning now returns what was returned before, not the discarded changes.
    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    feedback.refresh_from_db()
    assert (feedback.score, feedback.comment) == (Decimal(8), RETURNED)


def test_deleting_changes_without_feedback_or_for_a_student_outside_the_class_is_404(
    personas: Personas,
) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling")
    client = api(p.rivera)
    none_yet = client.delete(f"{BASE}/assignments/{work.pk}/feedback/{p.ada.pk}/changes")
    assert (none_yet.status_code, none_yet.json()) == (404, {"detail": "No feedback yet."})
    outside = client.delete(f"{BASE}/assignments/{work.pk}/feedback/{p.leo.pk}/changes")
    assert (outside.status_code, outside.json()) == (404, {"detail": "No such student."})
    assert not Feedback.objects.exists()


def test_the_student_and_family_apis_show_the_returned_version_while_changes_are_kept(
    personas: Personas,
) -> None:
    p = personas
    work = returned_to_ada(p)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    response = send(api(p.rivera), "put", url, {"score": "5", "comment": CHANGED})
    assert response.json()["changes"]["comment"] == CHANGED
    student, family = api(p.ada), api(p.sam)
    answers = {
        "my work": student.get("/api/v1/my-work"),
        "my assignment": student.get(f"/api/v1/my-work/assignments/{work.pk}"),
        "family overview": family.get("/api/v1/family/overview"),
        "child": family.get(f"/api/v1/family/children/{p.ada.pk}"),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert CHANGED not in answer.content.decode(), name
    mine = answers["my assignment"].json()["feedback"]
    assert (mine["comment"], Decimal(mine["score"])) == (RETURNED, Decimal(8))
    shown = [
        item
        for item in answers["child"].json()["recent_feedback"]
        if item["assignment_id"] == work.pk
    ]
    assert [(item["comment"], Decimal(item["score"])) for item in shown] == [(RETURNED, Decimal(8))]
    overview = [
        item
        for item in answers["family overview"].json()["recent_feedback"]
        if item["assignment_id"] == work.pk
    ]
    assert [(item["comment"], Decimal(item["score"])) for item in overview] == [
        (RETURNED, Decimal(8))
    ]


def test_the_published_schema_describes_changes_to_returned_feedback(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    changes = components["FeedbackOut"]["properties"]["changes"]
    assert {"$ref": "#/components/schemas/FeedbackChangesOut"} in changes["anyOf"]
    assert {"type": "null"} in changes["anyOf"]
    assert "changes" in components["FeedbackOut"]["required"]
    assert set(components["FeedbackChangesOut"]["properties"]) == {
        "score",
        "comment",
        "excused",
        "rubric_levels",
        "saved_at",
    }
    row = components["StudentWorkOut"]
    assert row["properties"]["changes_pending"]["type"] == "boolean"
    assert "changes_pending" in row["required"]
    put = schema["paths"]["/api/v1/classwork/assignments/{assignment_id}/feedback/{student_id}"]
    description = put["put"]["description"]
    assert "kept as ``changes``" in description
    assert "``return_to_student: true``" in description
    assert "DELETE …/changes" in description


def test_levels_and_excused_left_out_stay_as_in_the_changes_kept(personas: Personas) -> None:
    p = personas
    work, criterion, strong, weak = poster_on_a_rubric(p)
    client = api(p.rivera)
    url = f"/assignments/{work.pk}/feedback/{p.ada.pk}"
    send(client, "put", url, {"rubric_levels": {criterion.pk: strong}, "return_to_student": True})
    send(client, "put", url, {"rubric_levels": {criterion.pk: weak}, "excused": True})
    # A comment alone: the level and excused kept stay, and so does their grade.
    changes = send(client, "put", url, {"comment": "Labels?"}).json()["changes"]
    assert (changes["score"], changes["rubric_levels"], changes["excused"]) == (
        "1.00",
        {str(criterion.pk): weak},
        True,
    )
    # A grade sent is checked against the levels kept.
    assert send(client, "put", url, {"comment": "Labels?", "score": "1"}).status_code == 200
    # Returned without levels or excused: returned with those kept.
    body = send(client, "put", url, {"comment": "Labels!", "return_to_student": True}).json()
    assert (body["score"], body["rubric_levels"], body["excused"], body["changes"]) == (
        "1.00",
        {str(criterion.pk): weak},
        True,
        None,
    )
