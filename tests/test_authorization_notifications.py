"""Authorization matrix for notifications: every page and endpoint x every persona x every child
and notification, written out by hand. A notification is its recipient's alone; a child's alerts
are set by the guardians of a usable link only (staff who see the student, the student, guardians
of other children and people of other schools get a 404, never a name); a school's family
notifications by its admins and its district's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from tests.authorization import EVERYONE, STUDENTS, api_client_for, client_for
from village.demo.personas import Personas
from village.notifications.models import (
    AlertRule,
    Notification,
    SchoolNotificationSettings,
)
from village.notifications.registry import AlertKind
from village.notifications.tests import kinds as k
from village.notifications.tests.factories import notification
from village.notifications.tests.kinds import registered_kinds

pytestmark = pytest.mark.django_db

# viewer -> children whose alerts they set
ALERT_CHILDREN = {
    "sam": {"ada", "leo"},
    "jordan": {"leo"},
    "olga": {"mina"},
    "eve": {"finn"},
}
# viewer -> schools whose family notifications they change
SCHOOLS = {"nguyen": {"school"}, "priya": {"school", "sister_school"}}

API = "/api/v1/notifications"
#: A valid answer to every alert's fields: the missing-work alert off, the others as they come.
ALERT_ANSWERS = {
    f"{k.GRADE_BELOW}-threshold": "70",
    f"{k.TREND}-threshold": "10",
    f"{k.TREND}-weeks": "3",
}


@pytest.fixture
def kinds() -> Iterator[list[AlertKind]]:
    with registered_kinds() as registered:
        yield registered


@pytest.fixture
def notes(personas: Personas) -> dict[str, Notification]:
    """One notification for each persona, about a child where they have one."""
    children = {"sam": personas.ada, "jordan": personas.leo, "olga": personas.mina}
    return {
        name: notification(
            getattr(personas, name),
            f"For {name}",
            child=children.get(name),
            link="/accounts/profile/",
        )
        for name in EVERYONE
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_centre_and_settings_pages_show_only_the_viewers_own(personas, kinds, notes, viewer):
    client = client_for(getattr(personas, viewer))
    centre = client.get(reverse("notifications:centre"))
    assert centre.status_code == 200
    html = centre.content.decode()
    assert f"For {viewer}" in html
    assert [name for name in EVERYONE if f"For {name}<" in html] == [viewer]
    settings = client.get(reverse("notifications:settings"))
    assert settings.status_code == 200
    links = {
        name
        for name in STUDENTS
        if reverse("notifications:child_alerts", args=[getattr(personas, name).pk])
        in settings.content.decode()
    }
    assert links == ALERT_CHILDREN.get(viewer, set())


@pytest.mark.parametrize("viewer", EVERYONE)
def test_each_notification_is_opened_read_and_removed_by_its_recipient_only(
    personas, notes, viewer
):
    client = client_for(getattr(personas, viewer))
    api = api_client_for(getattr(personas, viewer))
    for owner, note in notes.items():
        mine = owner == viewer
        opened = client.get(reverse("notifications:open", args=[note.pk]))
        assert opened.status_code == (302 if mine else 404), (viewer, owner)
        read = client.post(reverse("notifications:read", args=[note.pk]))
        assert read.status_code == (302 if mine else 404)
        by_api = api.post(f"{API}/{note.pk}/read")
        assert by_api.status_code == (200 if mine else 404)
        if not mine:
            assert by_api.json() == {"detail": "No such notification."}
            assert f"For {owner}" not in opened.content.decode()
        note.refresh_from_db()
        assert (note.read_at is not None) == (owner == viewer)
    listed = api.get(API).json()
    assert [item["id"] for item in listed["items"]] == [notes[viewer].pk]
    removed = client.post(reverse("notifications:dismiss", args=[notes["sam"].pk]))
    assert removed.status_code == (302 if viewer == "sam" else 404)
    notes["sam"].refresh_from_db()
    assert (notes["sam"].dismissed_at is not None) == (viewer == "sam")


@pytest.mark.parametrize("viewer", EVERYONE)
def test_child_alert_pages_matrix(personas, kinds, viewer):
    client = client_for(getattr(personas, viewer))
    allowed = ALERT_CHILDREN.get(viewer, set())
    for name in STUDENTS:
        child = getattr(personas, name)
        path = reverse("notifications:child_alerts", args=[child.pk])
        page = client.get(path)
        saved = client.post(path, ALERT_ANSWERS)
        if name in allowed:
            assert page.status_code == 200, (viewer, name)
            assert f"Alerts about {child.first_name}" in page.content.decode() or (
                f"Alertas sobre {child.first_name}" in page.content.decode()
            )
            assert saved.status_code == 302
        else:
            assert page.status_code == 404, (viewer, name)
            assert saved.status_code == 404
            assert child.last_name not in page.content.decode()
    rules = AlertRule.objects.filter(guardian=getattr(personas, viewer))
    assert set(rules.values_list("child_id", flat=True)) == {
        getattr(personas, name).pk for name in allowed
    }
    assert set(rules.filter(kind=k.MISSING, enabled=False).values_list("child_id", flat=True)) == {
        getattr(personas, name).pk for name in allowed
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_child_alert_endpoints_matrix(personas, kinds, viewer):
    api = api_client_for(getattr(personas, viewer))
    allowed = ALERT_CHILDREN.get(viewer, set())
    for name in STUDENTS:
        child = getattr(personas, name)
        path = f"{API}/children/{child.pk}/alerts"
        read = api.get(path)
        body = {"rules": [{"kind": k.MISSING, "enabled": False}]}
        changed = api.put(path, body, content_type="application/json")
        if name in allowed:
            assert read.status_code == 200, (viewer, name)
            assert read.json()["child"]["id"] == child.pk
            assert changed.status_code == 200
        else:
            assert read.status_code == 404, (viewer, name)
            assert read.json() == {"detail": "No such student."}
            assert changed.status_code == 404
            assert changed.json() == {"detail": "No such student."}
    expected = {(getattr(personas, name).pk, k.MISSING) for name in allowed}
    rules = AlertRule.objects.filter(guardian=getattr(personas, viewer))
    assert set(rules.values_list("child_id", "kind")) == expected


@pytest.mark.parametrize("viewer", EVERYONE)
def test_settings_endpoints_answer_every_caller_with_their_own(personas, kinds, viewer):
    user = getattr(personas, viewer)
    api = api_client_for(user)
    body = api.get(f"{API}/settings").json()
    children = {child["id"] for child in body["children"]}
    assert children == {getattr(personas, name).pk for name in ALERT_CHILDREN.get(viewer, set())}
    changed = api.put(f"{API}/settings", {"quiet_hours": False}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["quiet_hours"] is False


@pytest.mark.parametrize("viewer", EVERYONE)
def test_school_family_notifications_matrix(personas, kinds, viewer):
    client = client_for(getattr(personas, viewer))
    allowed = SCHOOLS.get(viewer, set())
    answers = {
        "digest_weekday": "1",
        "digest_hour": "8",
        "weekly_email_budget": "4",
        **ALERT_ANSWERS,
    }
    for name in ("school", "sister_school", "other_school"):
        school = getattr(personas, name)
        response = client.post(
            reverse("onboarding:school_notifications", args=[school.pk]), answers
        )
        assert response.status_code == (302 if name in allowed else 404), (viewer, name)
        saved = SchoolNotificationSettings.objects.filter(school=school, digest_hour=8)
        assert saved.exists() == (name in allowed)


@pytest.mark.parametrize(
    "path",
    [
        "/notifications/",
        "/notifications/settings/",
        "/notifications/1/",
        "/notifications/children/1/alerts/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", API),
        ("post", f"{API}/read"),
        ("post", f"{API}/1/read"),
        ("get", f"{API}/settings"),
        ("put", f"{API}/settings"),
        ("get", f"{API}/children/1/alerts"),
        ("put", f"{API}/children/1/alerts"),
    ],
)
def test_anonymous_api_callers_get_401(db, method, path):
    response = getattr(Client(), method)(path, {}, content_type="application/json")
    assert response.status_code == 401
    assert "detail" in response.json()
