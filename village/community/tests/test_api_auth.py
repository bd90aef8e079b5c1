"""Who may call /api/v1 at all: personal tokens and sessions, and the public API documentation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from village.accounts.models import PersonalToken
from village.accounts.tokens import token_create, token_revoke
from village.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def endpoint_paths(personas) -> list[str]:
    return [
        "/api/v1/me",
        "/api/v1/me/children",
        "/api/v1/classes",
        f"/api/v1/classes/{personas.homeroom5.pk}",
        f"/api/v1/classes/{personas.homeroom5.pk}/roster",
        f"/api/v1/students/{personas.ada.pk}",
    ]


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_every_endpoint_refuses_an_anonymous_caller_with_401(client, personas):
    for path in endpoint_paths(personas):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Unauthorized"}
    assert AuditEvent.objects.count() == 0


def test_a_personal_token_signs_the_caller_in(client, personas):
    _token, secret = token_create(user=personas.sam, name="Phone")
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "sam"


def test_a_token_reaches_every_endpoint_as_its_owner(client, personas):
    _token, secret = token_create(user=personas.rivera, name="Script")
    for path in endpoint_paths(personas):
        assert client.get(path, **bearer(secret)).status_code == 200, path


def test_a_token_view_of_a_student_is_audited_as_an_api_view(client, personas):
    _token, secret = token_create(user=personas.sam, name="Phone")
    client.get(f"/api/v1/students/{personas.leo.pk}", **bearer(secret))
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.student_id, event.channel) == (
        personas.sam.pk,
        personas.leo.pk,
        "api",
    )


def test_a_token_only_sees_what_its_owner_may_see(client, personas):
    _token, secret = token_create(user=personas.eve, name="Phone")
    assert client.get(f"/api/v1/students/{personas.ada.pk}", **bearer(secret)).status_code == 404
    assert (
        client.get(f"/api/v1/classes/{personas.homeroom5.pk}", **bearer(secret)).status_code == 404
    )


def test_a_revoked_token_is_refused(client, personas):
    token, secret = token_create(user=personas.sam, name="Old phone")
    token_revoke(token=token)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_an_expired_token_is_refused(client, personas):
    token, secret = token_create(user=personas.sam, name="Old phone")
    PersonalToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


@pytest.mark.parametrize("secret", ["vlg_not-a-real-token", "not-even-the-prefix", ""])
def test_an_unknown_token_is_refused(client, personas, secret):
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_the_token_of_a_deactivated_account_is_refused(client, personas):
    _token, secret = token_create(user=personas.sam, name="Phone")
    personas.sam.is_active = False
    personas.sam.save()
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_the_browser_session_signs_the_caller_in(client, personas):
    personas.ada.refresh_from_db(fields=["password"])
    client.force_login(personas.ada)
    assert client.get("/api/v1/me").json()["username"] == "ada"


def test_a_session_of_a_deactivated_account_is_refused(client, personas):
    personas.ada.refresh_from_db(fields=["password"])
    client.force_login(personas.ada)
    personas.ada.is_active = False
    personas.ada.save()
    assert client.get("/api/v1/me").status_code == 401


def test_the_openapi_schema_lists_every_endpoint(client: Client, personas):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/me",
        "/api/v1/me/children",
        "/api/v1/classes",
        "/api/v1/classes/{class_id}",
        "/api/v1/classes/{class_id}/roster",
        "/api/v1/students/{student_id}",
        "/api/v1/classwork/classes/{class_id}/assignments",
        "/api/v1/classwork/classes/{class_id}/categories",
        "/api/v1/classwork/classes/{class_id}/topics",
        "/api/v1/classwork/assignments/{assignment_id}",
        "/api/v1/classwork/assignments/{assignment_id}/work",
        "/api/v1/classwork/assignments/{assignment_id}/materials",
        "/api/v1/classwork/assignments/{assignment_id}/materials/{material_id}",
        "/api/v1/classwork/materials/{material_id}/file",
        "/api/v1/classwork/assignments/{assignment_id}/feedback/{student_id}",
        "/api/v1/classwork/assignments/{assignment_id}/feedback/{student_id}/changes",
        "/api/v1/my-work",
        "/api/v1/my-work/assignments/{assignment_id}",
        "/api/v1/my-work/assignments/{assignment_id}/submissions",
        "/api/v1/family/overview",
        "/api/v1/family/children/{student_id}",
        "/api/v1/classwork/classes/{class_id}/weekly-notes",
        "/api/v1/classwork/classes/{class_id}/students/{student_id}/weekly-note",
        "/api/v1/notifications",
        "/api/v1/notifications/read",
        "/api/v1/notifications/digest/preview",
        "/api/v1/notifications/{notification_id}/read",
        "/api/v1/notifications/settings",
        "/api/v1/notifications/children/{child_id}/alerts",
        "/api/v1/messages/conversations",
        "/api/v1/messages/unread",
        "/api/v1/messages/conversations/{conversation_id}",
        "/api/v1/messages/conversations/{conversation_id}/messages",
        "/api/v1/messages/conversations/{conversation_id}/read",
        "/api/v1/messages/conversations/{conversation_id}/messages/{message_id}/hide",
        "/api/v1/messages/conversations/{conversation_id}/messages/{message_id}/report",
        "/api/v1/conferences/rounds",
        "/api/v1/conferences/rounds/{round_id}",
        "/api/v1/conferences/rounds/{round_id}/slots",
        "/api/v1/conferences/slots/{slot_id}/cancel",
        "/api/v1/conferences/slots/{slot_id}/place",
        "/api/v1/conferences/children/{child_id}/slots",
        "/api/v1/conferences/bookings",
        "/api/v1/conferences/bookings/{booking_id}",
        "/api/v1/conferences/bookings/{booking_id}/reschedule",
        "/api/v1/conferences/bookings/{booking_id}/cancel",
        "/api/v1/announcements",
        "/api/v1/announcements/sent",
        "/api/v1/announcements/with-files",
        "/api/v1/announcements/{announcement_id}",
        "/api/v1/announcements/{announcement_id}/reach",
        "/api/v1/goals/sets",
        "/api/v1/goals/sets/{set_id}",
        "/api/v1/goals/plans/mine",
        "/api/v1/goals/children/{child_id}/plans",
        "/api/v1/goals/classes/{class_id}/plans",
        "/api/v1/goals/plan-goals/{plan_goal_id}/efforts",
        "/api/v1/goals/plan-goals/{plan_goal_id}/encouragements",
        "/api/v1/goals/efforts/{effort_id}/feedback",
        "/api/v1/goals/help-requests",
        "/api/v1/goals/help-requests/{request_id}/answer",
        "/api/v1/support/accommodations/{accommodation_id}",
        "/api/v1/support/plans/{plan_id}",
        "/api/v1/support/plans/{plan_id}/close",
        "/api/v1/support/plans/{plan_id}/comments",
        "/api/v1/support/plans/{plan_id}/confirm",
        "/api/v1/support/plans/{plan_id}/disagree",
        "/api/v1/support/plans/{plan_id}/home-actions/{action_id}/done",
        "/api/v1/support/plans/{plan_id}/progress",
        "/api/v1/support/plans/{plan_id}/propose",
        "/api/v1/support/plans/{plan_id}/review",
        "/api/v1/support/plans/{plan_id}/student-view",
        "/api/v1/support/plans/{plan_id}/versions",
        "/api/v1/support/plans/{plan_id}/versions/{number}",
        "/api/v1/support/students",
        "/api/v1/support/students/{student_id}/accommodations",
        "/api/v1/support/students/{student_id}/entries/{topic}",
        "/api/v1/support/students/{student_id}/plans",
        "/api/v1/support/students/{student_id}/profile",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation["summary"], where
            assert operation["description"], where
            assert "401" in operation["responses"], where
            assert operation["security"], where
    assert {"PersonalTokenAuth", "ActiveSessionAuth"} <= set(
        schema["components"]["securitySchemes"]
    )


def test_the_api_docs_page_answers_without_signing_in(client: Client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
