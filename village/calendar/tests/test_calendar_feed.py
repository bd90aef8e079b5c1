"""The calendar feed at /family/calendar/<token>.ics: what it shows, to whom, and when it stops."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch
from django.utils import timezone, translation

from village.calendar import feeds, services
from village.calendar.models import CalendarFeed, feed_digest
from village.calendar.tests.calendar_data import (
    assignment,
    calendar_property,
    class_event,
    feed_for,
    feed_path,
    in_english,
    read_events,
    summaries,
    unescape,
)
from village.classwork import calendar_sources
from village.classwork.models import ClassEvent
from village.community.models import GuardianLink, LinkStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(personas):
    in_english(personas.sam)


def fetch(token: str, client: Client | None = None):
    return (client or Client()).get(feed_path(token))


def feed_text(token: str) -> str:
    response = fetch(token)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def work(personas):
    """Family-visible work and events in Ada's and Leo's classes, and some that must not show."""
    return {
        "ada_essay": assignment(personas.homeroom5, title="Essay: my summer"),
        "leo_lab": assignment(personas.science8, title="Lab report: density"),
        "leo_math": assignment(personas.math8, title="Fractions practice"),
        "trip": class_event(personas.science8, title="Museum trip", location="City Museum"),
        "sister_school": assignment(personas.sister_class, title="Sister school work"),
    }


# --- what the feed is ---------------------------------------------------------------------------


def test_feed_is_an_icalendar_text_for_any_client_without_signing_in(personas, work):
    _feed, token = feed_for(personas.sam)
    response = fetch(token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    for line in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"):
        assert f"\r\n{line}\r\n" in text
    assert calendar_property(text, "PRODID").startswith("-//Village//")


def test_head_is_answered_and_other_methods_are_not(personas):
    _feed, token = feed_for(personas.sam)
    assert Client().head(feed_path(token)).status_code == 200
    assert Client().post(feed_path(token)).status_code == 405


def test_family_feed_shows_each_childs_due_work_labelled_with_the_child(personas, work):
    _feed, token = feed_for(personas.sam)
    text = feed_text(token)
    assert calendar_property(text, "X-WR-CALNAME") == "Okoye family schoolwork"
    assert sorted(summaries(text)) == [
        "Ada: Essay: my summer (due)",
        "Leo: Fractions practice (due)",
        "Leo: Lab report: density (due)",
        "Leo: Museum trip",
    ]


def test_child_feed_shows_only_that_child(personas, work):
    _feed, token = feed_for(personas.sam, personas.leo)
    text = feed_text(token)
    assert calendar_property(text, "X-WR-CALNAME") == "Leo's schoolwork"
    assert sorted(summaries(text)) == [
        "Leo: Fractions practice (due)",
        "Leo: Lab report: density (due)",
        "Leo: Museum trip",
    ]
    assert "Ada" not in text


def test_jordans_family_feed_never_shows_ada(personas, work):
    _feed, token = feed_for(personas.jordan)
    text = feed_text(token)
    assert calendar_property(text, "X-WR-CALNAME") == "Bell family schoolwork"
    assert sorted(summaries(text)) == [
        "Leo: Fractions practice (due)",
        "Leo: Lab report: density (due)",
        "Leo: Museum trip",
    ]
    assert "Ada" not in text
    assert "summer" not in text


def test_a_due_entry_has_its_class_instructions_link_and_times(personas):
    lab = assignment(
        personas.science8,
        title="Lab report: density",
        instructions="<p>Measure <strong>three</strong> objects; then, write it up.</p>",
    )
    _feed, token = feed_for(personas.sam, personas.leo)
    (event,) = read_events(feed_text(token))
    assert event["UID"] == f"assignment-{lab.pk}-student-{personas.leo.pk}@village.invalid"
    assert unescape(event["DESCRIPTION"]) == (
        "Class: Grade 8 Science\n\nMeasure three objects; then, write it up."
    )
    assert event["URL"] == "http://testserver" + calendar_sources.assignment_path(lab.pk)
    assert event["URL"].endswith(f"/{lab.pk}/")
    assert lab.due_at is not None
    due = lab.due_at.astimezone(dt.UTC)
    assert event["DTSTART"] == due.strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"] == (due + dt.timedelta(minutes=15)).strftime("%Y%m%dT%H%M%SZ")
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["ORGANIZER;CN=Riverside K-8 School"].startswith("mailto:")
    assert event["DTSTAMP"].endswith("Z")


def test_long_instructions_are_cut_short(personas):
    assignment(personas.science8, instructions="<p>" + "word " * 1000 + "</p>")
    _feed, token = feed_for(personas.sam, personas.leo)
    (event,) = read_events(feed_text(token))
    description = unescape(event["DESCRIPTION"])
    assert len(description) < calendar_sources.DESCRIPTION_CHARS + 60
    assert description.endswith("…")


def test_assignment_links_fall_back_to_the_path_while_the_page_is_not_routed(monkeypatch):
    def missing(*args, **kwargs):
        raise NoReverseMatch("classwork:assignment")

    monkeypatch.setattr(calendar_sources, "reverse", missing)
    assert calendar_sources.assignment_path(42) == "/work/assignments/42/"


def test_only_published_family_visible_work_due_in_the_window_shows(personas):
    shown = assignment(personas.science8, title="Shown")
    assignment(personas.science8, title="Draft", status="inactive")
    assignment(
        personas.science8,
        title="Scheduled",
        assigned_ago=-dt.timedelta(days=1),
        due_in=dt.timedelta(days=3),
    )
    assignment(personas.science8, title="Teachers only", visible_to_families=False)
    assignment(personas.science8, title="No due time", due_in=None)
    assignment(
        personas.science8,
        title="Long ago",
        due_in=-dt.timedelta(days=31),
        assigned_ago=dt.timedelta(days=40),
    )
    assignment(personas.science8, title="Far ahead", due_in=dt.timedelta(days=181))
    assignment(
        personas.science8,
        title="Recently due",
        due_in=-dt.timedelta(days=29),
        assigned_ago=dt.timedelta(days=40),
    )
    _feed, token = feed_for(personas.sam, personas.leo)
    assert summaries(feed_text(token)) == ["Leo: Recently due (due)", f"Leo: {shown.title} (due)"]


def test_work_of_classes_the_child_has_left_does_not_show(personas):
    assignment(personas.math8, title="Fractions practice")
    personas.leo.enrollments.filter(school_class=personas.math8).update(status="inactive")
    _feed, token = feed_for(personas.sam, personas.leo)
    assert summaries(feed_text(token)) == []


def test_class_events_show_when_families_may_see_them(personas):
    class_event(personas.science8, title="Science fair", location="Gym, north door")
    class_event(personas.science8, title="Staff meeting", visible_to_families=False)
    class_event(personas.science8, title="Last year", starts_in=-dt.timedelta(days=60))
    _feed, token = feed_for(personas.sam, personas.leo)
    (event,) = read_events(feed_text(token))
    assert unescape(event["SUMMARY"]) == "Leo: Science fair"
    assert event["LOCATION"] == "Gym\\, north door"
    assert event["TRANSP"] == "OPAQUE"
    assert event["DTSTART"].endswith("Z")
    assert event["DTEND"] > event["DTSTART"]


def test_all_day_events_are_dates_ending_the_next_day_in_the_schools_time_zone(personas):
    personas.school.time_zone = "America/Chicago"
    personas.school.save(update_fields=["time_zone"])
    # 03:00 UTC is 21:00 or 22:00 the evening before in Chicago: the date is the school's.
    day = timezone.now().date() + dt.timedelta(days=7)
    starts = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)
    ClassEvent.objects.create(
        school_class=personas.homeroom5,
        title="Sports day",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        all_day=True,
    )
    _feed, token = feed_for(personas.sam, personas.ada)
    (event,) = read_events(feed_text(token))
    assert event["DTSTART;VALUE=DATE"] == (day - dt.timedelta(days=1)).strftime("%Y%m%d")
    assert event["DTEND;VALUE=DATE"] == day.strftime("%Y%m%d")


def test_several_children_each_get_their_own_entry_and_uid(personas):
    event = class_event(personas.science8, title="Open evening")
    personas.ada.enrollments.create(school_class=personas.science8, role="student")
    _feed, token = feed_for(personas.sam)
    events = read_events(feed_text(token))
    assert sorted(unescape(e["SUMMARY"]) for e in events) == [
        "Ada: Open evening",
        "Leo: Open evening",
    ]
    assert {e["UID"] for e in events} == {
        f"classevent-{event.pk}-student-{personas.ada.pk}@village.invalid",
        f"classevent-{event.pk}-student-{personas.leo.pk}@village.invalid",
    }


def test_uids_stay_the_same_from_one_fetch_to_the_next(personas, work):
    _feed, token = feed_for(personas.sam)
    first = [e["UID"] for e in read_events(feed_text(token))]
    second = [e["UID"] for e in read_events(feed_text(token))]
    assert first == second
    assert len(set(first)) == len(first) == 4


def test_feed_is_written_in_the_owners_language(personas, monkeypatch):
    seen: list[str] = []
    original = feeds.feed_name

    def spy(feed):
        seen.append(translation.get_language())
        return original(feed)

    monkeypatch.setattr(feeds, "feed_name", spy)
    personas.sam.preferred_language = "es"
    personas.sam.save(update_fields=["preferred_language"])
    _feed, token = feed_for(personas.sam)
    response = Client(headers={"accept-language": "en"}).get(feed_path(token))
    assert seen == ["es"]
    assert response["Content-Language"] == "es"


# --- when it stops --------------------------------------------------------------------------------


def test_losing_the_classwork_area_removes_that_childs_entries(personas, work):
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        scope_classwork=False
    )
    _family, family_token = feed_for(personas.sam)
    _leo, leo_token = feed_for(personas.sam, personas.leo)
    assert summaries(feed_text(family_token)) == ["Ada: Essay: my summer (due)"]
    assert summaries(feed_text(leo_token)) == []


def test_a_feed_made_before_the_area_was_lost_empties(personas, work):
    _leo, token = feed_for(personas.sam, personas.leo)
    assert len(summaries(feed_text(token))) == 3
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        scope_classwork=False
    )
    assert summaries(feed_text(token)) == []


@pytest.mark.parametrize(
    "change",
    [
        {"no_access": True},
        {"status": LinkStatus.ENDED},
        {"status": LinkStatus.PENDING},
    ],
    ids=["no_access", "ended", "pending"],
)
def test_a_child_no_longer_visible_leaves_the_family_feed_and_their_own_feed_404s(
    personas, work, change
):
    _family, family_token = feed_for(personas.sam)
    _leo, leo_token = feed_for(personas.sam, personas.leo)
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(**change)
    assert summaries(feed_text(family_token)) == ["Ada: Essay: my summer (due)"]
    assert fetch(leo_token).status_code == 404


def test_revoking_makes_the_address_404_at_once(personas, work):
    feed, token = feed_for(personas.sam)
    assert fetch(token).status_code == 200
    services.calendar_feed_revoke(feed=feed)
    response = fetch(token)
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


def test_regenerating_gives_a_new_address_and_retires_the_old(personas, work):
    feed, old = feed_for(personas.sam, personas.leo)
    new_feed, new = services.calendar_feed_regenerate(feed=feed)
    assert new != old
    assert new_feed.student_id == personas.leo.pk
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200


def test_a_feed_of_someone_no_longer_a_guardian_404s(personas, work):
    _feed, token = feed_for(personas.jordan)
    personas.jordan.org_roles.update(status="inactive")
    assert fetch(token).status_code == 404


def test_an_inactive_owner_account_404s(personas, work):
    _feed, token = feed_for(personas.sam)
    personas.sam.is_active = False
    personas.sam.save(update_fields=["is_active"])
    assert fetch(token).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well formed, unknown
        "short",
        "A" * 44,
        "A" * 42 + "!",
        "A" * 42 + ".",
        "%00" * 15,
    ],
)
def test_unknown_or_malformed_tokens_404(personas, token):
    feed_for(personas.sam)
    assert Client().get(f"/family/calendar/{token}.ics").status_code == 404


def test_the_token_is_stored_only_as_a_keyed_digest(personas):
    feed, token = feed_for(personas.sam)
    stored = CalendarFeed.objects.values_list("digest", flat=True).get(pk=feed.pk)
    assert token not in stored
    assert stored == feed_digest(token)
    assert stored != feed_digest(token, secret="another secret key" * 4)


def test_addresses_survive_a_secret_key_rotation(personas, settings):
    _feed, token = feed_for(personas.sam)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-village-" + "x" * 40
    assert fetch(token).status_code == 200


def test_last_used_is_written_at_most_once_an_hour(personas):
    feed, token = feed_for(personas.sam)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fetch(token)
    feed.refresh_from_db()
    assert feed.last_used_at == start
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        fetch(token)
    feed.refresh_from_db()
    assert feed.last_used_at == start
    later = start + dt.timedelta(minutes=61)
    with time_machine.travel(later, tick=False):
        fetch(token)
    feed.refresh_from_db()
    assert feed.last_used_at == later


# --- cost ---------------------------------------------------------------------------------------


def _queries(token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert fetch(token).status_code == 200
    return len(queries)


def test_query_count_is_constant_however_much_there_is_to_show(personas):
    _family, token = feed_for(personas.sam)
    _leo, leo_token = feed_for(personas.sam, personas.leo)
    CalendarFeed.objects.update(last_used_at=timezone.now())  # no write in either fetch
    few = _queries(token), _queries(leo_token)
    for number in range(15):
        for school_class in (personas.homeroom5, personas.science8, personas.math8):
            assignment(school_class, title=f"Work {number}")
            class_event(school_class, title=f"Event {number}", all_day=number % 2 == 0)
    personas.ada.enrollments.create(school_class=personas.math8, role="student")
    many = _queries(token), _queries(leo_token)
    # Ada in two classes, Leo in two, each class with 15 pieces of work and 15 events
    assert len(read_events(feed_text(token))) == 4 * 30
    assert few == many
    assert many[0] <= 8  # 6 to build the feed, 2 to audit the read (the children's schools)
