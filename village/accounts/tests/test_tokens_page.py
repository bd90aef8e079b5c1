from __future__ import annotations

import re

import pytest
from django.test import Client

from village.accounts import tokens
from village.accounts.models import PersonalToken

TOKENS = "/accounts/tokens/"


def revoke_path(token) -> str:
    return f"/accounts/tokens/{token.pk}/revoke/"


@pytest.mark.django_db
class TestTokensPage:
    def test_requires_sign_in(self, client):
        assert client.get(TOKENS).status_code == 302

    def test_lists_only_my_tokens(self, client, personas):
        mine, _secret = tokens.token_create(user=personas.rivera, name="Gradebook sync")
        tokens.token_create(user=personas.chen, name="Chen's script")
        client.force_login(personas.rivera)
        html = client.get(TOKENS).content.decode()
        assert "Gradebook sync" in html
        assert "Chen&#x27;s script" not in html
        assert "Never" in html
        assert f"<code>vlg_{mine.prefix}…</code>" in html

    def test_creating_shows_the_secret_once_and_it_works(self, client, personas):
        client.force_login(personas.rivera)
        response = client.post(TOKENS, {"name": "Gradebook sync"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        match = re.search(r'value="(vlg_[\w-]+)"', html)
        assert match, html
        secret = match.group(1)
        assert "shown only this once" in html
        assert tokens.token_authenticate(secret) == personas.rivera
        assert secret not in client.get(TOKENS).content.decode()

    def test_blank_name_is_refused_naming_the_field(self, client, personas):
        client.force_login(personas.rivera)
        response = client.post(TOKENS, {"name": ""})
        assert 'id="id_name_error"' in response.content.decode()
        assert not PersonalToken.objects.exists()

    def test_revoking_my_token_stops_it_working(self, client, personas):
        token, secret = tokens.token_create(user=personas.rivera, name="Old laptop")
        client.force_login(personas.rivera)
        response = client.post(revoke_path(token))
        assert response.status_code == 302
        assert response.url == TOKENS
        assert tokens.token_authenticate(secret) is None
        assert "Revoked" in client.get(TOKENS).content.decode()

    def test_someone_elses_token_is_not_found_and_keeps_working(self, client, personas):
        token, secret = tokens.token_create(user=personas.chen, name="Chen's script")
        client.force_login(personas.eve)
        assert client.post(revoke_path(token)).status_code == 404
        assert tokens.token_authenticate(secret) == personas.chen

    def test_revoking_needs_a_post(self, client, personas):
        token, secret = tokens.token_create(user=personas.rivera, name="Old laptop")
        client.force_login(personas.rivera)
        assert client.get(revoke_path(token)).status_code == 405
        assert tokens.token_authenticate(secret) == personas.rivera

    def test_creating_needs_the_csrf_token(self, personas):
        client = Client(enforce_csrf_checks=True)
        client.force_login(personas.rivera)
        assert client.post(TOKENS, {"name": "Sneaky"}).status_code == 403
        assert not PersonalToken.objects.exists()
