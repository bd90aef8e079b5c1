"""Village's URLs, plus the trivial view the family-home benchmark compares the home page with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from village.accounts.models import User
from village.urls import urlpatterns as village_urlpatterns


def trivial(request: HttpRequest, pk: int) -> HttpResponse:
    """One primary-key lookup and a few bytes back: the floor under every Village page."""
    username = User.objects.values_list("username", flat=True).get(pk=pk)
    return HttpResponse(username, content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/trivial/<int:pk>/", trivial, name="bench-trivial"),
    *village_urlpatterns,
]
