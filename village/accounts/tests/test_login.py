from __future__ import annotations

import pytest
from django.urls import reverse

from village.accounts.forms import AmbiguousEmailError, username_for_login
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

    def test_email_shared_by_two_accounts_is_refused_and_signs_nobody_in(self, client, personas):
        personas.leo.email = personas.sam.email
        personas.leo.save()
        response = post_login(client, personas.sam.email)
        assert response.status_code == 200
        assert signed_in_id(client) is None
        assert "belongs to more than one account" in response.content.decode()

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
class TestUsernameForLogin:
    def test_unknown_identifier_is_passed_through(self, personas):
        assert username_for_login("nobody@example.org") == "nobody@example.org"

    def test_inactive_account_sharing_an_email_does_not_make_it_ambiguous(self, personas):
        personas.leo.email = personas.sam.email
        personas.leo.is_active = False
        personas.leo.save()
        assert username_for_login(personas.sam.email.upper()) == "sam"

    def test_shared_email_raises(self, personas):
        personas.ada.email = personas.sam.email
        personas.ada.save()
        with pytest.raises(AmbiguousEmailError):
            username_for_login(personas.sam.email)
