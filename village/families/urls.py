"""Family pages under ``/family/``: each child's page, the printable summary, calendar feeds."""

from django.urls import URLPattern

from village.families import urls_calendar, urls_family

app_name = "families"
urlpatterns: list[URLPattern] = [*urls_family.urlpatterns, *urls_calendar.urlpatterns]
