"""Family pages under ``/family/``: each child's page and the printable summary."""

from django.urls import URLPattern

from village.families import urls_family

app_name = "families"
urlpatterns: list[URLPattern] = [*urls_family.urlpatterns]
