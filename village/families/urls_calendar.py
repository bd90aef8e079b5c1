"""Calendar feeds under ``/family/calendar/``: the guardian's page and the feeds themselves."""

from django.urls import URLPattern, path

from village.families import views_calendar

urlpatterns: list[URLPattern] = [
    path("calendar/", views_calendar.calendar_manage, name="calendar"),
    path("calendar/new/", views_calendar.calendar_create, name="calendar_create"),
    path(
        "calendar/<int:feed_id>/regenerate/",
        views_calendar.calendar_regenerate,
        name="calendar_regenerate",
    ),
    path("calendar/<int:feed_id>/revoke/", views_calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
]
