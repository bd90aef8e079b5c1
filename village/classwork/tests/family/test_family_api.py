"""The family endpoints: ``/api/v1/family/overview`` and ``/api/v1/family/children/{id}``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.classwork.tests.family.test_family_selectors import build_term
from village.classwork.tests.family.test_family_views import grow
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

OVERVIEW = "/api/v1/family/overview"


def api(user: User) -> Client:
    _token, secret = token_create(user=user, name="family")
    return Client(headers={"authorization": f"Bearer {secret}"})


def child_path(student: User) -> str:
    return f"/api/v1/family/children/{student.pk}"


def api_events(before: int) -> list[tuple[int | None, str, str]]:
    return list(
        AuditEvent.objects.filter(pk__gt=before)
        .order_by("student_id")
        .values_list("student_id", "action", "channel")
    )


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


class TestOverview:
    def test_sam_gets_both_children_with_labelled_items_and_scores(self, personas: Personas):
        p = personas
        term = build_term(p)
        body = api(p.sam).get(OVERVIEW).json()
        assert [(c["name"], c["grades_visible"]) for c in body["children"]] == [
            ("Ada", True),
            ("Leo", True),
        ]
        attention = {
            (item["kind"], item["child"]["name"], item["work"]["title"] if item["work"] else None)
            for item in body["needs_attention"]
        }
        assert ("missing", "Ada", "Spelling list 12") in attention
        assert ("missing", "Leo", "Reading quiz") in attention
        assert ("late", "Leo", "Lab safety") in attention
        assert ("low_grade", "Leo", None) in attention
        assert [(w["child"]["id"], w["title"]) for w in body["this_week"]] == [
            (p.ada.pk, "Book report"),
            (p.leo.pk, "Water cycle poster"),
        ]
        fractions = body["recent_feedback"][0]
        assert fractions["title"] == "Fractions worksheet"
        assert fractions["score"] == "6.00"
        assert fractions["percent"] == "60.0"
        assert fractions["new_feedback"] is True
        assert fractions["url"] == f"/work/assignments/{term.fractions.pk}/"

    def test_jordan_gets_leo_only_and_never_a_score(self, personas: Personas):
        p = personas
        build_term(p)
        body = api(p.jordan).get(OVERVIEW).json()
        assert [(c["id"], c["grades_visible"]) for c in body["children"]] == [(p.leo.pk, False)]
        works = body["this_week"] + body["recent_feedback"]
        works += [item["work"] for item in body["needs_attention"] if item["work"]]
        assert works
        assert {w["child"]["id"] for w in works} == {p.leo.pk}
        assert {(w["score"], w["percent"]) for w in works} == {(None, None)}
        assert "low_grade" not in {item["kind"] for item in body["needs_attention"]}
        assert "Ada" not in str(body)

    def test_each_child_shown_is_audited_once_on_the_api_channel(self, personas: Personas):
        p = personas
        client = api(p.sam)
        before = last_event_id()
        assert client.get(OVERVIEW).status_code == 200
        assert api_events(before) == [
            (p.ada.pk, AuditAction.VIEW_STUDENT, "api"),
            (p.leo.pk, AuditAction.VIEW_STUDENT, "api"),
        ]
        school = AuditEvent.objects.filter(pk__gt=before).values_list("organisation_id", flat=True)
        assert set(school) == {p.school.pk}

    def test_someone_without_children_gets_empty_lists_and_no_audit(self, personas: Personas):
        build_term(personas)
        before = last_event_id()
        for user in (personas.rivera, personas.leo, personas.priya):
            body = api(user).get(OVERVIEW).json()
            assert body == {
                "children": [],
                "needs_attention": [],
                "this_week": [],
                "recent_feedback": [],
            }
        assert api_events(before) == []

    def test_query_count_stays_constant(self, personas: Personas):
        p = personas
        build_term(p)
        client = api(p.sam)
        client.get(OVERVIEW)  # the token's first use is recorded once; summaries are built
        with CaptureQueriesContext(connection) as few:
            client.get(OVERVIEW)
        grow(p)
        client.get(OVERVIEW)  # new children and classes: their summaries are built
        with CaptureQueriesContext(connection) as many:
            body = client.get(OVERVIEW).json()
        assert len(body["children"]) == 4
        assert len(many) == len(few)


class TestChild:
    def test_sam_gets_leos_page_with_grades_topics_and_starters(self, personas: Personas):
        p = personas
        build_term(p)
        client = api(p.sam)
        before = last_event_id()
        body = client.get(child_path(p.leo)).json()
        assert api_events(before) == [(p.leo.pk, AuditAction.VIEW_STUDENT, "api")]
        assert body["child"]["full_name"] == "Leo Okoye"
        assert body["school"] == {
            "id": p.school.pk,
            "name": "Riverside K-8 School",
            "phone": "+1 555 0100",
        }
        math, science = body["classes"]
        assert math["teachers"] == ["David Chen"]
        assert math["grade"]["percent"] == "55.0"
        assert math["grade"]["low"] is True
        assert science["topics"][0]["title"] == "The water cycle"
        assert [w["title"] for w in body["missing"]] == ["Reading quiz"]
        assert [w["title"] for w in body["upcoming"]] == ["Water cycle poster", "Science fair plan"]
        assert len(body["starters"]) == 4
        assert all("Leo" in starter["text"] for starter in body["starters"])

    def test_jordan_gets_leo_without_grades(self, personas: Personas):
        p = personas
        build_term(p)
        body = api(p.jordan).get(child_path(p.leo)).json()
        assert [view["grade"] for view in body["classes"]] == [None, None]
        assert {w["score"] for w in body["recent_feedback"]} == {None}
        assert body["child"]["grades_visible"] is False

    @pytest.mark.parametrize(
        ("viewer", "student"),
        [("jordan", "ada"), ("eve", "leo"), ("rivera", "leo"), ("olga", "ada"), ("ada", "ada")],
    )
    def test_anyone_else_gets_404_and_no_audit(self, personas: Personas, viewer, student):
        before = last_event_id()
        response = api(getattr(personas, viewer)).get(child_path(getattr(personas, student)))
        assert response.status_code == 404
        assert response.json() == {"detail": "No such student."}
        assert api_events(before) == []

    def test_anonymous_callers_get_401(self, personas: Personas):
        assert Client().get(OVERVIEW).status_code == 401
        assert Client().get(child_path(personas.leo)).status_code == 401


def test_the_endpoints_are_documented(db):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/v1/family/overview" in schema["paths"]
    child = schema["paths"]["/api/v1/family/children/{student_id}"]["get"]
    assert child["summary"] == "One child, as the family sees it"
    assert {"200", "401", "404"} <= set(child["responses"])
    assert child["operationId"] == "family_child"
    work = schema["components"]["schemas"]["FamilyWorkOut"]["properties"]
    assert "Null unless the caller may see grades." in work["score"]["description"]


def test_a_malformed_child_id_is_refused_naming_the_field(personas: Personas):
    before = last_event_id()
    response = api(personas.sam).get("/api/v1/family/children/leo")
    assert response.status_code == 422
    assert "student_id" in str(response.json()["detail"])
    assert api_events(before) == []
