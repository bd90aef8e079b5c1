"""Notification settings: each person sets the kinds of their roles, texts only where a gateway
is set up, quiet hours; bad input names the field and changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authorization import client_for
from village.notifications.models import EmailMode, KindSetting, UserSettings
from village.notifications.services.preferences import (
    KindChoice,
    SettingsInput,
    normalise_phone,
    settings_update,
)
from village.notifications.tests import kinds as k

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")
SMS_URL = "https://sms.example.test/send"


def page(user) -> str:
    response = client_for(user).get(SETTINGS)
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def selected(html: str, name: str) -> str | None:
    found = re.search(rf'<select name="{name}"[^>]*>.*?</select>', html, re.S)
    if found is None:
        return None
    choice = re.search(r'<option value="(\w+)" selected>', found.group(0))
    return choice.group(1) if choice else None


def guardian_answers(**changes: str) -> dict[str, str]:
    answers = {
        f"{k.NEWS}-email": "daily",
        "weekly_digest-email": "immediate",
        "alerts_folded-email": "off",
        "quiet_hours": "on",
        "quiet_start": "21:00",
        "quiet_end": "07:00",
    }
    answers.update(changes)
    return {name: value for name, value in answers.items() if value != "-"}


def test_a_guardian_sets_guardian_kinds_and_finds_each_childs_alerts(personas, kinds):
    html = page(personas.jordan)
    assert "Test: news from school" in html
    assert "What the school tells every family." in html
    assert selected(html, f"{k.NEWS}-email") == "daily"  # the kind's default
    assert "Test: due tomorrow" not in html
    assert "Test: work to grade" not in html
    assert "Test: missing work" not in html  # set per child
    assert f'href="/notifications/children/{personas.leo.pk}/alerts/"' in html
    assert f"/notifications/children/{personas.ada.pk}/" not in html
    assert 'name="phone"' not in html  # no text-message gateway
    assert "-sms" not in html


def test_an_urgent_kind_has_no_choice_and_says_it_is_always_sent(personas, kinds):
    html = page(personas.jordan)
    block = html.split("Test: school closed", 1)[1].split("</fieldset>", 1)[0]
    assert "Urgent: always sent at once by email, even during quiet hours." in block
    assert "<select" not in block


def test_a_student_sets_student_kinds_and_their_reminders(personas, kinds):
    html = page(personas.ada)
    assert "Test: due tomorrow" in html
    assert 'name="student_reminders"' in html
    assert "Test: news from school" not in html
    assert 'name="teacher_daily"' not in html
    assert "Alerts about" not in html


def test_a_teacher_sets_teacher_kinds_and_the_daily_summary(personas, kinds):
    html = page(personas.rivera)
    assert "Test: work to grade" in html
    assert 'name="teacher_daily"' in html
    assert 'name="student_reminders"' not in html
    assert "Test: news from school" not in html


def test_an_admin_without_kinds_of_their_own_still_sets_quiet_hours(personas, kinds):
    html = page(personas.nguyen)
    assert "Test:" not in html
    assert 'name="quiet_hours"' in html


def test_saving_keeps_every_choice(personas, kinds):
    jordan = personas.jordan
    client = client_for(jordan)
    response = client.post(
        SETTINGS,
        guardian_answers(
            **{f"{k.NEWS}-email": "weekly", "quiet_hours": "-", "quiet_start": "22:30"}
        ),
    )
    assert response.status_code == 302
    assert KindSetting.objects.get(user=jordan, kind=k.NEWS).email == EmailMode.WEEKLY
    saved = UserSettings.objects.get(user=jordan)
    assert (saved.quiet_hours, saved.quiet_start) == (False, dt.time(22, 30))
    html = client.get(SETTINGS).content.decode()
    assert "Your notification settings are saved." in html
    assert selected(html, f"{k.NEWS}-email") == "weekly"
    assert 'name="quiet_hours" id="id_quiet_hours">' in html  # not checked


def test_a_kind_of_another_role_posted_is_ignored(personas, kinds):
    response = client_for(personas.ada).post(
        SETTINGS,
        {
            f"{k.DUE}-email": "off",
            f"{k.NEWS}-email": "off",
            "quiet_hours": "on",
            "quiet_start": "21:00",
            "quiet_end": "07:00",
            "student_reminders": "on",
        },
    )
    assert response.status_code == 302
    assert set(KindSetting.objects.values_list("kind", flat=True)) == {k.DUE}


@pytest.mark.parametrize(
    ("changes", "label", "message"),
    [
        (
            {f"{k.NEWS}-email": "sometimes"},
            "Test: news from school: Email",
            "Choose how this reaches you by email.",
        ),
        ({"quiet_start": "25:00"}, "Quiet hours start", "Enter the time quiet hours start"),
        (
            {"quiet_start": "07:00"},
            "Quiet hours end",
            "Quiet hours cannot start and end at the same time.",
        ),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(personas, kinds, changes, label, message):
    response = client_for(personas.jordan).post(
        SETTINGS, guardian_answers(**{f"{k.NEWS}-email": "off", **changes})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert re.search(rf'<a href="#id_[\w-]+">{re.escape(label)}</a>: {re.escape(message)}', html)
    assert not KindSetting.objects.exists()
    assert not UserSettings.objects.exists()


class TestTexts:
    @pytest.fixture(autouse=True)
    def _gateway(self, settings):
        settings.VILLAGE_SMS_URL = SMS_URL

    def test_texts_are_offered_where_a_kind_allows_them(self, personas, kinds):
        html = page(personas.jordan)
        assert 'name="phone"' in html
        assert f'name="{k.NEWS}-sms"' in html
        assert f'name="{k.URGENT}-sms"' not in html  # always texted
        assert "by text message when you give a mobile number" in html
        assert 'name="weekly_digest-sms"' not in html

    def test_texts_without_a_number_are_refused(self, personas, kinds):
        response = client_for(personas.jordan).post(
            SETTINGS, guardian_answers(**{f"{k.NEWS}-sms": "on", "phone": ""})
        )
        html = response.content.decode()
        assert "Mobile number for text messages</a>: Add your mobile number" in html
        assert not KindSetting.objects.exists()

    @pytest.mark.parametrize("phone", ["555 0100", "+0 555 0100 000", "call me", "+1 555"])
    def test_a_number_without_country_code_is_refused(self, personas, kinds, phone):
        response = client_for(personas.jordan).post(SETTINGS, guardian_answers(phone=phone))
        html = response.content.decode()
        assert "Mobile number for text messages</a>: Enter the mobile number with its" in html
        assert not UserSettings.objects.exists()

    def test_a_number_is_kept_as_plus_and_digits(self, personas, kinds):
        response = client_for(personas.jordan).post(
            SETTINGS, guardian_answers(**{f"{k.NEWS}-sms": "on", "phone": "+1 (555) 010-0142"})
        )
        assert response.status_code == 302
        assert UserSettings.objects.get(user=personas.jordan).phone == "+15550100142"
        assert KindSetting.objects.get(user=personas.jordan, kind=k.NEWS).sms


def test_normalise_phone():
    assert normalise_phone(" 0034 612 34 56 78 ") == "+34612345678"
    assert normalise_phone("") == ""
    with pytest.raises(ValidationError):
        normalise_phone("612345678")


class TestTheService:
    """What the API relies on: partial changes, and every problem named at once."""

    def test_only_what_is_given_changes(self, personas, kinds):
        sam = personas.sam
        UserSettings.objects.create(user=sam, quiet_hours=False, phone="+15550100")
        settings_update(
            user=sam,
            allowed=[k.NEWS],
            changes=SettingsInput(kinds=[KindChoice(k.NEWS, EmailMode.OFF)]),
        )
        saved = UserSettings.objects.get(user=sam)
        assert (saved.quiet_hours, saved.phone) == (False, "+15550100")
        assert KindSetting.objects.get(user=sam).email == EmailMode.OFF

    def test_every_problem_is_named(self, personas, kinds, settings):
        with pytest.raises(ValidationError) as raised:
            settings_update(
                user=personas.sam,
                allowed=[k.NEWS, k.URGENT],
                changes=SettingsInput(
                    kinds=[
                        KindChoice(k.URGENT, EmailMode.WEEKLY),
                        KindChoice(k.NEWS, EmailMode.OFF, sms=True),
                        KindChoice(k.DUE, EmailMode.OFF),
                    ],
                    phone="12",
                ),
            )
        assert set(raised.value.message_dict) == {
            f"kinds.{k.URGENT}.email",
            f"kinds.{k.NEWS}.sms",  # no gateway
            f"kinds.{k.DUE}.kind",
            "phone",
        }
        assert not KindSetting.objects.exists()
        assert not UserSettings.objects.exists()


def test_the_settings_page_costs_the_same_whatever_is_set(
    personas, kinds, django_assert_num_queries
):
    client = client_for(personas.sam)
    client.get(SETTINGS)
    with CaptureQueriesContext(connection) as none:
        client.get(SETTINGS)
    UserSettings.objects.create(user=personas.sam, quiet_hours=False)
    for kind in (k.NEWS, "weekly_digest", "alerts_folded"):
        KindSetting.objects.create(user=personas.sam, kind=kind, email=EmailMode.WEEKLY)
    with django_assert_num_queries(len(none.captured_queries)):
        html = client.get(SETTINGS).content.decode()
    assert selected(html, "weekly_digest-email") == "weekly"
