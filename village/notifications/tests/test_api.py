"""Notifications in the JSON API: the caller's list (paged, unread only), reading one or all,
settings and a guardian's alerts about a child; bad input answers 422 naming the field and
changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.authorization import api_client_for
from village.notifications.models import (
    AlertRule,
    EmailMode,
    KindSetting,
    Notification,
    UserSettings,
)
from village.notifications.tests import kinds as k
from village.notifications.tests.factories import notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, body, content_type="application/json")


def locs(response: Any) -> list[list[str | int]]:
    assert response.status_code == 422, response.content
    return [error["loc"] for error in response.json()["detail"]]


# --- the list --------------------------------------------------------------------------------


def test_the_list_is_the_callers_own_newest_first_with_the_child(personas):
    p = personas
    read = notification(p.sam, "Read", read=True)
    about_leo = notification(p.sam, "About Leo", child=p.leo, link="/family/")
    notification(p.jordan, "Jordan's")
    body = api_client_for(p.sam).get(BASE).json()
    assert body["count"] == 2
    assert [item["title"] for item in body["items"]] == ["About Leo", "Read"]
    first = body["items"][0]
    assert first["id"] == about_leo.pk
    assert first["child"] == {"id": p.leo.pk, "name": "Leo"}
    assert first["link"] == "/family/"
    assert first["read_at"] is None
    assert body["items"][1]["child"] is None
    assert body["items"][1]["read_at"] is not None
    unread = api_client_for(p.sam).get(BASE, {"unread": "true"}).json()
    assert [item["id"] for item in unread["items"]] == [about_leo.pk]
    assert read.pk not in [item["id"] for item in unread["items"]]


def test_the_list_is_paged_and_costs_the_same_with_3_or_30(personas, django_assert_num_queries):
    client = api_client_for(personas.sam)
    for n in range(3):
        notification(personas.sam, f"Few {n}", child=personas.ada)
    client.get(BASE)  # the token's first use is recorded
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE, {"limit": 10}).json()["count"] == 3
    for n in range(27):
        notification(personas.sam, f"Many {n}", child=personas.leo)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(BASE, {"limit": 10, "offset": 5}).json()
    assert body["count"] == 30
    assert len(body["items"]) == 10


def test_a_page_larger_than_allowed_is_cut_to_the_maximum(personas):
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=personas.sam,
                kind="k",
                title=str(n),
                key=f"bulk:{n}",
                created_at="2026-01-01T00:00Z",
            )
            for n in range(120)
        ]
    )
    body = api_client_for(personas.sam).get(BASE, {"limit": 500}).json()
    assert len(body["items"]) == 100


def test_reading_one_and_all(personas):
    one = notification(personas.sam, "One")
    two = notification(personas.sam, "Two")
    client = api_client_for(personas.sam)
    response = client.post(f"{BASE}/{one.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    two.refresh_from_db()
    assert two.read_at is None
    assert client.post(f"{BASE}/read").json() == {"marked": 1}
    assert client.post(f"{BASE}/read").json() == {"marked": 0}


def test_someone_elses_notification_is_a_404(personas):
    theirs = notification(personas.sam, "Sam's")
    response = api_client_for(personas.jordan).post(f"{BASE}/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such notification."}
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- settings --------------------------------------------------------------------------------


def test_settings_list_the_callers_kinds_and_change_only_what_is_sent(personas, kinds):
    client = api_client_for(personas.jordan)
    body = client.get(f"{BASE}/settings").json()
    by_kind = {kind["kind"]: kind for kind in body["kinds"]}
    assert {k.NEWS, k.URGENT, "weekly_digest"} <= set(by_kind)
    assert k.DUE not in by_kind
    assert k.MISSING not in by_kind  # per child
    assert by_kind[k.NEWS]["email"] == "daily"
    assert by_kind[k.URGENT]["urgent"] is True
    assert body["student_reminders"] is None
    assert body["children"] == [{"id": personas.leo.pk, "name": "Leo"}]
    changed = put(
        client,
        f"{BASE}/settings",
        {"kinds": [{"kind": k.NEWS, "email": "weekly"}], "quiet_start": "22:15"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["quiet_start"] == "22:15"
    assert KindSetting.objects.get(user=personas.jordan, kind=k.NEWS).email == EmailMode.WEEKLY
    assert UserSettings.objects.get(user=personas.jordan).quiet_hours is True


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"kinds": [{"kind": "nope", "email": "off"}]}, ["body", "payload", "kinds", 0, "kind"]),
        (
            {"kinds": [{"kind": k.NEWS, "email": "off"}, {"kind": k.DUE, "email": "off"}]},
            ["body", "payload", "kinds", 1, "kind"],
        ),
        (
            {"kinds": [{"kind": k.URGENT, "email": "off"}]},
            ["body", "payload", "kinds", 0, "email"],
        ),
        (
            {"kinds": [{"kind": k.NEWS, "email": "sometimes"}]},
            ["body", "payload", "kinds", 0, "email"],
        ),
        ({"phone": "555 0100"}, ["body", "payload", "phone"]),
        ({"quiet_start": "07:00"}, ["body", "payload", "quiet_end"]),
        ({"quiet_start": "21:00+02:00"}, ["body", "payload", "quiet_start"]),
        ({"quiet_start": "24:00"}, ["body", "payload", "quiet_start"]),
        ({"student_reminders": "maybe"}, ["body", "payload", "student_reminders"]),
    ],
)
def test_bad_settings_answer_422_naming_the_field_and_change_nothing(personas, kinds, body, where):
    response = put(api_client_for(personas.jordan), f"{BASE}/settings", body)
    assert where in locs(response)
    assert not KindSetting.objects.exists()
    assert not UserSettings.objects.exists()


def test_texts_need_a_gateway_and_a_number(personas, kinds, settings):
    client = api_client_for(personas.jordan)
    texts = {"kinds": [{"kind": k.NEWS, "email": "off", "sms": True}]}
    assert locs(put(client, f"{BASE}/settings", texts)) == [["body", "payload", "kinds", 0, "sms"]]
    settings.VILLAGE_SMS_URL = "https://sms.example.test/send"
    assert locs(put(client, f"{BASE}/settings", texts)) == [["body", "payload", "phone"]]
    response = put(client, f"{BASE}/settings", {**texts, "phone": "+1 555 010 0142"})
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+15550100142"
    assert {kind["kind"]: kind["sms"] for kind in body["kinds"]}[k.NEWS] is True


# --- a guardian's alerts about a child ------------------------------------------------------


def test_child_alerts_read_and_change(personas, kinds):
    p = personas
    client = api_client_for(p.sam)
    body = client.get(f"{BASE}/children/{p.leo.pk}/alerts").json()
    rules = {rule["kind"]: rule for rule in body["rules"]}
    assert body["child"] == {"id": p.leo.pk, "name": "Leo"}
    assert rules[k.GRADE_BELOW]["threshold_kind"] == "below"
    assert rules[k.GRADE_BELOW]["source"] == "default"
    assert rules[k.TREND]["weeks"] == 3
    assert body["not_offered"] == []
    response = put(
        client,
        f"{BASE}/children/{p.leo.pk}/alerts",
        {"rules": [{"kind": k.GRADE_BELOW, "enabled": True, "threshold": 55}]},
    )
    assert response.status_code == 200, response.content
    changed = {rule["kind"]: rule for rule in response.json()["rules"]}
    assert changed[k.GRADE_BELOW]["source"] == "guardian"
    assert Decimal(changed[k.GRADE_BELOW]["threshold"]) == 55
    assert changed[k.MISSING]["source"] == "default"  # left out: as it was
    assert AlertRule.objects.get(guardian=p.sam, child=p.leo).threshold == 55


def test_jordan_is_not_offered_grade_alerts(personas, kinds):
    client = api_client_for(personas.jordan)
    body = client.get(f"{BASE}/children/{personas.leo.pk}/alerts").json()
    assert [rule["kind"] for rule in body["rules"]] == [k.MISSING]
    assert {(w["kind"], w["scope"]) for w in body["not_offered"]} == {
        (k.GRADE_BELOW, "grades"),
        (k.TREND, "grades"),
    }
    response = put(
        client,
        f"{BASE}/children/{personas.leo.pk}/alerts",
        {"rules": [{"kind": k.GRADE_BELOW, "enabled": True, "threshold": 50}]},
    )
    assert locs(response) == [["body", "payload", "rules", 0, "kind"]]
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize(
    ("rules", "where"),
    [
        ([{"kind": "nope", "enabled": True}], ["body", "payload", "rules", 0, "kind"]),
        (
            [{"kind": k.MISSING, "enabled": False}, {"kind": k.GRADE_BELOW, "enabled": True}],
            ["body", "payload", "rules", 1, "threshold"],
        ),
        (
            [{"kind": k.GRADE_BELOW, "enabled": True, "threshold": 150}],
            ["body", "payload", "rules", 0, "threshold"],
        ),
        (
            [{"kind": k.GRADE_BELOW, "enabled": True, "threshold": "70.25"}],
            ["body", "payload", "rules", 0, "threshold"],
        ),
        (
            [{"kind": k.TREND, "enabled": True, "threshold": 0, "weeks": 2}],
            ["body", "payload", "rules", 0, "threshold"],
        ),
        (
            [{"kind": k.TREND, "enabled": True, "threshold": 5, "weeks": 13}],
            ["body", "payload", "rules", 0, "weeks"],
        ),
        (
            [{"kind": k.MISSING, "enabled": True, "threshold": 5}],
            ["body", "payload", "rules", 0, "threshold"],
        ),
        ([{"kind": k.MISSING}], ["body", "payload", "rules", 0, "enabled"]),
    ],
)
def test_bad_alerts_answer_422_naming_the_field_and_change_nothing(personas, kinds, rules, where):
    response = put(
        api_client_for(personas.sam), f"{BASE}/children/{personas.leo.pk}/alerts", {"rules": rules}
    )
    assert where in locs(response)
    assert not AlertRule.objects.exists()


def test_the_endpoints_are_documented_with_operation_ids(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    ids = {
        operation["operationId"]
        for path, operations in paths.items()
        if path.startswith(BASE)
        for operation in operations.values()
    }
    assert ids == {
        "notifications_list",
        "notifications_read_all",
        "notification_read",
        "notification_settings_get",
        "notification_settings_put",
        "notification_child_alerts_get",
        "notification_child_alerts_put",
        "notifications_digest_preview",
    }
