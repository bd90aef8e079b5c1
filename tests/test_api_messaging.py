"""Messaging in the JSON API, for every persona: the same policy as the pages (404 for what the
caller takes no part in), bad input answered 422 naming the field, and nothing changed."""

from __future__ import annotations

import pytest

from tests.authorization import EVERYONE, api_client_for
from village.messaging import policies, services
from village.messaging.models import Conversation, ConversationKind, Message, MessageReport
from village.messaging.policies import Invitees

pytestmark = pytest.mark.django_db

BASE = "/api/v1/messages"
BODY = "Leo's lab report is a week late."
PARTICIPANTS = {"rivera", "sam", "leo"}
SAFEGUARDING = {"nguyen", "priya"}


@pytest.fixture
def about_leo(personas):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    return services.start(
        starter=personas.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject="Lab report",
        body=BODY,
        invitees=Invitees(guardians=[personas.sam.pk], with_student=True),
    ).conversation


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_list_holds_only_ones_own_conversations(personas, about_leo, persona):
    response = api_client_for(getattr(personas, persona)).get(f"{BASE}/conversations")
    assert response.status_code == 200
    items = response.json()["items"]
    if persona in PARTICIPANTS:
        [item] = items
        assert item["id"] == about_leo.pk
        assert item["student_id"] == personas.leo.pk
        assert item["unread"] == (0 if persona == "rivera" else 1)
    else:
        assert items == []


@pytest.mark.parametrize("persona", EVERYONE)
def test_one_conversation(personas, about_leo, persona):
    response = api_client_for(getattr(personas, persona)).get(
        f"{BASE}/conversations/{about_leo.pk}"
    )
    if persona in PARTICIPANTS | SAFEGUARDING:
        assert response.status_code == 200
        found = response.json()
        assert found["safeguarding"] == (persona in SAFEGUARDING)
        [message] = found["messages"]
        assert message["body"]["original"] == BODY
        assert {person["id"] for person in found["participants"]} == {
            personas.rivera.pk,
            personas.sam.pk,
            personas.leo.pk,
        }
    else:
        assert response.status_code == 404
        assert BODY not in response.content.decode()


@pytest.mark.parametrize("persona", EVERYONE)
def test_replying(personas, about_leo, persona):
    response = api_client_for(getattr(personas, persona)).post(
        f"{BASE}/conversations/{about_leo.pk}/messages",
        {"body": "A reply"},
        content_type="application/json",
    )
    if persona in PARTICIPANTS:
        assert response.status_code == 201
        assert response.json()["body"]["original"] == "A reply"
    else:
        assert response.status_code == 404
        assert not Message.objects.filter(body="A reply").exists()


def test_an_empty_reply_is_refused_naming_the_field(personas, about_leo):
    response = api_client_for(personas.sam).post(
        f"{BASE}/conversations/{about_leo.pk}/messages",
        {"body": "   "},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "body"
    assert Message.objects.count() == 1


def test_marking_read_clears_the_unread_count(personas, about_leo):
    client = api_client_for(personas.sam)
    assert client.get(f"{BASE}/unread").json() == {"conversations": 1}
    response = client.post(f"{BASE}/conversations/{about_leo.pk}/read")
    assert response.json() == {"conversations": 0}
    assert (
        api_client_for(personas.nguyen)
        .post(f"{BASE}/conversations/{about_leo.pk}/read")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "payload", "status", "field"),
    [
        ("sam", {"kind": "family", "staff": ["chen"]}, 201, None),
        ("sam", {"kind": "family", "staff": ["stone"]}, 422, "staff"),
        ("sam", {"kind": "family", "staff": ["rivera"], "guardians": ["jordan"]}, 422, "guardians"),
        ("sam", {"kind": "staff", "staff": ["rivera"]}, 422, "kind"),
        ("leo", {"kind": "student", "staff": ["chen"]}, 201, None),
        ("rivera", {"kind": "staff", "staff": ["chen"]}, 201, None),
        ("jordan", {"kind": "family", "staff": ["rivera"]}, 404, None),
        ("eve", {"kind": "family", "staff": ["rivera"]}, 404, None),
        ("ada", {"kind": "student", "staff": ["rivera"]}, 404, None),
        ("library", {"kind": "family", "staff": ["rivera"]}, 404, None),
    ],
)
def test_starting_a_conversation_about_leo(personas, persona, payload, status, field):
    body = {
        "student_id": personas.leo.pk,
        "subject": "Maths",
        "body": "How is Leo doing?",
        **payload,
        "staff": [getattr(personas, name).pk for name in payload.get("staff", [])],
        "guardians": [getattr(personas, name).pk for name in payload.get("guardians", [])],
    }
    response = api_client_for(getattr(personas, persona)).post(
        f"{BASE}/conversations", body, content_type="application/json"
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["messages"][0]["body"]["original"] == "How is Leo doing?"
    else:
        assert not Conversation.objects.exists()
    if field:
        assert response.json()["detail"][0]["loc"][-1] == field


def test_hiding_and_reporting(personas, about_leo):
    message = Message.objects.get()
    url = f"{BASE}/conversations/{about_leo.pk}/messages/{message.pk}"
    sam = api_client_for(personas.sam)
    reported = sam.post(f"{url}/report", {"reason": "Not kind"}, content_type="application/json")
    assert reported.status_code == 201
    assert MessageReport.objects.filter(reporter=personas.sam).count() == 1
    refused = sam.post(f"{url}/hide", {}, content_type="application/json")
    assert refused.status_code == 422  # not Sam's message
    assert (
        api_client_for(personas.eve)
        .post(f"{url}/hide", {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    no_reason = api_client_for(personas.nguyen).post(
        f"{url}/hide", {}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"][-1] == "reason"
    hidden = api_client_for(personas.nguyen).post(
        f"{url}/hide", {"reason": "A phone number"}, content_type="application/json"
    )
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] is True
    assert hidden.json()["body"] is None


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert f"{BASE}/conversations" in paths
    assert f"{BASE}/conversations/{{conversation_id}}/messages" in paths
