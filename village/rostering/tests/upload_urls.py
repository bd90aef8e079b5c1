"""The project's URLs plus the roster pages, for tests (the project includes them under roster/)."""

from django.urls import URLResolver, include, path

urlpatterns: list[URLResolver] = [
    path("roster/", include("village.rostering.urls")),
    path("", include("village.urls")),
]
