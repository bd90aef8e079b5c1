"""Personal API tokens expire, die with the password they were made under, and record their
last use cheaply."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from village.accounts import tokens
from village.accounts.models import PersonalToken, User
from village.accounts.tests.test_password_reset import RESET, reset_path, set_new_password
from village.demo.personas import DEMO_PASSWORD

NEW_PASSWORD = "river-otters-swim-2026"
TOKENS = "/accounts/tokens/"

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class TestExpiry:
    def test_a_new_token_expires_after_90_days_by_default(self, personas):
        token, _secret = tokens.token_create(user=personas.rivera, name="Sync")
        lifetime = token.expires_at - token.created_at
        assert dt.timedelta(days=90) - dt.timedelta(seconds=5) < lifetime <= dt.timedelta(days=90)

    @pytest.mark.parametrize("days", [7, 30, 90, 365])
    def test_the_api_refuses_a_token_after_its_chosen_lifetime_with_401(
        self, client, personas, days
    ):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            _token, secret = tokens.token_create(user=personas.rivera, name="Sync", days=days)
        with time_machine.travel(start + dt.timedelta(days=days, seconds=-60), tick=False):
            assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
        with time_machine.travel(start + dt.timedelta(days=days, seconds=1), tick=False):
            response = client.get("/api/v1/me", **bearer(secret))
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}

    def test_a_lifetime_off_the_list_is_refused(self, personas):
        with pytest.raises(ValueError, match="not 1000"):
            tokens.token_create(user=personas.rivera, name="Forever", days=1000)
        assert not PersonalToken.objects.exists()

    def test_the_page_lets_the_owner_choose_the_lifetime(self, client, personas):
        client.force_login(personas.rivera)
        html = client.get(TOKENS).content.decode()
        assert '<select name="days"' in html
        assert '<option value="90" selected>90 days</option>' in html
        client.post(TOKENS, {"name": "Quick test", "days": "7"})
        token = PersonalToken.objects.get()
        assert (token.expires_at - token.created_at).days == 6  # 7 days less a few microseconds

    def test_a_lifetime_off_the_list_on_the_page_is_refused_naming_the_field(
        self, client, personas
    ):
        client.force_login(personas.rivera)
        response = client.post(TOKENS, {"name": "Forever", "days": "100000"})
        assert 'id="id_days_error"' in response.content.decode()
        assert not PersonalToken.objects.exists()

    def test_the_page_shows_when_each_token_expires(self, client, personas):
        with time_machine.travel(dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC), tick=False):
            tokens.token_create(user=personas.rivera, name="Sync", days=30)
            client.force_login(personas.rivera)
            html = client.get(TOKENS).content.decode()
        assert "April 1, 2026" in html


class TestPasswordRevokesTokens:
    def test_changing_the_password_revokes_every_token(self, client, personas):
        _token, secret = tokens.token_create(user=personas.chen, name="Sync")
        _other, other_secret = tokens.token_create(user=personas.rivera, name="Sync")
        client.force_login(personas.chen)
        response = client.post(
            "/accounts/password/change/",
            {
                "old_password": DEMO_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            follow=True,
        )
        assert "Your API token was revoked with your old password." in response.content.decode()
        anonymous = Client()
        assert (
            anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
            == 401
        )
        assert tokens.token_authenticate(other_secret) == personas.rivera
        assert "Revoked" in client.get(TOKENS).content.decode()

    def test_a_refused_password_change_keeps_the_tokens(self, client, personas):
        _token, secret = tokens.token_create(user=personas.chen, name="Sync")
        client.force_login(personas.chen)
        client.post(
            "/accounts/password/change/",
            {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert tokens.token_authenticate(secret) == personas.chen

    def test_resetting_the_password_revokes_every_token(self, client, personas):
        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        client.post(RESET, {"email": personas.rivera.email})
        assert tokens.token_authenticate(secret) == personas.rivera  # asking alone changes nothing
        set_new_password(client, reset_path(mail.outbox[0]))
        assert client.get("/api/v1/me", **bearer(secret)).status_code == 401
        assert PersonalToken.objects.get().revoked_at is not None


class TestLastUse:
    def test_use_is_recorded_and_shown(self, client, personas):
        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        moment = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)
        with time_machine.travel(moment, tick=False):
            client.get("/api/v1/me", **bearer(secret))
        assert PersonalToken.objects.get().last_used_at == moment
        client.force_login(personas.rivera)
        html = client.get(TOKENS).content.decode()
        assert "March 2, 2026" in html
        assert "Never" not in html

    def test_last_use_is_written_at_most_once_a_minute(self, personas, django_assert_num_queries):
        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        start = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False), django_assert_num_queries(2):
            tokens.token_authenticate(secret)  # read, and write the first use
        for seconds in (1, 30, 59):
            with (
                time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False),
                django_assert_num_queries(1),
            ):
                assert tokens.token_authenticate(secret) == personas.rivera
        assert PersonalToken.objects.get().last_used_at == start
        later = start + dt.timedelta(minutes=1)
        with time_machine.travel(later, tick=False), django_assert_num_queries(2):
            tokens.token_authenticate(secret)
        assert PersonalToken.objects.get().last_used_at == later


class TestNavigation:
    @pytest.mark.parametrize("who", ["sam", "ada", "rivera", "nguyen"])
    def test_api_tokens_are_not_in_the_main_navigation(self, client, personas, who):
        client.force_login(getattr(personas, who))
        html = client.get("/").content.decode()
        header = html.split("</header>", 1)[0]
        assert TOKENS not in header  # neither in the row of links nor in the phone's menu
        assert "/accounts/profile/" in header

    def test_the_profile_page_links_to_the_tokens(self, client, personas):
        client.force_login(personas.sam)
        html = client.get("/accounts/profile/").content.decode()
        assert f'href="{TOKENS}"' in html


def test_staff_setting_a_password_in_the_admin_revokes_the_tokens(client, personas):
    _token, secret = tokens.token_create(user=personas.chen, name="Sync")
    staff = User.objects.create_superuser(username="itdesk", email="it@village.test", password="x")
    client.force_login(staff)
    url = f"/admin/accounts/user/{personas.chen.pk}/password/"
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    personas.chen.refresh_from_db()
    assert personas.chen.check_password(NEW_PASSWORD)
    assert tokens.token_authenticate(secret) is None


class TestEveryPasswordChangeRevokesTokens:
    """Revocation happens where the password is saved, so no way of setting one skips it."""

    def test_the_changepassword_command_revokes_every_token(self, personas, monkeypatch):
        from django.core.management import call_command

        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        _other, other_secret = tokens.token_create(user=personas.chen, name="Sync")
        monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
        call_command("changepassword", personas.rivera.username, stdout=io.StringIO())
        personas.rivera.refresh_from_db()
        assert personas.rivera.check_password(NEW_PASSWORD)
        assert tokens.token_authenticate(secret) is None
        assert tokens.token_authenticate(other_secret) == personas.chen

    def test_accepting_an_invitation_revokes_every_token(
        self, personas, django_capture_on_commit_callbacks
    ):
        from village.accounts import services

        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        personas.rivera.set_unusable_password()  # staff take the password away, then invite
        personas.rivera.save()
        assert tokens.token_authenticate(secret) == personas.rivera
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_send(
                user=personas.rivera, invited_by=personas.nguyen, base_url="https://v.test"
            )
        link = re.search(r"https://v\.test/accounts/invitation/([\w-]+)/", str(mail.outbox[0].body))
        assert link
        services.invitation_accept(secret=link.group(1), password=NEW_PASSWORD)
        assert tokens.token_authenticate(secret) is None
        assert PersonalToken.objects.get().revoked_at is not None

    def test_saving_other_fields_keeps_the_tokens(self, personas):
        _token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        personas.rivera.first_name = "Ana"
        personas.rivera.save()
        assert tokens.token_authenticate(secret) == personas.rivera

    def test_a_new_account_gets_its_first_password(self):
        user = User.objects.create_user(
            username="newcomer", email="newcomer@village.test", password=NEW_PASSWORD
        )
        assert user.check_password(NEW_PASSWORD)
        _token, secret = tokens.token_create(user=user, name="Sync")
        assert tokens.token_authenticate(secret) == user

    def test_the_password_forms_say_tokens_stop_working(self, client, personas):
        client.force_login(personas.rivera)
        html = client.get("/accounts/password/change/").content.decode()
        assert "When your password changes, your API tokens stop working." in html
