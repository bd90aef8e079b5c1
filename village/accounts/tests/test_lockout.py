from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from village.demo.personas import DEMO_PASSWORD

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def fail(client, username, times):
    for _ in range(times):
        attempt(client, username, "wrong-password")


@pytest.mark.django_db
class TestLockout:
    def test_sixth_attempt_with_the_right_password_is_refused_after_five_failures(
        self, client, personas
    ):
        fail(client, "rivera", 5)
        response = attempt(client, "rivera", DEMO_PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        html = response.content.decode()
        assert "Too many attempts to sign in" in html
        assert "try again in 15 minutes" in html
        assert "/accounts/password/reset/" in html

    def test_failures_by_email_and_by_username_count_together(self, client, personas):
        fail(client, "rivera", 3)
        fail(client, "Rivera@staff.village.test", 2)
        assert attempt(client, "rivera", DEMO_PASSWORD).status_code == 429

    def test_another_username_from_the_same_address_is_not_locked(self, client, personas):
        fail(client, "rivera", 5)
        response = attempt(client, "chen", DEMO_PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(personas.chen.pk)

    def test_success_before_the_limit_resets_the_count(self, client, personas):
        fail(client, "rivera", 4)
        assert attempt(client, "rivera", DEMO_PASSWORD).status_code == 302
        client.post("/accounts/logout/")
        fail(client, "rivera", 4)
        response = attempt(client, "rivera", DEMO_PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(personas.rivera.pk)

    def test_resetting_the_password_lifts_the_lockout(self, client, personas):
        fail(client, "rivera", 5)
        client.post("/accounts/password/reset/", {"email": personas.rivera.email})
        link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
        path = link.split("testserver", 1)[1]
        resetter = Client()
        form_page = resetter.get(path, follow=True)
        resetter.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "a-brand-new-pass-2026", "new_password2": "a-brand-new-pass-2026"},
        )
        response = attempt(client, "rivera", "a-brand-new-pass-2026")
        assert response.status_code == 302


@pytest.mark.django_db
class TestBehindTheProxy:
    """Behind the reverse proxy every request comes from the proxy's address."""

    PROXY = "10.0.0.2"

    def attempt(self, client, username, password, forwarded):
        return client.post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR=self.PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    def test_one_attacker_does_not_lock_the_user_out_everywhere(self, settings, personas):
        settings.VILLAGE_TRUSTED_PROXIES = [self.PROXY]
        attacker, rivera = Client(), Client()
        for _ in range(5):
            self.attempt(attacker, "rivera", "wrong-password", "203.0.113.66")
        assert self.attempt(attacker, "rivera", DEMO_PASSWORD, "203.0.113.66").status_code == 429
        response = self.attempt(rivera, "rivera", DEMO_PASSWORD, "198.51.100.10")
        assert response.status_code == 302
        assert rivera.session["_auth_user_id"] == str(personas.rivera.pk)

    def test_the_attacker_cannot_escape_the_lockout_with_a_forged_header(self, settings, personas):
        settings.VILLAGE_TRUSTED_PROXIES = [self.PROXY]
        attacker = Client()
        for number in range(5):
            self.attempt(attacker, "rivera", "wrong-password", f"1.2.3.{number}, 203.0.113.66")
        response = self.attempt(attacker, "rivera", DEMO_PASSWORD, "9.9.9.9, 203.0.113.66")
        assert response.status_code == 429

    def test_without_a_trusted_proxy_the_header_chooses_nothing(self, settings, personas):
        settings.VILLAGE_TRUSTED_PROXIES = []
        attacker = Client()
        for number in range(5):
            attacker.post(
                LOGIN,
                {"username": "rivera", "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.66",
                HTTP_X_FORWARDED_FOR=f"1.2.3.{number}",
            )
        response = attacker.post(
            LOGIN,
            {"username": "rivera", "password": DEMO_PASSWORD},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR="9.9.9.9",
        )
        assert response.status_code == 429


@pytest.mark.django_db
class TestSpreadOverAddresses:
    """An IPv6 client holds a whole /64, and an attacker may hold many addresses."""

    def attempt_from(self, address, username, password):
        return Client().post(
            LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_addresses_of_one_ipv6_slash_64_count_as_one_client(self, personas):
        for number in range(5):
            self.attempt_from(f"2001:db8:5:6::{number + 1}", "rivera", "wrong-password")
        response = self.attempt_from("2001:db8:5:6::99", "rivera", DEMO_PASSWORD)
        assert response.status_code == 429
        elsewhere = self.attempt_from("2001:db8:5:7::1", "rivera", DEMO_PASSWORD)
        assert elsewhere.status_code == 302

    def test_guesses_at_one_account_from_many_addresses_lock_it_out(self, personas):
        for number in range(20):
            self.attempt_from(f"198.51.100.{number + 1}", "rivera", "wrong-password")
        response = self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD)
        assert response.status_code == 429
        other_account = self.attempt_from("203.0.113.200", "chen", DEMO_PASSWORD)
        assert other_account.status_code == 302

    def test_below_the_account_limit_the_owner_elsewhere_still_signs_in(self, personas):
        for number in range(19):
            self.attempt_from(f"198.51.100.{number + 1}", "rivera", "wrong-password")
        response = self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD)
        assert response.status_code == 302

    def test_one_client_alone_cannot_lock_the_account_out_everywhere(self, personas):
        for _attempt in range(25):
            self.attempt_from("192.0.2.10", "rivera", "wrong-password")
        assert self.attempt_from("192.0.2.10", "rivera", DEMO_PASSWORD).status_code == 429
        assert self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD).status_code == 302

    def test_the_account_limit_comes_from_settings(self, settings, personas):
        settings.VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 8
        for number in range(8):
            self.attempt_from(f"198.51.100.{number + 1}", "rivera", "wrong-password")
        assert self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD).status_code == 429

    def test_one_person_at_a_shared_school_address_does_not_lock_out_a_colleague(self, personas):
        school = "192.0.2.10"
        for _attempt in range(5):
            self.attempt_from(school, "chen", "wrong-password")
        assert self.attempt_from(school, "chen", DEMO_PASSWORD).status_code == 429
        assert self.attempt_from(school, "rivera", DEMO_PASSWORD).status_code == 302

    def test_the_owner_signing_in_does_not_reset_the_guesses_from_elsewhere(self, personas):
        for number in range(15):
            self.attempt_from(f"198.51.100.{number + 1}", "rivera", "wrong-password")
        assert self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD).status_code == 302
        for number in range(5):
            self.attempt_from(f"198.51.101.{number + 1}", "rivera", "wrong-password")
        assert self.attempt_from("203.0.113.201", "rivera", DEMO_PASSWORD).status_code == 429

    def test_resetting_the_password_lifts_the_account_lockout(self, personas):
        from village.accounts.services import login_failures_clear

        for number in range(20):
            self.attempt_from(f"198.51.100.{number + 1}", "rivera", "wrong-password")
        login_failures_clear(user=personas.rivera)
        assert self.attempt_from("203.0.113.200", "rivera", DEMO_PASSWORD).status_code == 302
