"""Authorization for calendar feeds: the manage page and its actions x every persona.

Expectations are written out by hand. Only guardians have the page, each for their own feeds; a
guardian makes a child's feed only for their own child whose classwork they may see (Jordan for
Ada is a 404); every other persona gets a 404 and anonymous visitors the sign-in page. A feed's
content follows its owner's links: never a child the owner may not see.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.authorization import CLASSES, EVERYONE, STUDENTS, client_for
from village.calendar.models import CalendarFeed
from village.calendar.services import calendar_feed_create
from village.calendar.tests.calendar_data import in_english
from village.classwork.models import Assignment

pytestmark = pytest.mark.django_db

PERSONAS = EVERYONE

# guardian -> children they may make a feed for (their own, with classwork shared)
FEED_CHILDREN = {
    "sam": {"ada", "leo"},
    "jordan": {"leo"},
    "olga": {"mina"},
    "eve": {"finn"},
}
GUARDIANS = set(FEED_CHILDREN)
# guardian -> first names their family feed shows
FAMILY_FEED_NAMES = {
    "sam": {"Ada", "Leo"},
    "jordan": {"Leo"},
    "olga": {"Mina"},
    "eve": {"Finn"},
}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_calendar_page_opens_for_guardians_only(personas, viewer):
    response = client_for(getattr(personas, viewer)).get("/family/calendar/")
    assert response.status_code == (200 if viewer in GUARDIANS else 404)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_feeds_can_be_made_only_for_own_children_with_classwork(personas, viewer):
    client = client_for(getattr(personas, viewer))
    for name in STUDENTS:
        student = getattr(personas, name)
        allowed = name in FEED_CHILDREN.get(viewer, set())
        response = client.post("/family/calendar/new/", {"child": student.pk})
        assert response.status_code == (200 if allowed else 404), (viewer, name)
        made = CalendarFeed.objects.filter(owner=getattr(personas, viewer), student=student)
        assert made.exists() == allowed, (viewer, name)
        if not allowed:
            assert student.last_name.encode() not in response.content
    response = client.post("/family/calendar/new/", {"child": "family"})
    assert response.status_code == (200 if viewer in GUARDIANS else 404)
    family = CalendarFeed.objects.filter(owner=getattr(personas, viewer), student=None)
    assert family.exists() == (viewer in GUARDIANS)


@pytest.mark.parametrize("viewer", [name for name in PERSONAS if name != "sam"])
def test_nobody_else_can_revoke_or_regenerate_a_guardians_feed(personas, viewer):
    feed, _token = calendar_feed_create(owner=personas.sam, student=personas.leo)
    client = client_for(getattr(personas, viewer))
    assert client.post(f"/family/calendar/{feed.pk}/revoke/").status_code == 404
    assert client.post(f"/family/calendar/{feed.pk}/regenerate/").status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert CalendarFeed.objects.count() == 1


def test_jordan_cannot_make_a_feed_for_ada(personas):
    response = client_for(personas.jordan).post("/family/calendar/new/", {"child": personas.ada.pk})
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/family/calendar/"),
        ("post", "/family/calendar/new/"),
        ("post", "/family/calendar/1/revoke/"),
        ("post", "/family/calendar/1/regenerate/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(personas, method, path):
    feed, _token = calendar_feed_create(owner=personas.sam, student=None)
    path = path.replace("/1/", f"/{feed.pk}/")
    response = getattr(Client(), method)(path, {"child": "family"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert CalendarFeed.objects.count() == 1


@pytest.mark.parametrize("owner", sorted(GUARDIANS))
def test_each_family_feed_shows_only_the_owners_children(personas, owner):
    in_english(personas.sam)  # the summaries are read as "<child>: <title> (due)"
    now = timezone.now()
    for class_name in CLASSES:
        Assignment.objects.create(
            school_class=getattr(personas, class_name),
            title=f"Work of {class_name}",
            assign_at=now - dt.timedelta(days=1),
            due_at=now + dt.timedelta(days=2),
        )
    _feed, token = calendar_feed_create(owner=getattr(personas, owner), student=None)
    text = Client().get(f"/family/calendar/{token}.ics").content.decode()
    shown = {line.split(":")[1] for line in text.split("\r\n") if line.startswith("SUMMARY:")}
    assert shown == FAMILY_FEED_NAMES[owner]
