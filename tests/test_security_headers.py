"""Every answer carries a Content-Security-Policy without inline code; every answer that may
show a person's records is never stored (``no-store``); static files stay cacheable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from village.accounts.tokens import token_create
from village.calendar import services
from village.core.middleware import SecurityHeadersMiddleware

VILLAGE = Path(__file__).resolve().parents[1] / "village"

EXPECTED_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
class TestContentSecurityPolicy:
    def test_a_public_page_has_the_policy(self, client):
        response = client.get("/accounts/login/")
        assert directives(response) >= EXPECTED_DIRECTIVES
        assert not any("unsafe" in directive for directive in directives(response))

    def test_a_signed_in_page_has_the_policy(self, client, personas):
        personas.sam.refresh_from_db(fields=["password"])
        client.force_login(personas.sam)
        assert directives(client.get("/")) >= EXPECTED_DIRECTIVES

    def test_htmx_is_told_not_to_add_inline_styles_nor_to_evaluate_code(self, client):
        html = client.get("/accounts/login/").content.decode()
        match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
        assert match, "htmx-config meta tag missing"
        assert '"includeIndicatorStyles":false' in match.group(1)
        assert '"allowEval":false' in match.group(1)

    def test_a_view_may_set_its_own_policy(self, settings):
        own = HttpResponse()
        own["Content-Security-Policy"] = "default-src 'none'"
        middleware = SecurityHeadersMiddleware(lambda request: own)
        response = middleware(RequestFactory().get("/somewhere/"))
        assert response["Content-Security-Policy"] == "default-src 'none'"


#: Page templates; emails are not pages (mail clients need their styles inline).
TEMPLATES = sorted(
    path
    for path in [*VILLAGE.glob("*/templates/**/*.html"), *VILLAGE.glob("templates/**/*.html")]
    if "email" not in path.parts
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(VILLAGE)))
def test_no_page_template_has_inline_script_or_style(template: Path):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>"
    assert not HANDLER.search(text), "event-handler attribute (on...=)"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute"
    assert not STYLE_ELEMENT.search(text), "<style> element"


@pytest.mark.django_db
class TestNoStore:
    def test_every_page_to_a_signed_in_user(self, client, personas):
        personas.sam.refresh_from_db(fields=["password"])
        client.force_login(personas.sam)
        for path in ("/", f"/family/children/{personas.leo.pk}/", "/accounts/profile/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert no_store(response), path
            assert "private" in response["Cache-Control"], path

    def test_every_api_answer_to_a_token(self, client, personas):
        _token, secret = token_create(user=personas.sam, name="Phone")
        for path in ("/api/v1/me", "/api/v1/me/children", f"/api/v1/students/{personas.leo.pk}"):
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == 200, path
            assert no_store(response), path

    def test_an_api_refusal_too(self, client):
        assert no_store(client.get("/api/v1/me"))

    def test_a_calendar_feed(self, client, personas):
        _feed, token = services.calendar_feed_create(owner=personas.sam, student=None)
        response = client.get(f"/family/calendar/{token}.ics")
        assert response.status_code == 200
        assert no_store(response)

    def test_a_public_page_may_be_cached(self, client):
        assert not no_store(client.get("/accounts/password/reset/sent/"))

    def test_static_files_stay_cacheable(self, personas):
        static = HttpResponse("body {}", content_type="text/css")
        static["Cache-Control"] = "max-age=60, public"
        middleware = SecurityHeadersMiddleware(lambda request: static)
        request = RequestFactory().get("/static/village/css/village.css")
        request.user = personas.sam
        response = middleware(request)
        assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.django_db
class TestWhenTheSessionStoreFails:
    """The error page Village answers with still carries the policy, and is never stored."""

    @pytest.fixture
    def broken_sessions(self, client, personas, monkeypatch):
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import OperationalError

        client.force_login(personas.sam)

        def load(self):
            raise OperationalError("the session table cannot be read")

        monkeypatch.setattr(SessionStore, "load", load)
        client.raise_request_exception = False
        return client

    @pytest.mark.parametrize("path", ["/", "/accounts/login/"])
    def test_the_error_page_has_the_policy_and_no_store(self, broken_sessions, path):
        response = broken_sessions.get(path)
        assert response.status_code == 500
        assert directives(response) >= EXPECTED_DIRECTIVES
        assert no_store(response)

    def test_the_middleware_itself_treats_an_unknown_user_as_private(self, rf):
        class Unknown:
            @property
            def is_authenticated(self) -> bool:
                raise RuntimeError("the session store is down")

        request = rf.get("/")
        request.user = Unknown()
        response = SecurityHeadersMiddleware(lambda request: HttpResponse())(request)
        assert directives(response) >= EXPECTED_DIRECTIVES
        assert no_store(response)
