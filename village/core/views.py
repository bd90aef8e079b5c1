"""Project-wide pages: the favicon and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, a JSON answer)."""
    return HttpResponsePermanentRedirect(static("village/img/favicon.svg"))
