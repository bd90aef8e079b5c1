"""The project's URLs plus onboarding's, for tests (the project includes them under families/)."""

from django.urls import URLResolver, include, path

urlpatterns: list[URLResolver] = [
    path("families/", include("village.onboarding.urls")),
    path("", include("village.urls")),
]
