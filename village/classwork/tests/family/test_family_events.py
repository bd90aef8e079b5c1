"""Class events marked for families show on the family's home and child pages, and every class
event on the student's pages, within the guardian link's areas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from village.accounts.models import User
from village.classwork.models import ClassEvent
from village.classwork.services.events import (
    class_event_create,
    class_event_delete,
    class_event_update,
)
from village.classwork.tests.family.test_family_views import child_url, english
from village.community import services
from village.community.models import GuardianLink, Scope
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db
__all__ = ["english"]

HOME = "/"
MY_WORK = "/work/"


def event(school_class, title: str, *, days: float = 3, **fields: object) -> ClassEvent:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return class_event_create(
        school_class=school_class,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=5),
        **fields,  # type: ignore[arg-type]
    )


def page(user: User, path: str = HOME) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def coming_up(html: str) -> str:
    """The "Coming up" card (empty when the page has none)."""
    if 'aria-labelledby="events-heading"' not in html:
        return ""
    start = html.index('aria-labelledby="events-heading"')
    return html[start : html.index("</section>", start)]


def item(html: str, title: str) -> str:
    """The list item of the event called ``title``."""
    (found,) = [part for part in html.split("<li")[1:] if title in part.split("</li>")[0]]
    return found.split("</li>")[0]


@pytest.fixture
def trips(english: Personas) -> Personas:
    p = english
    event(p.homeroom5, "Field trip to the aquarium", location="City Aquarium")
    event(p.science8, "Science fair", days=5, location="Gym")
    event(p.science8, "Staff rehearsal", days=4, visible_to_families=False)
    event(p.homeroom5, "Spring concert", days=30)  # not within two weeks
    event(p.homeroom5, "Last week's trip", days=-7)
    return p


def test_the_family_home_shows_events_coming_up_with_date_time_and_place(trips):
    p = trips
    html = coming_up(page(p.sam))
    assert "Field trip to the aquarium" in html
    assert "Place: City Aquarium" in html
    assert "Science fair" in html
    assert "Place: Gym" in html
    first = ClassEvent.objects.get(title="Field trip to the aquarium")
    with timezone.override(p.sam.timezone):
        starts = timezone.localtime(first.starts_at)
        when = f"{date_format(starts, 'DAY_SHORT_FORMAT')}, {date_format(starts, 'TIME_FORMAT')}"
    assert when in html
    trip, fair = item(html, "Field trip to the aquarium"), item(html, "Science fair")
    assert '<span class="fam-child">Ada</span>' in trip
    assert "Grade 5 Homeroom" in trip
    assert '<span class="fam-child">Leo</span>' in fair
    assert "Grade 8 Science" in fair
    for hidden in ("Staff rehearsal", "Spring concert", "Last week's trip"):
        assert hidden not in html
    assert html.index("Field trip") < html.index("Science fair")


def test_the_child_page_shows_only_that_childs_class_events(trips):
    p = trips
    ada = coming_up(page(p.sam, child_url(p.ada)))
    assert "Field trip to the aquarium" in ada
    assert "Science fair" not in ada
    leo = coming_up(page(p.sam, child_url(p.leo)))
    assert "Science fair" in leo
    assert "Field trip" not in leo
    assert "Staff rehearsal" not in leo


def test_jordan_sees_leos_events_but_not_adas(trips):
    p = trips
    html = page(p.jordan)
    assert "Science fair" in coming_up(html)
    assert "Field trip" not in html
    assert "Science fair" in coming_up(page(p.jordan, child_url(p.leo)))


@pytest.mark.parametrize("change", ["no_classwork", "no_access"])
def test_a_guardian_without_the_classwork_area_or_with_no_access_sees_no_events(trips, change):
    p = trips
    link = GuardianLink.objects.get(guardian=p.jordan, student=p.leo)
    if change == "no_classwork":
        services.guardian_link_set_access(link=link, scopes=[Scope.GOALS], no_access=False)
    else:
        services.guardian_link_set_access(
            link=link, scopes=[Scope.CLASSWORK, Scope.GOALS], no_access=True
        )
    html = page(p.jordan)
    assert "Science fair" not in html
    assert coming_up(html) == ""


def test_eve_sees_none_of_riversides_events(trips):
    html = page(trips.eve)
    for title in ("Field trip", "Science fair", "Staff rehearsal"):
        assert title not in html


def test_students_see_their_classes_events_including_those_not_for_families(trips):
    p = trips
    leo_home = page(p.leo)
    assert "Science fair" in leo_home
    assert "Staff rehearsal" in leo_home
    assert "Field trip" not in leo_home
    mine = coming_up(page(p.leo, MY_WORK))
    assert "Science fair" in mine
    assert "Staff rehearsal" in mine
    assert "Field trip to the aquarium" in coming_up(page(p.ada, MY_WORK))
    assert "Science fair" not in page(p.ada, MY_WORK)


def test_the_kept_home_page_shows_an_event_as_soon_as_it_is_added_changed_or_removed(english):
    p = english
    client = Client()
    client.force_login(p.sam)
    assert "Museum visit" not in client.get(HOME).content.decode()  # now kept
    trip = event(p.homeroom5, "Museum visit")
    assert "Museum visit" in coming_up(client.get(HOME).content.decode())
    class_event_update(
        event=trip,
        title="Museum visit (new date)",
        starts_at=trip.starts_at,
        location="Museum of Science",
    )
    html = coming_up(client.get(HOME).content.decode())
    assert "Museum visit (new date)" in html
    assert "Museum of Science" in html
    class_event_update(
        event=trip, title="Museum visit", starts_at=trip.starts_at, visible_to_families=False
    )
    assert "Museum visit" not in client.get(HOME).content.decode()
    class_event_update(event=trip, title="Museum visit", starts_at=trip.starts_at)
    assert "Museum visit" in client.get(HOME).content.decode()
    class_event_delete(event=trip)
    assert "Museum visit" not in client.get(HOME).content.decode()


def test_an_all_day_event_reads_as_a_day_in_spanish(personas):
    p = personas
    day = timezone.localdate() + dt.timedelta(days=2)
    starts = dt.datetime.combine(day, dt.time(0, 0), tzinfo=timezone.get_current_timezone())
    class_event_create(
        school_class=p.homeroom5, title="Jornada deportiva", starts_at=starts, all_day=True
    )
    html = coming_up(page(p.sam))
    with translation.override("es"):
        label = date_format(day, "DAY_SHORT_FORMAT")
    assert label in html
    assert "todo el día" in html
    assert label == label.lower()  # "vie 20 nov", never "vie 20 Nov"
