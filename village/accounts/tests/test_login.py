from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from village.accounts.forms import accounts_for_login
from village.accounts.models import User
from village.demo.personas import DEMO_PASSWORD

LOGIN = "/accounts/login/"


def signed_in_id(client):
    return client.session.get("_auth_user_id")


def post_login(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_url_name_is_stable():
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:logout") == "/accounts/logout/"


@pytest.mark.django_db
class TestLogin:
    def test_login_page_labels_every_field(self, client):
        response = client.get(LOGIN)
        html = response.content.decode()
        assert response.status_code == 200
        assert '<label for="id_username">' in html
        assert '<label for="id_password">' in html
        assert 'autocomplete="username"' in html
        assert 'autocomplete="current-password"' in html

    def test_username_signs_in_and_goes_home(self, client, personas):
        response = post_login(client, "rivera")
        assert response.status_code == 302
        assert response.url == "/"
        assert signed_in_id(client) == str(personas.rivera.pk)

    def test_username_is_not_case_sensitive(self, client, personas):
        response = post_login(client, "  RiVeRa ")
        assert response.status_code == 302
        assert signed_in_id(client) == str(personas.rivera.pk)

    def test_email_signs_in_whatever_its_case(self, client, personas):
        response = post_login(client, "Sam@Families.Village.TEST")
        assert response.status_code == 302
        assert signed_in_id(client) == str(personas.sam.pk)

    def test_wrong_password_is_refused_with_a_message(self, client, personas):
        response = post_login(client, "rivera", "not-the-password")
        assert response.status_code == 200
        assert signed_in_id(client) is None
        assert "do not match an account" in response.content.decode()

    def test_email_shared_by_two_accounts_signs_in_the_one_whose_password_matches(
        self, client, personas
    ):
        personas.leo.email = personas.sam.email
        personas.leo.set_password("leo-has-his-own-password")
        personas.leo.save()
        response = post_login(client, personas.sam.email.upper())
        assert response.status_code == 302
        assert signed_in_id(client) == str(personas.sam.pk)
        other = Client()
        assert post_login(other, personas.sam.email, "leo-has-his-own-password").status_code == 302
        assert signed_in_id(other) == str(personas.leo.pk)

    def test_a_shared_email_with_a_wrong_password_looks_like_any_other(self, client, personas):
        lone = post_login(Client(), personas.rivera.email, "not-the-password").content.decode()
        unknown = post_login(Client(), "nobody@nowhere.test", "not-the-password")
        personas.leo.email = personas.sam.email
        personas.leo.save()
        response = post_login(client, personas.sam.email, "not-the-password")
        html = response.content.decode()
        assert response.status_code == 200
        assert signed_in_id(client) is None
        assert "do not match an account" in html
        assert "more than one account" not in html
        assert "do not match an account" in lone
        assert "do not match an account" in unknown.content.decode()

    def test_a_password_both_sharing_accounts_have_signs_in_neither(self, client, personas):
        personas.leo.email = personas.sam.email
        personas.leo.save()  # both still have the demo password
        response = post_login(client, personas.sam.email)
        assert response.status_code == 200
        assert signed_in_id(client) is None
        assert "do not match an account" in response.content.decode()

    def test_a_wrong_password_on_a_shared_email_counts_against_each_account(self, client, personas):
        personas.leo.email = personas.sam.email
        personas.leo.save()
        for _attempt in range(5):
            post_login(client, personas.sam.email, "not-the-password")
        assert post_login(client, "sam").status_code == 429
        assert post_login(client, "leo").status_code == 429

    def test_a_locked_out_account_is_not_signed_in_through_a_shared_email(self, client, personas):
        personas.leo.email = personas.sam.email
        personas.leo.set_password("leo-has-his-own-password")
        personas.leo.save()
        for _attempt in range(5):
            post_login(client, "leo", "not-the-password")
        response = post_login(client, personas.sam.email, "leo-has-his-own-password")
        assert response.status_code == 429
        assert signed_in_id(client) is None

    def test_an_account_whose_username_is_anothers_email_does_not_capture_their_sign_in(
        self, client, personas
    ):
        impostor = User.objects.create_user(
            username=personas.stone.email, email="impostor@elsewhere.test", password="x-x-x-x-x"
        )
        response = post_login(client, personas.stone.email)
        assert response.status_code == 302
        assert signed_in_id(client) == str(personas.stone.pk)
        assert impostor.pk != personas.stone.pk

    def test_username_still_works_when_the_email_is_shared(self, client, personas):
        personas.leo.email = personas.sam.email
        personas.leo.save()
        response = post_login(client, "leo")
        assert signed_in_id(client) == str(personas.leo.pk)
        assert response.status_code == 302

    def test_inactive_account_cannot_sign_in(self, client, personas):
        personas.ada.is_active = False
        personas.ada.save()
        post_login(client, "ada")
        assert signed_in_id(client) is None

    def test_redirects_to_a_safe_next_page(self, client, personas):
        response = post_login(client, "rivera", next="/accounts/profile/")
        assert response.url == "/accounts/profile/"

    def test_ignores_a_next_page_on_another_site(self, client, personas):
        response = post_login(client, "rivera", next="https://evil.example/steal")
        assert response.url == "/"

    def test_logout_needs_a_post(self, client, personas):
        client.force_login(personas.rivera)
        assert client.get("/accounts/logout/").status_code == 405
        assert signed_in_id(client) == str(personas.rivera.pk)
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert response.url == LOGIN
        assert signed_in_id(client) is None

    def test_logout_requires_the_csrf_token(self, personas):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(personas.rivera)
        assert client.post("/accounts/logout/").status_code == 403
        assert signed_in_id(client) == str(personas.rivera.pk)


@pytest.mark.django_db
class TestAccountsForLogin:
    def test_unknown_identifier_names_no_account(self, personas):
        assert accounts_for_login("nobody@example.org") == []

    def test_inactive_account_sharing_an_email_does_not_make_it_ambiguous(self, personas):
        personas.leo.email = personas.sam.email
        personas.leo.is_active = False
        personas.leo.save()
        assert [account.username for account in accounts_for_login(personas.sam.email.upper())] == [
            "sam"
        ]

    def test_a_shared_email_names_no_single_username(self, personas):
        personas.ada.email = personas.sam.email
        personas.ada.save()
        assert len(accounts_for_login(personas.sam.email)) == 2
        assert {account.username for account in accounts_for_login(personas.sam.email)} == {
            "sam",
            "ada",
        }
