"""The bell in the header and the notification centre: unread count, the list, reading,
removing, opening what a notification is about, and the pages' constant cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authorization import client_for
from village.demo.personas import Personas
from village.notifications.models import Notification
from village.notifications.tests.factories import notification

pytestmark = pytest.mark.django_db

CENTRE = reverse("notifications:centre")


def header(html: str) -> str:
    return html.split("</header>", 1)[0]


def bell(html: str) -> str:
    found = re.search(r'<a class="bell[^"]*".*?</a>', header(html), re.S)
    assert found, "no bell in the header"
    return found.group(0)


def notification_queries(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if '"notifications_notification"' in q["sql"]]


# --- the bell --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["sam", "ada", "rivera", "nguyen", "priya", "library"])
def test_every_signed_in_person_has_a_bell_named_with_the_unread_count(personas, persona):
    user = getattr(personas, persona)
    notification(user, "One")
    notification(user, "Two")
    notification(user, "Old", read=True)
    html = client_for(user).get("/").content.decode()
    found = bell(html)
    assert 'href="/notifications/"' in found
    assert '<span class="bell-count" aria-hidden="true">2</span>' in found
    name = "Notificaciones, 2 sin leer" if persona == "sam" else "Notifications, 2 unread"
    assert f'<span class="visually-hidden">{name}</span>' in found


def test_the_bell_is_outside_the_phone_menu_and_the_cached_links(personas):
    html = client_for(personas.ada).get("/").content.decode()
    menu = header(html).split('<details class="nav-compact">', 1)[1]
    assert "bell" not in menu
    assert "bell" not in header(html).split('class="main-nav nav-wide"', 1)[1].split("</nav>")[0]
    assert bell(html)


def test_the_bell_without_unread_says_so_and_shows_no_count(personas):
    notification(personas.rivera, "Read already", read=True)
    found = bell(client_for(personas.rivera).get("/").content.decode())
    assert "bell-count" not in found
    assert "Notifications, none unread" in found


def test_a_removed_notification_is_not_counted(personas):
    note = notification(personas.rivera, "Gone")
    client = client_for(personas.rivera)
    client.post(reverse("notifications:dismiss", args=[note.pk]))
    assert "bell-count" not in bell(client.get("/").content.decode())


def test_the_bell_shows_99_plus_beyond_99(personas):
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=personas.rivera, kind="k", title="t", key=f"many:{n}", created_at=now
            )
            for n, now in enumerate([dt.datetime(2026, 1, 1, tzinfo=dt.UTC)] * 120)
        ]
    )
    found = bell(client_for(personas.rivera).get("/").content.decode())
    assert '<span class="bell-count" aria-hidden="true">99+</span>' in found
    assert "Notifications, 120 unread" in found


def test_the_bell_costs_one_query_however_many_notifications(personas):
    client = client_for(personas.sam)
    client.get("/")  # sessions, compiled queries and kept pages warm up
    with CaptureQueriesContext(connection) as none:
        client.get(reverse("accounts:profile"))
    for n in range(30):
        notification(personas.sam, f"Note {n}", child=personas.leo)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("accounts:profile")).content.decode()
    assert "30 sin leer" in bell(html)
    assert len(many.captured_queries) == len(none.captured_queries)
    [count] = notification_queries(many.captured_queries)
    assert "COUNT(" in count.upper()


def test_a_page_for_visitors_reads_no_notification(db):
    with CaptureQueriesContext(connection) as queries:
        html = Client().get(reverse("accounts:login")).content.decode()
    assert notification_queries(queries.captured_queries) == []
    assert 'class="bell' not in html


def test_the_bell_is_marked_current_on_the_centre(personas):
    found = bell(client_for(personas.ada).get(CENTRE).content.decode())
    assert 'aria-current="page"' in found


# --- the centre ------------------------------------------------------------------------------


def test_the_centre_lists_newest_first_with_unread_styling_child_and_time(personas):
    p = personas
    notification(p.sam, "Older and read", ago=dt.timedelta(days=2), read=True)
    notification(p.sam, "Missing work", child=p.leo, ago=dt.timedelta(hours=3), body="Lab 2")
    notification(p.sam, "Newest", ago=dt.timedelta(hours=1))
    notification(p.rivera, "Rivera's own")
    html = client_for(p.sam).get(CENTRE).content.decode()
    main = html.split("<main", 1)[1]
    assert main.index("Newest") < main.index("Missing work") < main.index("Older and read")
    assert "Rivera's own" not in html
    items = re.findall(r'<li class="notification( is-unread)?"', main)
    assert items == [" is-unread", " is-unread", ""]
    assert "Sobre Leo" in main  # Sam reads Village in Spanish
    assert "hace 3\xa0horas" in main
    assert "2 sin leer" in main
    assert "Lab 2" in main


def test_marking_one_read_changes_only_that_one_and_returns_to_the_page(personas):
    mine = notification(personas.sam, "Mine")
    other = notification(personas.sam, "Other")
    response = client_for(personas.sam).post(
        reverse("notifications:read", args=[mine.pk]), {"page": "2"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{CENTRE}?page=2"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def test_marking_all_read_reads_only_the_users_own(personas):
    for n in range(3):
        notification(personas.sam, f"Note {n}")
    theirs = notification(personas.jordan, "Jordan's")
    response = client_for(personas.sam).post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=personas.sam, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client_for(personas.sam).get(CENTRE).content.decode()
    assert "Todo leído" in html
    assert "Marcar todo como leído" not in html


def test_removing_one_takes_it_off_the_list(personas):
    gone = notification(personas.sam, "Remove me")
    kept = notification(personas.sam, "Keep me")
    client = client_for(personas.sam)
    client.post(reverse("notifications:dismiss", args=[gone.pk]))
    gone.refresh_from_db()
    assert gone.dismissed_at is not None
    html = client.get(CENTRE).content.decode()
    assert "Remove me" not in html
    assert "Keep me" in html
    assert client.get(reverse("notifications:open", args=[gone.pk])).status_code == 404
    kept.refresh_from_db()
    assert kept.dismissed_at is None


@pytest.mark.parametrize(
    ("link", "lands_on"),
    [
        ("/family/calendar/", "/family/calendar/"),
        ("", CENTRE),
        ("https://evil.example/phish", CENTRE),
        ("//evil.example/phish", CENTRE),
        ("/\\evil.example", CENTRE),
        ("javascript:alert(1)", CENTRE),
    ],
)
def test_opening_marks_read_and_goes_only_to_a_path_in_village(personas, link, lands_on):
    note = notification(personas.sam, "Go", link=link)
    response = client_for(personas.sam).get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == lands_on
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_centre_is_paged(personas):
    for n in range(45):
        notification(personas.rivera, f"Note {n:02d}", ago=dt.timedelta(minutes=n))
    client = client_for(personas.rivera)
    first = client.get(CENTRE).content.decode()
    assert "Note 00" in first
    assert "Note 19" in first
    assert "Note 20" not in first
    assert "Page 1 of 3" in first
    assert '<a href="?page=2">Older</a>' in first
    last = client.get(CENTRE, {"page": 3}).content.decode()
    assert "Note 44" in last
    assert '<a href="?page=2">Newer</a>' in last
    # a page past the end shows the last one; nonsense shows the first
    assert "Note 44" in client.get(CENTRE, {"page": 99}).content.decode()
    assert "Note 00" in client.get(CENTRE, {"page": "x"}).content.decode()


def test_an_empty_centre_says_what_will_appear_and_leads_to_settings(personas):
    html = client_for(personas.rivera).get(CENTRE).content.decode()
    assert "Nothing yet." in html
    assert 'href="/notifications/settings/"' in html
    assert "Mark all as read" not in html


def test_the_centre_costs_the_same_with_3_or_30_notifications(
    personas: Personas, django_assert_num_queries
):
    client = client_for(personas.sam)
    for n in range(3):
        notification(personas.sam, f"Few {n}", child=personas.ada)
    client.get(CENTRE)
    with CaptureQueriesContext(connection) as few:
        assert "Few 2" in client.get(CENTRE).content.decode()
    for n in range(27):
        notification(personas.sam, f"Many {n}", child=personas.leo if n % 2 else None)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(CENTRE).content.decode()
    assert "Many 26" in html
    assert "Sobre Leo" in html


@pytest.mark.parametrize("action", ["open", "read", "dismiss"])
def test_someone_elses_notification_is_a_404_and_stays_as_it_was(personas, action):
    theirs = notification(personas.sam, "Sam's", link="/")
    url = reverse(f"notifications:{action}", args=[theirs.pk])
    client = client_for(personas.jordan)
    response = client.get(url) if action == "open" else client.post(url)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert theirs.dismissed_at is None


def test_reading_and_removing_need_a_post(personas):
    note = notification(personas.sam, "Sam's")
    client = client_for(personas.sam)
    for name in ("read", "dismiss"):
        assert client.get(reverse(f"notifications:{name}", args=[note.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
