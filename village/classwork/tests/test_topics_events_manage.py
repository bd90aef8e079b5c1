"""Deleting a topic, editing and deleting a class event: the services, the pages (a confirmation
page first, which changes nothing), and who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Assignment, ClassEvent, Topic
from village.classwork.services.events import class_event_create, class_event_update
from village.classwork.services.topics import topic_create, topic_delete
from village.classwork.tests.factories import assignment, version_tokens
from village.community.models import SchoolClass
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local field sends it, in the teacher's time zone (Chicago)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def minute(moment: dt.datetime) -> dt.datetime:
    """The moment as the form reads it back: to the minute."""
    return moment.replace(second=0, microsecond=0)


def topic_of(school_class: SchoolClass, title: str = "Fractions") -> Topic:
    today = timezone.localdate()
    return topic_create(
        school_class=school_class,
        title=title,
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=5),
    )


def event_of(school_class: SchoolClass, title: str = "Water works trip") -> ClassEvent:
    start = minute(timezone.now() + dt.timedelta(days=4))
    return class_event_create(
        school_class=school_class,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Dam",
    )


def event_row(event: ClassEvent) -> tuple[object, ...]:
    """What the database holds of an event."""
    return ClassEvent.objects.filter(pk=event.pk).values_list(
        "title", "starts_at", "ends_at", "location", "description", "all_day", "visible_to_families"
    )[0]


def field_error(html: str, field: str) -> str:
    """The error list shown under a field (empty if there is none)."""
    parts = html.split(f'id="id_{field}_error"', 1)
    return parts[1].split("</ul>", 1)[0] if len(parts) == 2 else ""


# --- deleting a topic ------------------------------------------------------------------------


def test_deleting_a_topic_keeps_its_work_without_a_topic(personas: Personas) -> None:
    p = personas
    topic, other = topic_of(p.homeroom5), topic_of(p.homeroom5, "Decimals")
    first = assignment(p.homeroom5, "Fraction sheet", topic=topic)
    second = assignment(p.homeroom5, "Fraction quiz", topic=topic)
    elsewhere = assignment(p.homeroom5, "Decimal sheet", topic=other)
    students = [p.ada.pk, p.maya.pk]
    before = version_tokens([*students, p.leo.pk])

    response = login(p.rivera).post(f"/work/classes/{p.homeroom5.pk}/topics/{topic.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == f"/work/classes/{p.homeroom5.pk}/"
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert Topic.objects.filter(pk=other.pk).exists()
    work = dict(Assignment.objects.values_list("pk", "topic_id"))
    assert work == {first.pk: None, second.pk: None, elsewhere.pk: other.pk}
    after = version_tokens([*students, p.leo.pk])
    for student in students:  # the class's students: their families' overview is rebuilt
        assert after[student][0] != before[student][0], student
    assert after[p.leo.pk] == before[p.leo.pk]  # not in the class


def test_the_topic_delete_service_gives_the_class_students_a_new_work_version(
    personas: Personas,
) -> None:
    p = personas
    topic = topic_of(p.science8)
    piece = assignment(p.science8, "Rain gauge", topic=topic)
    before = version_tokens([p.leo.pk])[p.leo.pk]
    topic_delete(topic=topic)
    piece.refresh_from_db()
    assert piece.topic_id is None
    assert not Topic.objects.exists()
    assert version_tokens([p.leo.pk])[p.leo.pk][0] != before[0]


def test_the_topic_delete_confirmation_changes_nothing(personas: Personas) -> None:
    p = personas
    topic = topic_of(p.homeroom5)
    piece = assignment(p.homeroom5, "Fraction sheet", topic=topic)
    before = version_tokens([p.ada.pk])
    client = login(p.rivera)

    edit = client.get(f"/work/classes/{p.homeroom5.pk}/topics/{topic.pk}/").content.decode()
    confirm_url = f"/work/classes/{p.homeroom5.pk}/topics/{topic.pk}/delete/"
    assert f'href="{confirm_url}"' in edit
    response = client.get(confirm_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete “Fractions”?" in html
    assert '<form method="post">' in html
    assert '<button type="submit" class="button">Delete topic</button>' in html
    assert Topic.objects.filter(pk=topic.pk).exists()
    piece.refresh_from_db()
    assert piece.topic_id == topic.pk
    assert version_tokens([p.ada.pk]) == before


# --- editing an event ------------------------------------------------------------------------


def test_the_event_edit_page_is_prefilled_and_saves_changes(personas: Personas) -> None:
    p = personas
    event, other = event_of(p.science8), event_of(p.science8, "Science fair")
    other_before = event_row(other)
    url = f"/work/classes/{p.science8.pk}/events/{event.pk}/"
    client = login(p.rivera)

    page = client.get(url).content.decode()
    assert 'value="Water works trip"' in page
    assert f'value="{local_input(event.starts_at)}"' in page
    assert 'value="Dam"' in page

    start = minute(timezone.now() + dt.timedelta(days=9))
    response = client.post(
        url,
        {
            "title": "  Reservoir trip ",
            "starts_at": local_input(start),
            "ends_at": local_input(start + dt.timedelta(hours=3)),
            "location": "Reservoir",
            "description": "Bring boots.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/work/classes/{p.science8.pk}/"
    assert event_row(event) == (
        "Reservoir trip",
        start,
        start + dt.timedelta(hours=3),
        "Reservoir",
        "Bring boots.",
        False,
        False,  # an unticked checkbox: the teacher chose not to show it
    )
    assert event_row(other) == other_before


def test_an_event_without_an_end_lasts_an_hour_or_the_day_as_when_added(
    personas: Personas,
) -> None:
    p = personas
    event = event_of(p.science8)
    start = minute(timezone.now() + dt.timedelta(days=2))
    class_event_update(event=event, title="Quiz", starts_at=start)
    assert event_row(event)[1:3] == (start, start + dt.timedelta(hours=1))
    class_event_update(event=event, title="Sports day", starts_at=start, all_day=True)
    assert event_row(event)[1:3] == (start, start)


def test_bad_input_on_event_edit_shows_the_field_error_and_changes_nothing(
    personas: Personas,
) -> None:
    p = personas
    event = event_of(p.science8)
    before = event_row(event)
    url = f"/work/classes/{p.science8.pk}/events/{event.pk}/"
    start = timezone.now() + dt.timedelta(days=9)

    response = login(p.rivera).post(
        url,
        {
            "title": "Reservoir trip",
            "starts_at": local_input(start),
            "ends_at": local_input(start - dt.timedelta(hours=1)),
            "visible_to_families": "on",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The event ends before it starts." in field_error(html, "ends_at")
    assert "Edit “Water works trip”" in html  # the page still names the saved event
    assert event_row(event) == before


def test_the_event_update_service_checks_like_create_and_saves_nothing(
    personas: Personas,
) -> None:
    p = personas
    event = event_of(p.science8)
    before = event_row(event)
    start = timezone.now() + dt.timedelta(days=9)
    with pytest.raises(ValidationError) as blank:
        class_event_update(event=event, title="   ", starts_at=start)
    assert set(blank.value.message_dict) == {"title"}
    with pytest.raises(ValidationError) as backwards:
        class_event_update(
            event=event, title="Trip", starts_at=start, ends_at=start - dt.timedelta(minutes=1)
        )
    assert set(backwards.value.message_dict) == {"ends_at"}
    with pytest.raises(ValidationError) as long_place:
        class_event_update(event=event, title="Trip", starts_at=start, location="x" * 201)
    assert "location" in long_place.value.message_dict
    assert event_row(event) == before


# --- deleting an event -----------------------------------------------------------------------


def test_deleting_an_event(personas: Personas) -> None:
    p = personas
    event, other = event_of(p.science8), event_of(p.science8, "Science fair")
    client = login(p.rivera)
    edit = client.get(f"/work/classes/{p.science8.pk}/events/{event.pk}/").content.decode()
    url = f"/work/classes/{p.science8.pk}/events/{event.pk}/delete/"
    assert f'href="{url}"' in edit

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"/work/classes/{p.science8.pk}/"
    assert list(ClassEvent.objects.values_list("pk", flat=True)) == [other.pk]
    assert client.post(url).status_code == 404  # gone


def test_the_event_delete_confirmation_changes_nothing(personas: Personas) -> None:
    p = personas
    event = event_of(p.science8)
    before = event_row(event)
    response = login(p.rivera).get(f"/work/classes/{p.science8.pk}/events/{event.pk}/delete/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete “Water works trip”?" in html
    assert '<button type="submit" class="button">Delete event</button>' in html
    assert event_row(event) == before


def test_the_stream_links_each_event_to_its_edit_page(personas: Personas) -> None:
    p = personas
    event = event_of(p.science8)
    url = f"/work/classes/{p.science8.pk}/"
    html = login(p.rivera).get(url).content.decode()
    assert f'href="{url}events/{event.pk}/"' in html
    # An administrator of the school sees the stream read-only: no edit link.
    admin_html = login(p.nguyen).get(url).content.decode()
    assert "Water works trip" in admin_html
    assert f'href="{url}events/{event.pk}/"' not in admin_html


# --- who may ---------------------------------------------------------------------------------


@pytest.fixture
def rows(personas: Personas) -> tuple[Topic, ClassEvent]:
    return topic_of(personas.homeroom5), event_of(personas.homeroom5)


def pages(personas: Personas, topic: Topic, event: ClassEvent) -> list[str]:
    base = f"/work/classes/{personas.homeroom5.pk}/"
    return [
        f"{base}topics/{topic.pk}/delete/",
        f"{base}events/{event.pk}/",
        f"{base}events/{event.pk}/delete/",
    ]


def test_the_class_teacher_opens_the_new_pages(
    personas: Personas, rows: tuple[Topic, ClassEvent]
) -> None:
    client = login(personas.rivera)
    for url in pages(personas, *rows):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("viewer", ["sam", "jordan", "ada", "leo", "chen", "eve"])
def test_everyone_else_gets_404_and_changes_nothing(
    personas: Personas, rows: tuple[Topic, ClassEvent], viewer: str
) -> None:
    topic, event = rows
    before = event_row(event)
    client = login(getattr(personas, viewer))
    for url in pages(personas, topic, event):
        assert client.get(url).status_code == 404, (viewer, url)
        response = client.post(url, {"title": "Hacked", "starts_at": "2026-05-04T09:00"})
        assert response.status_code == 404, (viewer, url)
        assert b"Water works trip" not in response.content
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert event_row(event) == before


def test_anonymous_visitors_are_sent_to_sign_in(
    personas: Personas, rows: tuple[Topic, ClassEvent]
) -> None:
    topic, event = rows
    for url in pages(personas, topic, event):
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/accounts/login/")
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert ClassEvent.objects.filter(pk=event.pk).exists()


def test_a_topic_or_event_of_another_class_in_the_url_is_404(personas: Personas) -> None:
    p = personas
    # Ms. Rivera teaches both classes; science's topic and event are not homeroom's.
    topic, event = topic_of(p.science8), event_of(p.science8)
    chens_topic, chens_event = topic_of(p.math8), event_of(p.math8)
    before = {e.pk: event_row(e) for e in (event, chens_event)}
    client = login(p.rivera)
    base = f"/work/classes/{p.homeroom5.pk}/"
    for topic_id, event_id in ((topic.pk, event.pk), (chens_topic.pk, chens_event.pk)):
        for url in (
            f"{base}topics/{topic_id}/delete/",
            f"{base}events/{event_id}/",
            f"{base}events/{event_id}/delete/",
        ):
            assert client.get(url).status_code == 404, url
            response = client.post(url, {"title": "Moved", "starts_at": "2026-05-04T09:00"})
            assert response.status_code == 404, url
    assert Topic.objects.count() == 2
    assert {e.pk: event_row(e) for e in (event, chens_event)} == before
