"""Calendar sources: an app's registered source shows in every feed, without the calendar app
knowing it; and feed addresses made before the calendar app existed keep working."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from village.calendar import sources
from village.calendar.models import FEED_DIGEST_SALT, CalendarFeed, feed_digest, feed_digests
from village.calendar.sources import CalendarEntry, SourceQuery, register_source
from village.calendar.tests.calendar_data import (
    assignment,
    class_event,
    feed_for,
    feed_path,
    in_english,
    read_events,
    unescape,
)
from village.community.models import GuardianLink

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(personas):
    in_english(personas.sam)


@pytest.fixture
def asked(monkeypatch) -> list[SourceQuery]:
    """A source registered the way apps do, for this test only: one all-day "Picture day" per
    child, the day after tomorrow; it notes what it was asked."""
    monkeypatch.setattr(sources, "_sources", sources.registered_sources())
    queries: list[SourceQuery] = []

    def picture_day(query: SourceQuery) -> list[CalendarEntry]:
        queries.append(query)
        day = (query.now + dt.timedelta(days=2)).date()
        return [
            CalendarEntry(
                uid=f"test-picture-day-student-{child_id}",
                summary=f"{name}: Picture day",
                description="Smile!",
                start=day,
                end=day + dt.timedelta(days=1),
                organizer="Riverside K-8 School",
                last_modified=query.now,
                url="/pictures/",
            )
            for child_id, name in query.students.items()
        ]

    register_source("tests.picture_day", picture_day)
    return queries


def test_a_registered_source_shows_in_the_feed_next_to_classwork(personas, asked):
    assignment(personas.science8, title="Lab report: density")
    class_event(personas.science8, title="Field trip")
    feed, token = feed_for(personas.sam)
    text = Client().get(feed_path(token)).content.decode()
    events = {unescape(event["SUMMARY"]): event for event in read_events(text)}
    assert {"Leo: Lab report: density (due)", "Leo: Field trip"} <= set(events)
    for child in (personas.ada, personas.leo):
        picture = events[f"{child.short_name}: Picture day"]
        assert picture["UID"] == f"test-picture-day-student-{child.pk}@village.invalid"
        assert picture["URL"] == "http://testserver/pictures/"
        assert "DTSTART;VALUE=DATE" in picture
    (query,) = asked
    assert query.reader == feed.owner
    assert dict(query.students) == {personas.ada.pk: "Ada", personas.leo.pk: "Leo"}
    assert query.start == query.now - dt.timedelta(days=30)
    assert query.end == query.now + dt.timedelta(days=180)


def test_a_childs_feed_asks_sources_about_that_child_only(personas, asked):
    _feed, token = feed_for(personas.sam, personas.leo)
    text = Client().get(feed_path(token)).content.decode()
    assert [unescape(event["SUMMARY"]) for event in read_events(text)] == ["Leo: Picture day"]
    assert [dict(query.students) for query in asked] == [{personas.leo.pk: "Leo"}]


def test_sources_are_not_asked_when_the_feed_shows_no_child(personas, asked):
    _feed, token = feed_for(personas.sam)
    GuardianLink.objects.filter(guardian=personas.sam).update(scope_classwork=False)
    assert read_events(Client().get(feed_path(token)).content.decode()) == []
    assert asked == []


def test_classwork_registers_its_due_work_and_class_events():
    assert {"classwork.due_work", "classwork.class_events"} <= set(sources.registered_sources())


def test_what_sources_share_is_read_once_per_feed_request(personas):
    now = timezone.now()
    query = SourceQuery(reader=personas.sam, students={1: "Leo"}, now=now, start=now, end=now)
    reads: list[str] = []

    def read() -> str:
        reads.append("read")
        return "classes"

    assert [query.once("tests.classes", read) for _ in range(3)] == ["classes"] * 3
    assert reads == ["read"]


def test_addresses_made_before_the_calendar_app_existed_keep_working(personas, settings):
    """The salt is part of every stored digest: this digest was stored by Village when the feeds
    were part of the families app."""
    settings.SECRET_KEY = "a secret key kept for this test only, fifty chars."
    token = "A" * 43
    assert FEED_DIGEST_SALT == "village.families.CalendarFeed.token"
    stored = "dd17b86765f533b42f50505e56a4e0f8f883fddd1fb3214227cba6866f2e093f"
    assert feed_digest(token) == stored
    assert feed_digests(token)[0] == stored
    CalendarFeed.objects.create(owner=personas.sam, digest=stored)
    assert Client().get(feed_path(token)).status_code == 200
