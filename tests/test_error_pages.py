"""Village's own error pages: branded, in the reader's language, with a way home; the 500 page
renders without a database."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults

from village.community import policies

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    user.refresh_from_db(fields=["password"])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


class TestNotFound:
    def test_an_unknown_address_is_branded_and_kind(self, client):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert "Village</a>" in html
        assert "This page does not exist or is not shared with you" in html
        assert '<a class="button" href="/">Go to your home page</a>' in html
        assert "Using the URLconf" not in html  # not Django's page listing every address
        assert "script-src 'self'" in response["Content-Security-Policy"]

    def test_a_restricted_guardian_is_told_kindly_in_spanish(self, personas):
        # Jordan may not see Ada: her page is a 404, exactly as if she did not exist.
        personas.jordan.preferred_language = "es"
        personas.jordan.save(update_fields=["preferred_language"])
        response = signed_in(personas.jordan).get(f"/family/children/{personas.ada.pk}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert '<html lang="es">' in html
        assert "Esta página no existe o no se comparte con usted" in html
        assert "Ir a su página de inicio" in html
        assert "Ada" not in html

    def test_sam_reads_it_in_spanish(self, personas):
        response = signed_in(personas.sam).get("/no/such/page/")
        assert response.status_code == 404
        assert "Esta página no existe o no se comparte con usted" in response.content.decode()


class TestServerError:
    def test_a_crash_shows_the_branded_page_in_the_readers_language(self, personas, monkeypatch):
        def broken(user):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(policies, "roles_of", broken)
        response = signed_in(personas.sam).get("/")
        assert response.status_code == 500
        html = response.content.decode()
        assert '<html lang="es">' in html
        assert "Algo salió mal de nuestro lado" in html
        assert 'href="/"' in html
        assert "the database went away" not in html

    def test_it_renders_without_touching_the_database(self, django_assert_num_queries):
        request = RequestFactory().get("/")
        with translation.override("en"), django_assert_num_queries(0):
            response = defaults.server_error(request)
        assert response.status_code == 500
        html = response.content.decode()
        assert "Something went wrong on our side" in html
        assert "Go to your home page" in html


class TestRefusals:
    def test_a_forbidden_action_is_branded(self, rf, django_assert_num_queries):
        with translation.override("es"):
            response = defaults.permission_denied(rf.get("/"), PermissionError())
        assert response.status_code == 403
        assert "No puede hacer esto aquí" in response.content.decode()

    def test_an_expired_form_is_branded(self, personas):
        client = Client(enforce_csrf_checks=True)
        personas.rivera.refresh_from_db(fields=["password"])
        client.force_login(personas.rivera)
        response = client.post("/accounts/tokens/", {"name": "Sneaky"})
        assert response.status_code == 403
        html = response.content.decode()
        assert "The form expired" in html
        assert "Go to your home page" in html
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"]


def test_the_demo_runs_without_debug_so_it_shows_these_pages():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "DEMO_DEBUG ?= 0" in makefile
    assert "demo: export VILLAGE_DEBUG = $(DEMO_DEBUG)" in makefile
