"""A school's family notifications on its settings page: the default of each per-child alert,
the weekly digest's day and hour, and the immediate emails per child and week. Only the school's
admins (and its district's) open and change them; bad input names the field and saves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.authorization import client_for
from village.community.models import Organisation
from village.notifications.models import SchoolAlertDefault, SchoolNotificationSettings
from village.notifications.policies import alert_child_for_guardian
from village.notifications.registry import AlertKind
from village.notifications.selectors import child_alerts
from village.notifications.tests import kinds as k
from village.notifications.tests.kinds import registered_kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds() -> Iterator[list[AlertKind]]:
    with registered_kinds() as registered:
        yield registered


def page_url(school: Organisation) -> str:
    return reverse("onboarding:school_settings", args=[school.pk])


def save_url(school: Organisation) -> str:
    return reverse("onboarding:school_notifications", args=[school.pk])


def answers(**changes: str) -> dict[str, str]:
    given = {
        f"{k.MISSING}-enabled": "on",
        f"{k.GRADE_BELOW}-enabled": "on",
        f"{k.GRADE_BELOW}-threshold": "65",
        f"{k.TREND}-threshold": "12",
        f"{k.TREND}-weeks": "4",
        "digest_weekday": "6",
        "digest_hour": "18",
        "weekly_email_budget": "5",
    }
    given.update(changes)
    return {name: answer for name, answer in given.items() if answer != "-"}


def test_the_settings_page_shows_the_schools_notifications_with_villages_defaults(personas, kinds):
    html = client_for(personas.nguyen).get(page_url(personas.school)).content.decode()
    section = html.split('id="notifications-heading"', 1)[1]
    assert f'action="{save_url(personas.school)}#family-notifications"' in section
    for label in ("Test: missing work", "Test: course grade below", "Test: grade falling"):
        assert f"<legend>{label}</legend>" in section
    assert "Test: news from school" not in section  # not a per-child alert
    assert '<option value="4" selected>Friday</option>' in section
    assert '<option value="16" selected>16:00</option>' in section
    assert 'name="weekly_email_budget" value="3"' in section
    assert "Village’s default." in section  # noqa: RUF001


def test_saving_sets_the_schools_defaults_for_its_families(personas, kinds):
    p = personas
    client = client_for(p.nguyen)
    response = client.post(save_url(p.school), answers(**{f"{k.MISSING}-enabled": "-"}))
    assert response.status_code == 302
    assert response["Location"] == page_url(p.school)
    saved = {
        row.kind: (row.enabled, row.threshold, row.weeks)
        for row in SchoolAlertDefault.objects.filter(school=p.school)
    }
    assert saved == {
        k.MISSING: (False, None, None),
        k.GRADE_BELOW: (True, Decimal(65), None),
        k.TREND: (False, Decimal(12), 4),
    }
    found = SchoolNotificationSettings.objects.get(school=p.school)
    assert (found.digest_weekday, found.digest_hour, found.weekly_email_budget) == (6, 18, 5)
    html = client.get(page_url(p.school)).content.decode()
    assert "The family notifications of Riverside K-8 School are saved." in html
    assert "Set by the school." in html
    # Sam has set nothing of her own: the school's defaults are hers
    rules = child_alerts(p.sam, alert_child_for_guardian(p.sam, p.leo.pk)).offered
    assert {(row.name, row.rule.source, row.rule.enabled) for row in rules} == {
        (k.MISSING, "school", False),
        (k.GRADE_BELOW, "school", True),
        (k.TREND, "school", False),
    }


@pytest.mark.parametrize(
    ("changes", "label", "message"),
    [
        (
            {"weekly_email_budget": "21"},
            "Alert emails per child per week",
            "Enter a number of emails from 0 to 20.",
        ),
        (
            {"weekly_email_budget": ""},
            "Alert emails per child per week",
            "Enter a number of emails from 0 to 20.",
        ),
        ({"digest_hour": "24"}, "Hour of the weekly family digest", "Choose an hour from 0 to 23."),
        ({"digest_weekday": "7"}, "Day of the weekly family digest", "Choose a day of the week."),
        (
            {f"{k.GRADE_BELOW}-threshold": "101"},
            "Test: course grade below: When it is below (percent)",
            "Enter a percentage from 0 to 100.",
        ),
        (
            {f"{k.TREND}-weeks": "0"},
            "Test: grade falling: Over how many weeks",
            "Enter a number of weeks from 1 to 12.",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, kinds, changes, label, message):
    response = client_for(personas.priya).post(save_url(personas.school), answers(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert f">{label}</a>: {message}" in html
    assert not SchoolAlertDefault.objects.exists()
    assert not SchoolNotificationSettings.objects.exists()
    # the rest of the page is still there, as it was
    assert "What a new family link may see" in html


@pytest.mark.parametrize(
    ("persona", "schools"),
    [
        ("nguyen", {"school"}),
        ("priya", {"school", "sister_school"}),
        ("rivera", set()),
        ("park", set()),
        ("sam", set()),
        ("ada", set()),
        ("olga", set()),
        ("eve", set()),
        ("library", set()),
    ],
)
def test_only_the_schools_admins_and_its_districts_change_them(personas, kinds, persona, schools):
    client = client_for(getattr(personas, persona))
    for name in ("school", "sister_school", "other_school"):
        school = getattr(personas, name)
        response = client.post(save_url(school), answers())
        expected = 302 if name in schools else 404
        assert response.status_code == expected, (persona, name)
        assert client.get(page_url(school)).status_code == (200 if name in schools else 404)
        saved = SchoolNotificationSettings.objects.filter(school=school).exists()
        assert saved == (name in schools)


def test_saving_needs_a_post(personas, kinds):
    response = client_for(personas.nguyen).get(save_url(personas.school))
    assert response.status_code == 405
