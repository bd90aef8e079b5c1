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
