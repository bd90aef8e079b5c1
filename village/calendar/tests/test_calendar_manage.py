"""The guardian's calendar page: create, show once, revoke and regenerate feeds, with CSRF forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from village.calendar.models import CalendarFeed, feed_digest
from village.calendar.tests.calendar_data import feed_for, feed_path, in_english
from village.community.models import GuardianLink

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(personas):
    in_english(personas.sam)


PAGE = "/family/calendar/"
CREATE = "/family/calendar/new/"
ADDRESS = re.compile(r'value="(https?://testserver/family/calendar/([A-Za-z0-9_-]{43})\.ics)"')


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def active(owner, student=None) -> list[CalendarFeed]:
    return list(CalendarFeed.objects.filter(owner=owner, student=student, revoked_at__isnull=True))


def shown_token(response) -> str:
    (match,) = ADDRESS.findall(response.content.decode())
    return match[1]


def test_page_lists_the_family_and_each_child_with_a_create_button(personas):
    response = signed_in(personas.sam).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Whole family" in page
    assert "Due work and class events of Ada and Leo." in page
    for value in ("family", str(personas.ada.pk), str(personas.leo.pk)):
        assert f'name="child" value="{value}"' in page
    assert page.count('name="csrfmiddlewaretoken"') >= 3
    assert "shown only once" in page
    assert "iPhone" in page
    assert "Google Calendar" in page
    assert "Outlook" in page
    assert "no-store" in response["Cache-Control"]


def test_jordan_sees_only_leo(personas):
    page = signed_in(personas.jordan).get(PAGE).content.decode()
    assert "Leo" in page
    assert "Ada" not in page
    assert f'value="{personas.ada.pk}"' not in page


def test_creating_shows_the_address_once_in_https_and_webcal_forms(personas):
    client = signed_in(personas.sam)
    response = client.post(CREATE, {"child": personas.leo.pk})
    assert response.status_code == 200
    page = response.content.decode()
    token = shown_token(response)
    assert f'value="webcal://testserver/family/calendar/{token}.ics"' in page
    assert f'href="webcal://testserver/family/calendar/{token}.ics"' in page
    assert "Your calendar address for Leo" in page
    assert "no-store" in response["Cache-Control"]
    (feed,) = active(personas.sam, personas.leo)
    assert feed.digest == feed_digest(token)
    assert token not in feed.digest
    assert Client().get(feed_path(token)).status_code == 200
    # Later visits show the feed, never its address again.
    later = client.get(PAGE).content.decode()
    assert token not in later
    assert "Get a new address" in later
    assert "Turn off" in later


def test_creating_the_family_feed(personas):
    response = signed_in(personas.sam).post(CREATE, {"child": "family"})
    assert response.status_code == 200
    assert "Your family calendar address" in response.content.decode()
    (feed,) = active(personas.sam, None)
    assert feed.digest == feed_digest(shown_token(response))


def test_creating_twice_says_so_and_keeps_the_first(personas):
    client = signed_in(personas.sam)
    first = shown_token(client.post(CREATE, {"child": personas.leo.pk}))
    again = client.post(CREATE, {"child": personas.leo.pk})
    assert again.status_code == 409
    assert "There is already a calendar address for Leo" in again.content.decode()
    assert not ADDRESS.findall(again.content.decode())
    (feed,) = active(personas.sam, personas.leo)
    assert feed.digest == feed_digest(first)


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.5", "²", "9" * 40, "family "])
def test_bad_input_gets_a_clear_message_and_changes_nothing(personas, value):
    response = signed_in(personas.sam).post(CREATE, {"child": value})
    assert response.status_code == 400
    assert "Choose a child, or the whole family" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_a_child_unknown_to_the_guardian_is_a_404(personas):
    response = signed_in(personas.sam).post(CREATE, {"child": 999999})
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_a_child_whose_classwork_is_not_shared_has_no_calendar(personas):
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        scope_classwork=False
    )
    client = signed_in(personas.sam)
    page = client.get(PAGE).content.decode()
    assert "The school does not share Leo&#x27;s classwork with you" in page
    assert f'name="child" value="{personas.leo.pk}"' not in page
    assert client.post(CREATE, {"child": personas.leo.pk}).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_regenerating_shows_a_new_address_and_retires_the_old(personas):
    feed, old = feed_for(personas.sam, personas.ada)
    response = signed_in(personas.sam).post(f"/family/calendar/{feed.pk}/regenerate/")
    assert response.status_code == 200
    new = shown_token(response)
    assert new != old
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    (current,) = active(personas.sam, personas.ada)
    assert current.digest == feed_digest(new)
    assert Client().get(feed_path(old)).status_code == 404
    assert Client().get(feed_path(new)).status_code == 200


def test_revoking_turns_the_feed_off_and_says_so(personas):
    feed, token = feed_for(personas.sam)
    client = signed_in(personas.sam)
    response = client.post(f"/family/calendar/{feed.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "The calendar address for the whole family no longer works" in (
        response.content.decode()
    )
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert Client().get(feed_path(token)).status_code == 404
    # A revoked feed cannot be revoked or regenerated again, and a new one can be made.
    assert client.post(f"/family/calendar/{feed.pk}/revoke/").status_code == 404
    assert client.post(f"/family/calendar/{feed.pk}/regenerate/").status_code == 404
    assert client.post(CREATE, {"child": "family"}).status_code == 200


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(personas):
    feed, _token = feed_for(personas.sam, personas.leo)
    client = signed_in(personas.sam, csrf=True)
    assert client.post(CREATE, {"child": "family"}).status_code == 403
    assert client.post(f"/family/calendar/{feed.pk}/revoke/").status_code == 403
    assert client.post(f"/family/calendar/{feed.pk}/regenerate/").status_code == 403
    assert CalendarFeed.objects.count() == 1
    assert active(personas.sam, personas.leo) == [feed]


def test_forms_carry_the_csrf_token_that_makes_them_work(personas):
    client = signed_in(personas.sam, csrf=True)
    page = client.get(PAGE).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    response = client.post(CREATE, {"child": "family", "csrfmiddlewaretoken": csrf[1]})
    assert response.status_code == 200
    assert len(active(personas.sam)) == 1


def test_actions_are_posts_only(personas):
    feed, _token = feed_for(personas.sam)
    client = signed_in(personas.sam)
    assert client.get(CREATE).status_code == 405
    assert client.get(f"/family/calendar/{feed.pk}/revoke/").status_code == 405
    assert client.get(f"/family/calendar/{feed.pk}/regenerate/").status_code == 405
    assert client.post(PAGE).status_code == 405
    assert active(personas.sam) == [feed]


def test_page_speaks_the_guardians_language(personas):
    personas.sam.preferred_language = "es"
    personas.sam.save(update_fields=["preferred_language"])
    response = signed_in(personas.sam).get(PAGE)
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
